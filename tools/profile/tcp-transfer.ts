// Where one bulk TCP transfer's time goes, as docs/PERFORMANCE.md ("The receive ring and its
// budget") found it: boots one guest in a network namespace of its own (Capsid's tcp-bench-posix,
// Capsid's native tcp-bench with NATIVE=1, or Debian's kernel with its tcp-bench.c with LINUX=1;
// the bench's device, offloads off), runs build/net/tcp-client once against it (MODE=to, host to
// guest, or from; BYTES, 512 MiB unless set), and prints the client's rate, the frames the tap
// carried each way and dropped, each QEMU thread's CPU ticks and the host's idle ticks over the
// transfer. With SAMPLE=1 it also samples the guest's RIP through QMP (`info registers`, about
// 500 a second) and prints where it was: halted, in user code, or in the kernel function
// build/kernel.elf names (Linux: halted or not). The sampling slows the guest; compare rates
// only between runs without it. EXTRA= adds to Capsid's command line (virtio-net=rxbuffers:64).
//
//   tsx tools/profile/tcp-transfer.ts            (root: it makes a namespace; needs make bench's builds)
//
// Not a benchmark (make bench BENCH=tcp is): one transfer, one boot, to look at.

import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { linuxArguments } from "../../bench/linux-baseline";
import { LINUX_NET_INITRD } from "../../bench/net";
import { OFFLOAD_DEVICE } from "../../bench/tcp";
import { QmpClient } from "../../tests/qemu-runner/qmp";
import { QemuSession, REPOSITORY } from "../../tests/qemu-runner/runner";
import { GUEST, Namespace } from "../../tests/qemu/netns";
import { symbolAt, symbols } from "./symbols";

const linux = !!process.env.LINUX, native = !!process.env.NATIVE, sample = !!process.env.SAMPLE;
const mode = process.env.MODE ?? "to", bytes = process.env.BYTES ?? String(512 * 1048576);
const QMP_SOCKET = "/tmp/capsid-tcp-transfer-qmp.sock";

/** The tap's frames from the guest, to the guest, and dropped on the way to it. */
function tapFrames(namespace: string): number[] {
  const text = execFileSync("ip", ["netns", "exec", namespace, "cat", "/proc/net/dev"], { encoding: "utf8" });
  const fields = text.split("\n").find((line) => line.includes("tap0:"))!.split(":")[1].trim().split(/\s+/).map(Number);
  return [fields[1], fields[9], fields[11]];
}

/** Each thread of process `pid`: its user and system ticks. */
function threadTicks(pid: string): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const task of execFileSync("ls", [`/proc/${pid}/task`], { encoding: "utf8" }).trim().split("\n")) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks.set(`${stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))}/${task}`, Number(fields[11]) + Number(fields[12]));
    } catch { /* the thread ended */ }
  }
  return ticks;
}
const idleTicks = () => Number(readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/)[4]);

const namespace = new Namespace("tcp-transfer");
namespace.create();
(async () => {
  const device = ["disable-legacy=on", OFFLOAD_DEVICE.off].join(",");
  let linuxSerial = "";
  const linuxGuest = linux ? spawn("ip", ["netns", "exec", namespace.name, "qemu-system-x86_64",
    ...linuxArguments(LINUX_NET_INITRD, [...namespace.qemuArguments(device), "-qmp", `unix:${QMP_SOCKET},server=on,wait=off`], "rdinit=/tcp-bench")],
  { stdio: ["pipe", "pipe", "pipe"] }) : null;
  if (linuxGuest) linuxGuest.stdout!.on("data", (data) => linuxSerial += data);
  const session = linux ? null : QemuSession.start({
    commandLine: `ip=${GUEST}/24 init=${native ? "tcp-bench" : "tcp-bench-posix"} ${process.env.EXTRA ?? ""}`, netns: namespace.name,
    extraArguments: namespace.qemuArguments(device), qmp: true,
  });
  try {
    if (session) await session.expectLine(/tcp-bench: ready/, 120_000);
    else for (const end = Date.now() + 120_000; !/tcp-bench: ready/.test(linuxSerial); await new Promise((resolve) => setTimeout(resolve, 100)))
      if (Date.now() > end) throw new Error("the Linux guest did not get ready");
    const qmp = session ? await session.qmp() : await QmpClient.connect(QMP_SOCKET);
    const kernel = symbols(join(REPOSITORY, "build/kernel.elf"));
    const qemu = execFileSync("pgrep", ["-n", "qemu-system-x86"], { encoding: "utf8" }).trim();
    const framesBefore = tapFrames(namespace.name), ticksBefore = threadTicks(qemu), idleBefore = idleTicks();
    const client = spawn("ip", ["netns", "exec", namespace.name, join(REPOSITORY, "build/net/tcp-client"), mode, GUEST, bytes, "20"],
      { stdio: ["ignore", "pipe", "pipe"] });
    let output = "", done = false;
    client.stdout.on("data", (data) => output += data);
    client.stderr.on("data", (data) => output += data);
    client.on("exit", () => done = true);
    const counts = new Map<string, number>();
    let samples = 0;
    while (!done) {
      if (sample) {
        const registers = await qmp.monitor("info registers");
        const rip = /RIP=([0-9a-f]+)/.exec(registers), cpl = /CPL=(\d)/.exec(registers), halted = / HLT=1/.test(registers);
        if (rip) {
          const where = halted ? "[halted]" : cpl && cpl[1] === "3" ? "[user]" : linux ? "[kernel]" : symbolAt(kernel, BigInt("0x" + rip[1]));
          counts.set(where, (counts.get(where) ?? 0) + 1);
          samples++;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, sample ? 1 : 20));
    }
    const framesAfter = tapFrames(namespace.name), ticksAfter = threadTicks(qemu), idleAfter = idleTicks();
    console.log(output.trim());
    console.log(`tap: ${framesAfter[0] - framesBefore[0]} frames from the guest, ${framesAfter[1] - framesBefore[1]} to it, ${framesAfter[2] - framesBefore[2]} dropped`);
    for (const [thread, ticks] of ticksAfter) console.log(`QEMU thread ${thread}: ${ticks - (ticksBefore.get(thread) ?? 0)} ticks`);
    console.log(`host idle: ${idleAfter - idleBefore} ticks (all CPUs, ${execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()} a second each)`);
    if (sample) {
      console.log(`${samples} samples of RIP:`);
      for (const [where, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 40))
        console.log(`${(100 * count / samples).toFixed(1).padStart(5)} % ${String(count).padStart(6)}  ${where}`);
    }
  } finally {
    if (session) await session.stop();
    if (linuxGuest) {
      linuxGuest.kill();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    namespace.remove();
  }
})();
