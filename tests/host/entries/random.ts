// Host-test entry for the random generator and the RTC's calendar arithmetic: the ChaCha20 block
// function (kernel/random/chacha20.ts), the generator (kernel/random/generator.ts) and
// civilToUnixSeconds / unixSecondsToCivil (kernel/time/rtc.ts). tests/host/random.test.ts and
// rtc.test.ts drive it; buffers live in static storage the test writes and reads.

import { chacha20Block } from "../../../kernel/random/chacha20";
import { generatorFill, generatorSeed, generatorSeeded } from "../../../kernel/random/generator";
import { CivilTime, civilToUnixSeconds, unixSecondsToCivil } from "../../../kernel/time/rtc";

const KEY = memory.data(32, 16);
const NONCE = memory.data(12, 16);
const BLOCK = memory.data(64, 16);
const OUTPUT = memory.data(8192, 16);

export function keyAddress(): usize { return KEY; }
export function nonceAddress(): usize { return NONCE; }
export function blockAddress(): usize { return BLOCK; }
export function outputAddress(): usize { return OUTPUT; }

export function block(counter: u32): void { chacha20Block(KEY, counter, NONCE, BLOCK); }
/** Seeds the generator with the 32 bytes at KEY. */
export function seed(): void { generatorSeed(KEY); }
export function seeded(): bool { return generatorSeeded(); }
export function fill(length: u32): void { generatorFill(OUTPUT, length); }

export function toUnix(year: i32, month: i32, day: i32, hour: i32, minute: i32, second: i32): i64 {
  return civilToUnixSeconds(year, month, day, hour, minute, second);
}
/** The civil time of `seconds` as year * 10^10 + month * 10^8 + day * 10^6 + hhmmss. */
export function toCivil(seconds: i64): i64 {
  const civil = unixSecondsToCivil(seconds, new CivilTime());
  return <i64>civil.year * 10_000_000_000 + <i64>civil.month * 100_000_000 + <i64>civil.day * 1_000_000
    + <i64>civil.hour * 10_000 + <i64>civil.minute * 100 + <i64>civil.second;
}
