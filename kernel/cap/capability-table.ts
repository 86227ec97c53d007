// The capability table of one process: fixed slots that each name a kernel object, reached from
// user space by a handle. The ring's decode step looks handles up and reserves a slot for any
// capability its invoke step will create; invoke commits it, so invoke cannot fail. Process exit
// releases every entry. Pure (no log, no hardware): tests/host/capability-table.test.ts runs it.
//
// A handle is (generation << 8) | slot, a u32: slot 0..255, generation 1..0xffffff (24 bits), so
// handle 0 is never valid. Every release of a slot bumps its generation; a slot released at
// generation 0xffffff is retired for good instead of wrapping, so a stale handle never reaches a
// later capability. All storage is made by create(): nothing is allocated afterwards.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "./kernel-object";

/** The most slots a table can have (slot numbers fit in a handle's low 8 bits). */
export const CAPABILITY_SLOTS_MAXIMUM: i32 = 256;

@inline const SLOT_BITS: u32 = 8;
@inline const SLOT_MASK: u32 = 0xff;
@inline const GENERATION_FIRST: u32 = 1;
@inline const GENERATION_LAST: u32 = 0xff_ffff;

/** What a slot holds. */
const enum SlotState {
  /** Empty; given out by insert() and reserve(). */
  Free = 0,
  /** Held by reserve() until commit() or cancel(); not reachable by handle. */
  Reserved = 1,
  /** Names an object through the handle (generation << 8) | slot. */
  Live = 2,
  /** Released at the last generation: never used again. */
  Retired = 3,
}

export class CapabilityTable {
  /** The error of the last insert() or reserve(): None, or TableFull. */
  lastError: KernelError = KernelError.None;
  private live: i32 = 0;
  private reserved: i32 = 0;
  private retired: i32 = 0;
  /** Every slot below this one is in use (live, reserved or retired): reserve() starts here. */
  private firstMaybeFree: i32 = 0;

  private constructor(
    /** How many slots the table has (1..CAPABILITY_SLOTS_MAXIMUM). */
    readonly limit: i32,
    private objects: StaticArray<KernelObject | null>,
    private generations: StaticArray<u32>,
    private states: StaticArray<u8>,
  ) {}

  /** A table of `limit` empty slots; null when `limit` is outside 1..CAPABILITY_SLOTS_MAXIMUM. */
  static create(limit: i32): CapabilityTable | null {
    if (limit < 1 || limit > CAPABILITY_SLOTS_MAXIMUM) return null;
    const generations = new StaticArray<u32>(limit);
    for (let slot = 0; slot < limit; slot++) unchecked(generations[slot] = GENERATION_FIRST);
    return new CapabilityTable(limit, new StaticArray<KernelObject | null>(limit), generations, new StaticArray<u8>(limit));
  }

  /** Live entries. */
  get count(): i32 { return this.live; }

  /** Slots that insert() or reserve() could take now (not live, reserved or retired). */
  freeSlots(): i32 { return this.limit - this.live - this.reserved - this.retired; }

  /** The object `handle` names; null when its slot is out of range, free, reserved, retired or
   * of another generation. */
  lookup(handle: u32): KernelObject | null {
    const slot = this.liveSlot(handle);
    return slot < 0 ? null : unchecked(this.objects[slot]);
  }

  /** None when `handle` names a live capability, else InvalidHandle. */
  lookupError(handle: u32): KernelError {
    return this.liveSlot(handle) < 0 ? KernelError.InvalidHandle : KernelError.None;
  }

  /** None when `handle` names a live capability of `iface`; InvalidHandle when it names none;
   * WrongInterface when the capability is of another interface. */
  lookupInterface(handle: u32, iface: Interface): KernelError {
    const object = this.lookup(handle);
    if (object == null) return KernelError.InvalidHandle;
    return object.iface == iface ? KernelError.None : KernelError.WrongInterface;
  }

