// UDP sockets and network grants against real peers (issue 16): in a namespace of its own with
// a tap (netns.ts), the guest's udp-echo server exchanges 10,000 datagrams with socat, each
// payload compared byte for byte; net-check's grant steps pass, and tcpdump on the tap sees the
// marker of the process that holds a grant and never the marker of the one that holds none, nor
// that of the datagrams net-check sends to its own address and to 127.0.0.1.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { randomBytes } from "node:crypto";
import { logMessage, withQemu } from "../qemu-runner/runner";
import { GUEST, Namespace, until } from "./netns";

const udp = suite("UDP sockets and network grants with real peers");
const ns = new Namespace("udp");
const DATAGRAMS = 10_000;

udp.before(() => ns.create());
udp.after(() => ns.remove());

udp(`udp-echo answers socat: ${DATAGRAMS} datagrams of 1 to 1472 bytes (and some fragmented, to 4000), each echoed unchanged`, async () => {
  await withQemu({ commandLine: "log=info ip=10.0.2.15/24 init=udp-echo", netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
    await qemu.expectLine("udp-echo: listening on port 7", 60_000);
    const socat = await ns.start(["socat", "-b", "8192", "-", `UDP:${GUEST}:7`]);
    // One datagram in flight at a time: socat reads each write as one datagram, and writes each
    // echo in one piece; the next goes when the last has come back whole.
    let received = Buffer.alloc(0);
    let wake: (() => void) | null = null;
    socat.child.stdout!.removeAllListeners("data");
    socat.child.stdout!.on("data", (chunk: Buffer) => { received = Buffer.concat([received, chunk]); wake?.(); });
    const echoOf = (length: number, i: number) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no echo of datagram ${i} (${length} bytes) in 5 s; ${received.length} bytes back`)), 5_000);
      wake = () => { if (received.length >= length) { clearTimeout(timer); wake = null; resolve(); } };
      wake();
    });
    try {
      for (let i = 0; i < DATAGRAMS; i++) {
        const length = i % 100 == 99 ? 1473 + (i % 2528) : 1 + ((i * 7919) % 1472);
        const payload = randomBytes(length);
        received = Buffer.alloc(0);
        socat.child.stdin!.write(payload);
        await echoOf(length, i);
        if (!received.equals(payload)) assert.unreachable(`datagram ${i} of ${length} bytes came back as ${received.length} different bytes`);
      }
    } finally {
      socat.child.kill();
    }
  });
});

udp("net-check: a grant binds and sends only within itself; a process without one sends nothing the tap sees", async () => {
  const capture = await ns.start(["tcpdump", "-i", "tap0", "-n", "-l", "-A", "udp"], /listening on tap0/);
  try {
    await withQemu({ commandLine: "log=info ip=10.0.2.15/24 init=net-check", netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
      await qemu.expectLine("net-check: ready for a datagram on 5353", 90_000);
      const answer = await ns.run(["python3", "-c", [
        "import socket", "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)", "s.settimeout(5)",
        `s.sendto(b'hello capsid', ('${GUEST}', 5353))`, "print(s.recvfrom(100)[0].decode())",
      ].join("\n")], 20_000);
      assert.is(answer.output.trim(), "hello capsid", answer.output);
      await qemu.expectLine("net-check: done", 20_000);
      const log = qemu.serial.split("\n").map(logMessage);
      const lines = log.filter((line) => line.startsWith("net-check: ") && /: (PASS|FAIL) /.test(line));
      const failed = lines.filter((line) => line.includes(": FAIL "));
      assert.equal(failed, [], log.join("\n"));
      assert.ok(lines.length >= 22, `only ${lines.length} steps ran:\n${lines.join("\n")}`);
      assert.match(log.join("\n"), /net-denied: (\d+) of \1 handles refused both send and udp/);
    });
    await until("the capture of the control marker", () => capture.output().includes("CAPSID-MARKER-GRANTED"), 5_000);
    assert.not.match(capture.output(), /CAPSID-MARKER-DENIED/, "the process without a grant put its marker on the wire");
    assert.not.match(capture.output(), /CAPSID-MARKER-LOCAL|127\.0\.0\.1/, "a datagram to the guest itself reached the wire");
    assert.match(capture.output(), /10\.0\.2\.15\.5100 > 10\.0\.2\.1\.9000: UDP, length 6/, "the narrowed grant's datagram");
    assert.not.match(capture.output(), /> 10\.0\.2\.(1\.9001|2\.9000):/, "the narrowed grant reached another peer or port");
  } finally {
    capture.child.kill();
  }
});

udp.run();
