// probe: one isolation or fault probe per run, chosen by the spawner's argument (the Probe enum,
// which tests/qemu/processes.test.ts and the check program share by value). Each probe that
// must not succeed is followed by `return 100`: reaching it is a failure the spawner sees. A
// probe that checks its own work (sums, own pages, a foreign handle) also prints what it saw
// when it was wrong; the spawner's PASS or FAIL line is the verdict.

import { atomicAdd32, atomicLoad32, atomicStore32, Console, startArgument, Timer } from "../../rt/index";
import { probePrivileged, probeRead64, probeWrite64, PROBE_CLI, PROBE_HLT, PROBE_IN, PROBE_INT } from "../../rt/probes";
import { HANDLE_SLOT_BITS, Opcode } from "../../../abi/ring";
import { ringCall } from "../../rt/ring";

export enum Probe {
  Exit = 0,            // exits with code 7 holding every capability it got
  ReadDirectMap = 1,   // DIRECT_MAP_BASE + 1 MiB (the kernel image, through the direct map)
  ReadKernelText = 2,  // KERNEL_VIRT_OFFSET + 1 MiB + 4 KiB (kernel text)
  Cli = 3,
  PortIn = 4,
  SoftwareInterrupt = 5,
  Halt = 6,
  DivideByZero = 7,    // a wasm trap
  Unreachable = 8,     // a wasm trap
  NullLoad = 9,        // linear address 0: the unmapped null page
  WriteOwnText = 10,   // the program's own text is read-only
  StackOverflow = 11,  // unbounded recursion into the native stack's guard page
  ForeignHandle = 12,  // a CALL on a handle it does not hold (FOREIGN_HANDLE): must get InvalidHandle, exits 0
  SleepForever = 13,   // waits to be killed
  Abort = 14,          // an AssemblyScript abort: message, exit code -1
  WriteKernelHalf = 15,// a write into the kernel's half (the direct map)
  FloatSumSmall = 16,  // a long f64 sum in SSE registers, checked: run two at once to see the
  FloatSumLarge = 17,  // scheduler keep each thread's SSE state across preemption
  UnalignedAtomic = 18,// an atomic on an unaligned address: a wasm out-of-bounds trap
  ReadOtherRing = 19,  // another process's ring, through the direct map: the argument is its
                       // page-aligned physical address | 19 (test runs tell a ring's address)
  OwnPages = 20,       // its own value (argument >> 12) in its data and heap pages, checked: run
                       // two at once to see each read only its own pages across switches
}

/** What a probe that checks its own work saw when it was wrong (check reports the exit code). */
function tell(text: string): void {
  const console = Console.granted();
  if (console !== null) console.line("probe: " + text);
}

/** Sums i / 2 for i < n in f64 (exact below 2^26 terms) for about 100 ms of TCG time, with the
 * running sums in SSE registers; 0 when the sum equals n(n-1)/4, else 103. */
function floatSum(n: i32): i32 {
  let total: f64 = 0;
  for (let round = 0; round < 40; round++) {
    let sum: f64 = 0, term: f64 = 0;
    for (let i = 0; i < n; i++) { sum += term; term += 0.5; }
    total += sum;
  }
  const expected = <f64>n * <f64>(n - 1) / 4 * 40;
  if (total == expected) return 0;
  tell("float sum of " + n.toString() + " terms was " + total.toString() + ", expected " + expected.toString());
  return 103;
}

let ownCounter: u64 = 0;   // a wasm global: in the instance, on an image data page
const OWN_ROUNDS: u32 = 2_000_000;

/** Keeps `value` in a static word and a heap array (linear-memory pages) and counts in a wasm
 * global (an image data page), re-reading them for about 100 ms of TCG time while another copy of
 * this program runs at the same addresses with another value; 0 when every read saw its own,
 * else 104. */
