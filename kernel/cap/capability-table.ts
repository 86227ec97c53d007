// The capability table of one process: slots that each name a kernel object, reached from user
// space by a handle. The ring's decode step looks handles up and reserves a slot for any
// capability its invoke step will create; invoke commits it, so invoke cannot fail. Process exit
// releases every entry. Pure (no log, no hardware): tests/host/capability-table.test.ts runs it.
//
// A handle is a u64, (generation << HANDLE_SLOT_BITS) | slot (abi/ring.ts): a 32-bit generation
// that starts at 1, so handle 0 is never valid and every handle is below 2^56. Freed slots wait
// in a first-in first-out list, so a slot comes back only after every other free slot did, under
// its next generation: one slot would have to be freed 2^32 times before a generation could
// repeat, and a slot released at the last generation is retired for good instead of wrapping.
// The table starts small and grows on demand (doubling) up to its limit; growth is the only
// allocation after create(), and it happens in reserve(), at decode. A table made with an
// account charges its storage to it (memory/quota.ts) and gives it back when discarded; growth
// past what the account or the heap budget allows is refused like a full table.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { HANDLE_SLOT_BITS } from "../../abi/ring";
import { KernelObject } from "./kernel-object";
import { staticArrayBytes } from "../memory/heap-cost";
import { Quota } from "../memory/quota";

@inline const SLOT_MASK: u64 = (<u64>1 << HANDLE_SLOT_BITS) - 1;
@inline const GENERATION_FIRST: u32 = 1;
@inline const GENERATION_LAST: u32 = 0xffff_ffff;
/** Ends the free list. */
@inline const NO_SLOT: i32 = -1;

/** What a slot holds. */
const enum SlotState {
  /** Empty, in the free list; given out by insert() and reserve(). */
  Free = 0,
  /** Held by reserve() until commit() or cancel(); not reachable by handle. */
  Reserved = 1,
  /** Names an object through the handle (generation << HANDLE_SLOT_BITS) | slot. */
  Live = 2,
  /** Released at the last generation: never used again. */
  Retired = 3,
}

/** Heap bytes of a table's storage at `capacity` slots. */
export function capabilityTableBytes(capacity: i32): u64 {
  const slots = <u64>capacity;
  return staticArrayBytes<usize>(slots) + staticArrayBytes<u32>(slots) + staticArrayBytes<u8>(slots) + staticArrayBytes<i32>(slots);
}

export class CapabilityTable {
  /** The error of the last insert() or reserve(): None; TableFull at the limit; QuotaExceeded or
   * OutOfMemory when the account (or the heap budget) cannot pay for growth. */
  lastError: KernelError = KernelError.None;
  /** Pays for the storage (null: nobody does; tests). */
  private account: Quota | null = null;
  /** Bytes of storage charged to the account. */
  private charged: u64 = 0;
  /** Where releaseSome goes on. */
  private releaseCursor: i32 = 0;
  private live: i32 = 0;
  private reserved: i32 = 0;
  private retired: i32 = 0;
  /** The free list, oldest first: a slot freed goes to the tail, reserve() takes the head. */
  private freeHead: i32 = NO_SLOT;
  private freeTail: i32 = NO_SLOT;

  private constructor(
    /** The most slots the table may grow to. */
    readonly limit: i32,
    private objects: StaticArray<KernelObject | null>,
    private generations: StaticArray<u32>,
    private states: StaticArray<u8>,
    /** Per free slot, the next one in the free list. */
    private nextFree: StaticArray<i32>,
  ) {}

  /** A table of `initial` empty slots that may grow to `limit`, its storage charged to `account`
   * if given; null when 1 <= initial <= limit <= 2^HANDLE_SLOT_BITS does not hold, or when the
   * account cannot pay for `initial` slots (capabilityTableBytes). */
  static create(initial: i32, limit: i32, account: Quota | null = null): CapabilityTable | null {
    if (initial < 1 || initial > limit || <u64>limit > SLOT_MASK + 1) return null;
    if (account !== null && account.kernelFits(capabilityTableBytes(initial)) != KernelError.None) return null;
    const table = new CapabilityTable(limit, new StaticArray<KernelObject | null>(0), new StaticArray<u32>(0),
      new StaticArray<u8>(0), new StaticArray<i32>(0));
    if (account !== null) {
      account.retain();
      table.account = account;
    }
    table.growTo(initial);
    return table;
  }

