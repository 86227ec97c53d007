// The TCP figures (`tsx bench/run.ts tcp`, `make bench BENCH=tcp`, and part of `make bench`): a
// network namespace with a tap (10.0.2.1/24, tests/qemu/netns.ts), made anew for every boot
// (renew: the host's TIME-WAIT connections from one guest would slow the next), and in it,
// booted in turn on the same virtio-net device, Debian's kernel running bench/linux/tcp-bench.c
// (rdinit=/tcp-bench in build/linux/initrd-net.cpio) and Capsid with `ip=10.0.2.15/24
// init=tcp-bench`, both at 10.0.2.15 serving one protocol on ports 5001-5003. From the host side
// of the tap, the same client (bench/net/tcp-client.c) measures each guest: bulk guest to host,
// bulk host to guest, and sequential connections per second. Rounds interleave Linux and
// Capsid, since this machine's speed moves within a session; each figure is the median over the
// rounds.
//
// Offloads are one switch, TCP_OFFLOADS (the device both guests get, printed with the figures):
//   off (the default)  the device offers no transmit checksum, TSO, UFO, ECN or GSO in either
//                      direction (Capsid implements none of them, so Linux may not use them
//                      either); GUEST_CSUM, MRG_RXBUF and EVENT_IDX stay, as Capsid's driver
//                      negotiates them too. QEMU then tells the tap (TUNSETOFFLOAD) to hand the
//                      guest no segment larger than the MTU, whoever the guest is.
//   on                 QEMU's default offer (what bench/net.ts uses): Linux negotiates checksum
//                      and segmentation offloads and moves 64 KiB segments through the device.
// The host tap's offloads as ethtool reads them are printed too (when ethtool is installed).
// Before the rounds, the client runs against tcp-bench.c on the namespace's loopback: its own
// ceiling, so a guest figure near it would be the client's limit, not the guest's.
// A third guest, Capsid with `init=tcp-bench-posix`, runs the Linux guest's own binary
// (tcp-bench.c) through Capsid's POSIX sockets, so the figures compare the same program on both
// kernels (issue 19); TCP_GUESTS=no-posix leaves it out. A Capsid program missing from the boot
// package is skipped with that reason. TCP_BYTES fixes the transfer size (else sized per guest,
// below), TCP_ROUNDS the rounds.

import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_ISO, QemuSession, REPOSITORY, logMessage } from "../tests/qemu-runner/runner";
import { GUEST, Namespace } from "../tests/qemu/netns";
import { LINUX_KERNEL, linuxArguments } from "./linux-baseline";
import { LINUX_NET_INITRD, runInNamespace } from "./net";

function positiveInteger(name: string, text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new Error(`${name}=${text}: expected a positive integer`);
  return Number(text);
}

const CLIENT = join(REPOSITORY, "build/net/tcp-client");
const LINUX_TCP_BENCH = join(REPOSITORY, "build/linux/tcp-bench");

export type OffloadSetting = "off" | "on";
/** The device's options for each setting (QEMU 7.2's virtio-net-pci property names). */
export const OFFLOAD_DEVICE: Record<OffloadSetting, string> = {
  off: "csum=off,gso=off,guest_tso4=off,guest_tso6=off,guest_ecn=off,guest_ufo=off,host_tso4=off,host_tso6=off,host_ecn=off,host_ufo=off",
  on: "",
};
/** Each bulk transfer is sized for the guest at hand, since under TCG the guests and settings
 * differ by 5 times and more: a WARMUP_BYTES transfer first (not counted), then one of about
 * BULK_TARGET_SECONDS at the warm-up's rate, within [BULK_MINIMUM, BULK_MAXIMUM]; TCP_BYTES fixes
 * the size instead. BULK_SECONDS cuts a transfer that runs long. */
export const FIXED_BYTES = process.env.TCP_BYTES ? positiveInteger("TCP_BYTES", process.env.TCP_BYTES) : null;
export const WARMUP_BYTES = 8 * 1024 * 1024, WARMUP_SECONDS = 1, BULK_TARGET_SECONDS = 3;
export const BULK_MINIMUM = 8 * 1024 * 1024, BULK_MAXIMUM = 1024 * 1024 * 1024;
export const BULK_SECONDS = 30;
export const CONNECTION_SECONDS = 3;
export const ROUNDS = positiveInteger("TCP_ROUNDS", process.env.TCP_ROUNDS ?? "3");
const CEILING_BYTES = 1024 * 1024 * 1024;
export const CAPSID_TCP_COMMAND_LINE = `ip=${GUEST}/24 init=tcp-bench`;
/** The third guest: Capsid running bench/linux/tcp-bench.c itself, the Linux guest's binary, as a
 * Linux process through POSIX sockets (docs/linux.md, "Sockets"; tcp-bench-posix in the test
 * package). */