function ownPages(value: u32): i32 {
  const word = memory.data(4, 4);
  const heap = new StaticArray<u32>(1024);
  atomicStore32(word, value);
  for (let i: u32 = 0; i < 1024; i++) heap[i] = value ^ i;
  ownCounter = <u64>value << 32;
  for (let round: u32 = 0; round < OWN_ROUNDS; round++) {
    const slot = round & 1023;
    const seenWord = atomicLoad32(word), seenHeap = atomicLoad32(changetype<usize>(heap) + (<usize>slot << 2));
    if (seenWord != value || seenHeap != (value ^ slot)) {
      tell("own pages of " + value.toString() + ", round " + round.toString() + ": word " + seenWord.toString() + ", heap slot "
        + slot.toString() + " " + seenHeap.toString() + " (expected " + (value ^ slot).toString() + ")");
      return 104;
    }
    ownCounter++;
  }
  if (ownCounter == (<u64>value << 32) + OWN_ROUNDS) return 0;
  tell("own pages of " + value.toString() + ": the counter global reads " + ownCounter.toString());
  return 104;
}

const DIRECT_MAP_PROBE: u64 = 0xffff_8000_0010_0000;
const KERNEL_TEXT_PROBE: u64 = 0xffff_ffff_8010_1000;
const INVALID_HANDLE: i64 = -11;
/** A handle never issued: slot 5 under generation 0x7f05 (a fresh table's slots are at generation 1). */
const FOREIGN_HANDLE: u64 = (<u64>0x7f05 << HANDLE_SLOT_BITS) | 5;

let divisor: i32 = 0;
let depth: i32 = 0;

function recurse(n: i32): i32 {
  depth++;
  const local = new StaticArray<i32>(4);
  local[0] = n;
  return n == 0x7fff_ffff ? local[0] : recurse(n + 1) + local[0];
}

/** ReadOtherRing's target: the argument less its low 12 bits (the probe number). */
function otherRing(): u32 {
  return startArgument() & ~0xfff;
}

export function main(): i32 {
  const console = Console.granted();
  const probe = <Probe>(startArgument() < 0x1000 ? startArgument() : startArgument() & 0xfff);
  switch (probe) {
    case Probe.Exit: return 7;
    case Probe.ReadDirectMap: probeRead64(DIRECT_MAP_PROBE); return 100;
    case Probe.ReadKernelText: probeRead64(KERNEL_TEXT_PROBE); return 100;
    case Probe.Cli: probePrivileged(PROBE_CLI); return 100;
    case Probe.PortIn: probePrivileged(PROBE_IN); return 100;
    case Probe.SoftwareInterrupt: probePrivileged(PROBE_INT); return 100;
    case Probe.Halt: probePrivileged(PROBE_HLT); return 100;
    case Probe.DivideByZero: return 100 + 1 / divisor;
    case Probe.Unreachable: unreachable(); return 100;
    case Probe.NullLoad: return 100 + load<i32>(<usize>divisor);
    case Probe.WriteOwnText: probeWrite64(0x40_0000, 0); return 100;
    case Probe.StackOverflow: return 100 + recurse(0);
    case Probe.ForeignHandle: {
      const result = ringCall(Opcode.Call, FOREIGN_HANDLE, 0);
      if (result == INVALID_HANDLE) return 0;
      tell("a handle never issued gave " + result.toString() + ", expected " + INVALID_HANDLE.toString());
      return 100;
    }
    case Probe.SleepForever: {
      const timer = Timer.granted();
      if (timer === null) return 101;
      while (true) timer.sleep(1_000_000_000);
    }
    case Probe.Abort: abort("probe: deliberate abort"); return 100;
    case Probe.WriteKernelHalf: probeWrite64(DIRECT_MAP_PROBE, 0); return 100;
    case Probe.FloatSumSmall: return floatSum(100_000);
    case Probe.FloatSumLarge: return floatSum(150_001);
    case Probe.ReadOtherRing: probeRead64(0xffff_8000_0000_0000 + <u64>otherRing()); return 100;
    case Probe.UnalignedAtomic: return 100 + <i32>atomicAdd32(<usize>memory.data(8, 8) + 2, 1);
    case Probe.OwnPages: return ownPages(startArgument() >> 12);
  }
  if (console !== null) console.line("probe: unknown probe " + probe.toString());
  return 102;
}
