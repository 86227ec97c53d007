// Ring entries as the ring host tests write them (docs/abi/ring.md, "Submission queue entry"):
// a typed SQE, encoded to its 64 bytes, and the CQE fields the tests read. Shared by
// tests/host/ring.test.ts and ring-ipc.test.ts.

const SQE_SIZE = 64, NOP = 0;
const u64 = (value: bigint | number) => BigInt.asUintN(64, BigInt(value));

export interface Sqe {
  opcode?: number; flags?: number; reserved0?: number; handle?: number; userData?: bigint; method?: number; reserved1?: number;
  argument0?: bigint; argument1?: bigint; argument2?: bigint; argument3?: bigint; reserved2?: bigint;
}
export interface Cqe { userData: bigint; result: bigint; value: bigint; opcode: number; reserved: number }

export function encode(entry: Sqe): Buffer {
  const bytes = Buffer.alloc(SQE_SIZE);
  bytes.writeUInt8(entry.opcode ?? NOP, 0);
  bytes.writeUInt8(entry.flags ?? 0, 1);
  bytes.writeUInt16LE(entry.reserved0 ?? 0, 2);
  bytes.writeUInt32LE((entry.handle ?? 0) >>> 0, 4);
  bytes.writeBigUInt64LE(u64(entry.userData ?? 0n), 8);
  bytes.writeUInt32LE((entry.method ?? 0) >>> 0, 16);
  bytes.writeUInt32LE((entry.reserved1 ?? 0) >>> 0, 20);
  bytes.writeBigUInt64LE(u64(entry.argument0 ?? 0n), 24);
  bytes.writeBigUInt64LE(u64(entry.argument1 ?? 0n), 32);
  bytes.writeBigUInt64LE(u64(entry.argument2 ?? 0n), 40);
  bytes.writeBigUInt64LE(u64(entry.argument3 ?? 0n), 48);
  bytes.writeBigUInt64LE(u64(entry.reserved2 ?? 0n), 56);
  return bytes;
}
