// The TCP programs against real peers, in a namespace of their own with a tap (netns.ts):
// tcp-echo answers many nc clients at once; http-server serves the boot files to curl (50
// connections at once, keep-alive, pipelining, HEAD, 404, 405, 400, 431); http-get fetches a file
// from a Python server on the host and hashes it, and hears a router's ICMP error; tcp-push streams its xorshift bytes to a Python
// peer (tests/qemu/stream.py) and hashes what comes back; tcp-bench speaks its three protocols
// (sink, source, rr) to a Python peer.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPOSITORY, withQemu } from "../qemu-runner/runner";
import { GUEST, HOST, Namespace } from "./netns";

const programs = suite("TCP programs with real peers");
const ns = new Namespace("tcpprog");
const directory = mkdtempSync(join(tmpdir(), "capsid-tcpprog-"));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const boot = (init: string, args = "") => ({
  commandLine: `log=info ip=10.0.2.15/24 init=${init}` + (args ? ` args=${args}` : ""), memory: "1G", netns: ns.name, extraArguments: ns.qemuArguments(),
});

programs.before(() => ns.create());
programs.after(() => {
  ns.remove();
  rmSync(directory, { recursive: true, force: true });
});

programs("tcp-echo: 20 nc clients at once, each 256 KiB back unchanged", async () => {
  await withQemu(boot("tcp-echo"), async (qemu) => {
    await qemu.expectLine("tcp-echo: listening on port 7", 60_000);
    const runs = [];
    for (let i = 0; i < 20; i++) {
      const input = join(directory, `echo-in-${i}`), output = join(directory, `echo-out-${i}`);
      writeFileSync(input, randomBytes(256 << 10));
      runs.push(ns.run(["sh", "-c", `nc.openbsd -N ${GUEST} 7 < ${input} > ${output}`], 120_000).then((run) => ({ run, input, output })));
    }
    for (const { run, input, output } of await Promise.all(runs)) {
      assert.is(run.code, 0, run.output);
      assert.ok(readFileSync(output).equals(readFileSync(input)), `${output}: the bytes that came back are the bytes sent`);
    }
  });
});

const PIPELINE = `
import socket, sys
s = socket.create_connection(("${GUEST}", 80), timeout=30)
s.sendall(sys.argv[1].encode().decode("unicode_escape").encode("latin1"))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
sys.stdout.write(data.decode("latin1"))
`;

programs("http-server: files, HEAD, 404, 405, 400, 431, keep-alive, pipelining, 50 connections at once", async () => {
  const script = join(directory, "raw.py");
  writeFileSync(script, PIPELINE);
  const raw = async (request: string) => (await ns.run(["python3", script, request], 60_000)).output;
  const index = readFileSync(join(REPOSITORY, "userspace/files/index.html"));
  const blob = readFileSync(join(REPOSITORY, "build/files/blob.bin"));
  await withQemu(boot("http-server"), async (qemu) => {
    await qemu.expectLine("http-server: listening on port 80", 60_000);
    const get = await ns.run(["curl", "-sS", "-o", join(directory, "index.html"), "-w", "%{http_code} %{size_download}", `http://${GUEST}/`], 60_000);
    assert.is(get.output, `200 ${index.length}`);
    assert.ok(readFileSync(join(directory, "index.html")).equals(index));
    const big = await ns.run(["curl", "-sS", "-o", join(directory, "blob.bin"), "-w", "%{http_code}", `http://${GUEST}/blob.bin`], 60_000);
    assert.is(big.output, "200");
    assert.is(sha256(readFileSync(join(directory, "blob.bin"))), sha256(blob));
    const head = await ns.run(["curl", "-sS", "-I", `http://${GUEST}/hello.txt`], 60_000);
    assert.match(head.output, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head.output, /Content-Length: 36\r\n/);
    assert.match(await raw("GET /missing HTTP/1.1\\r\\nConnection: close\\r\\n\\r\\n"), /^HTTP\/1\.1 404 Not Found\r\n[^]*\r\n\r\n404 Not Found\n$/);
    assert.match(await raw("POST / HTTP/1.1\\r\\nContent-Length: 3\\r\\n\\r\\nabc"), /^HTTP\/1\.1 405 Method Not Allowed\r\n[^]*Allow: GET, HEAD\r\n/);
    assert.match(await raw("GARBAGE\\r\\n\\r\\n"), /^HTTP\/1\.1 400 Bad Request\r\n/);
    // A header block larger than the server's buffer: 431, and a lingering close (no reset).
    assert.match(await raw(`GET / HTTP/1.1\\r\\nX-Long: ${"a".repeat(9000)}\\r\\n\\r\\n`), /^HTTP\/1\.1 431 [^]*\n431 Request Header Fields Too Large\n$/);
    // Three pipelined requests in one send, answered in order; the last closes.
    const pipelined = await raw("GET /hello.txt HTTP/1.1\\r\\n\\r\\nHEAD / HTTP/1.1\\r\\n\\r\\nGET /nothing HTTP/1.1\\r\\nConnection: close\\r\\n\\r\\n");
    const statuses = [...pipelined.matchAll(/HTTP\/1\.1 (\d+)/g)].map((match) => match[1]);
    assert.equal(statuses, ["200", "200", "404"], pipelined);
    assert.ok(pipelined.includes("Hello from the Capsid boot package.\n"));
    // HTTP/1.0 closes unless asked; 50 connections at once, several requests each (keep-alive).
    assert.match(await raw("GET /hello.txt HTTP/1.0\\r\\n\\r\\n"), /Connection: close\r\n/);
    const urls = Array.from({ length: 200 }, (_, i) => `http://${GUEST}/${i % 2 ? "hello.txt" : ""}`);
    const many = await ns.run(["curl", "-sS", "--no-progress-meter", "--parallel", "--parallel-max", "50", "-w", "%{http_code}\\n",
      ...urls.flatMap((url) => ["-o", "/dev/null", url])], 240_000);
    assert.is(many.code, 0, many.output);
    assert.is(many.output.trim().split("\n").filter((code) => code === "200").length, 200, many.output);
    await qemu.expectLine(/^http-server: \d+ requests/, 30_000);
  });
});