  /** Live entries. */
  get count(): i32 { return this.live; }

  /** Slots the table has now. */
  get capacity(): i32 { return this.states.length; }

  /** Slots that insert() or reserve() could still take, growing the table if need be. */
  freeSlots(): i32 { return this.limit - this.live - this.reserved - this.retired; }

  /** The object `handle` names; null when its slot is out of range, free, reserved, retired or
   * of another generation. */
  lookup(handle: u64): KernelObject | null {
    const slot = this.liveSlot(handle);
    return slot < 0 ? null : unchecked(this.objects[slot]);
  }

  /** None when `handle` names a live capability, else InvalidHandle. */
  lookupError(handle: u64): KernelError {
    return this.liveSlot(handle) < 0 ? KernelError.InvalidHandle : KernelError.None;
  }

  /** None when `handle` names a live capability of `iface`; InvalidHandle when it names none;
   * WrongInterface when the capability is of another interface. */
  lookupInterface(handle: u64, iface: Interface): KernelError {
    const object = this.lookup(handle);
    if (object == null) return KernelError.InvalidHandle;
    return object.iface == iface ? KernelError.None : KernelError.WrongInterface;
  }

  /** The interface of the capability `handle` names; Interface.None when it names none. */
  interfaceOf(handle: u64): Interface {
    const object = this.lookup(handle);
    return object == null ? Interface.None : object.iface;
  }

  /** The handle of the live entry in `slot`; 0 when the slot is not live or out of range. Walk
   * slots 0..capacity-1 to list a table's capabilities in slot order. */
  handleAt(slot: i32): u64 {
    if (<u32>slot >= <u32>this.capacity || unchecked(this.states[slot]) != SlotState.Live) return 0;
    return this.handleOf(slot);
  }

  /** Puts `object` in the oldest free slot and retains it; returns its handle. 0 with lastError
   * TableFull when no slot is free (the object is then not retained). */
  insert(object: KernelObject): u64 {
    const slot = this.reserve();
    return slot < 0 ? 0 : this.commit(slot, object);
  }

  /** Takes the oldest free slot for a later commit() or cancel(), growing the table when none is
   * free; returns its index. -1 with lastError TableFull when the table is at its limit. */
  reserve(): i32 {
    if (this.freeHead == NO_SLOT) {
      const error = this.grow();
      if (error != KernelError.None) {
        this.lastError = error;
        return -1;
      }
    }
    const slot = this.freeHead;
    this.freeHead = unchecked(this.nextFree[slot]);
    if (this.freeHead == NO_SLOT) this.freeTail = NO_SLOT;
    this.setState(slot, SlotState.Reserved);
    this.reserved++;
    this.lastError = KernelError.None;
    return slot;
  }

  /** Fills the reserved `slot` with `object`, retains it and returns its handle. Cannot fail:
   * a slot that reserve() did not hand out (or already committed or cancelled) is a kernel bug
   * (aborts). */
  commit(slot: i32, object: KernelObject): u64 {
    this.requireReserved(slot, "CapabilityTable.commit: slot is not reserved");
    object.retain();
    unchecked(this.objects[slot] = object);
    this.setState(slot, SlotState.Live);
    this.reserved--;
    this.live++;
    return this.handleOf(slot);
  }

  /** Gives the reserved `slot` back unused; its generation stays, since no handle to it was
   * issued. A slot that is not reserved is a kernel bug (aborts). */
  cancel(slot: i32): void {
    this.requireReserved(slot, "CapabilityTable.cancel: slot is not reserved");
    this.freed(slot);
    this.reserved--;
  }

