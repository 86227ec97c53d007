// Host tests of the virtio pieces that need no device (kernel/drivers/virtio/), compiled to wasm
// from tests/host/entries/virtqueue.ts. The test plays the device over the queue's memory: it
// takes buffers from the driver ring in order, writes used entries and indices, and sets
// avail_event or the used ring's flags; notifications arrive through the mmioWrite16 import.
// Checked: the spec's constants; vring_need_event with wrap; notification and interrupt
// suppression with and without EVENT_IDX; every kind of malformed used ring detected (index
// ahead, id out of range or not in flight, length past the buffer) and a seeded fuzz of hostile
// used rings that never aborts and never hands back a buffer twice; reset; the partial checksum
// completed in place against a reference; the `virtio-net=` settings.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const virtio = suite("virtio: split virtqueue, net header, settings");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
let notified: number[] = [];

virtio.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/virtqueue.ts"));
});
virtio.before.each(() => {
  notified = [];
  wasm = instantiate(module, {
    hw: {
      memoryBarrier: () => {},
      mmioWrite16: (address: bigint, value: number) => {
        assert.is(address, 0x1000n, "the notification goes to the queue's notify address");
        notified.push(value);
      },
    },
  });
  e = wasm.exports;
});

const view = () => new DataView(wasm.memory.buffer);
/** Whole numbers below `n` from a seeded generator. */
const seeded = (seed: number) => {
  const next = generator(seed);
  return { below: (n: number) => Math.floor(next() * n) };
};
const u16 = (value: number) => value & 0xffff;

/** The device's side of a queue of `size` entries (virtio 1.2 §2.7.5, §2.7.6, §2.7.8). */
class Device {
  lastAvailable = 0;
  usedIndex = 0;
  constructor(readonly size: number) {}
  get descriptors() { return e.descriptorsAddress() >>> 0; }
  get driver() { return e.driverRingAddress() >>> 0; }
  get used() { return e.deviceRingAddress() >>> 0; }
  availableIndex(): number { return view().getUint16(this.driver + 2, true); }
  availableFlags(): number { return view().getUint16(this.driver, true); }
  usedEvent(): number { return view().getUint16(this.driver + 4 + 2 * this.size, true); }
  setAvailEvent(value: number): void { view().setUint16(this.used + 4 + 8 * this.size, u16(value), true); }
  setUsedFlags(value: number): void { view().setUint16(this.used, value, true); }
  descriptor(id: number) {
    const at = this.descriptors + id * 16;
    return { address: view().getBigUint64(at, true), length: view().getUint32(at + 8, true), flags: view().getUint16(at + 12, true) };
  }
  /** The next buffer the driver made available: its descriptor id. */
  take(): number {
    assert.ok(u16(this.availableIndex() - this.lastAvailable) > 0, "the driver made no buffer available");
    const id = view().getUint16(this.driver + 4 + 2 * (this.lastAvailable % this.size), true);
    this.lastAvailable = u16(this.lastAvailable + 1);
    return id;
  }
  /** Writes a used entry (not yet published). */
  put(id: number, length: number): void {
    const at = this.used + 4 + 8 * (this.usedIndex % this.size);
    view().setUint32(at, id, true);
    view().setUint32(at + 4, length, true);
    this.usedIndex = u16(this.usedIndex + 1);
  }
  publish(index = this.usedIndex): void { view().setUint16(this.used + 2, u16(index), true); }
  /** Takes and uses `count` buffers, each with `length` bytes written, and publishes them. */
  use(count: number, length = 0): number[] {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.take();
      ids.push(id);
      this.put(id, length);
    }
    this.publish();
    return ids;
  }
}

/** A queue of `size` with `count` receive buffers of 2048 bytes (cookies 1000 + i) published. */
function receiveQueue(size: number, count: number, eventIndex = false): Device {
  e.create(size, eventIndex, false);
  for (let i = 0; i < count; i++) assert.ok(e.add(BigInt(0x10_0000 + i * 2048), 2048, true, BigInt(1000 + i)));
  e.kick();
  return new Device(size);
}

virtio("the specification's constants (virtio 1.2 §2.7.5-2.7.8, §5.1.3, §5.1.6, §6)", () => {
  const expected = [2n, 1n, 1n, 1n << 0n, 1n << 1n, 1n << 5n, 1n << 15n, 1n << 16n, 1n << 29n, 1n << 32n, 12n, 1n, 2n, 4n];
  assert.equal(expected.map((_, i) => BigInt.asUintN(64, BigInt(e.constant(i)))), expected);
});

