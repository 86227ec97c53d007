// The ChaCha20 block function (RFC 8439, section 2.3): 64 bytes of key stream from a 256-bit
// key, a 32-bit block counter and a 96-bit nonce. Pure (no imports, no state but its working
// words): the kernel's generator (generator.ts) runs it, and tests/host/random.test.ts checks it
// against RFC 8439's vectors and against OpenSSL's ChaCha20 under Node.
//
//   state words: 0-3 the constant "expand 32-byte k", 4-11 the key, 12 the counter, 13-15 the
//   nonce; all little-endian. 20 rounds = 10 double rounds (a column round, then a diagonal one).

/** "expa", "nd 3", "2-by", "te k" as little-endian words (RFC 8439, 2.3). */
@inline const SIGMA0: u32 = 0x6170_7865;
@inline const SIGMA1: u32 = 0x3320_646e;
@inline const SIGMA2: u32 = 0x7962_2d32;
@inline const SIGMA3: u32 = 0x6b20_6574;

export const CHACHA20_KEY_BYTES: u32 = 32;
export const CHACHA20_NONCE_BYTES: u32 = 12;
export const CHACHA20_BLOCK_BYTES: u32 = 64;

/** Writes the block for (`key`, `counter`, `nonce`) to `output`: 64 bytes, which may overlap
 * neither input. `key` is 32 bytes, `nonce` 12. */
export function chacha20Block(key: usize, counter: u32, nonce: usize, output: usize): void {
  const k0 = load<u32>(key), k1 = load<u32>(key, 4), k2 = load<u32>(key, 8), k3 = load<u32>(key, 12);
  const k4 = load<u32>(key, 16), k5 = load<u32>(key, 20), k6 = load<u32>(key, 24), k7 = load<u32>(key, 28);
  const n0 = load<u32>(nonce), n1 = load<u32>(nonce, 4), n2 = load<u32>(nonce, 8);
  let x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
  let x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
  let x12 = counter, x13 = n0, x14 = n1, x15 = n2;
  for (let round = 0; round < 10; round++) {
    // Column round: quarter rounds on (0 4 8 12) (1 5 9 13) (2 6 10 14) (3 7 11 15).
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
    // Diagonal round: (0 5 10 15) (1 6 11 12) (2 7 8 13) (3 4 9 14).
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
  }
  // The input added back in (2.3), then serialised little-endian.
  store<u32>(output, x0 + SIGMA0); store<u32>(output, x1 + SIGMA1, 4);
  store<u32>(output, x2 + SIGMA2, 8); store<u32>(output, x3 + SIGMA3, 12);
  store<u32>(output, x4 + k0, 16); store<u32>(output, x5 + k1, 20);
  store<u32>(output, x6 + k2, 24); store<u32>(output, x7 + k3, 28);
  store<u32>(output, x8 + k4, 32); store<u32>(output, x9 + k5, 36);
  store<u32>(output, x10 + k6, 40); store<u32>(output, x11 + k7, 44);
  store<u32>(output, x12 + counter, 48); store<u32>(output, x13 + n0, 52);
  store<u32>(output, x14 + n1, 56); store<u32>(output, x15 + n2, 60);
}