programs("http-get: a file from a Python server on the host, its size and SHA-256", async () => {
  const served = join(directory, "www");
  rmSync(served, { recursive: true, force: true });
  const bytes = randomBytes(700_000);
  await ns.run(["mkdir", "-p", served], 10_000);
  writeFileSync(join(served, "data.bin"), bytes);
  const server = await ns.start(["python3", "-u", "-m", "http.server", "--bind", HOST, "--directory", served, "8080"]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  try {
    await withQemu(boot("http-get", `${HOST}:8080/data.bin`), async (qemu) => {
      const line = await qemu.expectLine(/^http-get: /, 120_000);
      assert.match(line, new RegExp(`^http-get: 200 ${bytes.length} bytes sha256 ${sha256(bytes)} in \\d+ ms$`));
    });
  } finally {
    server.child.kill();
  }
});

const PUSH_PEER = `
import socket, sys, hashlib, threading
sys.path.insert(0, "${join(REPOSITORY, "tests/qemu")}")
import stream
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("${HOST}", 9000)); s.listen(1); s.settimeout(120)
print("peer: listening", file=sys.stderr, flush=True)
c, _ = s.accept(); c.settimeout(60)
reply = stream.stream(300000, 99)
def send():
    c.sendall(reply); c.shutdown(socket.SHUT_WR)
sender = threading.Thread(target=send); sender.start()
hash = hashlib.sha256(); total = 0
while True:
    chunk = c.recv(65536)
    if not chunk: break
    hash.update(chunk); total += len(chunk)
sender.join()
print("peer: got", total, hash.hexdigest(), "sent", len(reply), hashlib.sha256(reply).hexdigest(), flush=True)
`;

programs("http-get through a router that answers ICMP network unreachable: the connect fails at once as unreachable, not after its 10 s timeout", async () => {
  // The namespace forwards, with no route past its subnet: its kernel answers the SYN for
  // 192.0.2.1 (TEST-NET-1, through the guest's gateway) with a network unreachable that quotes
  // it, and nothing leaves the namespace. Without the ICMP error the connect would time out.
  const forwarding = await ns.run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], 10_000);
  assert.is(forwarding.code, 0, forwarding.output);
  try {
    const options = boot("http-get", "192.0.2.1:80/x");
    await withQemu({ ...options, commandLine: `${options.commandLine} gateway=${HOST}` }, async (qemu) => {
      const line = await qemu.expectLine(/^http-get: /, 60_000);
      assert.is(line, "http-get: error: connect to 192.0.2.1:80: unreachable");
    });
  } finally {
    await ns.run(["sysctl", "-qw", "net.ipv4.ip_forward=0"], 10_000);
  }
});

programs("tcp-push: 2 MiB of its stream out, 300000 bytes in, both hashes equal the peer's", async () => {
  const script = join(directory, "push-peer.py");
  writeFileSync(script, PUSH_PEER);
  const peer = await ns.start(["python3", "-u", script], /peer: listening/);
  const total = 2 << 20, seed = 12345;
  await withQemu(boot("tcp-push", `${HOST}:9000:${total}:${seed}`), async (qemu) => {
    const lines = [await qemu.expectLine(/^tcp-push: (sent|received|error)/, 120_000), await qemu.expectLine(/^tcp-push: (sent|received|error)/, 120_000)].sort();
    await qemu.expectLine("tcp-push: closed", 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const got = /peer: got (\d+) (\w+) sent (\d+) (\w+)/.exec(peer.output());
    assert.ok(got, peer.output());
    assert.is(lines[1], `tcp-push: sent ${total} sha256 ${got![2]}`);
    assert.is(Number(got![1]), total);
    assert.is(lines[0], `tcp-push: received 300000 sha256 ${got![4]}`);
  });
  peer.child.kill();
});

const BENCH_PEER = `
import socket, sys, time
def connect(port):
    return socket.create_connection(("${GUEST}", port), timeout=30)
# sink: 4 MiB in, the guest closes after our end
s = connect(5001); s.sendall(bytes(range(256)) * 16384); s.shutdown(socket.SHUT_WR)
assert s.recv(10) == b"", "sink sends nothing"
# source: ask for 1000003 bytes, byte i is i mod 256
s = connect(5002); s.sendall(b"1000003\\n"); data = b""
while True:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
assert len(data) == 1000003, len(data)
assert data == (bytes(range(256)) * 3907)[:1000003], "the pattern"
# rr: 50 connections, one line each
start = time.time()
for i in range(50):
    s = connect(5003); s.sendall(b"x\\n"); reply = b""
    while True:
        chunk = s.recv(16)
        if not chunk: break
        reply += chunk
    assert reply == b"ok\\n", reply
    s.close()
print("bench peer: all passed, %.1f connections/s" % (50 / (time.time() - start)), flush=True)
`;

programs("tcp-bench: sink takes 4 MiB, source sends N bytes of its pattern, rr answers 50 connections", async () => {
  const script = join(directory, "bench-peer.py");
  writeFileSync(script, BENCH_PEER);
  await withQemu(boot("tcp-bench"), async (qemu) => {
    await qemu.expectLine("tcp-bench: ready", 60_000);
    const run = await ns.run(["python3", "-u", script], 180_000);
    assert.is(run.code, 0, run.output);
    assert.match(run.output, /bench peer: all passed/);
  });
});

programs.run();