virtio("vring_need_event: an event in [old, now) fires, with 16-bit wrap", () => {
  assert.ok(e.needEventOf(0, 1, 0), "used_event 0: the first buffer interrupts (§2.7.7's example)");
  assert.not.ok(e.needEventOf(0, 2, 1), "... and the second does not");
  assert.ok(e.needEventOf(5, 10, 3));
  assert.not.ok(e.needEventOf(10, 10, 3), "an event at `now` is not reached yet");
  assert.not.ok(e.needEventOf(2, 10, 3), "an event before `old` was passed earlier");
  assert.ok(e.needEventOf(0xffff, 2, 0xfffe), "across the wrap");
  assert.ok(e.needEventOf(1, 2, 0xfffe));
  assert.not.ok(e.needEventOf(3, 2, 0xfffe));
  assert.not.ok(e.needEventOf(7, 7, 7), "nothing moved: nothing fires");
});

virtio("buffers are published in order with their lengths and write flags; kick with nothing new does nothing", () => {
  const device = receiveQueue(8, 3);
  assert.is(device.availableIndex(), 3);
  assert.equal(notified, [0]);
  for (let i = 0; i < 3; i++) {
    const { address, length, flags } = device.descriptor(device.take());
    assert.equal([address, length, flags], [BigInt(0x10_0000 + i * 2048), 2048, 2]);
  }
  e.kick();
  assert.equal(notified, [0], "nothing new: no notification");
  assert.is(e.free(), 5);
});

virtio("without EVENT_IDX: notifications follow the used ring's NO_NOTIFY flag; a suppressed queue sets NO_INTERRUPT", () => {
  const device = receiveQueue(8, 2);
  assert.is(device.availableFlags(), 0, "the receive queue wants interrupts");
  device.setUsedFlags(1);
  e.add(0x20_0000n, 2048, true, 7n);
  e.kick();
  assert.equal(notified, [0], "the device asked for no notification");
  device.setUsedFlags(0);
  e.add(0x20_1000n, 2048, true, 8n);
  e.kick();
  assert.equal(notified, [0, 0]);
  e.create(8, false, true);
  assert.is(new Device(8).availableFlags(), 1, "the transmit queue asks for no interrupt (VIRTQ_AVAIL_F_NO_INTERRUPT)");
});

virtio("with EVENT_IDX: the driver notifies only when its index passes avail_event, and ignores the flags", () => {
  const device = receiveQueue(16, 0, true);
  device.setUsedFlags(1);   // ignored with EVENT_IDX (§2.7.10)
  device.setAvailEvent(0);
  e.add(0x10_0000n, 2048, true, 1n);
  e.kick();                  // 0 -> 1 passes 0
  assert.equal(notified, [0]);
  device.setAvailEvent(5);
  for (let i = 0; i < 3; i++) e.add(0x10_0000n, 2048, true, 2n + BigInt(i));
  e.kick();                  // 1 -> 4 does not pass 5
  assert.equal(notified, [0]);
  e.add(0x10_0000n, 2048, true, 9n);
  e.add(0x10_0000n, 2048, true, 10n);
  e.kick();                  // 4 -> 6 passes 5
  assert.equal(notified, [0, 0]);
  assert.is(Number(e.notifications()), 2);
  assert.is(Number(e.notificationsSuppressed()), 1);
  assert.is(device.availableFlags(), 0, "flags stay 0 with EVENT_IDX");
});

virtio("with EVENT_IDX: a suppressed (transmit) queue keeps used_event where the device cannot reach it; arm asks for the next entry", () => {
  e.create(16, true, true);
  const device = new Device(16);
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 3; i++) e.add(0x30_0000n, 60, false, BigInt(round * 3 + i));
    e.kick();
    const before = device.usedIndex;
    device.use(3);
    // The device interrupts when its index passes used_event (§2.7.7): never here.
    const event = device.usedEvent();
    assert.not.ok(e.needEventOf(event, device.usedIndex, before), `round ${round}: used_event ${event} would interrupt`);
    for (let i = 0; i < 3; i++) assert.is(Number(e.next()), round * 3 + i);
  }
  const rx = receiveQueue(16, 8, true);
  rx.use(2, 100);
  assert.ok(e.arm(), "entries wait: the caller takes them");
  assert.is(rx.usedEvent(), 2, "used_event at the device's index: the next entry interrupts");
  e.next();
  e.next();
  assert.not.ok(e.arm());
  assert.is(rx.usedEvent(), 2);
  rx.use(1, 100);
  assert.ok(e.needEventOf(rx.usedEvent(), rx.usedIndex, 2), "the next used entry interrupts");
});