  /** Takes the live capability `handle` names out of reach for a move in flight: the slot turns
   * reserved under a new generation (the handle is stale at once) and the table's reference to
   * the object passes to the caller, who later commit()s it back (rollback: a new handle) or
   * cancel()s the slot (the move happened). Returns the slot, or -1 when `handle` names nothing
   * live or its slot is at its last generation (it could never be committed again). */
  detach(handle: u64): i32 {
    const slot = this.liveSlot(handle);
    if (slot < 0) return -1;
    const generation = unchecked(this.generations[slot]);
    if (generation == GENERATION_LAST) return -1;
    unchecked(this.generations[slot] = generation + 1);
    unchecked(this.objects[slot] = null);
    this.setState(slot, SlotState.Reserved);
    this.live--;
    this.reserved++;
    return slot;
  }

  /** Whether detach(handle) would succeed: a live handle whose slot is not at its last generation. */
  detachable(handle: u64): bool {
    const slot = this.liveSlot(handle);
    return slot >= 0 && unchecked(this.generations[slot]) != GENERATION_LAST;
  }

  /** commit() without taking a new reference: the caller hands over one it holds (a detached
   * capability going back to its slot). */
  commitHeld(slot: i32, object: KernelObject): u64 {
    const handle = this.commit(slot, object);
    object.release();
    return handle;
  }

  /** Empties the slot `handle` names, bumps (or retires) its generation, then releases the
   * object, which is destroyed with its last reference. None, or InvalidHandle when `handle`
   * names no live capability (0, garbage, stale, out of range, reserved). */
  release(handle: u64): KernelError {
    const slot = this.liveSlot(handle);
    if (slot < 0) return KernelError.InvalidHandle;
    this.releaseSlot(slot);
    return KernelError.None;
  }

  /** Releases every live entry, in slot order (process exit). Reserved slots stay reserved: the
   * kernel path holding them still commits or cancels them. */
  releaseAll(): void {
    for (let slot = 0; slot < this.capacity; slot++) {
      if (unchecked(this.states[slot]) == SlotState.Live) this.releaseSlot(slot);
    }
  }

  /** Releases every live entry and lets go of the table's storage, for a process that has ended:
   * its table may grow large, and the process record can outlive it (a ProcessHandle, the leak
   * checks). Any later use of a slot is a kernel bug; reserved slots are forgotten (no path
   * touches the table of a process that has ended). vm/reclaim.ts does the same a step at a
   * time (releaseSome, then discardStorage). */
  discard(): void {
    this.releaseAll();
    this.discardStorage();
  }

  /** Releases up to `count` live entries, in slot order from where the last call stopped;
   * whether none is left. For a process that has ended only (no new entry may appear). */
  releaseSome(count: i32): bool {
    let slot = this.releaseCursor;
    const capacity = this.capacity;
    while (slot < capacity && count > 0) {
      if (unchecked(this.states[slot]) == SlotState.Live) {
        this.releaseSlot(slot);
        count--;
      }
      slot++;
    }
    this.releaseCursor = slot;
    return slot >= capacity;
  }

  /** Lets go of the storage and returns its charge (after every entry was released). */
  discardStorage(): void {
    this.objects = new StaticArray<KernelObject | null>(0);
    this.generations = new StaticArray<u32>(0);
    this.states = new StaticArray<u8>(0);
    this.nextFree = new StaticArray<i32>(0);
    this.freeHead = NO_SLOT;
    this.freeTail = NO_SLOT;
    this.reserved = 0;
    this.retired = 0;
    const account = this.account;
    if (account !== null) {
      account.unchargeKernel(this.charged);
      this.charged = 0;
      this.account = null;
      account.release();
    }
  }

  /** Heap bytes of storage charged to the account now. */
  get chargedBytes(): u64 { return this.charged; }

  /** The slot the next reserve() takes without growing, or -1 (tests and diagnostics). */
  peekFree(): i32 {
    return this.freeHead;
  }

