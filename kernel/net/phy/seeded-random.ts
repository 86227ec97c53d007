// A small seeded generator for the fault device (fault.ts): SplitMix64 (Steele, Lea and Flood,
// "Fast splittable pseudorandom number generators", 2014; the constants of Vigna's reference
// splitmix64.c). Deterministic on purpose, so a run with the same seed and the same frames makes
// the same decisions: never for anything secret (that is kernel/random/, ChaCha20).

export class SeededRandom {
  private value: u64;

  constructor(seed: u64) {
    this.value = seed;
  }

  /** The next 64 bits. */
  next(): u64 {
    this.value += 0x9e37_79b9_7f4a_7c15;
    let z = this.value;
    z = (z ^ (z >> 30)) * 0xbf58_476d_1ce4_e5b9;
    z = (z ^ (z >> 27)) * 0x94d0_49bb_1331_11eb;
    return z ^ (z >> 31);
  }

  /** Uniform in [0, bound) for bound >= 1: the high 32 bits scaled (Lemire's multiply; the bias,
   * below bound / 2^32, is far under what the fault figures can show). */
  below(bound: u32): u32 {
    return <u32>(((this.next() >> 32) * <u64>bound) >> 32);
  }
}