virtio("notifyAgain notifies whatever the suppression says (the tick's nudge); outstanding and usedCount follow the rings", () => {
  e.create(8, true, false);
  const device = new Device(8);
  device.setAvailEvent(100);   // the device asks for no notification for a long while
  for (let i = 0; i < 3; i++) e.add(0x20_0000n + BigInt(i) * 2048n, 2048, true, BigInt(i));
  e.kick();
  assert.equal(notified, [], "suppressed: the kick did not notify");
  assert.is(e.outstanding(), 3);
  e.notifyAgain();
  assert.equal(notified, [0], "notifyAgain did");
  assert.is(Number(e.notificationsRepeated()), 1);
  device.use(2, 100);
  e.next();
  e.next();
  assert.is(e.outstanding(), 1);
  assert.is(e.usedCount(), 2);
});

virtio("a malformed used ring marks the queue broken, never aborts, and next() then hands nothing back", () => {
  const UsedIndex = 1, UsedId = 2, UsedLength = 3;
  // The used index runs past what was published.
  let device = receiveQueue(8, 3);
  device.publish(4);
  assert.is(Number(e.next()), -1);
  assert.is(e.problem(), UsedIndex);
  assert.is(e.waiting(), 0);
  // An id out of range.
  device = receiveQueue(8, 3);
  device.take();
  device.put(8, 100);
  device.publish();
  assert.is(Number(e.next()), -1);
  assert.is(e.problem(), UsedId);
  // An id used twice: the second is not in flight.
  device = receiveQueue(8, 3);
  const [first] = device.use(1, 100);
  assert.is(Number(e.next()), 1000);
  device.put(first, 100);
  device.publish();
  assert.is(Number(e.next()), -1);
  assert.is(e.problem(), UsedId);
  // More bytes written than the buffer holds.
  device = receiveQueue(8, 3);
  const id = device.take();
  device.put(id, 2049);
  device.publish();
  assert.is(Number(e.next()), -1);
  assert.is(e.problem(), UsedLength);
  assert.is(Number(e.next()), -1, "still broken");
  // A read-only (transmit) buffer's used length is not a write: any value is taken.
  e.create(8, false, true);
  e.add(0x30_0000n, 60, false, 5n);
  e.kick();
  const tx = new Device(8);
  tx.put(tx.take(), 0xffff_ffff);
  tx.publish();
  assert.is(Number(e.next()), 5);
  assert.is(e.problem(), 0);
  // The driver's own fault injection meets the same check.
  device = receiveQueue(8, 4);
  assert.ok(e.forgetNextInFlight());
  device.use(1, 64);
  assert.is(Number(e.next()), -1);
  assert.is(e.problem(), UsedId);
});

virtio("reset: a broken queue back to empty, every descriptor free, indices from 0", () => {
  const device = receiveQueue(8, 8);
  device.publish(9);
  e.next();
  assert.is(e.problem(), 1);
  e.reset();
  assert.is(e.problem(), 0);
  assert.is(e.free(), 8);
  const again = new Device(8);
  assert.is(again.availableIndex(), 0);
  for (let i = 0; i < 8; i++) assert.ok(e.add(BigInt(0x10_0000 + i * 2048), 2048, true, BigInt(i)));
  assert.not.ok(e.add(0n, 2048, true, 99n), "a full queue refuses");
  e.kick();
  again.use(8, 10);
  assert.equal(Array.from({ length: 8 }, () => Number(e.next())), [0, 1, 2, 3, 4, 5, 6, 7]);
});