  /** Test only (tests/host/capability-table.test.ts, ring-ipc.test.ts): sets the generation of the
   * free `slot`, so a test can reach the last generation without 2^32 releases. False when the
   * slot is not free or `generation` is 0. */
  ageSlot(slot: i32, generation: u32): bool {
    if (<u32>slot >= <u32>this.capacity || unchecked(this.states[slot]) != SlotState.Free || generation == 0) return false;
    unchecked(this.generations[slot] = generation);
    return true;
  }

  /** The slot `handle` names when it is live and of the current generation, else -1. */
  private liveSlot(handle: u64): i32 {
    const slot = handle & SLOT_MASK;
    if (slot >= <u64>this.capacity || unchecked(this.states[<i32>slot]) != SlotState.Live) return -1;
    return <u64>unchecked(this.generations[<i32>slot]) == handle >> HANDLE_SLOT_BITS ? <i32>slot : -1;
  }

  @inline private handleOf(slot: i32): u64 {
    return (<u64>unchecked(this.generations[slot]) << HANDLE_SLOT_BITS) | <u64>slot;
  }

  /** `slot` turns free and joins the tail of the free list. */
  private freed(slot: i32): void {
    this.setState(slot, SlotState.Free);
    unchecked(this.nextFree[slot] = NO_SLOT);
    if (this.freeTail == NO_SLOT) this.freeHead = slot;
    else unchecked(this.nextFree[this.freeTail] = slot);
    this.freeTail = slot;
  }

  /** Doubles the table (at most to its limit): None, TableFull at the limit, or the account's
   * refusal (QuotaExceeded, OutOfMemory). */
  private grow(): KernelError {
    const capacity = this.capacity;
    if (capacity >= this.limit) return KernelError.TableFull;
    const next = min(this.limit, capacity * 2);
    const account = this.account;
    if (account !== null) {
      const error = account.kernelFits(capabilityTableBytes(next) - capabilityTableBytes(capacity));
      if (error != KernelError.None) return error;
    }
    this.growTo(next);
    return KernelError.None;
  }

  /** Grows to `capacity` slots, charging the account the difference; the new ones join the free
   * list in slot order. */
  private growTo(capacity: i32): void {
    const old = this.capacity;
    const account = this.account;
    if (account !== null) {
      const more = capabilityTableBytes(capacity) - this.charged;
      account.chargeKernel(more);
      this.charged += more;
    }
    const objects = new StaticArray<KernelObject | null>(capacity);
    const generations = new StaticArray<u32>(capacity);
    const states = new StaticArray<u8>(capacity);
    const nextFree = new StaticArray<i32>(capacity);
    for (let slot = 0; slot < old; slot++) {
      unchecked(objects[slot] = unchecked(this.objects[slot]));
      unchecked(generations[slot] = unchecked(this.generations[slot]));
      unchecked(states[slot] = unchecked(this.states[slot]));
      unchecked(nextFree[slot] = unchecked(this.nextFree[slot]));
    }
    this.objects = objects;
    this.generations = generations;
    this.states = states;
    this.nextFree = nextFree;
    for (let slot = old; slot < capacity; slot++) {
      unchecked(generations[slot] = GENERATION_FIRST);
      this.freed(slot);
    }
  }

  @inline private setState(slot: i32, value: SlotState): void {
    unchecked(this.states[slot] = <u8>value);
  }

  private requireReserved(slot: i32, message: string): void {
    if (<u32>slot >= <u32>this.capacity || unchecked(this.states[slot]) != SlotState.Reserved) abort(message);
  }

  /** Empties the live `slot` first, so that the table is consistent if the object's destroy()
   * reaches it, then drops the table's reference. */
  private releaseSlot(slot: i32): void {
    const object = unchecked(this.objects[slot])!;
    const generation = unchecked(this.generations[slot]);
    unchecked(this.objects[slot] = null);
    this.live--;
    if (generation == GENERATION_LAST) {
      this.setState(slot, SlotState.Retired);
      this.retired++;
    } else {
      unchecked(this.generations[slot] = generation + 1);
      this.freed(slot);
    }
    object.release();
  }
}
