// TCP sockets against real peers (issue 17): in a namespace of its own with a tap (netns.ts).
// tcp-check's grant steps run against a Python peer on the host (every step a PASS or FAIL line
// from the guest's own comparison, and the peer's side checked here); `nc` talks to the guest's
// echo, its bytes compared; 20 MiB go each way through the guest's own fault-injecting device
// (phy/fault.ts: loss, reordering and duplication in both directions, seeded and printed).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logMessage, withQemu } from "../qemu-runner/runner";
import { GUEST, Namespace } from "./netns";

const tcp = suite("TCP sockets with real peers");
const ns = new Namespace("tcp");
const directory = mkdtempSync(join(tmpdir(), "capsid-tcp-"));

tcp.before(() => ns.create());
tcp.after(() => {
  ns.remove();
  rmSync(directory, { recursive: true, force: true });
});

/** A one-connection peer on 10.0.2.1:8000: reads a line, answers one, closes its side, then
 * reads to the end; prints what it read. */
const PEER = `
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.2.1", 8000)); s.listen(1); s.settimeout(120)
print("peer: listening", flush=True)
c, _ = s.accept(); c.settimeout(30)
data = b""
while not data.endswith(b"\\n"):
    chunk = c.recv(100)
    if not chunk: break
    data += chunk
c.sendall(b"hello from the host\\n"); c.shutdown(socket.SHUT_WR)
rest = b""
while True:
    chunk = c.recv(100)
    if not chunk: break
    rest += chunk
print("peer: got", repr(data), "then", repr(rest), flush=True)
`;

tcp("tcp-check: listen and connect inside the grant only; refused, completed and half-closed connections", async () => {
  const script = join(directory, "peer.py");
  writeFileSync(script, PEER);
  const peer = await ns.start(["python3", "-u", script]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await withQemu({ commandLine: "log=info ip=10.0.2.15/24 init=tcp-check args=grant", memory: "1G", netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
    await qemu.expectLine(/tcp-check: (all passed|\d+ failed)/, 120_000);
    const lines = qemu.serial.split("\n").map(logMessage).filter((line) => /^tcp-check: (PASS|FAIL) /.test(line));
    assert.ok(lines.length >= 11, `every step reported:\n${lines.join("\n")}`);
    for (const line of lines) assert.ok(line.startsWith("tcp-check: PASS "), line);
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  peer.child.kill();
  assert.match(peer.output(), /peer: got b'hello from capsid\\n' then b''/);
});

tcp("nc: 1 MiB through the guest's echo comes back unchanged", async () => {
  const input = join(directory, "input.bin"), output = join(directory, "output.bin");
  writeFileSync(input, randomBytes(1 << 20));
  await withQemu({ commandLine: "log=info ip=10.0.2.15/24 init=tcp-check args=echo", memory: "1G", netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
    await qemu.expectLine("tcp-check: echo listening on port 2007", 60_000);
    const run = await ns.run(["sh", "-c", `nc.openbsd -N ${GUEST} 2007 < ${input} > ${output}`], 120_000);
    assert.is(run.code, 0, run.output);
    await qemu.expectLine(`tcp-check: echoed ${1 << 20} bytes`, 30_000);
  });
  assert.ok(readFileSync(output).equals(readFileSync(input)), "the bytes that came back are the bytes sent");
});

/** Sends `bytes` random bytes through the guest's echo with nc and compares what comes back. */
async function echoThrough(commandLine: string, bytes: number, seconds: number): Promise<number> {
  const input = join(directory, "input.bin"), output = join(directory, "output.bin");
  writeFileSync(input, randomBytes(bytes));
  let elapsed = 0;
  await withQemu({ commandLine, memory: "1G", netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
    await qemu.expectLine("tcp-check: echo listening on port 2007", 60_000);
    const start = Date.now();
    const run = await ns.run(["sh", "-c", `nc.openbsd -N ${GUEST} 2007 < ${input} > ${output}`], seconds * 1000);
    elapsed = (Date.now() - start) / 1000;
    assert.is(run.code, 0, `nc ended cleanly: ${run.output}`);
    await qemu.expectLine(`tcp-check: echoed ${bytes} bytes`, 30_000);
  });
  const sent = readFileSync(input), received = readFileSync(output);
  assert.is(received.length, sent.length, "as many bytes came back as were sent");
  assert.ok(createHash("sha256").update(received).digest("hex") === createHash("sha256").update(sent).digest("hex"), "the SHA-256 of what came back is that of what was sent");
  return elapsed;
}

tcp("20 MiB each way through the guest's fault device (5 % loss, 2 % reordered, 1 % duplicated each way): the bytes intact, both ends closing cleanly", async () => {
  const seed = Date.now() % 1_000_000;
  console.log(`    fault seed ${seed}`);
  const elapsed = await echoThrough(`log=info ip=10.0.2.15/24 init=tcp-check args=echo netfault=loss:5,reorder:2,dup:1,seed:${seed}`, 20 << 20, 600);
  console.log(`    40 MiB moved in ${elapsed.toFixed(1)} s`);
});

tcp.run();
