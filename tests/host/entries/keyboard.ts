// Host-test entry for kernel/keyboard/scan-code.ts: one decoder, fed a byte at a time.

import { ScanCodeDecoder } from "../../../kernel/keyboard/scan-code";

let decoder = new ScanCodeDecoder();

export function reset(): void { decoder = new ScanCodeDecoder(); }
export function feed(code: u8): i32 { return decoder.feed(code); }
export function output(index: i32): u8 { return decoder.output[index]; }
export function capsLock(): bool { return decoder.capsLock; }
export function numLock(): bool { return decoder.numLock; }
