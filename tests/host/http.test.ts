// Host tests of http-server's request parser (userspace/programs/http-server/request.ts) and
// the runtime's headerEnd (userspace/rt/http.ts): what each request line and header makes of a
// request (file name, method, keep-alive by version and Connection, the errors 400, 405 and 505),
// and random and mutated requests that must parse without an abort or a read outside the block.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";

let wasm: AssemblyScriptModule;
const e = () => wasm.exports;
const GET = 0, HEAD = 1, OTHER = 2;

test.before(() => {
  wasm = instantiate(compileAssemblyScript(join(REPOSITORY, "tests/host/entries/http.ts")));
});

function put(text: string | Uint8Array): number {
  const bytes = typeof text === "string" ? Buffer.from(text, "latin1") : text;
  new Uint8Array(wasm.memory.buffer).set(bytes, e().inputAddress());
  return bytes.length;
}

/** The parse of `text` (a whole header block). */
function parse(text: string) {
  const length = put(text);
  assert.is(e().end(0, length), length, `the block ends at its end: ${JSON.stringify(text)}`);
  e().parse(length);
  const nameAddress = e().nameAddress(), nameLength = e().nameLength();
  const name = nameAddress === e().indexAddress() ? "(index)" : Buffer.from(wasm.bytes(nameAddress, nameLength)).toString("latin1");
  return { status: e().status(), method: e().method(), keepAlive: !!e().keepAlive(), minor: e().minor(), name };
}

test("headerEnd: CRLF CRLF or LF LF ends a block; a partial block has no end", () => {
  const length = put("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  assert.is(e().end(0, length), 27);
  assert.is(e().end(27, length), length);
  assert.is(e().end(0, 26), -1);
  assert.is(e().end(0, put("GET / HTTP/1.0\n\n")), 16);
  assert.is(e().end(0, 0), -1);
});

test("GET and HEAD of a file, \"/\" is the index, a query is not part of the name", () => {
  assert.equal(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), { status: 0, method: GET, keepAlive: true, minor: 1, name: "(index)" });
  assert.equal(parse("HEAD /hello.txt HTTP/1.1\r\n\r\n"), { status: 0, method: HEAD, keepAlive: true, minor: 1, name: "hello.txt" });
  assert.is(parse("GET /blob.bin?x=1 HTTP/1.1\r\n\r\n").name, "blob.bin");
  assert.is(parse("GET /?x=1 HTTP/1.1\r\n\r\n").name, "(index)");
});

test("keep-alive: HTTP/1.1 by default unless Connection: close; HTTP/1.0 only with keep-alive", () => {
  assert.is(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keepAlive, false);
  assert.is(parse("GET / HTTP/1.1\r\nconnection: Upgrade, CLOSE\r\n\r\n").keepAlive, false);
  assert.is(parse("GET / HTTP/1.0\r\n\r\n").keepAlive, false);
  assert.is(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive, true);
  assert.is(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").minor, 0);
});

test("errors: 405 for other methods, 400 for a malformed line, header or a body, 505 for HTTP/2", () => {
  assert.equal([parse("POST / HTTP/1.1\r\n\r\n").status, parse("POST / HTTP/1.1\r\n\r\n").method], [405, OTHER]);
  assert.is(parse("DELETE /x HTTP/1.1\r\n\r\n").keepAlive, false);
  for (const bad of ["GET / HTTP/1.1 extra\r\n\r\n", "GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET x HTTP/1.1\r\n\r\n",
    "GET / HTTX/1.1\r\n\r\n", "GET / HTTP/1.x\r\n\r\n", "GET / HTTP/1.1\r\nNo colon\r\n\r\n", "GET / HTTP/1.1\r\n folded: x\r\n\r\n",
    "GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    "GET /a\u0001b HTTP/1.1\r\n\r\n", "\r\n"]) {
    assert.is(parse(bad).status, 400, JSON.stringify(bad));
  }
  assert.is(parse("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").status, 0);
  assert.is(parse("GET / HTTP/2.0\r\n\r\n").status, 505);
});

test("a name longer than a boot file's is cut at 256 bytes (the kernel answers NotFound, InvalidArgument)", () => {
  assert.is(parse(`GET /${"a".repeat(1000)} HTTP/1.1\r\n\r\n`).name.length, 256);
});

test("random and mutated requests parse without an abort", () => {
  let seed = 12345;
  const next = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
  const base = Buffer.from("GET /index.html?q HTTP/1.1\r\nHost: 10.0.2.15\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", "latin1");
  for (let round = 0; round < 20000; round++) {
    const bytes = Buffer.from(base);
    for (let i = next() % 8; i >= 0; i--) bytes[next() % bytes.length] = next() & 0xff;
    const cut = bytes.subarray(0, next() % (bytes.length + 1));
    const length = put(cut);
    const end = e().end(0, length);
    assert.ok(end === -1 || (end > 0 && end <= length));
    if (end > 0) {
      e().parse(end);
      const status = e().status();
      assert.ok([0, 400, 405, 505].includes(status), `status ${status}`);
      if (status === 0 && e().nameAddress() !== e().indexAddress()) {
        assert.ok(e().nameAddress() >= e().inputAddress() && e().nameAddress() + e().nameLength() <= e().inputAddress() + end, "the name is in the block");
      }
    }
  }
  assert.equal(wasm.aborts, []);
});

test.run();
