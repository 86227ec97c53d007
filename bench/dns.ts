// The DNS figures (`tsx bench/run.ts dns`, `make bench BENCH=dns`, and part of `make bench`): a
// network namespace with a tap (10.0.2.1/24, tests/qemu/netns.ts) where Debian's dnsmasq answers
// bench.capsid.test from its own records (no forwarding), and in it, booted in turn on the same
// virtio-net device, Debian's kernel running bench/linux/dns-bench.c (rdinit=/dns-bench in
// build/linux/initrd-net.cpio) and Capsid running the same binary as a Linux process
// (`ip=10.0.2.15/24 init=dns-bench-posix`). The program times 200 queries, one at a time, over
// one connected UDP socket, and prints their median; each figure here is the median over the
// rounds (DNS_ROUNDS, default 3), booted interleaved, Linux then Capsid.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ISO, QemuSession, REPOSITORY } from "../tests/qemu-runner/runner";
import { GUEST, HOST, Namespace } from "../tests/qemu/netns";
import { LINUX_KERNEL, linuxArguments } from "./linux-baseline";
import { LINUX_NET_INITRD } from "./net";

export const DNS_ROUNDS = Number(process.env.DNS_ROUNDS ?? "3");
export const CAPSID_DNS_COMMAND_LINE = `ip=${GUEST}/24 dns=${HOST} init=dns-bench-posix`;
const RESULT = /^dns-bench: median (\d+) us, p90 (\d+) us, fastest (\d+) us, (\d+) of (\d+) answered$/m;

/** One boot's figures, or why there are none. */
export interface DnsRun {
  medianMicroseconds: number | null;
  p90Microseconds: number | null;
  answered: string;
  note: string | null;
}

export interface DnsFigures {
  linux: DnsRun[];
  capsid: DnsRun[];
  skipped: string | null;
}

/** Waits for the program's result line on `session`: its figures, or a note. */
async function result(session: QemuSession, what: string): Promise<DnsRun> {
  try {
    const line = await session.expectLine(RESULT, 180_000);
    const match = RESULT.exec(line)!;
    return { medianMicroseconds: Number(match[1]), p90Microseconds: Number(match[2]), answered: `${match[4]} of ${match[5]}`, note: null };
  } catch (error) {
    const tail = session.serial.split("\n").slice(-3).join(" | ");
    return { medianMicroseconds: null, p90Microseconds: null, answered: "-", note: `${what}: ${String(error).split("\n")[0]}; console: ${tail}` };
  } finally {
    await session.stop();
  }
}

export async function benchmarkDns(rounds = DNS_ROUNDS): Promise<DnsFigures> {
  const figures: DnsFigures = { linux: [], capsid: [], skipped: null };
  for (const [file, what] of [[LINUX_KERNEL, "Debian's kernel"], [LINUX_NET_INITRD, "the network initramfs"], [DEFAULT_ISO, "the ISO"]]) {
    if (!existsSync(file)) { figures.skipped = `${what} (${file}) is missing: run make bench`; return figures; }
  }
  const namespace = new Namespace("dns-bench");
  const scratch = mkdtempSync(join(tmpdir(), "capsid-dns-bench-"));
  try {
    namespace.create();
  } catch (error) {
    figures.skipped = `no network namespace (root is needed): ${String(error).split("\n")[0]}`;
    return figures;
  }
  const dnsmasq = spawn("ip", ["netns", "exec", namespace.name, "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
    "--interface=tap0", "--bind-interfaces", `--listen-address=${HOST}`, `--pid-file=${join(scratch, "pid")}`, "--local=/capsid.test/",
    "--host-record=bench.capsid.test,10.0.2.99"], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let round = 0; round < rounds; round++) {
      const linux = spawn("ip", ["netns", "exec", namespace.name, "qemu-system-x86_64",
        ...linuxArguments(LINUX_NET_INITRD, namespace.qemuArguments(), "rdinit=/dns-bench")], { stdio: ["pipe", "pipe", "pipe"] });
      figures.linux.push(await result(QemuSession.attach(linux), "Linux"));
      const capsid = QemuSession.start({ commandLine: CAPSID_DNS_COMMAND_LINE, netns: namespace.name, extraArguments: namespace.qemuArguments() });
      figures.capsid.push(await result(capsid, "Capsid"));
    }
  } finally {
    dnsmasq.kill();
    namespace.remove();
    rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}

/** The median over the rounds that measured, or null. */
export function dnsMedian(runs: DnsRun[]): number | null {
  const values = runs.map((run) => run.medianMicroseconds).filter((value): value is number => value !== null).sort((a, b) => a - b);
  if (values.length === 0) return null;
  const middle = Math.floor(values.length / 2);
  return values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

