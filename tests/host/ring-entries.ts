// Ring entries as the ring host tests write them (docs/abi/ring.md, "Submission queue entry"):
// a typed SQE, encoded to its 64 bytes, and the CQE fields the tests read. Shared by
// tests/host/ring.test.ts and ring-ipc.test.ts.

const SQE_SIZE = 64, NOP = 0;
const u64 = (value: bigint | number) => BigInt.asUintN(64, BigInt(value));

export interface Sqe {
  opcode?: number; flags?: number; reserved0?: number; method?: number; userData?: bigint; handle?: bigint | number;
  argument0?: bigint; argument1?: bigint; argument2?: bigint; argument3?: bigint; reserved1?: bigint;
}
export interface Cqe { userData: bigint; result: bigint; value: bigint; opcode: number; reserved: number }

export function encode(entry: Sqe): Buffer {
  const bytes = Buffer.alloc(SQE_SIZE);
  bytes.writeUInt8(entry.opcode ?? NOP, 0);
  bytes.writeUInt8(entry.flags ?? 0, 1);
  bytes.writeUInt16LE(entry.reserved0 ?? 0, 2);
  bytes.writeUInt32LE((entry.method ?? 0) >>> 0, 4);
  bytes.writeBigUInt64LE(u64(entry.userData ?? 0n), 8);
  bytes.writeBigUInt64LE(u64(entry.handle ?? 0n), 16);
  bytes.writeBigUInt64LE(u64(entry.argument0 ?? 0n), 24);
  bytes.writeBigUInt64LE(u64(entry.argument1 ?? 0n), 32);
  bytes.writeBigUInt64LE(u64(entry.argument2 ?? 0n), 40);
  bytes.writeBigUInt64LE(u64(entry.argument3 ?? 0n), 48);
  bytes.writeBigUInt64LE(u64(entry.reserved1 ?? 0n), 56);
  return bytes;
}

/** The ring entry's exports (tests/host/entries/ring.ts) with handles as JS numbers: handles are
 * u64 (a BigInt in JS), but the tests' handles stay far below 2^53 (low generations), so they
 * read and pass them as numbers. Exports that take a handle get it converted to BigInt; exports
 * that return one give a number (a handle past 2^53 is refused: use the raw exports for those). */
export function withNumberHandles(exports: Record<string, any>): Record<string, any> {
  const takes: Record<string, number[]> = {
    grantSame: [2], interfaceOf: [1], memoryUsed: [1], adoptChild: [1], objectReferences: [1], objectTrack: [1], namesTracked: [1],
  };
  const gives = new Set(["grantConsole", "grantTimer", "grantMemory", "grantSpawner", "grantProcessHandle", "grantSame",
    "grantThreadControl", "grantParkSpace", "grantRandom", "handleAt"]);
  const wrapped: Record<string, any> = {};
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value !== "function" || (!(name in takes) && !gives.has(name))) {
      wrapped[name] = value;
      continue;
    }
    wrapped[name] = (...args: any[]) => {
      for (const position of takes[name] ?? []) args[position] = BigInt(args[position]);
      const result = value(...args);
      if (!gives.has(name)) return result;
      if (BigInt.asUintN(64, result) >= 1n << 53n) throw new Error(`${name}: handle 0x${result.toString(16)} does not fit a JS number`);
      return Number(result);
    };
  }
  return wrapped;
}
