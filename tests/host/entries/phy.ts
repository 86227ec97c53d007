// Host-test entry for the phy layer (kernel/net/phy/): tests/host/phy.test.ts drives the fault
// device over a recording device (frames it sends are recorded; frames "from the wire" are
// injected into it), the loopback device with a sink that may answer, the capture into memory,
// the seeded generator and the settings parser. Time is a number the test sets.

import { CaptureDevice, CaptureOutput } from "../../../kernel/net/phy/capture";
import { FRAME_MAXIMUM, FrameChecksum, FrameSink, NetDevice } from "../../../kernel/net/phy/device";
import { FaultDevice, HOLD_NANOS, Way } from "../../../kernel/net/phy/fault";
import { FaultConfig } from "../../../kernel/net/phy/fault-config";
import { LoopbackDevice } from "../../../kernel/net/phy/loopback";
import { SeededRandom } from "../../../kernel/net/phy/seeded-random";

/** A frame: its number (u32) and the number's complement, then a fixed pattern; any change shows. */
function fill(frame: usize, id: u32, length: u32): void {
  store<u32>(frame, id);
  store<u32>(frame + 4, ~id);
  for (let i: u32 = 8; i < length; i++) store<u8>(frame + <usize>i, <u8>(i * 31 + 7));
}
/** The frame's number, or -1 when any byte differs from what `fill` wrote. */
function check(frame: usize, length: u32): i64 {
  const id = load<u32>(frame);
  if (load<u32>(frame + 4) != ~id) return -1;
  for (let i: u32 = 8; i < length; i++) if (load<u8>(frame + <usize>i) != <u8>(i * 31 + 7)) return -1;
  return <i64>id;
}

/** What a side saw: each frame's number (-1: changed) in order. */
class Record {
  ids: i64[] = [];
  add(frame: usize, length: u32): void {
    this.ids.push(check(frame, length));
  }
}

/** The wire under the fault device: records what is sent, injects what is received. */
class RecordingDevice extends NetDevice {
  readonly record: Record = new Record();
  constructor() {
    super("recording");
  }
  send(frame: usize, length: u32): bool {
    this.record.add(frame, length);
    this.counters.sent++;
    return true;
  }
  mac(output: usize): bool {
    return false;
  }
  inject(frame: usize, length: u32, checksum: FrameChecksum = FrameChecksum.Unverified): void {
    this.deliver(frame, length, checksum);
  }
}

/** The stack above: records what it receives; with `answer`, sends each frame back down. */
class StackSink extends FrameSink {
  readonly record: Record = new Record();
  answer: NetDevice | null = null;
  /** Frames received with FrameChecksum.Validated: intact, and changed (corrupted). */
  validatedIntact: u64 = 0;
  validatedChanged: u64 = 0;
  receive(frame: usize, length: u32, checksum: FrameChecksum): void {
    this.record.add(frame, length);
    if (checksum == FrameChecksum.Validated) {
      if (check(frame, length) < 0) this.validatedChanged++;
      else this.validatedIntact++;
    }
    const device = this.answer;
    if (device !== null) device.send(frame, length);
  }
}

class MemoryOutput extends CaptureOutput {
  bytes: u8[] = [];
  constructor() {
    super("memory");
  }
  write(address: usize, length: u32): void {
    for (let i: u32 = 0; i < length; i++) this.bytes.push(load<u8>(address + <usize>i));
  }
}

class World {
  now: u64 = 1_000_000_000;
  wire: RecordingDevice = new RecordingDevice();
  stack: StackSink = new StackSink();
  fault: FaultDevice | null = null;
  loopback: LoopbackDevice | null = null;
  capture: CaptureDevice | null = null;
  output: MemoryOutput = new MemoryOutput();
  random: SeededRandom = new SeededRandom(0);
  problem: string = "";
  text: string = "";
}
const world = new World();
const FRAME = memory.data(<i32>FRAME_MAXIMUM + 64, 8);

function clock(): u64 {
  return world.now;
}

// The fault device over the recording wire.

/** Makes a fault device from `netfault=` text; "" or the parser's problem. */
export function faultCreate(text: string): string {
  const config = FaultConfig.parse(text);
  world.problem = config.problem;
  world.text = config.problem == "" ? config.text() : "";
  if (config.problem != "") return config.problem;
  world.wire = new RecordingDevice();
  world.stack = new StackSink();
  const fault = new FaultDevice(world.wire, config, clock);
  fault.attach(world.stack);
  world.fault = fault;
  return "";
}
export function configText(): string { return world.text; }

