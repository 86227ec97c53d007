// The phy layer against a real peer (issue 16): the packet capture and the fault device. As in
// net.test.ts, the test makes a network namespace with a tap (netns.ts), runs QEMU inside it on that tap,
// and pings the guest from the host side. With pcap=1 the guest writes every frame it sends and
// receives to COM2, which QEMU writes to a file; tcpdump reads it back and must show the ARP
// exchange and each echo request with its reply. With netfault=loss:50,seed:1 the guest loses
// half the frames in each direction, so about three pings in four go unanswered; the capture,
// taken under the fault device, shows every request that reached the guest and exactly the
// replies the host received. Nothing leaves the namespace, and it is removed afterwards.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withQemu } from "../qemu-runner/runner";
import { GUEST_MAC, Namespace } from "./netns";

const capture = suite("packet capture and fault injection with a real peer");
const ns = new Namespace("pcap");
const NIC = ns.qemuArguments();
let directory = "";

/** The capture file as tcpdump prints it: one line a frame, link-level headers included. */
function readCapture(file: string): string[] {
  const output = execFileSync("tcpdump", ["-r", file, "-nn", "-e"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return output.split("\n").filter((line) => line.length > 0 && !line.startsWith(" ") && !line.startsWith("\t"));
}

/** Waits until the capture holds `count` lines matching `pattern`: the guest writes a frame to
 * COM2 after sending it, so the host may see a reply before its record is complete. */
async function captured(file: string, pattern: RegExp, count: number): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    let lines: string[] = [];
    try { lines = readCapture(file); } catch { /* a record half written: tcpdump calls the file truncated */ }
    if (lines.filter((line) => pattern.test(line)).length >= count) return;
    if (Date.now() > end) throw new Error(`the capture never held ${count} lines matching ${pattern}:\n${lines.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

capture.before(() => {
  directory = mkdtempSync(join(tmpdir(), "capsid-pcap-"));
  ns.create();
});
capture.after(() => {
  ns.remove();
  rmSync(directory, { recursive: true, force: true });
});

capture("pcap=1: tcpdump reads the guest's capture: the ARP exchange, each echo request and its reply; a full-size frame's cost is logged", async () => {
  const file = join(directory, "capture.pcap");
  const tapMac = /link\/ether ([0-9a-f:]{17})/.exec(ns.ip("-n", ns.name, "link", "show", "tap0"))![1];
  let cost = "";
  await withQemu({ commandLine: "log=info ip=10.0.2.15/24 pcap=1", netns: ns.name, secondSerialFile: file, extraArguments: NIC }, async (qemu) => {
    await qemu.expectLine("capsid: net: pcap: every frame sent and received goes to COM2 as pcap", 60_000);
    await qemu.expectLine("capsid: net: 10.0.2.15/24, no gateway; answering ARP and ICMP echo", 10_000);
    const ping = await ns.run(["ping", "-c", "5", "-i", "0.2", "-W", "2", "10.0.2.15"], 30_000);
    assert.match(ping.output, /5 packets transmitted, 5 received, 0% packet loss/, ping.output);
    // 1472 bytes of data: a 1514-byte frame each way, the first of which the guest times.
    const large = await ns.run(["ping", "-c", "1", "-W", "5", "-s", "1472", "10.0.2.15"], 30_000);
    assert.match(large.output, /1 packets transmitted, 1 received/, large.output);
    cost = await qemu.expectLine(/^capsid: net: pcap: a frame of 1514 bytes took \d+\.\d{3} ms to write to COM2$/, 10_000);
    await captured(file, /ICMP echo reply/, 6);
  });
  console.log(`  ${cost} (${statSync(file).size} bytes captured)`);
  const lines = readCapture(file);
  const has = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;
  assert.ok(has(new RegExp(`${tapMac} > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 10\\.0\\.2\\.15 tell 10\\.0\\.2\\.1`)) >= 1, lines.join("\n"));
  assert.ok(has(new RegExp(`${GUEST_MAC} > ${tapMac}, ethertype ARP .*Reply 10\\.0\\.2\\.15 is-at ${GUEST_MAC}`)) >= 1, lines.join("\n"));
  assert.is(has(new RegExp(`${tapMac} > ${GUEST_MAC}, ethertype IPv4 .*10\\.0\\.2\\.1 > 10\\.0\\.2\\.15: ICMP echo request`)), 6, lines.join("\n"));
  assert.is(has(new RegExp(`${GUEST_MAC} > ${tapMac}, ethertype IPv4 .*10\\.0\\.2\\.15 > 10\\.0\\.2\\.1: ICMP echo reply`)), 6, lines.join("\n"));
  assert.is(has(/ICMP echo reply, id \d+, seq 1, length 1480/), 1, "the full-size reply");
  for (let seq = 1; seq <= 5; seq++) {
    const request = lines.findIndex((line) => new RegExp(`echo request, id \\d+, seq ${seq}, length 64`).test(line));
    const reply = lines.findIndex((line) => new RegExp(`echo reply, id \\d+, seq ${seq}, length 64`).test(line));
    assert.ok(request >= 0 && reply > request, `echo ${seq}: the request, then its reply`);
  }
});

capture("netfault=loss:50,seed:1: about three pings in four of 200 go unanswered; the capture shows each reply the host got", async () => {
  const file = join(directory, "faults.pcap");
  // The host knows the guest's MAC, so ARP (which the faults would also hit) plays no part.
  ns.ip("-n", ns.name, "neigh", "replace", "10.0.2.15", "lladdr", GUEST_MAC, "dev", "tap0", "nud", "permanent");
  let received = -1;
  await withQemu({ commandLine: "log=info ip=10.0.2.15/24 netfault=loss:50,seed:1 pcap=1", netns: ns.name, secondSerialFile: file, extraArguments: NIC },
    async (qemu) => {
      await qemu.expectLine("capsid: net: faults: loss 50%, dup 0%, reorder 0%, corrupt 0%, no rate limit, seed 1 (both directions, each apart)", 60_000);
      await qemu.expectLine("capsid: net: 10.0.2.15/24", 10_000);
      const ping = await ns.run(["ping", "-c", "200", "-i", "0.01", "-W", "2", "10.0.2.15"], 60_000);
      const figures = /200 packets transmitted, (\d+) received/.exec(ping.output);
      assert.ok(figures, ping.output);
      received = Number(figures![1]);
      // Half lost each way: a quarter answered (50 of 200; seeded, so the same each run with the
      // same frames; the bounds are about six standard deviations of a fair draw).
      console.log(`  ${received} of 200 pings answered`);
      assert.ok(received >= 15 && received <= 85, `${received} of 200 answered`);
      await captured(file, /ICMP echo request/, 200);
      await captured(file, /ICMP echo reply/, received);
    });
  const lines = readCapture(file);
  const requests = lines.filter((line) => /ICMP echo request/.test(line)).length;
  const replies = lines.filter((line) => /ICMP echo reply/.test(line)).length;
  assert.is(requests, 200, "the capture, under the faults, sees every request the wire brought");
  assert.is(replies, received, "and exactly the replies that went on the wire");
});

capture("pcap=1 without a COM2, or a malformed netfault=, is refused in the log and the interface comes up without it", async () => {
  await withQemu({ commandLine: "log=info ip=10.0.2.15/24 pcap=1 netfault=loss:5,jitter:3", netns: ns.name, extraArguments: NIC }, async (qemu) => {
    await qemu.expectLine("capsid: net: pcap=1, but no UART answers at COM2 (QEMU: give a second -serial); no capture", 60_000);
    await qemu.expectLine("capsid: net: netfault=loss:5,jitter:3: jitter is not one of loss, dup, reorder, corrupt, rate, seed; no faults injected", 10_000);
    await qemu.expectLine("capsid: net: 10.0.2.15/24, no gateway; answering ARP and ICMP echo", 10_000);
  });
});

capture.run();
