// The virtio-net driver's features and recovery against a real peer (issue 16): in a namespace of
// its own with a tap (netns.ts), the guest runs udp-echo and the host sends datagrams with
// python3, each echo compared byte for byte. Checked: a receive ring made malformed on purpose
// (virtio-net=breakafter) and a buffer QEMU refuses with DEVICE_NEEDS_RESET (faultafter) each
// reset the device once, logged, and the echo goes on; a fourth fault within a minute gives the
// device up, logged, without a panic; with the tap's MTU raised, jumbo frames arrive over
// several buffers (MRG_RXBUF) and are echoed, one past 9 KiB is dropped and counted, and without
// MRG_RXBUF they do not arrive at all; the partial checksums the host leaves (NEEDS_CSUM) are
// completed, as a capture of what the driver hands up shows (tcpdump -vv).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logMessage, withQemu, type QemuSession } from "../qemu-runner/runner";
import { GUEST, Namespace } from "./netns";

const virtio = suite("virtio-net: merged buffers, checksums, resets with a real peer");
const ns = new Namespace("virtio");
let directory = "";

virtio.before(() => {
  ns.create();
  directory = mkdtempSync(join(tmpdir(), "capsid-virtio-"));
});
virtio.after(() => {
  ns.remove();
  rmSync(directory, { recursive: true, force: true });
});

/** Sends each datagram (of the given sizes, random bytes) to udp-echo and waits for its echo,
 * sending again after 1 s up to `tries` times; an echo that is not the datagram's is "bad"
 * unless it is a late copy of an earlier one. Five datagrams lost in a row end the run (the rest
 * counted lost): the guest is not answering. */
const ECHO = `
import json, os, socket, sys
sizes, tries = json.loads(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
ok = bad = retried = lost = in_a_row = 0
sent = set()
for index, size in enumerate(sizes):
    if in_a_row >= 5:
        lost += len(sizes) - index
        break
    payload = os.urandom(size)
    answered = False
    for attempt in range(tries):
        s.sendto(payload, ('${GUEST}', 7))
        try:
            while True:
                data, _ = s.recvfrom(65536)
                if data == payload:
                    answered = True
                    break
                if data not in sent:
                    bad += 1
        except socket.timeout:
            retried += 1
            continue
        break
    sent.add(payload)
    if answered:
        ok += 1
        in_a_row = 0
    else:
        lost += 1
        in_a_row += 1
print(json.dumps({"ok": ok, "bad": bad, "retried": retried, "lost": lost}))
`;

interface Echoes { ok: number; bad: number; retried: number; lost: number }

async function echo(sizes: number[], tries: number): Promise<Echoes> {
  const result = await ns.run(["python3", "-c", ECHO, JSON.stringify(sizes), String(tries)], 60_000 + sizes.length * tries * 1500);
  const line = result.output.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Echoes;
  } catch {
    throw new Error(`the echo script failed (${result.code}): ${result.output}`);
  }
}

/** Datagrams of 1 to 1472 bytes, spread over the range. */
const sizes = (count: number) => Array.from({ length: count }, (_, i) => 1 + ((i * 7919) % 1472));
const log = (qemu: QemuSession) => qemu.serial.split("\n").map(logMessage);
const driverLines = (qemu: QemuSession, pattern: RegExp) => log(qemu).filter((line) => /^capsid: virtio-net: /.test(line) && pattern.test(line));
const BOOT = "log=info ip=10.0.2.15/24 init=udp-echo";

async function booted(qemu: QemuSession): Promise<void> {
  await qemu.expectLine("udp-echo: listening on port 7", 90_000);
}