virtio("fuzz: a hostile device writes random used entries and indices; no abort, no buffer back twice or unasked, lengths within bounds", () => {
  const seed = Number(process.env.VIRTQUEUE_SEED ?? Date.now() % 2 ** 31);
  console.log(`    virtqueue fuzz: seed ${seed} (replay with VIRTQUEUE_SEED=${seed})`);
  const random = seeded(seed);
  let broken = 0, returned = 0;
  for (let round = 0; round < 300; round++) {
    const size = [2, 4, 8, 16, 64, 256][random.below(6)];
    e.create(size, random.below(2) === 1, false);
    const device = new Device(size);
    const inFlight = new Map<bigint, number>();   // cookie -> its buffer's length
    let cookie = 0n;
    for (let step = 0; step < 200 && e.problem() === 0; step++) {
      while (e.free() > 0 && random.below(3) !== 0) {
        const length = 1 + random.below(4096);
        assert.ok(e.add(0x10_0000n, length, true, cookie));
        inFlight.set(cookie++, length);
      }
      e.kick();
      // Mostly an honest device; one step in 25 does one hostile thing: an entry with a random
      // id or length, or a random index.
      const available = u16(device.availableIndex() - device.lastAvailable);
      const count = random.below(available + 1);
      const hostile = random.below(25) === 0 ? 1 + random.below(3) : 0;
      for (let i = 0; i < count; i++) {
        const id = hostile === 1 && i === count - 1 ? random.below(size + 3) : device.take();
        const honest = id < size ? random.below(device.descriptor(id).length + 1) : 0;
        device.put(id, hostile === 2 && i === count - 1 ? random.below(2 ** 32) : honest);
      }
      device.publish(hostile === 3 ? random.below(65536) : device.usedIndex);
      for (let taken = Number(e.next()); taken >= 0; taken = Number(e.next())) {
        const key = BigInt(taken);
        assert.ok(inFlight.has(key), `round ${round}: cookie ${taken} handed back but not in flight`);
        assert.ok(e.usedLength() <= inFlight.get(key)!, `round ${round}: a used length past its buffer got through`);
        inFlight.delete(key);
        returned++;
      }
    }
    if (e.problem() !== 0) {
      broken++;
      assert.is(Number(e.next()), -1);
    }
  }
  assert.ok(broken > 50 && returned > 1000, `${broken} queues broken, ${returned} buffers back: the fuzz reached both`);
});

/** An IPv4/UDP frame with `payload` from 10.0.2.1:40000 to 10.0.2.15:7, its UDP checksum correct. */
function udpFrame(payload: Buffer): Buffer {
  const frame = Buffer.alloc(14 + 20 + 8 + payload.length);
  frame.writeUInt16BE(0x0800, 12);
  const ip = 14, udp = 34;
  frame[ip] = 0x45;
  frame.writeUInt16BE(20 + 8 + payload.length, ip + 2);
  frame[ip + 8] = 64;
  frame[ip + 9] = 17;
  Buffer.from([10, 0, 2, 1, 10, 0, 2, 15]).copy(frame, ip + 12);
  frame.writeUInt16BE(40000, udp);
  frame.writeUInt16BE(7, udp + 2);
  frame.writeUInt16BE(8 + payload.length, udp + 4);
  payload.copy(frame, udp + 8);
  let sum = pseudoHeaderSum(8 + payload.length);
  sum = addWords(sum, frame.subarray(udp));
  const checksum = ~sum & 0xffff;
  frame.writeUInt16BE(checksum === 0 ? 0xffff : checksum, udp + 6);
  return frame;
}
function addWords(sum: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
function pseudoHeaderSum(udpLength: number): number {
  return addWords(0, Buffer.from([10, 0, 2, 1, 10, 0, 2, 15, 0, 17, udpLength >> 8, udpLength & 0xff]));
}

virtio("NEEDS_CSUM: the partial UDP checksum (the pseudo-header's sum) completed in place equals the full one, odd lengths included", () => {
  const NotNeeded = 0, Completed = 1, OutOfRange = 2;
  const random = seeded(11);
  const header = e.packetAddress() >>> 0, packet = header + 12;
  // A payload whose checksum comes out 0: its last word makes the sum 0xFFFF. UDP sends it as
  // 0xFFFF (RFC 768), the same value in ones' complement.
  const zero = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 0, 0]);
  const rest = addWords(pseudoHeaderSum(18), Buffer.concat([udpFrame(zero).subarray(34, 40), zero]));
  zero.writeUInt16BE(0xffff - rest, 8);
  assert.is(udpFrame(zero).readUInt16BE(40), 0xffff, "the crafted payload's checksum is 0, sent as 0xFFFF");
  const payloads = [zero, ...[0, 1, 2, 3, 17, 32, 1471, 1472, 8000, ...Array.from({ length: 200 }, () => random.below(9000))]
    .map((length) => Buffer.from(Array.from({ length }, () => random.below(256))))];
  for (const payload of payloads) {
    const length = payload.length;
    const full = udpFrame(payload);
    const partial = Buffer.from(full);
    partial.writeUInt16BE(pseudoHeaderSum(8 + length), 34 + 6);   // what a device leaves (§5.1.6.2)
    const bytes = new Uint8Array(wasm.memory.buffer);
    bytes.fill(0, header, header + 12);
    bytes[header] = 1;                                            // NEEDS_CSUM
    new DataView(wasm.memory.buffer).setUint16(header + 6, 34, true);   // csum_start: the UDP header
    new DataView(wasm.memory.buffer).setUint16(header + 8, 6, true);    // csum_offset: its checksum
    bytes.set(partial, packet);
    assert.is(e.completeChecksum(header, packet, full.length), Completed);
    assert.equal(Buffer.from(bytes.subarray(packet, packet + full.length)), full, `${length} bytes of payload`);
  }
  // The sum itself against the reference, at every alignment and length up to 70.
  for (let offset = 0; offset < 4; offset++) {
    for (let length = 0; length < 70; length++) {
      const data = Buffer.from(Array.from({ length }, () => random.below(256)));
      new Uint8Array(wasm.memory.buffer).set(data, packet + offset);
      assert.is(e.sum(packet + offset, length), addWords(0, data), `offset ${offset}, ${length} bytes`);
    }
  }
  const view = new DataView(wasm.memory.buffer);
  view.setUint16(header + 6, 34, true);
  view.setUint16(header + 8, 6, true);
  assert.is(e.completeChecksum(header, packet, 41), OutOfRange, "the field's second byte past the packet");
  assert.is(e.checkPartialChecksum(header, packet, 41), OutOfRange, "left partial: the offsets are still checked");
  const before = Buffer.from(new Uint8Array(wasm.memory.buffer).subarray(packet, packet + 42));
  assert.is(e.checkPartialChecksum(header, packet, 42), 3, "Partial: taken as validated");
  assert.equal(Buffer.from(new Uint8Array(wasm.memory.buffer).subarray(packet, packet + 42)), before, "and the frame left as it was");
  assert.is(e.completeChecksum(header, packet, 42), Completed);
  view.setUint16(header + 6, 0xffff, true);
  view.setUint16(header + 8, 0xffff, true);
  assert.is(e.completeChecksum(header, packet, 9000), OutOfRange, "offsets at their largest");
  new Uint8Array(wasm.memory.buffer)[header] = 1 | 4;   // RSC_INFO: the fields are counts
  assert.is(e.completeChecksum(header, packet, 9000), NotNeeded);
  new Uint8Array(wasm.memory.buffer)[header] = 2;       // DATA_VALID alone
  assert.is(e.completeChecksum(header, packet, 9000), NotNeeded);
});

