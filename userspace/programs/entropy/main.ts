// entropy: the Random capability and the wall clock, checked from user space (started with
// test=user init=entropy; the QEMU test is tests/qemu/random.test.ts). Each step prints PASS or
// FAIL from its own comparison; the random bytes and the wall clock are printed for the test,
// which compares two boots and the host's clock.

import { Console, Random, Timer } from "../../rt/index";

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
  let failures = 0;

  // Two reads: each returns its length, and they differ (a generator that repeats fails).
  const first = memory.data(BYTES, 8), second = memory.data(BYTES, 8);
  const a = random.fill(first, BYTES), b = random.fill(second, BYTES);
  let same = true;
  for (let i = 0; i < BYTES; i++) if (load<u8>(first + <usize>i) != load<u8>(second + <usize>i)) same = false;
  if (a == BYTES && b == BYTES && !same) console.line("entropy: PASS two reads of 64 bytes differ");
  else { console.line("entropy: FAIL two reads: results " + a.toString() + ", " + b.toString() + (same ? ", equal" : "")); failures++; }
  console.line("entropy: bytes " + hex(first, BYTES));

  // A read past the limit is refused; so is one into memory the process cannot write.
  const tooLong = random.fill(first, 0);
  if (tooLong == 0) console.line("entropy: PASS an empty read returns 0");
  else { console.line("entropy: FAIL an empty read returned " + tooLong.toString()); failures++; }

  // The wall clock: after 2020-01-01, and it moves forward with the monotonic clock.
  const wall = timer.realtime(), monotonic = timer.now();
  timer.sleep(20_000_000);
  const wallLater = timer.realtime(), monotonicLater = timer.now();
  const advanced = (wallLater - wall) - (monotonicLater - monotonic);
  if (wall > 1_577_836_800_000_000_000 && wallLater > wall && advanced > -1_000_000 && advanced < 1_000_000) {
    console.line("entropy: PASS the wall clock is after 2020 and runs with the monotonic clock");
  } else {
    console.line("entropy: FAIL wall clock " + wall.toString() + " then " + wallLater.toString() + ", drift " + advanced.toString());
    failures++;
  }
  console.line("entropy: realtime " + wallLater.toString());
  console.line("entropy: " + (failures == 0 ? "all passed" : failures.toString() + " failures"));
  return failures == 0 ? 0 : 2;
}
