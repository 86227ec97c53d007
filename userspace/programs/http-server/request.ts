// http-server's request parser: one request's line and headers (RFC 9112 §3, §5) from the bytes
// a connection received, into a Request: the method, the boot file the target names, and whether
// the connection stays open after the answer. Only the header block is read (the caller found
// its end); a request with a body is refused, since GET and HEAD carry none.

import { decimalParse, equalsExactly, Header, Line, listHasToken } from "../../rt/http";
import { BOOT_FILE_NAME_MAXIMUM } from "../../../abi/methods";

export enum Method { Get, Head, Other }

/** The status a request is answered with when it is not served (0: served). */
export const STATUS_SERVED: u32 = 0;

export class Request {
  method: Method = Method.Other;
  /** 0 to serve it; else the error status to answer (400, 405, 505). */
  status: u32 = STATUS_SERVED;
  /** The boot file the target names: bytes of the receive buffer, or INDEX for "/". */
  nameAddress: usize = 0;
  nameLength: usize = 0;
  keepAlive: bool = false;
  /** The HTTP minor version (1.0 or 1.1). */
  minor: u32 = 1;
}

/** The file "/" stands for. */
export const INDEX_NAME = "index.html";

const line = new Line();
const header = new Header();

/** Parses the header block [start, end) of `buffer` (end is just past its empty line; empty lines
 * before the request line were skipped, RFC 9112 §2.2) into `request`; `index` holds INDEX_NAME's
 * bytes. */
export function requestParse(buffer: usize, start: usize, end: usize, request: Request, index: usize): void {
  request.status = STATUS_SERVED;
  request.method = Method.Other;
  request.keepAlive = false;
  request.minor = 1;
  if (!line.read(buffer, start, end)) { request.status = 400; return; }
  if (!requestLine(buffer, line.start, line.end, request, index)) {
    if (request.status == STATUS_SERVED) request.status = 400;
    return;
  }
  request.keepAlive = request.minor >= 1;
  let hasBody = false;
  let at = line.next;
  while (line.read(buffer, at, end) && line.end > line.start) {
    at = line.next;
    if (!header.split(buffer, line.start, line.end)) { request.status = 400; return; }
    if (header.is(buffer, "connection")) {
      if (listHasToken(buffer, header.valueStart, header.valueEnd, "close")) request.keepAlive = false;
      else if (listHasToken(buffer, header.valueStart, header.valueEnd, "keep-alive")) request.keepAlive = true;
    } else if (header.is(buffer, "content-length")) {
      const length = decimalParse(buffer, header.valueStart, header.valueEnd);
      if (length < 0) { request.status = 400; return; }
      if (length > 0) hasBody = true;
    } else if (header.is(buffer, "transfer-encoding")) {
      hasBody = true;
    }
  }
  if (request.method == Method.Other) { request.status = 405; request.keepAlive = false; return; }
  if (hasBody) { request.status = 400; request.keepAlive = false; }
}

/** "METHOD SP target SP HTTP/1.x": false (status 400 or 505) when it is not one. */
function requestLine(buffer: usize, start: usize, end: usize, request: Request, index: usize): bool {
  let space1 = start;
  while (space1 < end && load<u8>(buffer + space1) != 0x20) space1++;
  if (space1 == start || space1 >= end) return false;
  let space2 = space1 + 1;
  while (space2 < end && load<u8>(buffer + space2) != 0x20) space2++;
  if (space2 >= end || space2 == space1 + 1) return false;
  for (let i = start; i < space1; i++) {   // a token: visible ASCII but separators
    const byte = load<u8>(buffer + i);
    if (byte <= 0x20 || byte >= 0x7f) return false;
  }
  const version = buffer + space2 + 1, versionLength = end - space2 - 1;
  if (versionLength != 8 || !equalsExactly(version, 5, "HTTP/") || load<u8>(version + 6) != 0x2e) return false;
  const major = <i32>load<u8>(version + 5) - 0x30, minor = <i32>load<u8>(version + 7) - 0x30;
  if (major < 0 || major > 9 || minor < 0 || minor > 9) return false;
  if (major != 1) { request.status = 505; return false; }
  request.minor = <u32>minor;
  if (equalsExactly(buffer + start, space1 - start, "GET")) request.method = Method.Get;
  else if (equalsExactly(buffer + start, space1 - start, "HEAD")) request.method = Method.Head;
  // The target: origin form "/name[?query]"; the name is what follows the slash.
  const target = space1 + 1;
  if (load<u8>(buffer + target) != 0x2f) return false;
  let targetEnd = target + 1;
  while (targetEnd < space2 && load<u8>(buffer + targetEnd) != 0x3f && load<u8>(buffer + targetEnd) != 0x23) targetEnd++;
  for (let i = target; i < space2; i++) {
    const byte = load<u8>(buffer + i);
    if (byte <= 0x20 || byte >= 0x7f) return false;
  }
  if (targetEnd == target + 1) {
    request.nameAddress = index;
    request.nameLength = <usize>INDEX_NAME.length;
  } else {
    request.nameAddress = buffer + target + 1;
    request.nameLength = min(targetEnd - target - 1, <usize>BOOT_FILE_NAME_MAXIMUM + 1);   // longer: not found
  }
  return true;
}
