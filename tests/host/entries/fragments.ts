// Host-test entry for IPv4 reassembly (kernel/net/iface/fragments.ts): tests/host/fragments.test.ts
// puts fragment frames it builds in BUFFER and hands them over one at a time with the time it
// chooses; the reassembled frame is read back from the kernel's own buffer.

import {
  fragmentReceive, fragmentsCompleted, fragmentsDropped, fragmentsExpired, fragmentsInit, reassembledFrame, reassembledLength,
} from "../../../kernel/net/iface/fragments";

const BUFFER = memory.data(2048, 8);

export function setup(): void { fragmentsInit(); }
export function bufferAddress(): usize { return BUFFER; }
export function receive(source: u32, identification: u32, offset: u32, length: u32, more: bool, now: u64): i32 {
  return <i32>fragmentReceive(BUFFER, 20, source, 0x0a00020f, 1, identification, offset, length, more, now);
}
export function frameAddress(): usize { return reassembledFrame(); }
export function frameLength(): u32 { return reassembledLength(); }
export function completed(): u64 { return fragmentsCompleted(); }
export function dropped(): u64 { return fragmentsDropped(); }
export function expired(): u64 { return fragmentsExpired(); }
