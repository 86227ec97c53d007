// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed hash
// of a short message under a 128-bit key, beside the kernel's generator (whose output keys it).
// The TCP core (net/socket/tcp/isn.ts) uses it as the keyed function F of RFC 6528 for initial
// sequence numbers, for timestamp offsets and for SYN cookies.

@inline function rotl(x: u64, b: u64): u64 {
  return (x << b) | (x >> (64 - b));
}

/** SipHash-2-4 of the `length` bytes at `message` under the key (k0, k1): the key's bytes 0-7
 * and 8-15 read little-endian, as the reference implementation does. Allocates nothing. */
export function sipHash24(k0: u64, k1: u64, message: usize, length: u32): u64 {
  let v0: u64 = k0 ^ 0x736f6d6570736575;
  let v1: u64 = k1 ^ 0x646f72616e646f6d;
  let v2: u64 = k0 ^ 0x6c7967656e657261;
  let v3: u64 = k1 ^ 0x7465646279746573;
  const whole = length & ~7;
  // Blocks of 8 bytes (wasm is little-endian), then the last block: the rest and the length.
  for (let i: u32 = 0; i <= whole; i += 8) {
    let m: u64;
    if (i < whole) {
      m = load<u64>(message + <usize>i);
    } else {
      m = <u64>(length & 0xff) << 56;
      for (let j: u32 = whole; j < length; j++) m |= <u64>load<u8>(message + <usize>j) << (<u64>(j - whole) * 8);
    }
    v3 ^= m;
    for (let r = 0; r < 2; r++) {   // c = 2 rounds a block
      v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
      v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
      v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
      v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
    }
    v0 ^= m;
  }
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {     // d = 4 finalisation rounds
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  }
  return v0 ^ v1 ^ v2 ^ v3;
}
