// The bounds benchmark's kernel-like loop in AssemblyScript: a ring of 64-byte request entries
// is decoded, validated, looked up in an open-addressing handle table, checksummed byte by byte
// and partly copied to a log. bench/bounds/loop.c is the same algorithm in plain C; both must
// return the same checksum. Exports: setup(seed) once, then pass() per iteration.

const ENTRY_SIZE: u32 = 64;
const ENTRY_COUNT: u32 = 8192; // a 512 KiB ring
const PAYLOAD_OFFSET: u32 = 24;
const PAYLOAD_CAPACITY: u32 = 40;
const SLOT_SIZE: u32 = 16;
const SLOT_COUNT: u32 = 4096; // 64 KiB; at most 2048 handles, so never more than half full
const LOG_SIZE: u32 = 65536;

const RING_BASE: u32 = 65536; // above the (tiny) static data
const TABLE_BASE: u32 = RING_BASE + ENTRY_SIZE * ENTRY_COUNT;
const LOG_BASE: u32 = TABLE_BASE + SLOT_SIZE * SLOT_COUNT;
const MEMORY_END: u32 = LOG_BASE + LOG_SIZE;

@unmanaged class Entry {
  kind: u32; // low byte: the operation (0 insert, 1 lookup, 2 release, 3 copy); others invalid
  handle: u32;
  length: u32; // payload bytes, at most PAYLOAD_CAPACITY
  sequence: u32;
  cookie: u64;
}

@unmanaged class Slot {
  key: u32; // a handle, or 0 when empty
  count: u32;
  lastSequence: u32;
  digest: u32;
}

let randomState: u32 = 1;
let checksum: u32 = 0;
let logPosition: u32 = 0;

function nextRandom(): u32 {
  let x = randomState;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  randomState = x;
  return x;
}

export function setup(seed: u32): void {
  const pagesNeeded = (MEMORY_END + 0xffff) >>> 16;
  const pages = <u32>memory.size();
  if (pages < pagesNeeded && memory.grow(pagesNeeded - pages) < 0) unreachable();
  randomState = seed | 1;
  checksum = 0;
  logPosition = 0;
  for (let index: u32 = 0; index < ENTRY_COUNT; index++) {
    const address = RING_BASE + index * ENTRY_SIZE;
    const entry = changetype<Entry>(address);
    entry.kind = (nextRandom() % 5) | (index << 8); // operation 4 is invalid
    entry.handle = 1 + (nextRandom() & 2047);
    entry.length = nextRandom() % 48; // above 40 is invalid
    entry.sequence = index;
    const high = <u64>nextRandom();
    entry.cookie = (high << 32) | <u64>nextRandom();
    for (let offset: u32 = 0; offset < PAYLOAD_CAPACITY; offset += 4) {
      store<u32>(address + PAYLOAD_OFFSET + offset, nextRandom());
    }
  }
  memory.fill(TABLE_BASE, 0, SLOT_SIZE * SLOT_COUNT);
  memory.fill(LOG_BASE, 0, LOG_SIZE);
}

export function pass(): u32 {
  let running = checksum;
  for (let index: u32 = 0; index < ENTRY_COUNT; index++) {
    const address = RING_BASE + index * ENTRY_SIZE;
    const entry = changetype<Entry>(address);
    const kind = entry.kind;
    const operation = kind & 0xff;
    const handle = entry.handle;
    const length = entry.length;
    if (operation > 3 || length > PAYLOAD_CAPACITY || handle == 0) {
      running = rotl<u32>(running, 3) ^ kind;
      continue;
    }

    // Fletcher-style checksum of the payload, one byte load at a time.
    let low = <u32>entry.cookie;
    let high: u32 = 0;
    for (let offset: u32 = 0; offset < length; offset++) {
      low += load<u8>(address + PAYLOAD_OFFSET + offset);
      high += low;
    }
    let digest = (high << 16) ^ low;

    // Find the handle's slot, or the empty slot where it belongs (linear probing).
    let slotIndex = (handle * 0x9e3779b1) >>> 20;
    let slot = changetype<Slot>(TABLE_BASE + slotIndex * SLOT_SIZE);
    while (slot.key != handle && slot.key != 0) {
      slotIndex = (slotIndex + 1) & (SLOT_COUNT - 1);
      slot = changetype<Slot>(TABLE_BASE + slotIndex * SLOT_SIZE);
    }
    const found = slot.key == handle;

    if (operation == 0) {
      slot.key = handle;
      slot.count += 1;
      slot.lastSequence = entry.sequence;
      slot.digest ^= digest;
    } else if (operation == 1) {
      if (found) digest ^= slot.digest + slot.count;
    } else if (operation == 2) {
      if (found) {
        slot.count = 0;
        slot.digest = 0;
      }
    } else {
      memory.copy(LOG_BASE + logPosition, address + PAYLOAD_OFFSET, 8);
      logPosition = (logPosition + 8) & (LOG_SIZE - 1);
      digest += load<u32>(LOG_BASE + (logPosition ^ 0x1000));
    }

    // Rewrite the entry so that the next pass sees other operations and payloads.
    entry.kind = (kind & ~0xff) | ((operation + 1) & 3);
    entry.sequence += 1;
    store<u8>(address + PAYLOAD_OFFSET, <u8>digest);
    running = rotl<u32>(running, 5) ^ digest;
  }
  checksum = running;
  return running;
}
