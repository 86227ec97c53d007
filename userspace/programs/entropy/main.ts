// entropy: the Random capability and the wall clock, checked from user space (started with
// test=user init=entropy; the QEMU test is tests/qemu/random.test.ts). Each step prints PASS or
// FAIL from its own comparison; the random bytes and the wall clock are printed for the test,
// which compares two boots and the host's clock.

import { Console, Random, Steps, Timer } from "../../rt/index";

const BYTES: i32 = 64;

function hex(address: usize, length: i32): string {
  let text = "";
  for (let i = 0; i < length; i++) {
    const byte = load<u8>(address + <usize>i);
    text += (byte < 16 ? "0" : "") + byte.toString(16);
  }
  return text;
}

export function main(): i32 {
  const console = Console.granted();
  const random = Random.granted();
  const timer = Timer.granted();
  if (console === null || random === null || timer === null) return 1;
  const steps = new Steps(console, "entropy");

  // Two reads: each returns its length, and they differ (a generator that repeats fails).
  const first = memory.data(BYTES, 8), second = memory.data(BYTES, 8);
  const a = random.fill(first, BYTES), b = random.fill(second, BYTES);
  let same = true;
  for (let i = 0; i < BYTES; i++) if (load<u8>(first + <usize>i) != load<u8>(second + <usize>i)) same = false;
  steps.step("two reads of 64 bytes differ",
    a == BYTES && b == BYTES && !same ? "" : "results " + a.toString() + ", " + b.toString() + (same ? ", equal" : ""));
  console.line("entropy: bytes " + hex(first, BYTES));

  const empty = random.fill(first, 0);
  steps.step("an empty read returns 0", empty == 0 ? "" : "it returned " + empty.toString());

  // The wall clock: after 2020-01-01, and it moves forward with the monotonic clock.
  const wall = timer.realtime(), monotonic = timer.now();
  timer.sleep(20_000_000);
  const wallLater = timer.realtime(), monotonicLater = timer.now();
  const drift = (wallLater - wall) - (monotonicLater - monotonic);
  steps.step("the wall clock is after 2020 and runs with the monotonic clock",
    wall > 1_577_836_800_000_000_000 && wallLater > wall && drift > -1_000_000 && drift < 1_000_000 ? ""
      : "wall clock " + wall.toString() + " then " + wallLater.toString() + ", drift " + drift.toString());
  console.line("entropy: realtime " + wallLater.toString());
  console.line("entropy: " + (steps.failures == 0 ? "all passed" : steps.failures.toString() + " failures"));
  return steps.failures == 0 ? 0 : 2;
}
