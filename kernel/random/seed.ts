// Seeding the random generator at boot, from the best source the machine has: RDSEED (CPUID leaf
// 7, EBX bit 18), else RDRAND (leaf 1, ECX bit 30), else jitter in the TSC around port reads.
// The jitter is always collected and mixed in too, with the boot stopwatch, so a weak or
// missing source never makes two boots alike. virtio-rng, when the PCI driver exists, will come
// before the jitter. The boot log says which source seeded the generator.

import { bootClockNanos, cpuid, hardwareRandom, portIn8, readTsc } from "../arch/hw";
import { logEnd, LogLevel, logLine } from "../log/log";
import { chacha20Block, CHACHA20_BLOCK_BYTES, CHACHA20_KEY_BYTES } from "./chacha20";
import { generatorSeed } from "./generator";

const CPUID_FEATURES: u32 = 1;
const CPUID_EXTENDED_FEATURES: u32 = 7;
const RDRAND_BIT: u32 = 1 << 30;   // leaf 1, ECX
const RDSEED_BIT: u32 = 1 << 18;   // leaf 7, EBX
/** How often RDSEED or RDRAND may say "none now" for one word before the source is given up. */
const RETRIES: i32 = 32;
/** TSC samples the jitter pool folds in. */
const JITTER_SAMPLES: i32 = 256;
/** A port whose read has no side effect on a PC: the PIT channel 2 gate and speaker (0x61). */
const QUIET_PORT: u16 = 0x61;

export enum SeedSource {
  Rdseed = 0,
  Rdrand = 1,
  TscJitter = 2,
}

class SeedState {
  /** Where seeds are gathered before the generator takes them. */
  readonly seed: usize = memory.data(<i32>CHACHA20_KEY_BYTES, 16);
  readonly block: usize = memory.data(<i32>CHACHA20_BLOCK_BYTES, 16);
  readonly condensed: usize = memory.data(<i32>CHACHA20_BLOCK_BYTES, 16);
  readonly registers: usize = memory.data(16, 4);
  source: SeedSource = SeedSource.TscJitter;
}
const state = new SeedState();

/** Seeds the generator and logs from what. */
export function randomInit(): void {
  collectJitter(state.seed);
  generatorSeed(state.seed);
  let source = SeedSource.TscJitter;
  const registers = state.registers;
  cpuid(CPUID_EXTENDED_FEATURES, 0, registers);
  if ((load<u32>(registers, 4) & RDSEED_BIT) != 0 && fillFromCpu(1, state.seed)) source = SeedSource.Rdseed;
  if (source == SeedSource.TscJitter) {
    cpuid(CPUID_FEATURES, 0, registers);
    if ((load<u32>(registers, 8) & RDRAND_BIT) != 0 && fillFromCpu(0, state.seed)) source = SeedSource.Rdrand;
  }
  if (source != SeedSource.TscJitter) generatorSeed(state.seed);
  memory.fill(state.seed, 0, CHACHA20_KEY_BYTES);
  state.source = source;
  logLine(source == SeedSource.TscJitter ? LogLevel.Warning : LogLevel.Info).text("random: ChaCha20 generator seeded from ")
    .text(seedSourceName(source)).text(source == SeedSource.TscJitter ? " only (no RDSEED or RDRAND on this CPU)" : " and TSC jitter");
  logEnd();
}

export function randomSeedSource(): SeedSource {
  return state.source;
}

export function seedSourceName(source: SeedSource): string {
  if (source == SeedSource.Rdseed) return "RDSEED";
  if (source == SeedSource.Rdrand) return "RDRAND";
  return "TSC jitter";
}

/** 32 bytes from RDRAND (instruction 0) or RDSEED (1) at `output`; false when the CPU kept
 * saying it had none. */
function fillFromCpu(instruction: u32, output: usize): bool {
  for (let word: u32 = 0; word < CHACHA20_KEY_BYTES; word += 8) {
    let tries = 0;
    while (hardwareRandom(instruction, output + word) == 0) {
      if (++tries == RETRIES) return false;
    }
  }
  return true;
}

/** 32 bytes condensed from the TSC's jitter around port reads (each read leaves the CPU for the
 * chipset, or, under QEMU, for the host), and the boot stopwatch. */
function collectJitter(output: usize): void {
  const pool = state.block;   // 16 words: the first 8 are the key of the condensing block
  memory.fill(pool, 0, CHACHA20_BLOCK_BYTES);
  store<u64>(pool, bootClockNanos(), 32);
  store<u64>(pool, readTsc(), 40);
  let previous = readTsc();
  for (let i = 0; i < JITTER_SAMPLES; i++) {
    portIn8(QUIET_PORT);
    const now = readTsc();
    const slot = pool + (<usize>(i & 7) << 2);
    store<u32>(slot, (rotl<u32>(load<u32>(slot), 5) ^ <u32>(now - previous)) * 0x9e37_79b1);
    previous = now;
  }
  // Condense: one block keyed by the pool, its counter and nonce from the rest of it.
  const condensed = state.condensed;
  chacha20Block(pool, <u32>JITTER_SAMPLES, pool + 32, condensed);
  memory.copy(output, condensed, CHACHA20_KEY_BYTES);
  memory.fill(pool, 0, CHACHA20_BLOCK_BYTES);
  memory.fill(condensed, 0, CHACHA20_BLOCK_BYTES);
}
