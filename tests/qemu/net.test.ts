// The virtio-net driver against a real peer (issue 16, its first part): the test makes a network
// namespace with a tap device in it, runs QEMU inside the namespace on that tap, and on the host
// side captures with tcpdump and sends with ping. The guest's driver starts (its MAC, link up,
// MSI-X); without ip= the interface asks DHCP, and the capture sees its DISCOVER from the guest's
// MAC; with ip= the guest receives the ARP requests ping broadcasts from the tap's MAC. Nothing leaves the
// namespace, and the namespace is removed afterwards.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { withQemu } from "../qemu-runner/runner";

const net = suite("virtio-net with a real peer");
const NS = `capsid-net-${process.pid}`;
const GUEST_MAC = "52:54:00:c0:ff:ee";

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8" });
}

/** Starts `command` in the namespace; resolves once `ready` appears on its stderr (or at once). */
function inNamespace(command: string[], ready?: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn("ip", ["netns", "exec", NS, ...command], { stdio: ["ignore", "pipe", "pipe"] });
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

async function until(what: string, check: () => boolean, milliseconds = 20_000): Promise<void> {
  const end = Date.now() + milliseconds;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

net.before(() => {
  ip("netns", "add", NS);
  ip("-n", NS, "link", "set", "lo", "up");
  ip("-n", NS, "tuntap", "add", "dev", "tap0", "mode", "tap");
  ip("-n", NS, "addr", "add", "10.0.2.1/24", "dev", "tap0");
  ip("-n", NS, "link", "set", "tap0", "up");
});
net.after(() => {
  try { ip("netns", "del", NS); } catch { /* already gone */ }
});

net("without ip= the guest's DHCP DISCOVER reaches the tap from its MAC, and the driver sends nothing of its own", async () => {
  const capture = await inNamespace(["tcpdump", "-i", "tap0", "-e", "-n", "-l"], /listening on tap0/);
  try {
    await withQemu({
      commandLine: "log=info", netns: NS,
      extraArguments: ["-device", `virtio-net-pci,disable-legacy=on,netdev=n0,mac=${GUEST_MAC}`, "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"],
    }, async (qemu) => {
      await qemu.expectLine(new RegExp(`^capsid: virtio-net: 00:0\\d\\.0 MAC ${GUEST_MAC}, link up; queues of 256, 256 receive buffers; MSI-X vector \\d+; offered .*$`), 60_000);
      await qemu.expectLine("capsid: net: no ip= given: asking DHCP", 20_000);
      await until("the capture of the guest's DHCP DISCOVER", () => /BOOTP\/DHCP, Request/.test(capture.output()), 20_000);
    });
  } finally {
    capture.child.kill();
  }
  const fromGuest = capture.output().split("\n").filter((line) => line.includes(`${GUEST_MAC} > `));
  assert.ok(fromGuest.length > 0, capture.output());
  for (const line of fromGuest) {
    assert.match(line, new RegExp(`${GUEST_MAC} > ff:ff:ff:ff:ff:ff, ethertype IPv4 \\(0x0800\\), .* 0\\.0\\.0\\.0\\.68 > 255\\.255\\.255\\.255\\.67: .*BOOTP/DHCP, Request`), "every frame from the guest is its DHCP request");
  }
});

/** Runs `command` in the namespace to its end: its exit code and output. */
function runInNamespace(command: string[], milliseconds: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("ip", ["netns", "exec", NS, ...command], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
    child.stderr!.on("data", (chunk: Buffer) => { output += chunk.toString("utf8"); });
    const timer = setTimeout(() => child.kill("SIGKILL"), milliseconds);
    child.on("close", (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

net("with ip= the guest answers ARP and ping: 1,000 echo requests at 10 ms and 100 of 1000 bytes at 20 ms, none lost; the host learns the guest's MAC; pings of 3000 bytes are reassembled and answered in fragments; a closed port answers port unreachable", async () => {
  await withQemu({
    commandLine: "log=info ip=10.0.2.15/24 gateway=10.0.2.1", netns: NS,
    extraArguments: ["-device", `virtio-net-pci,disable-legacy=on,netdev=n0,mac=${GUEST_MAC}`, "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"],
  }, async (qemu) => {
    await qemu.expectLine("capsid: net: 10.0.2.15/24, gateway 10.0.2.1; answering ARP and ICMP echo", 60_000);
    const ping = await runInNamespace(["ping", "-c", "1000", "-i", "0.01", "-W", "2", "10.0.2.15"], 60_000);
    assert.match(ping.output, /1000 packets transmitted, 1000 received, 0% packet loss/, ping.output);
    const big = await runInNamespace(["ping", "-c", "100", "-i", "0.02", "-W", "2", "-s", "1000", "10.0.2.15"], 60_000);
    assert.match(big.output, /100 packets transmitted, 100 received, 0% packet loss/, big.output);
    assert.match(ip("-n", NS, "neigh", "show", "10.0.2.15"), new RegExp(`lladdr ${GUEST_MAC}`));
    // 3000 bytes of data: the host fragments each request, the guest reassembles it and fragments its reply.
    const large = await runInNamespace(["ping", "-c", "20", "-i", "0.05", "-W", "2", "-s", "3000", "10.0.2.15"], 60_000);
    assert.match(large.output, /20 packets transmitted, 20 received, 0% packet loss/, large.output);
    // A datagram to a closed port: the guest answers port unreachable, which a connected UDP
    // socket on the host sees as a refused connection.
    const refused = await runInNamespace(["python3", "-c", [
      "import socket", "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)", "s.settimeout(3)", "s.connect(('10.0.2.15', 9999))",
      "s.send(b'capsid')",
      "try:\n  s.recv(100)\n  print('answered')\nexcept ConnectionRefusedError:\n  print('refused')\nexcept socket.timeout:\n  print('timeout')",
    ].join("\n")], 20_000);
    assert.is(refused.output.trim(), "refused", refused.output);
  });
});

net.run();