virtio("virtio-net= settings: the offloads off one by one, the receive pool and budget, test faults, and anything else refused whole", () => {
  const parse = (text: string) => wasm.readString(e.optionsParse(wasm.string(text)));
  const options = () => Array.from({ length: 8 }, (_, i) => Number(e.option(i)));
  const wanted = () => BigInt.asUintN(64, BigInt(e.wantedFeatures()));
  assert.is(parse("nooffload"), "");
  assert.equal(options(), [0, 1, 1, 0, 0, 1, 0, 0]);
  assert.is(wanted(), (1n << 32n) | (1n << 5n) | (1n << 16n) | (1n << 15n) | (1n << 29n), "no GUEST_CSUM (and never CSUM)");
  assert.is(parse("noeventidx,nomrgrxbuf"), "");
  assert.equal(options(), [1, 0, 0, 0, 0, 1, 0, 0]);
  assert.is(wanted(), (1n << 32n) | (1n << 5n) | (1n << 16n) | (1n << 1n));
  assert.is(parse("breakafter:50"), "");
  assert.equal(options(), [1, 1, 1, 1, 50, 1, 0, 0]);
  assert.is(parse("faultafter:20,faults:4"), "");
  assert.equal(options(), [1, 1, 1, 2, 20, 4, 0, 0]);
  assert.is(parse("rxbuffers:64,rxbudget:64"), "");
  assert.equal(options(), [1, 1, 1, 0, 0, 1, 64, 64]);
  assert.is(parse("rxbuffers:2,rxbudget:1024"), "");
  assert.equal(options(), [1, 1, 1, 0, 0, 1, 2, 1024]);
  for (const bad of ["nooffloads", "breakafter", "breakafter:x", "breakafter:1234567890", "faults:0", "faults:101", "breakafter:1,faultafter:2",
    "nooffload:1", "", "rxbuffers:0", "rxbuffers:3", "rxbuffers:258", "rxbuffers", "rxbudget:0", "rxbudget:1025", "rxbudget:-1"]) {
    assert.ok(parse(bad).length > 0, `"${bad}" was accepted`);
    assert.equal(options(), [1, 1, 1, 0, 0, 1, 0, 0], `"${bad}" left settings behind`);
  }
});

virtio.run();
