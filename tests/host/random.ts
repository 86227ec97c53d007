// A small seeded random generator (mulberry32) for the host tests' fuzz loops: the seed is
// printed with every failure, so a failing sequence replays exactly.

/** Returns a function giving uniformly distributed numbers in [0, 1) from `seed`. */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
