// SHA-256 (FIPS 180-4 §6.2), streaming: update() with bytes of linear memory as they come,
// finish() for the digest as 64 lowercase hex digits. Integer-only; one object holds its block
// buffer and message schedule, so hashing allocates nothing past the constructor (finish()
// allocates its string). Used by http-get, tcp-push and files-check; tests/host/sha256.test.ts
// checks it against node's crypto.

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes. */
const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const BLOCK_SIZE: usize = 64;

export class Sha256 {
  /** The hash value H0..H7 (FIPS 180-4 §5.3.3 to start). */
  private readonly state: StaticArray<u32> = new StaticArray<u32>(8);
  /** The message schedule W0..W63. */
  private readonly schedule: StaticArray<u32> = new StaticArray<u32>(64);
  /** Bytes of an unfinished block. */
  private readonly block: StaticArray<u8> = new StaticArray<u8>(<i32>BLOCK_SIZE);
  private buffered: usize = 0;
  /** Message length so far, in bytes. */
  length: u64 = 0;

  constructor() {
    this.reset();
  }

  /** Starts a new message. */
  reset(): void {
    const h = this.state;
    unchecked(h[0] = 0x6a09e667); unchecked(h[1] = 0xbb67ae85); unchecked(h[2] = 0x3c6ef372); unchecked(h[3] = 0xa54ff53a);
    unchecked(h[4] = 0x510e527f); unchecked(h[5] = 0x9b05688c); unchecked(h[6] = 0x1f83d9ab); unchecked(h[7] = 0x5be0cd19);
    this.buffered = 0;
    this.length = 0;
  }

  /** Hashes `length` bytes at linear address `address`. */
  update(address: usize, length: usize): void {
    this.length += <u64>length;
    const block = changetype<usize>(this.block);
    if (this.buffered > 0) {
      const take = min(BLOCK_SIZE - this.buffered, length);
      memory.copy(block + this.buffered, address, take);
      this.buffered += take;
      address += take;
      length -= take;
      if (this.buffered < BLOCK_SIZE) return;
      this.compress(block);
      this.buffered = 0;
    }
    while (length >= BLOCK_SIZE) {
      this.compress(address);
      address += BLOCK_SIZE;
      length -= BLOCK_SIZE;
    }
    if (length > 0) {
      memory.copy(block, address, length);
      this.buffered = length;
    }
  }

  /** Pads (§5.1.1) and returns the digest as 64 lowercase hex digits; reset() before reuse. */
  finish(): string {
    const block = changetype<usize>(this.block);
    const bits = this.length << 3;
    store<u8>(block + this.buffered, 0x80);
    this.buffered++;
    if (this.buffered > BLOCK_SIZE - 8) {
      memory.fill(block + this.buffered, 0, BLOCK_SIZE - this.buffered);
      this.compress(block);
      this.buffered = 0;
    }
    memory.fill(block + this.buffered, 0, BLOCK_SIZE - 8 - this.buffered);
    store<u64>(block + BLOCK_SIZE - 8, bswap<u64>(bits));
    this.compress(block);
    this.buffered = 0;
    let text = "";
    for (let i = 0; i < 8; i++) {
      const word = unchecked(this.state[i]);
      text += (<u64>word | (<u64>1 << 32)).toString(16).substring(1);   // 8 digits, leading zeros kept
    }
    return text;
  }

  /** One 64-byte block at `address` into the state (§6.2.2). */
  private compress(address: usize): void {
    const w = changetype<usize>(this.schedule);
    for (let t: usize = 0; t < 16; t++) store<u32>(w + (t << 2), bswap<u32>(load<u32>(address + (t << 2))));
    for (let t: usize = 16; t < 64; t++) {
      const w15 = load<u32>(w + ((t - 15) << 2)), w2 = load<u32>(w + ((t - 2) << 2));
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
      store<u32>(w + (t << 2), load<u32>(w + ((t - 16) << 2)) + s0 + load<u32>(w + ((t - 7) << 2)) + s1);
    }
    const h = this.state;
    let a = unchecked(h[0]), b = unchecked(h[1]), c = unchecked(h[2]), d = unchecked(h[3]);
    let e = unchecked(h[4]), f = unchecked(h[5]), g = unchecked(h[6]), k = unchecked(h[7]);
    for (let t = 0; t < 64; t++) {
      const t1 = k + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + unchecked(K[t])
        + load<u32>(w + (<usize>t << 2));
      const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      k = g; g = f; f = e; e = d + t1;
      d = c; c = b; b = a; a = t1 + t2;
    }
    unchecked(h[0] = unchecked(h[0]) + a); unchecked(h[1] = unchecked(h[1]) + b); unchecked(h[2] = unchecked(h[2]) + c); unchecked(h[3] = unchecked(h[3]) + d);
    unchecked(h[4] = unchecked(h[4]) + e); unchecked(h[5] = unchecked(h[5]) + f); unchecked(h[6] = unchecked(h[6]) + g); unchecked(h[7] = unchecked(h[7]) + k);
  }
}
