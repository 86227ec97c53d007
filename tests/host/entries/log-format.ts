// Host-test entry for kernel/log/format.ts: exposes LineBuffer to tests/host/log-format.test.ts.
// Storage is a static area followed by a sentinel the test checks is never written.

import { LineBuffer } from "../../../kernel/log/format";

const STORAGE_BYTES: u32 = 1024;
const storage = memory.data(STORAGE_BYTES + 64, 16);

export function storageAddress(): usize {
  return storage;
}

export function over(storageBytes: u32): usize {
  if (storageBytes > STORAGE_BYTES) abort("test entry: storage too large");
  return changetype<usize>(LineBuffer.over(storage, storageBytes));
}

export function text(buffer: usize, value: string): void {
  changetype<LineBuffer>(buffer).text(value);
}

export function decimal(buffer: usize, value: u64): void {
  changetype<LineBuffer>(buffer).decimal(value);
}

export function signedDecimal(buffer: usize, value: i64): void {
  changetype<LineBuffer>(buffer).signedDecimal(value);
}

export function hex(buffer: usize, value: u64, minimumDigits: i32): void {
  changetype<LineBuffer>(buffer).hex(value, minimumDigits);
}

export function fixed(buffer: usize, value: u64, fractionDigits: i32): void {
  changetype<LineBuffer>(buffer).fixed(value, fractionDigits);
}

export function finish(buffer: usize): u32 {
  return changetype<LineBuffer>(buffer).finish();
}

export function base(buffer: usize): usize {
  return changetype<LineBuffer>(buffer).base;
}