/** Sends frames first..first+count-1 of `length` bytes, `step` ns apart. */
export function faultSend(first: u32, count: u32, length: u32, step: u64): void {
  const fault = world.fault!;
  for (let i: u32 = 0; i < count; i++) {
    world.now += step;
    fill(FRAME, first + i, length);
    fault.send(FRAME, length);
  }
}
/** Frames first..first+count-1 arrive from the wire, `step` ns apart; with `validated`, the
 * device vouched for their checksums (FrameChecksum.Validated). */
export function faultReceive(first: u32, count: u32, length: u32, step: u64, validated: bool): void {
  for (let i: u32 = 0; i < count; i++) {
    world.now += step;
    fill(FRAME, first + i, length);
    world.wire.inject(FRAME, length, validated ? FrameChecksum.Validated : FrameChecksum.Unverified);
  }
}
/** Frames the stack received marked Validated: intact ones, and changed ones (must be none). */
export function validatedIntact(): u64 { return world.stack.validatedIntact; }
export function validatedChanged(): u64 { return world.stack.validatedChanged; }
export function advance(nanos: u64): void { world.now += nanos; }
export function faultPoll(): void { world.fault!.poll(world.now); }
export function holdNanos(): u64 { return HOLD_NANOS; }
export function faultNeedsPoll(): bool { return world.fault!.needsPoll(); }

/** Counter `index` (FaultCounters' fields in order) of direction `way` (0 out, 1 in). */
export function faultCounter(way: i32, index: i32): u64 {
  const counters = world.fault!.faultCounters(<Way>way);
  switch (index) {
    case 0: return counters.frames;
    case 1: return counters.passed;
    case 2: return counters.lost;
    case 3: return counters.limited;
    case 4: return counters.corrupted;
    case 5: return counters.reordered;
    case 6: return counters.duplicated;
    case 7: return counters.oversize;
  }
  return 0;
}

/** What the wire (way 0) or the stack (way 1) saw: how many frames, and each one's number. */
export function seenCount(way: i32): i32 { return (way == 0 ? world.wire.record : world.stack.record).ids.length; }
export function seenId(way: i32, index: i32): i64 { return (way == 0 ? world.wire.record : world.stack.record).ids[index]; }

// The loopback device.

export function loopbackCreate(slots: i32, answer: bool): void {
  const loopback = new LoopbackDevice(slots);
  world.stack = new StackSink();
  if (answer) world.stack.answer = loopback;
  loopback.attach(world.stack);
  world.loopback = loopback;
}
export function loopbackSend(id: u32, length: u32): bool {
  fill(FRAME, id, length);
  return world.loopback!.send(FRAME, length);
}
export function loopbackPoll(): void { world.loopback!.poll(world.now); }
export function loopbackQueued(): i32 { return world.loopback!.queued; }
export function loopbackRefused(): u64 { return world.loopback!.counters.refused; }
export function loopbackMac(): u64 {
  world.loopback!.mac(FRAME);
  let mac: u64 = 0;
  for (let i = 0; i < 6; i++) mac = (mac << 8) | <u64>load<u8>(FRAME + <usize>i);
  return mac;
}

// The capture, over a loopback device, into memory.

export function captureCreate(): void {
  const loopback = new LoopbackDevice(8);
  world.output = new MemoryOutput();
  world.stack = new StackSink();
  const capture = new CaptureDevice(loopback, world.output, clock);
  capture.attach(world.stack);
  world.loopback = loopback;
  world.capture = capture;
}
export function captureSend(id: u32, length: u32): bool {
  fill(FRAME, id, length);
  return world.capture!.send(FRAME, length);
}
export function capturePoll(): void { world.capture!.poll(world.now); }
export function captureLength(): i32 { return world.output.bytes.length; }
export function captureByte(index: i32): u8 { return world.output.bytes[index]; }
export function captureFrames(): u64 { return world.capture!.frames; }

// The generator.

export function randomSeed(seed: u64): void { world.random = new SeededRandom(seed); }
export function randomNext(): u64 { return world.random.next(); }
export function randomBelow(bound: u32): u32 { return world.random.below(bound); }
