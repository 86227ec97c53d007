// http-get: fetches one URL over HTTP/1.1 and hashes what it gets. The start text (args=) is
// "A.B.C.D:PORT/path"; it connects, sends a GET with "Connection: close", reads the status line
// and Content-Length (a body without one ends with the connection), streams the body through
// SHA-256 without keeping it, and prints
//   http-get: <status> <bytes> bytes sha256 <hex> in <ms> ms
// then exits 0. Any failure prints "http-get: error: ..." and exits non-zero.

import { KernelError, kernelErrorName } from "../../../abi/errors";
import { Console, ipv4Parse, Network, startText, TcpSocket, Timer } from "../../rt/index";
import { decimalParse, equalsExactly, Header, headerEnd, Line, listHasToken } from "../../rt/http";
import { Sha256 } from "../../rt/sha256";

const BUFFER_SIZE: usize = 16384;
const CONNECT_TIMEOUT: u64 = 10_000_000_000;
const RECEIVE_TIMEOUT: u64 = 30_000_000_000;

/** The parsed start text. */
class Target {
  address: u32 = 0;
  port: u32 = 0;
  host: string = "";
  path: string = "/";
}

/** "A.B.C.D:PORT/path" (the path may be absent: "/"), or null. */
function targetParse(text: string): Target | null {
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  let slash = text.indexOf("/", colon);
  if (slash < 0) slash = text.length;
  const address = ipv4Parse(text.substring(0, colon));
  const portText = text.substring(colon + 1, slash);
  if (address < 0 || portText.length == 0 || portText.length > 5) return null;
  let port: u32 = 0;
  for (let i = 0; i < portText.length; i++) {
    const digit = portText.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return null;
    port = port * 10 + <u32>digit;
  }
  if (port == 0 || port > 0xffff) return null;
  const path = slash < text.length ? text.substring(slash) : "/";
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) <= 0x20 || path.charCodeAt(i) >= 0x7f) return null;
  const target = new Target();
  target.address = <u32>address;
  target.port = port;
  target.host = text.substring(0, slash);
  target.path = path;
  return target;
}

/** What the header block says about the body. */
class Response {
  status: u32 = 0;
  /** -1: none (the body ends with the connection). */
  contentLength: i64 = -1;
  chunked: bool = false;
}

/** Parses the header block [0, end) of `buffer`: false when it is malformed. */
function responseParse(buffer: usize, end: usize, response: Response): bool {
  const line = new Line(), header = new Header();
  if (!line.read(buffer, 0, end)) return false;
  // "HTTP/1.x SSS reason"
  if (line.end - line.start < 12 || !equalsExactly(buffer + line.start, 7, "HTTP/1.") || load<u8>(buffer + line.start + 8) != 0x20) return false;
  const status = decimalParse(buffer, line.start + 9, line.start + 12);
  if (status < 100 || status > 999) return false;
  response.status = <u32>status;
  let at = line.next;
  while (line.read(buffer, at, end) && line.end > line.start) {
    at = line.next;
    if (!header.split(buffer, line.start, line.end)) return false;
    if (header.is(buffer, "content-length")) {
      const length = decimalParse(buffer, header.valueStart, header.valueEnd);
      if (length < 0 || (response.contentLength >= 0 && response.contentLength != length)) return false;
      response.contentLength = length;
    } else if (header.is(buffer, "transfer-encoding")) {
      response.chunked = listHasToken(buffer, header.valueStart, header.valueEnd, "chunked");
    }
  }
  // RFC 9112 §6.3: no body for 1xx, 204 and 304.
  if (status < 200 || status == 204 || status == 304) response.contentLength = 0;
  return true;
}

function fail(console: Console, message: string, code: i32): i32 {
  console.line("http-get: error: " + message);
  return code;
}

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const network = Network.granted();
  const timer = Timer.granted();
  if (network === null || timer === null) return fail(console, "no network or timer grant", 2);
  const target = targetParse(startText());
  if (target === null) return fail(console, "args= must be A.B.C.D:PORT/path, not '" + startText() + "'", 3);
  const started = timer.now();
  const error = new StaticArray<i64>(1);
  const socket = TcpSocket.connect(network.handle, target.address, target.port, 0, CONNECT_TIMEOUT, error);
  if (socket === null) return fail(console, "connect to " + target.host + ": " + kernelErrorName(<KernelError>(-error[0])), 4);
  const request = "GET " + target.path + " HTTP/1.1\r\nHost: " + target.host + "\r\nUser-Agent: capsid-http-get\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  const sent = socket.sendText(request);
  if (sent < 0) return fail(console, "send: " + kernelErrorName(<KernelError>(-sent)), 5);

  const buffer = memory.data(<i32>BUFFER_SIZE, 16);
  let filled: usize = 0;
  let end: isize = -1;
  while (end < 0) {
    if (filled == BUFFER_SIZE) return fail(console, "the response's header is larger than " + BUFFER_SIZE.toString() + " bytes", 6);
    const count = socket.receive(buffer + filled, BUFFER_SIZE - filled, RECEIVE_TIMEOUT);
    if (count < 0) return fail(console, "receive: " + kernelErrorName(<KernelError>(-count)), 7);
    if (count == 0) return fail(console, "the connection closed before the response's header ended", 8);
    filled += <usize>count;
    end = headerEnd(buffer, 0, filled);
  }
  const response = new Response();
  if (!responseParse(buffer, <usize>end, response)) return fail(console, "a malformed response header", 9);
  if (response.chunked) return fail(console, "a chunked body (not supported)", 10);

  const hash = new Sha256();
  const expected = response.contentLength;
  let body: u64 = 0;
  let pending = filled - <usize>end;   // body bytes that came with the header
  let from = buffer + <usize>end;
  for (;;) {
    if (expected >= 0 && <u64>pending > <u64>expected - body) pending = <usize>(<u64>expected - body);   // never past the body
    hash.update(from, pending);
    body += <u64>pending;
    if (expected >= 0 && body == <u64>expected) break;
    const count = socket.receive(buffer, BUFFER_SIZE, RECEIVE_TIMEOUT);
    if (count < 0) return fail(console, "receive after " + body.toString() + " body bytes: " + kernelErrorName(<KernelError>(-count)), 11);
    if (count == 0) {
      if (expected >= 0) return fail(console, "the connection closed after " + body.toString() + " of " + expected.toString() + " body bytes", 12);
      break;   // no Content-Length: the close ends the body
    }
    pending = <usize>count;
    from = buffer;
  }
  const elapsed = timer.now() - started;
  socket.close();
  console.line("http-get: " + response.status.toString() + " " + body.toString() + " bytes sha256 " + hash.finish() + " in "
    + (elapsed / 1_000_000).toString() + " ms");
  return 0;
}
