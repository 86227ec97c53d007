// The network namespace the real-peer tests run in: a namespace of the test's own
// (capsid-<name>-<pid>) with a tap device tap0 at 10.0.2.1/24, QEMU's virtio-net on that tap
// (the guest's MAC fixed), and helpers that run host programs inside it. Nothing reaches
// anything outside the namespace, and `remove` deletes it (tap included) afterwards.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";

export const GUEST_MAC = "52:54:00:c0:ff:ee";
export const GUEST = "10.0.2.15";
export const HOST = "10.0.2.1";

export class Namespace {
  readonly name: string;

  constructor(label: string) {
    this.name = `capsid-${label}-${process.pid}`;
  }

  ip(...args: string[]): string {
    return execFileSync("ip", args, { encoding: "utf8" });
  }

  /** Makes the namespace with lo and tap0 (10.0.2.1/24) up. */
  create(): void {
    this.ip("netns", "add", this.name);
    this.ip("-n", this.name, "link", "set", "lo", "up");
    this.ip("-n", this.name, "tuntap", "add", "dev", "tap0", "mode", "tap");
    this.ip("-n", this.name, "addr", "add", `${HOST}/24`, "dev", "tap0");
    this.ip("-n", this.name, "link", "set", "tap0", "up");
  }

  remove(): void {
    try { this.ip("netns", "del", this.name); } catch { /* already gone */ }
  }

  /** QEMU's arguments for a virtio-net device on tap0 (`device` adds options to it). */
  qemuArguments(device = "disable-legacy=on"): string[] {
    return ["-device", `virtio-net-pci,${device},netdev=n0,mac=${GUEST_MAC}`, "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"];
  }

  /** Starts `command` in the namespace; resolves once `ready` appears on its stderr (or at once). */
  start(command: string[], ready?: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn("ip", ["netns", "exec", this.name, ...command], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
    return new Promise((resolve, reject) => {
      if (!ready) return resolve({ child, output: () => output });
      let errors = "";
      const timer = setTimeout(() => reject(new Error(`${command[0]} did not start: ${errors}`)), 10_000);
      child.stderr!.on("data", (chunk: Buffer) => {
        errors += chunk.toString("utf8");
        if (ready.test(errors)) { clearTimeout(timer); resolve({ child, output: () => output }); }
      });
    });
  }

  /** Runs `command` in the namespace to its end (killed after `milliseconds`): its exit code and
   * its output (stdout and stderr). */
  run(command: string[], milliseconds: number): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn("ip", ["netns", "exec", this.name, ...command], { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
      child.stderr!.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
      const timer = setTimeout(() => child.kill("SIGKILL"), milliseconds);
      child.on("close", (code) => { clearTimeout(timer); resolve({ code, output }); });
    });
  }
}

/** Waits until `check` holds, polling every 50 ms; throws after `milliseconds`. */
export async function until(what: string, check: () => boolean, milliseconds = 20_000): Promise<void> {
  const end = Date.now() + milliseconds;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