export const CAPSID_POSIX_COMMAND_LINE = `ip=${GUEST}/24 init=tcp-bench-posix`;

/** Virtio-net feature bits named in the drivers' reports (virtio 1.2 §5.1.3, §6 for 29). */
const FEATURE_NAMES: [number, string][] = [
  [0, "CSUM"], [1, "GUEST_CSUM"], [6, "GSO"], [7, "GUEST_TSO4"], [8, "GUEST_TSO6"], [9, "GUEST_ECN"], [10, "GUEST_UFO"],
  [11, "HOST_TSO4"], [12, "HOST_TSO6"], [13, "HOST_ECN"], [14, "HOST_UFO"], [15, "MRG_RXBUF"], [29, "EVENT_IDX"],
];
const LINUX_READY = /^linux-net: (\S+) 10\.0\.2\.15\/24 up; virtio features ([01?]+); TCP bench on ports 5001-5003$/;
const PROGRAM_READY = /tcp-bench: ready/;
const CAPSID_NET_READY = /^capsid: net: 10\.0\.2\.15\/24/;
const CAPSID_DRIVER = /virtio-net: \S+ MAC [0-9a-f:]{17}, (.*)$/m;
const CAPSID_NO_PROGRAM = /init=tcp-bench(-posix)?: no such program in the boot package/;
/** What Capsid's program or kernel print when it cannot serve (userspace/programs/tcp-bench). */
const CAPSID_NOT_STARTED = /processes: not enough memory to start tcp-bench|tcp-bench: (no network grant|cannot listen)/;
const FROM = /^from: ([\d.]+) MB\/s; (\d+) of (\d+) bytes in ([\d.]+) s(.*)$/m;
const TO = /^to: ([\d.]+) MB\/s; (\d+) of (\d+) bytes in ([\d.]+) s(.*)$/m;
const RR = /^rr: (\d+) connections\/s; (\d+) in [\d.]+ s, median ([\d.]+) us, max ([\d.]+) us, (\d+) over 200 ms, (\d+) failed(.*)$/m;

/** One guest's figures from one boot; null where not measured (the notes say why). */
export interface TcpFigures {
  fromGuestMegabytesPerSecond: number | null;   // guest to host, first byte to EOF
  fromGuestBytes: number | null;                // the size of that transfer
  toGuestMegabytesPerSecond: number | null;     // host to guest, first write to the guest's close
  toGuestBytes: number | null;
  connectionsPerSecond: number | null;          // sequential connect, "x\n", "ok\n", close
  connectionMicroseconds: number | null;        // the median of one such cycle
  notes: string[];
}
export type TcpFigure = "fromGuestMegabytesPerSecond" | "toGuestMegabytesPerSecond" | "connectionsPerSecond" | "connectionMicroseconds";

export interface TcpBenchFigures {
  offloads: OffloadSetting;
  /** The -device argument both guests got. */
  device: string;
  linux: TcpFigures[];
  capsid: TcpFigures[];
  /** Capsid running the Linux guest's own tcp-bench.c through its POSIX sockets. */
  posix: TcpFigures[];
  /** Why Capsid was not measured (no program in the ISO, it did not start), or null. */
  capsidSkipped: string | null;
  posixSkipped: string | null;
  /** Why nothing was measured, or null. */
  skipped: string | null;
  /** The client against tcp-bench.c on loopback in the namespace, before the rounds. */
  ceiling: TcpFigures | null;
  /** The drivers' negotiated features, as each guest reported them. */
  linuxFeatures: string | null;
  capsidFeatures: string | null;
  /** The host tap's offloads while each guest ran (ethtool -k), or why not read. */
  linuxTap: string | null;
  capsidTap: string | null;
}

export function offloadSetting(): OffloadSetting {
  const value = process.env.TCP_OFFLOADS ?? "off";
  if (value !== "off" && value !== "on") throw new Error(`TCP_OFFLOADS=${value}: expected off or on`);
  return value;
}

