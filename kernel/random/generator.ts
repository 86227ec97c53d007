// The kernel's random generator: ChaCha20 (chacha20.ts) with fast key erasure. Each request
// runs the block function under the current key (nonce 0, counters from 0): the first 32 bytes
// of the first block become the next key at once, and the rest is output, so a key that leaks
// later reveals nothing already handed out. Seeded once at boot (seed.ts) with 32 bytes, and may
// be stirred with more. Pure: tests/host/random.test.ts runs it.

import { chacha20Block, CHACHA20_BLOCK_BYTES, CHACHA20_KEY_BYTES } from "./chacha20";

/** The most bytes one request returns: requests past it are split by the caller. */
export const GENERATOR_REQUEST_MAXIMUM: u32 = 4096;

class GeneratorState {
  /** The current key; never handed out. */
  readonly key: usize = memory.data(<i32>CHACHA20_KEY_BYTES, 16);
  /** The nonce: always zero (the key changes with every request instead). */
  readonly nonce: usize = memory.data(12, 16);
  /** The key for the next request, taken from the first block of this one. */
  readonly nextKey: usize = memory.data(<i32>CHACHA20_KEY_BYTES, 16);
  /** One block of key stream. */
  readonly block: usize = memory.data(<i32>CHACHA20_BLOCK_BYTES, 16);
  /** generatorU64's output. */
  readonly word: usize = memory.data(8, 8);
  seeded: bool = false;
}
const state = new GeneratorState();

/** Mixes 32 bytes at `seed` into the key: the new key is the first half of a block under the old
 * key XOR the seed, so a weak seed never weakens what the key already held. */
export function generatorSeed(seed: usize): void {
  for (let i: u32 = 0; i < CHACHA20_KEY_BYTES; i += 8) store<u64>(state.key + i, load<u64>(state.key + i) ^ load<u64>(seed + i));
  chacha20Block(state.key, 0, state.nonce, state.block);
  memory.copy(state.key, state.block, CHACHA20_KEY_BYTES);
  memory.fill(state.block, 0, CHACHA20_BLOCK_BYTES);
  state.seeded = true;
}

export function generatorSeeded(): bool {
  return state.seeded;
}

/** Writes `length` (at most GENERATOR_REQUEST_MAXIMUM) random bytes at `destination`; an
 * unseeded generator is a kernel bug (abort). */
export function generatorFill(destination: usize, length: u32): void {
  if (!state.seeded) abort("generatorFill: the generator was never seeded");
  if (length > GENERATOR_REQUEST_MAXIMUM) abort("generatorFill: request over GENERATOR_REQUEST_MAXIMUM");
  const block = state.block;
  chacha20Block(state.key, 0, state.nonce, block);
  memory.copy(state.nextKey, block, CHACHA20_KEY_BYTES);   // never handed out
  let done: u32 = min(length, CHACHA20_BLOCK_BYTES - CHACHA20_KEY_BYTES);
  memory.copy(destination, block + CHACHA20_KEY_BYTES, done);
  for (let counter: u32 = 1; done < length; counter++) {
    chacha20Block(state.key, counter, state.nonce, block);
    const chunk = min(length - done, CHACHA20_BLOCK_BYTES);
    memory.copy(destination + done, block, chunk);
    done += chunk;
  }
  // The old key goes: what was handed out cannot be computed again from anything kept.
  memory.copy(state.key, state.nextKey, CHACHA20_KEY_BYTES);
  memory.fill(state.nextKey, 0, CHACHA20_KEY_BYTES);
  memory.fill(block, 0, CHACHA20_BLOCK_BYTES);
}

/** A random u64. */
export function generatorU64(): u64 {
  generatorFill(state.word, 8);
  return load<u64>(state.word);
}
