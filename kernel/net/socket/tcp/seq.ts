// Sequence-number arithmetic for the TCP core (net/socket/tcp/): sequence numbers live in a
// 32-bit space that wraps (RFC 9293 §3.4), so "a before b" means the signed difference a - b
// is negative, valid while the two are less than 2^31 apart. Timestamps compare the same way
// (RFC 7323 §5.2). Used by every file of the core.

/** a < b in sequence space. */
@inline export function seqLt(a: u32, b: u32): bool {
  return <i32>(a - b) < 0;
}
/** a <= b in sequence space. */
@inline export function seqLe(a: u32, b: u32): bool {
  return <i32>(a - b) <= 0;
}
/** a > b in sequence space. */
@inline export function seqGt(a: u32, b: u32): bool {
  return <i32>(a - b) > 0;
}
/** a >= b in sequence space. */
@inline export function seqGe(a: u32, b: u32): bool {
  return <i32>(a - b) >= 0;
}
/** The later of a and b. */
@inline export function seqMax(a: u32, b: u32): u32 {
  return seqGt(a, b) ? a : b;
}
/** The earlier of a and b. */
@inline export function seqMin(a: u32, b: u32): u32 {
  return seqLt(a, b) ? a : b;
}
/** start <= x < end, for a range of at most 2^31 (an empty range holds nothing). */
@inline export function seqInRange(x: u32, start: u32, end: u32): bool {
  return x - start < end - start;
}