  /** The interface of the capability `handle` names; Interface.None when it names none. */
  interfaceOf(handle: u32): Interface {
    const object = this.lookup(handle);
    return object == null ? Interface.None : object.iface;
  }

  /** The handle of the live entry in `slot`; 0 when the slot is not live or out of range. Walk
   * slots 0..limit-1 to list a table's capabilities in slot order. */
  handleAt(slot: i32): u32 {
    if (<u32>slot >= <u32>this.limit || unchecked(this.states[slot]) != SlotState.Live) return 0;
    return this.handleOf(slot);
  }

  /** Puts `object` in the lowest free slot and retains it; returns its handle. 0 with lastError
   * TableFull when no slot is free (the object is then not retained). */
  insert(object: KernelObject): u32 {
    const slot = this.reserve();
    return slot < 0 ? 0 : this.commit(slot, object);
  }

  /** Takes the lowest free slot for a later commit() or cancel(); returns its index. -1 with
   * lastError TableFull when no slot is free. */
  reserve(): i32 {
    for (let slot = this.firstMaybeFree; slot < this.limit; slot++) {
      if (unchecked(this.states[slot]) == SlotState.Free) {
        this.setState(slot, SlotState.Reserved);
        this.reserved++;
        this.firstMaybeFree = slot + 1;
        this.lastError = KernelError.None;
        return slot;
      }
    }
    this.firstMaybeFree = this.limit;
    this.lastError = KernelError.TableFull;
    return -1;
  }

  /** Fills the reserved `slot` with `object`, retains it and returns its handle. Cannot fail:
   * a slot that reserve() did not hand out (or already committed or cancelled) is a kernel bug
   * (aborts). */
  commit(slot: i32, object: KernelObject): u32 {
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
  detach(handle: u32): i32 {
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
  detachable(handle: u32): bool {
    const slot = this.liveSlot(handle);
    return slot >= 0 && unchecked(this.generations[slot]) != GENERATION_LAST;
  }

  /** commit() without taking a new reference: the caller hands over one it holds (a detached
   * capability going back to its slot). */
  commitHeld(slot: i32, object: KernelObject): u32 {
    const handle = this.commit(slot, object);
    object.release();
    return handle;
  }

  /** Empties the slot `handle` names, bumps (or retires) its generation, then releases the
   * object, which is destroyed with its last reference. None, or InvalidHandle when `handle`
   * names no live capability (0, garbage, stale, out of range, reserved). */
  release(handle: u32): KernelError {
    const slot = this.liveSlot(handle);
    if (slot < 0) return KernelError.InvalidHandle;
    this.releaseSlot(slot);
    return KernelError.None;
  }

  /** Releases every live entry, in slot order (process exit). Reserved slots stay reserved: the
   * kernel path holding them still commits or cancels them. */
  releaseAll(): void {
    for (let slot = 0; slot < this.limit; slot++) {
      if (unchecked(this.states[slot]) == SlotState.Live) this.releaseSlot(slot);
    }
  }

  /** The slot `handle` names when it is live and of the current generation, else -1. */
  private liveSlot(handle: u32): i32 {
    const slot = handle & SLOT_MASK;
    if (slot >= <u32>this.limit || unchecked(this.states[slot]) != SlotState.Live) return -1;
    return unchecked(this.generations[slot]) == handle >> SLOT_BITS ? <i32>slot : -1;
  }

  @inline private handleOf(slot: i32): u32 {
    return (unchecked(this.generations[slot]) << SLOT_BITS) | <u32>slot;
  }

  /** `slot` turns free: reserve() may take it again (lowest first). */
  @inline private freed(slot: i32): void {
    this.setState(slot, SlotState.Free);
    if (slot < this.firstMaybeFree) this.firstMaybeFree = slot;
  }

  @inline private setState(slot: i32, value: SlotState): void {
    unchecked(this.states[slot] = <u8>value);
  }

  private requireReserved(slot: i32, message: string): void {
    if (<u32>slot >= <u32>this.limit || unchecked(this.states[slot]) != SlotState.Reserved) abort(message);
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
