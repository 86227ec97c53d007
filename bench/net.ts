// The network figures of issue 16 (`tsx bench/run.ts net`, and part of `make bench`): a network
// namespace with a tap (10.0.2.1/24), and in it, booted in turn on the same virtio-net device,
// Debian's kernel with bench/linux/net-echo.c as /init (bench/linux-baseline.ts's machine) and
// Capsid with `ip=10.0.2.15/24 init=udp-echo`, both at 10.0.2.15. From the host side of the tap,
// for each guest: the UDP echo round trip and the echo rate from the project's generator
// (bench/net/generator.c), then ping's round trip. Capsid runs twice a round: as it boots by
// default, and "plain", with `virtio-net=` turning off what its driver negotiates beyond the
// minimum (EVENT_IDX, MRG_RXBUF, GUEST_CSUM), so the offloads are measured rather than assumed.
// Rounds interleave Linux and both Capsids, since this machine's speed moves within a session;
// each figure is the median over the rounds. The namespace is removed at the end, also on
// failure or Ctrl-C. Until Capsid has a udp-echo program, its boot says so and only its ping
// figure is measured.

import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { QemuSession, REPOSITORY, logMessage } from "../tests/qemu-runner/runner";
import { LINUX_KERNEL, linuxArguments } from "./linux-baseline";

export const LINUX_NET_INITRD = join(REPOSITORY, "build/linux/initrd-net.cpio");
const GENERATOR = join(REPOSITORY, "build/net/generator");
const GUEST = "10.0.2.15";
const ECHO_PORT = "7";
/** The generator's settings, the same for both guests. */
export const ROUND_TRIPS = 2000, WARMUP = 100, WINDOW = 8, RATE_SECONDS = 3, PINGS = 200;
/** The one network device both guests get: virtio-net, modern only, with QEMU's default feature
 * offer (offloads included; each guest negotiates what it implements), on the namespace's tap. */
export const NETWORK_DEVICE = [
  "-device", "virtio-net-pci,disable-legacy=on,netdev=n0,mac=52:54:00:c0:ff:ee",
  "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
];
export const CAPSID_COMMAND_LINE = `ip=${GUEST}/24 init=udp-echo`;
/** The driver's settings of the "plain" Capsid (kernel/drivers/virtio/net-options.ts). */
export const CAPSID_PLAIN_SETTING = "virtio-net=nooffload,noeventidx,nomrgrxbuf";

/** Feature bits named in the report of Linux's driver (virtio 1.2 §5.1.3, and §6 for 28, 29, 32). */
const FEATURE_NAMES: [number, string][] = [
  [0, "CSUM"], [1, "GUEST_CSUM"], [7, "GUEST_TSO4"], [11, "HOST_TSO4"], [15, "MRG_RXBUF"], [28, "INDIRECT_DESC"],
  [29, "EVENT_IDX"], [32, "VERSION_1"],
];
const LINUX_READY = /^linux-net: (\S+) 10\.0\.2\.15\/24 up; virtio features ([01?]+); UDP echo on port 7$/;
const CAPSID_NET_READY = /^capsid: net: 10\.0\.2\.15\/24/;
/** The driver's line after the MAC: link, queues, interrupt, features (kernel/drivers/virtio/net.ts). */
const CAPSID_DRIVER = /virtio-net: \S+ MAC [0-9a-f:]{17}, (.*)$/m;
const CAPSID_NO_PROGRAM = /init=udp-echo: no such program in the boot package/;
const RTT = /^rtt: median ([\d.]+) us p99 ([\d.]+) us min [\d.]+ us; (\d+) measured, (\d+) lost, (\d+) corrupt$/m;
const RATE = /^rate: (\d+) datagrams\/s; (\d+) echoed in [\d.]+ s, window \d+, (\d+) lost, (\d+) corrupt, (\d+) stray$/m;
const PING_COUNTS = /(\d+) packets transmitted, (\d+) received/;
const PING_RTT = /rtt min\/avg\/max\/mdev = [\d.]+\/([\d.]+)\//;