virtio("virtio-net=breakafter:50: the receive ring made malformed resets the device once, and 200 datagrams are still echoed unchanged", async () => {
  await withQemu({ commandLine: `${BOOT} virtio-net=breakafter:50`, netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
    await booted(qemu);
    const result = await echo(sizes(200), 3);
    assert.equal({ ok: result.ok, bad: result.bad, lost: result.lost }, { ok: 200, bad: 0, lost: 0 }, JSON.stringify(result));
    assert.ok(result.retried <= 2, `${result.retried} datagrams sent again: more than the one the break lost`);
    const resets = driverLines(qemu, /: reset \d+ since boot/);
    assert.is(resets.length, 1, log(qemu).join("\n"));
    assert.match(resets[0], /: reset 1 since boot, after \d+ packets: the receive queue's used ring was malformed: an entry named a descriptor not in flight$/);
    assert.equal(driverLines(qemu, /no longer driven/), []);
  });
});

virtio("virtio-net=faultafter:20,rxbuffers:64: QEMU refuses a 0-byte buffer with DEVICE_NEEDS_RESET; read on the configuration interrupt, the device is reset and echoes on", async () => {
  await withQemu({ commandLine: `${BOOT} virtio-net=faultafter:20,rxbuffers:64`, netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
    await booted(qemu);
    assert.match(driverLines(qemu, /receive buffers/)[0] ?? "", /queues of 256, 64 receive buffers;/, "rxbuffers:64 posts 64");
    // The 0-byte buffer is posted after 20 packets, behind the 63 already posted (rxbuffers:64;
    // with the default 256 the 200 datagrams would not reach it): the device meets it about 83
    // packets in.
    const result = await echo(sizes(200), 3);
    assert.equal({ ok: result.ok, bad: result.bad, lost: result.lost }, { ok: 200, bad: 0, lost: 0 }, JSON.stringify(result));
    const resets = driverLines(qemu, /: reset \d+ since boot/);
    assert.is(resets.length, 1, log(qemu).join("\n"));
    assert.match(resets[0], /: reset 1 since boot, after \d+ packets: the device set DEVICE_NEEDS_RESET \(read on a configuration interrupt\)$/);
  });
});

virtio("four faults within a minute: three resets, then the device is given up (FAILED), logged, and the kernel runs on", async () => {
  await withQemu({ commandLine: `${BOOT} virtio-net=breakafter:5,faults:4`, netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
    await booted(qemu);
    const result = await echo(sizes(40), 1);
    assert.ok(result.ok >= 10 && result.ok < 40, `${result.ok} of 40 echoed: the device should have served some and then stopped`);
    assert.is(driverLines(qemu, /: reset \d+ since boot/).length, 3, log(qemu).join("\n"));
    const failed = driverLines(qemu, /no longer driven/);
    assert.is(failed.length, 1);
    assert.match(failed[0], /: no longer driven \(FAILED\): the receive queue's used ring was malformed: .*, after 3 resets within 60 s$/);
    const after = await echo([64, 64], 1);
    assert.is(after.ok, 0, "a device given up still echoed");
    assert.not.match(qemu.serial, /panic|PANIC/);
  });
});

virtio("MRG_RXBUF: with the tap's MTU at 9600, frames of up to 8,234 bytes span several 2 KiB buffers and are echoed; one past 9 KiB is dropped and counted; without MRG_RXBUF none arrives", async () => {
  ns.ip("-n", ns.name, "link", "set", "tap0", "mtu", "9600");
  try {
    const jumbo = [3000, 8192, 100, 5000, 8000, 1472, 2100, 7777];
    await withQemu({ commandLine: BOOT, netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
      await booted(qemu);
      const result = await echo([...jumbo, ...jumbo], 2);
      assert.equal(result, { ok: 16, bad: 0, retried: 0, lost: 0 });
      assert.equal(driverLines(qemu, /MRG_RXBUF\) was merged/).length, 1, log(qemu).join("\n"));
      const tooLong = await echo([9500], 1);   // a 9,542-byte frame
      assert.is(tooLong.ok, 0);
      assert.equal(driverLines(qemu, /a packet longer than 9216 bytes was dropped \(logged once\)$/).length, 1, log(qemu).join("\n"));
      assert.equal(await echo([200], 2), { ok: 1, bad: 0, retried: 0, lost: 0 }, "after the drop");
    });
    await withQemu({ commandLine: `${BOOT} virtio-net=nomrgrxbuf`, netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
      await booted(qemu);
      assert.match(log(qemu).join("\n"), /offered .*MRG_RXBUF.*; negotiated GUEST_CSUM EVENT_IDX$/m);
      const result = await echo([8000, 3000], 1);
      assert.is(result.ok, 0, "a frame longer than one buffer arrived without MRG_RXBUF");
      assert.is((await echo([1472], 2)).ok, 1, "a frame that fits one buffer");
    });
  } finally {
    ns.ip("-n", ns.name, "link", "set", "tap0", "mtu", "1500");
  }
});

virtio("GUEST_CSUM: the host's partial checksums (NEEDS_CSUM) are completed: a capture of what the driver hands up shows each UDP checksum right", async () => {
  const file = join(directory, "checksums.pcap");
  await withQemu({ commandLine: `${BOOT} pcap=1`, netns: ns.name, extraArguments: ns.qemuArguments(), secondSerialFile: file }, async (qemu) => {
    await booted(qemu);
    const lengths = [1, 2, 3, 17, 32, 99, 100, 1000, 1471, 1472, ...sizes(20)];
    const result = await echo(lengths, 2);
    assert.equal(result, { ok: lengths.length, bad: 0, retried: 0, lost: 0 });
    assert.equal(driverLines(qemu, /checksum was partial \(NEEDS_CSUM\): completed here/).length, 1, log(qemu).join("\n"));
    const end = Date.now() + 20_000;
    let checked: string[] = [];
    for (;;) {
      let text = "";
      try {
        text = execFileSync("tcpdump", ["-r", file, "-nn", "-vv", "udp and dst host 10.0.2.15"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      } catch { /* a record half written */ }
      checked = text.split("\n").filter((line) => /10\.0\.2\.1\.\d+ > 10\.0\.2\.15\.7: /.test(line));
      if (checked.length >= lengths.length || Date.now() > end) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.is(checked.length, lengths.length, checked.join("\n"));
    const bad = checked.filter((line) => !/\[udp sum ok\]/.test(line));
    assert.equal(bad, [], "checksums tcpdump found wrong");
  });
});

virtio.run();
