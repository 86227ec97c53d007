// Host-test entry for http-server's request parser (userspace/programs/http-server/request.ts)
// and the HTTP pieces of the runtime (userspace/rt/http.ts): tests/host/http.test.ts writes a
// request into INPUT and reads the parse back.

import { headerEnd } from "../../../userspace/rt/http";
import { INDEX_NAME, Request, requestParse } from "../../../userspace/programs/http-server/request";

const INPUT_SIZE = 65536;
const INPUT = memory.data(INPUT_SIZE, 16);
const INDEX = String.UTF8.encode(INDEX_NAME);
const request = new Request();

export function inputAddress(): usize { return INPUT; }
export function indexAddress(): usize { return changetype<usize>(INDEX); }
/** headerEnd over INPUT[start, end). */
export function end(start: u32, end: u32): i32 { return <i32>headerEnd(INPUT, start, end); }
/** Parses INPUT[0, end); the fields come from the getters below. */
export function parse(end: u32): void { requestParse(INPUT, 0, end, request, changetype<usize>(INDEX)); }
export function status(): u32 { return request.status; }
export function method(): u32 { return <u32>request.method; }
export function keepAlive(): bool { return request.keepAlive; }
export function minor(): u32 { return request.minor; }
export function nameAddress(): usize { return request.nameAddress; }
export function nameLength(): usize { return request.nameLength; }
