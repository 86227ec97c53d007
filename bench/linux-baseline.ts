// The Linux baseline of the IPC figures (issue 5): Debian's own kernel (package
// linux-image-amd64, fetched by `make bench`) boots under the same QEMU as Capsid (TCG, one vCPU,
// the same machine, CPU model and memory) with an initramfs whose /init is bench/linux/pingpong.c,
// which prints a pipe ping-pong round trip between two processes and a futex ping-pong round trip
// between two threads, and the virtual-memory figures (bench/vm.ts compares them). Measured in the same run as Capsid's figures, since this machine's speed
// varies by half within a session. No network device here (-nodefaults); the network figures
// (bench/net.ts) boot the same kernel and machine with linuxArguments, their own initramfs and a
// virtio-net device.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../tests/qemu-runner/runner";

export const LINUX_KERNEL = join(REPOSITORY, "build/linux/vmlinuz");
export const LINUX_INITRD = join(REPOSITORY, "build/linux/initrd.cpio");
const RESULT = /^linux-baseline: pipe round trip (\d+) ns; futex round trip (\d+) ns/m;
const VM_RESULT = /^linux-baseline: demand-zero fault (\d+) ns; fork (\d+) ns; fork with 4 MiB more (\d+) ns; copy-on-write break (\d+) ns/m;

export interface LinuxVmFigures { demandZeroNanoseconds: number; forkNanoseconds: number; forkLargeNanoseconds: number; copyOnWriteNanoseconds: number }
export interface LinuxFigures { pipeNanoseconds: number; futexNanoseconds: number; vm: LinuxVmFigures | null }

export function linuxBaselineAvailable(): boolean {
  return existsSync(LINUX_KERNEL) && existsSync(LINUX_INITRD);
}

/** QEMU's arguments for Debian's kernel with `initrd`: the machine Capsid's boots use, and `extra`;
 * `append` joins the kernel command line (bench/tcp.ts: rdinit= picks the initramfs's program). */
export function linuxArguments(initrd: string, extra: string[] = [], append = ""): string[] {
  return [
    "-accel", "tcg", "-nodefaults", "-no-reboot", "-display", "none", "-machine", "pc", "-m", "256M", "-cpu", "qemu64",
    "-smp", "1", "-serial", "stdio", "-kernel", LINUX_KERNEL, "-initrd", initrd,
    "-append", `console=ttyS0 quiet panic=-1${append ? ` ${append}` : ""}`,
    ...extra,
  ];
}

/** One boot: the two round trips, or an error with the console output. */
export function linuxBaseline(): Promise<LinuxFigures> {
  const argv = linuxArguments(LINUX_INITRD);
  return new Promise((resolve, reject) => {
    const child = spawn("qemu-system-x86_64", argv, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
    child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("close", () => {
      clearTimeout(timer);
      const match = RESULT.exec(output), vm = VM_RESULT.exec(output);
      const vmFigures = vm ? { demandZeroNanoseconds: Number(vm[1]), forkNanoseconds: Number(vm[2]), forkLargeNanoseconds: Number(vm[3]), copyOnWriteNanoseconds: Number(vm[4]) } : null;
      if (match) resolve({ pipeNanoseconds: Number(match[1]), futexNanoseconds: Number(match[2]), vm: vmFigures });
      else reject(new Error(`the Linux baseline printed no result:\n${output.slice(-2000)}`));
    });
  });
}
