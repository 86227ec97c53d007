// What a kernel allocation takes from the heap, so that requests can be charged for the records
// they make (memory/quota.ts). The minimal runtime puts every object in a TLSF block: a 4-byte
// block header, a 16-byte object header, the payload, rounded up to 16 bytes; a block whose
// remainder is too small to split keeps it (up to 16 bytes more). The figures are upper bounds;
// the test runs compare them with the heap (selftest/heap-ledger.ts).

/** Heap bytes one allocation of `payload` bytes can take. */
@inline export function allocationBytes(payload: u64): u64 {
  return ((payload + 4 + 16 + 15) & ~15) + 16;
}

/** Heap bytes of one instance of class `T` (its own fields; what they point at is counted
 * apart). */
@inline export function instanceBytes<T>(): u64 {
  return allocationBytes(<u64>offsetof<T>());
}

/** Heap bytes of a StaticArray<T> of `length` elements. */
@inline export function staticArrayBytes<T>(length: u64): u64 {
  return allocationBytes(length * <u64>sizeof<T>());
}

/** Heap bytes of an Array<T> whose backing store holds `capacity` elements. */
@inline export function arrayBytes<T>(capacity: u64): u64 {
  return allocationBytes(16) + allocationBytes(capacity * <u64>sizeof<T>());
}

/** Heap bytes an Array<T> takes now: its record and its backing store at its present capacity. */
export function arrayHeapBytes<T>(array: T[]): u64 {
  return allocationBytes(16) + allocationBytes(<u64>load<i32>(changetype<usize>(array), offsetof<ArrayBufferView>("byteLength")));
}