/** The host tap's offloads that matter here, as ethtool reads them (QEMU sets them from the
 * features the guest accepted), or why they could not be read. */
function tapOffloads(namespace: string): string {
  let output: string;
  try {
    output = execFileSync("ip", ["netns", "exec", namespace, "ethtool", "-k", "tap0"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return "not read (ethtool is not installed: apt-get install ethtool)";
  }
  const wanted = ["tx-checksumming", "scatter-gather", "tcp-segmentation-offload", "generic-segmentation-offload",
    "generic-receive-offload"];
  return wanted.map((name) => {
    const match = new RegExp(`^${name}: (\\S+)`, "m").exec(output);
    return `${name} ${match ? match[1] : "?"}`;
  }).join(", ");
}

/** One bulk transfer (`mode` from or to the guest) of `bytes`: the client's match, or a note. */
async function transfer(namespace: string, mode: "from" | "to", address: string, bytes: number, notes: string[]): Promise<RegExpExecArray | null> {
  const run = await runInNamespace(namespace, [CLIENT, mode, address, String(Math.round(bytes)), String(BULK_SECONDS)], (BULK_SECONDS + 20) * 1000);
  const match = (mode === "from" ? FROM : TO).exec(run.output);
  const what = mode === "from" ? "guest to host" : "host to guest";
  if (!match) notes.push(`${what} not measured: ${run.output.trim()}`);
  else if (match[5]) notes.push(`${what}: ${match[2]} of ${match[3]} bytes${match[5]}`);
  return match;
}

/** The size of the counted transfer: TCP_BYTES, or about BULK_TARGET_SECONDS at the warm-up's
 * rate. A warm-up shorter than WARMUP_SECONDS is mostly slow start and would size too small: it
 * is done again 4 times larger (up to 128 MiB). */
async function sized(namespace: string, mode: "from" | "to", address: string, fixed: number | null, notes: string[]): Promise<number | null> {
  if (fixed !== null) return fixed;
  for (let warmupBytes = WARMUP_BYTES; ; warmupBytes *= 4) {
    const warmup = await transfer(namespace, mode, address, warmupBytes, notes);
    if (!warmup) return null;
    if (Number(warmup[4]) < WARMUP_SECONDS && warmupBytes < 128 * 1024 * 1024) continue;
    const bytes = Number(warmup[1]) * 1e6 * BULK_TARGET_SECONDS;
    return Math.min(BULK_MAXIMUM, Math.max(BULK_MINIMUM, Math.round(bytes / 1048576) * 1048576));
  }
}

/** The three measurements against whatever serves the protocol at `address`. */
async function measure(namespace: string, address: string, fixed: number | null, notes: string[]): Promise<TcpFigures> {
  const figures: TcpFigures = { ...emptyFigures(), notes };
  const probe = await runInNamespace(namespace, [CLIENT, "probe", address, "15"], 30_000);
  if (probe.code !== 0) { notes.push(`port 5003 did not answer: ${probe.output.trim()}`); return figures; }
  // Connections first: they are short, and a bulk transfer that stalls a guest (seen with
  // Capsid's first TCP, docs/PERFORMANCE.md "TCP") then costs the round its bulk figures only.
  const rr = await runInNamespace(namespace, [CLIENT, "rr", address, "1000000", String(CONNECTION_SECONDS)], (CONNECTION_SECONDS + 60) * 1000);
  const rrMatch = RR.exec(rr.output);
  if (!rrMatch) notes.push(`connections not measured: ${rr.output.trim()}`);
  else {
    figures.connectionsPerSecond = Number(rrMatch[1]);
    figures.connectionMicroseconds = Number(rrMatch[3]);
    if (Number(rrMatch[5]) > 0) notes.push(`connections: ${rrMatch[5]} of ${rrMatch[2]} took over 200 ms (longest ${(Number(rrMatch[4]) / 1000).toFixed(0)} ms)`);
    if (Number(rrMatch[6]) > 0 || rrMatch[7]) notes.push(`connections: ${rrMatch[6]} failed${rrMatch[7]}`);
  }
  for (const mode of ["from", "to"] as const) {
    const bytes = await sized(namespace, mode, address, fixed, notes);
    const match = bytes === null ? null : await transfer(namespace, mode, address, bytes, notes);
    if (match && mode === "from") { figures.fromGuestMegabytesPerSecond = Number(match[1]); figures.fromGuestBytes = Number(match[2]); }
    if (match && mode === "to") { figures.toGuestMegabytesPerSecond = Number(match[1]); figures.toGuestBytes = Number(match[2]); }
    // A transfer that failed or ran into the time limit means a stalled guest: the next would
    // only wait out its own limits.
    if (mode === "from" && (!match || match[5].includes("cut"))) {
      notes.push("host to guest not tried: the guest stalled in the transfer before");
      break;
    }
  }
  return figures;
}

/** The client's own ceiling: tcp-bench.c as a host process on the namespace's loopback. */
async function ceiling(namespace: string): Promise<TcpFigures> {
  const server = spawn("ip", ["netns", "exec", namespace, LINUX_TCP_BENCH], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    let output = "";
    server.stdout.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
    const end = Date.now() + 5000;
    while (!PROGRAM_READY.test(output) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
    if (!PROGRAM_READY.test(output)) return { ...emptyFigures(), notes: [`the loopback server did not start: ${output.trim()}`] };
    return await measure(namespace, "127.0.0.1", CEILING_BYTES, []);
  } finally {
    server.kill("SIGKILL");
  }
}

function emptyFigures(): TcpFigures {
  return {
    fromGuestMegabytesPerSecond: null, fromGuestBytes: null, toGuestMegabytesPerSecond: null, toGuestBytes: null,
    connectionsPerSecond: null, connectionMicroseconds: null, notes: [],
  };
}

/** The guest's last console lines, for a note. */
function consoleEnd(serial: string): string {
  const lines = serial.split("\n").map(logMessage).filter((line) => line.trim() !== "");
  return `the guest's console ended with: ${lines.slice(-3).join(" | ")}`;
}

/** The first line of an error (the runner's carry the whole serial log after it). */
function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}

/** The guest running now, stopped by an interrupted run before the namespace goes. */
let running: QemuSession | null = null;

async function linuxRound(namespace: Namespace, device: string, figures: TcpBenchFigures): Promise<TcpFigures> {
  const child = spawn("ip", ["netns", "exec", namespace.name, "qemu-system-x86_64",
    ...linuxArguments(LINUX_NET_INITRD, namespace.qemuArguments(device), "rdinit=/tcp-bench")], { stdio: ["pipe", "pipe", "pipe"] });
  const session = running = QemuSession.attach(child);
  try {
    const ready = LINUX_READY.exec(await session.expectLine(LINUX_READY, 120_000))!;
    await session.expectLine(PROGRAM_READY, 10_000);
    const named = FEATURE_NAMES.filter(([bit]) => ready[2][bit] === "1").map(([, name]) => name);
    figures.linuxFeatures = `${ready[1]}, negotiated ${named.join(" ") || "none"} (of ${FEATURE_NAMES.map(([, name]) => name).join(" ")})`;
    figures.linuxTap = tapOffloads(namespace.name);
    return await measureBooted(session, namespace);
  } catch (error) {
    return notMeasured(session, error);
  } finally {
    await session.stop();
  }
}

/** The figures of a booted guest whose program is ready; the console's end joins any notes. */
async function measureBooted(session: QemuSession, namespace: Namespace): Promise<TcpFigures> {
  const result = await measure(namespace.name, GUEST, FIXED_BYTES, []);
  if (result.notes.length > 0) result.notes.push(consoleEnd(session.serial));
  return result;
}

/** A round that failed before its figures: why, and the console's end. */
function notMeasured(session: QemuSession, error: unknown): TcpFigures {
  return { ...emptyFigures(), notes: [`not measured: ${firstLine(error)}`, consoleEnd(session.serial)] };
}

/** One Capsid boot (`posix`: of tcp-bench-posix, else of the native tcp-bench): its figures, or
 * null with figures.capsidSkipped (posixSkipped) set when its program is missing or did not start
 * (no later round boots it again). */
async function capsidRound(namespace: Namespace, device: string, figures: TcpBenchFigures, posix = false): Promise<TcpFigures | null> {
  const session = running = QemuSession.start({
    commandLine: posix ? CAPSID_POSIX_COMMAND_LINE : CAPSID_TCP_COMMAND_LINE, netns: namespace.name, extraArguments: namespace.qemuArguments(device),
  });
  const skip = (why: string) => {
    if (posix) figures.posixSkipped = why;
    else figures.capsidSkipped = why;
  };
  try {
    await session.expectLine(CAPSID_NET_READY, 120_000);
    const driver = CAPSID_DRIVER.exec(session.serial);
    if (driver) figures.capsidFeatures = driver[1];
    // init= is looked at right after the interface comes up (kernel/main.ts): the program's ready
    // line, the kernel's missing-program line, or a failure, within a bounded wait.
    const end = Date.now() + 30_000;
    const settled = () => PROGRAM_READY.test(session.serial) || CAPSID_NO_PROGRAM.test(session.serial)
      || CAPSID_NOT_STARTED.test(session.serial) || session.exitStatus !== null;
    while (!settled() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 100));
    if (CAPSID_NO_PROGRAM.test(session.serial)) {
      skip("its init= program is not in the boot package");
      return null;
    }
    if (!PROGRAM_READY.test(session.serial)) {
      skip(`tcp-bench did not start (no "tcp-bench: ready"); ${consoleEnd(session.serial)}`);
      return null;
    }
    figures.capsidTap = tapOffloads(namespace.name);
    return await measureBooted(session, namespace);
  } catch (error) {
    return notMeasured(session, error);
  } finally {
    await session.stop();
  }
}

/** The namespace made again, empty, for the next boot. The host keeps each connection the client
 * closed in TIME-WAIT for 60 s, and with many of them its connect() slows down (Linux's search
 * for a free local port): on one Capsid boot, 2,300 connections/s fell to 1,100 once the host
 * held 14,000, and rose back to 2,300 with net.ipv4.tcp_tw_reuse=1. The guests' rounds run
 * within a minute of each other, so a fast guest's connections slowed down the next guest's
 * connect(). With a namespace of its own, every boot starts from a host holding none. */
function renew(namespace: Namespace): void {
  namespace.remove();
  namespace.create();
}

/** `rounds` boots of each guest, interleaved (Linux, then Capsid), each in a namespace of its own
 * (renew), made and removed here. */
export async function benchmarkTcp(rounds = ROUNDS, offloads = offloadSetting()): Promise<TcpBenchFigures> {
  const device = ["disable-legacy=on", OFFLOAD_DEVICE[offloads]].filter((part) => part !== "").join(",");
  const figures: TcpBenchFigures = {
    offloads, device: `virtio-net-pci,${device},netdev=n0`, linux: [], capsid: [], posix: [], capsidSkipped: null, posixSkipped: null,
    skipped: null, ceiling: null,
    linuxFeatures: null, capsidFeatures: null, linuxTap: null, capsidTap: null,
  };
  for (const [file, what] of [[LINUX_KERNEL, "Debian's kernel"], [LINUX_NET_INITRD, "the network initramfs"],
    [LINUX_TCP_BENCH, "the Linux tcp-bench"], [CLIENT, "the TCP client"]])
    if (!existsSync(file)) { figures.skipped = `${what} (${file}) is missing: run make bench`; return figures; }
  if (!existsSync(DEFAULT_ISO)) figures.capsidSkipped = figures.posixSkipped = `${DEFAULT_ISO} is missing: run make bench`;
  const namespace = new Namespace("tcp-bench");
  try {
    namespace.create();
  } catch (error) {
    figures.skipped = `no network namespace (root is needed): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
    return figures;
  }
  const interrupted = () => { void running?.stop(); namespace.remove(); process.exit(130); };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    figures.ceiling = await ceiling(namespace.name);
    for (let round = 0; round < rounds; round++) {
      renew(namespace);
      figures.linux.push(await linuxRound(namespace, device, figures));
      if (figures.capsidSkipped === null) {
        renew(namespace);
        const capsid = await capsidRound(namespace, device, figures);
        if (capsid !== null) figures.capsid.push(capsid);
      }
      if (figures.posixSkipped === null && (process.env.TCP_GUESTS ?? "").split(",").filter((g) => g).every((g) => g !== "no-posix")) {
        renew(namespace);
        const posix = await capsidRound(namespace, device, figures, true);
        if (posix !== null) figures.posix.push(posix);
      }
    }
  } finally {
    namespace.remove();
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
  }
  return figures;
}

/** The median of the rounds that measured `figure`, or null when none did. */
export function tcpMedian(runs: TcpFigures[], figure: TcpFigure): number | null {
  const values = runs.map((run) => run[figure]).filter((value): value is number => value !== null).sort((a, b) => a - b);
  if (values.length === 0) return null;
  const middle = Math.floor(values.length / 2);
  return values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}
