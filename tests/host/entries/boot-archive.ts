// Host-test entry for kernel/loader/boot-archive.ts: runs bootArchiveRead over bytes the test
// placed flush against the end of linear memory and exposes the result through flat getters
// (tests/host/boot-archive.test.ts).

import { BootArchiveResult, bootArchiveRead } from "../../../kernel/loader/boot-archive";

export { memoryEnd, reserveTop } from "./top-of-memory";

let result = new BootArchiveResult();

export function read(address: usize, length: u64): void { result = bootArchiveRead(address, length); }
export function error(): i32 { return result.error; }
export function reason(): string { return result.reason; }
export function count(): i32 { return result.entries.length; }
export function name(index: i32): string { return result.entries[index].name; }
export function data(index: i32): usize { return result.entries[index].data; }
export function length(index: i32): u64 { return result.entries[index].length; }
