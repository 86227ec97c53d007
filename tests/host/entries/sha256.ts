// Host-test entry for the user runtime's SHA-256 (userspace/rt/sha256.ts):
// tests/host/sha256.test.ts writes a message into INPUT and hashes it in pieces of its choice.

import { Sha256 } from "../../../userspace/rt/sha256";

export const INPUT_SIZE: u32 = (1 << 20) + 4096;
const INPUT = memory.data(<i32>INPUT_SIZE, 16);
const hash = new Sha256();

export function inputAddress(): usize { return INPUT; }
export function reset(): void { hash.reset(); }
/** Hashes INPUT[offset, offset + length). */
export function update(offset: u32, length: u32): void { hash.update(INPUT + <usize>offset, <usize>length); }
export function finish(): string { return hash.finish(); }