/** One guest's figures from one boot; null where not measured (the notes say why). */
export interface GuestFigures {
  roundTripMicroseconds: number | null;      // UDP echo, median of ROUND_TRIPS
  roundTripP99Microseconds: number | null;
  echoesPerSecond: number | null;            // WINDOW in flight for RATE_SECONDS
  pingMilliseconds: number | null;           // ping's avg
  notes: string[];
}

export interface NetFigures {
  rounds: number;
  linux: GuestFigures[];
  capsid: GuestFigures[];
  /** Capsid with CAPSID_PLAIN_SETTING. */
  capsidPlain: GuestFigures[];
  /** Why nothing was measured (no root, a missing build product), or null. */
  skipped: string | null;
  /** The features each guest's driver settled on, as the guest reported them. */
  linuxFeatures: string | null;
  capsidFeatures: string | null;
  capsidPlainFeatures: string | null;
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** Runs `command` in the namespace to its end, killed after `milliseconds`: its status and output. */
export function runInNamespace(namespace: string, command: string[], milliseconds: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("ip", ["netns", "exec", namespace, ...command], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
    child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
    const timer = setTimeout(() => child.kill("SIGKILL"), milliseconds);
    child.on("close", (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

/** The three measurements against whichever guest is up at 10.0.2.15; UDP ones only if `udp`.
 * When one fails, the guest's last console lines join the notes. */
async function measureGuest(namespace: string, udp: boolean, notes: string[], serial: () => string): Promise<GuestFigures> {
  const expectedNotes = notes.length;
  const figures: GuestFigures = { roundTripMicroseconds: null, roundTripP99Microseconds: null, echoesPerSecond: null, pingMilliseconds: null, notes };
  if (udp) {
    const probe = await runInNamespace(namespace, [GENERATOR, "probe", GUEST, ECHO_PORT, "15"], 30_000);
    if (probe.code !== 0) { notes.push(`UDP port 7 did not answer: ${probe.output.trim()}`); udp = false; }
  }
  if (udp) {
    const rtt = await runInNamespace(namespace, [GENERATOR, "rtt", GUEST, ECHO_PORT, String(ROUND_TRIPS), String(WARMUP)], 180_000);
    const match = RTT.exec(rtt.output);
    if (!match) notes.push(`round trip not measured: ${rtt.output.trim()}`);
    else if (Number(match[5]) > 0) notes.push(`round trip discarded: ${match[5]} corrupt echoes`);
    else {
      figures.roundTripMicroseconds = Number(match[1]);
      figures.roundTripP99Microseconds = Number(match[2]);
      if (Number(match[4]) > 0) notes.push(`round trip: ${match[4]} of ${ROUND_TRIPS} lost`);
    }
    const rate = await runInNamespace(namespace, [GENERATOR, "rate", GUEST, ECHO_PORT, String(WINDOW), String(RATE_SECONDS)], 60_000);
    const rateMatch = RATE.exec(rate.output);
    if (!rateMatch) notes.push(`echo rate not measured: ${rate.output.trim()}`);
    else if (Number(rateMatch[4]) > 0) notes.push(`echo rate discarded: ${rateMatch[4]} corrupt echoes`);
    else {
      figures.echoesPerSecond = Number(rateMatch[1]);
      if (Number(rateMatch[3]) > 0) notes.push(`echo rate: ${rateMatch[3]} lost (timeout), ${rateMatch[5]} late or duplicate`);
    }
  }
  const ping = await runInNamespace(namespace, ["ping", "-c", String(PINGS), "-i", "0.01", "-q", "-W", "2", GUEST], 60_000);
  const counts = PING_COUNTS.exec(ping.output), average = PING_RTT.exec(ping.output);
  if (!counts || !average) notes.push(`ping not measured: ${ping.output.trim().split("\n").pop()}`);
  else {
    figures.pingMilliseconds = Number(average[1]);
    if (counts[1] !== counts[2]) notes.push(`ping: ${counts[2]} of ${counts[1]} answered`);
  }
  if (notes.length > expectedNotes) {
    const lines = serial().split("\n").map(logMessage).filter((line) => line.trim() !== "");
    notes.push(`the guest's console ended with: ${lines.slice(-3).join(" | ")}`);
  }
  return figures;
}

/** The guest running now, stopped by an interrupted run before the namespace goes. */
let running: QemuSession | null = null;

async function linuxRound(namespace: string, features: (text: string) => void): Promise<GuestFigures> {
  const child = spawn("ip", ["netns", "exec", namespace, "qemu-system-x86_64", ...linuxArguments(LINUX_NET_INITRD, NETWORK_DEVICE)],
    { stdio: ["pipe", "pipe", "pipe"] });
  const session = running = QemuSession.attach(child);
  try {
    const ready = LINUX_READY.exec(await session.expectLine(LINUX_READY, 120_000))!;
    const named = FEATURE_NAMES.filter(([bit]) => ready[2][bit] === "1").map(([, name]) => name);
    features(`${ready[1]}, negotiated ${named.join(" ")} among others (sysfs bits, bit 0 first: ${ready[2]})`);
    return await measureGuest(namespace, true, [], () => session.serial);
  } finally {
    await session.stop();
  }
}

async function capsidRound(namespace: string, commandLine: string, features: (text: string) => void): Promise<GuestFigures> {
  const session = running = QemuSession.start({ commandLine, netns: namespace, extraArguments: NETWORK_DEVICE });
  try {
    await session.expectLine(CAPSID_NET_READY, 120_000);
    const driver = CAPSID_DRIVER.exec(session.serial);
    if (driver) features(driver[1]);
    // init= is looked at right after the interface comes up (kernel/main.ts): a bounded wait for
    // the missing-program line; the probe then finds out whether an echo server answers.
    const end = Date.now() + 3000;
    while (!CAPSID_NO_PROGRAM.test(session.serial) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 100));
    const missing = CAPSID_NO_PROGRAM.test(session.serial);
    const notes = missing ? ["UDP figures unavailable: init=udp-echo is not in the boot package yet"] : [];
    return await measureGuest(namespace, !missing, notes, () => session.serial);
  } finally {
    await session.stop();
  }
}

/** `rounds` boots of each guest, interleaved (Linux, Capsid, plain Capsid), in a namespace made
 * and removed here. */
export async function benchmarkNet(rounds = 3): Promise<NetFigures> {
  const figures: NetFigures = {
    rounds, linux: [], capsid: [], capsidPlain: [], skipped: null, linuxFeatures: null, capsidFeatures: null, capsidPlainFeatures: null,
  };
  for (const [file, what] of [[LINUX_KERNEL, "Debian's kernel"], [LINUX_NET_INITRD, "the network initramfs"], [GENERATOR, "the generator"]])
    if (!existsSync(file)) { figures.skipped = `${what} (${file}) is missing: run make bench`; return figures; }
  const namespace = `capsid-net-bench-${process.pid}`;
  try {
    ip("netns", "add", namespace);
  } catch (error) {
    figures.skipped = `no network namespace (root is needed): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
    return figures;
  }
  const remove = () => { try { ip("netns", "del", namespace); } catch { /* already gone */ } };
  const interrupted = () => { void running?.stop(); remove(); process.exit(130); };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    ip("-n", namespace, "link", "set", "lo", "up");
    ip("-n", namespace, "tuntap", "add", "dev", "tap0", "mode", "tap");
    ip("-n", namespace, "addr", "add", "10.0.2.1/24", "dev", "tap0");
    ip("-n", namespace, "link", "set", "tap0", "up");
    for (let round = 0; round < rounds; round++) {
      figures.linux.push(await linuxRound(namespace, (text) => { figures.linuxFeatures = text; }));
      figures.capsid.push(await capsidRound(namespace, CAPSID_COMMAND_LINE, (text) => { figures.capsidFeatures = text; }));
      figures.capsidPlain.push(await capsidRound(namespace, `${CAPSID_COMMAND_LINE} ${CAPSID_PLAIN_SETTING}`,
        (text) => { figures.capsidPlainFeatures = text; }));
    }
  } finally {
    remove();
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
  }
  return figures;
}

/** The median of the rounds that measured `figure`, or null when none did. */
export function medianOf(runs: GuestFigures[], figure: keyof Omit<GuestFigures, "notes">): number | null {
  const values = runs.map((run) => run[figure]).filter((value): value is number => value !== null).sort((a, b) => a - b);
  if (values.length === 0) return null;
  const middle = Math.floor(values.length / 2);
  return values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}
