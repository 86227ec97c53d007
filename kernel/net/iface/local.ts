// Local delivery (kernel/net/iface/): datagrams this host sends to itself, to its own address or
// into 127.0.0.0/8, never reach the device (RFC 1122 3.2.1.3: loopback addresses never appear on
// a wire). The link (link.ts) hands such a frame here; it is copied into a small fixed queue and
// the interface receives it as it would a frame from the wire, before the send returns. Receiving
// may send again (a port unreachable, an echo reply): that frame joins the queue and the same
// drain takes it, so nothing recurses, and the queue bounds what waits: LOCAL_SLOTS frames of at
// most LOCAL_FRAME_MAXIMUM bytes, memory that belongs to no process.

import { UDP_PAYLOAD_MAXIMUM } from "../../../abi/methods";

/** Frames waiting at once; a send to a full queue is refused (the caller sees QueueFull). */
export const LOCAL_SLOTS: u32 = 4;
/** The longest local frame: Ethernet, IPv4 and UDP headers around the largest datagram a socket
 * sends. */
export const LOCAL_FRAME_MAXIMUM: u32 = 14 + 20 + 8 + <u32>UDP_PAYLOAD_MAXIMUM;
/** Deliveries one drain makes at most: a frame's delivery queues at most one reply, and replies
 * are never answered, so a drain ends long before; the bound is the proof. */
const DRAIN_MAXIMUM: u32 = 64;

/** Where local frames are received: the interface (lent for the call, as from a device). */
export type LocalReceiver = (frame: usize, length: u32) => void;

class LocalState {
  readonly frames: usize = memory.data(<i32>(LOCAL_SLOTS * LOCAL_FRAME_MAXIMUM), 16);
  readonly lengths: StaticArray<u32> = new StaticArray<u32>(<i32>LOCAL_SLOTS);
  /** The oldest queued frame's slot, and how many are queued (the one being delivered too). */
  head: u32 = 0;
  count: u32 = 0;
  draining: bool = false;
  receiver: LocalReceiver | null = null;
  delivered: u64 = 0;
  refused: u64 = 0;
}
const state = new LocalState();

/** Local frames go to `receiver` (the interface, when it comes up). */
export function localAttach(receiver: LocalReceiver): void {
  state.receiver = receiver;
}

/** Whether an interface takes local frames (none comes up without a network device). */
export function localReady(): bool {
  return state.receiver !== null;
}

/** Queues the `length`-byte frame at `frame` for this host and delivers what is queued unless a
 * delivery is already under way (then that drain takes it). False when it was refused: too long,
 * the queue full, or no interface yet. */
export function localSend(frame: usize, length: u32): bool {
  if (length > LOCAL_FRAME_MAXIMUM || state.count == LOCAL_SLOTS || state.receiver === null) {
    state.refused++;
    return false;
  }
  const slot = (state.head + state.count) % LOCAL_SLOTS;
  memory.copy(state.frames + <usize>(slot * LOCAL_FRAME_MAXIMUM), frame, <usize>length);
  unchecked(state.lengths[<i32>slot] = length);
  state.count++;
  if (!state.draining) drain();
  return true;
}

function drain(): void {
  state.draining = true;
  const receiver = state.receiver!;
  for (let taken: u32 = 0; state.count > 0; taken++) {
    const slot = state.head;
    // The slot stays counted while it is delivered, so a frame queued meanwhile goes elsewhere.
    if (taken < DRAIN_MAXIMUM) {
      receiver(state.frames + <usize>(slot * LOCAL_FRAME_MAXIMUM), unchecked(state.lengths[<i32>slot]));
      state.delivered++;
    } else state.refused++;
    state.head = (slot + 1) % LOCAL_SLOTS;
    state.count--;
  }
  state.draining = false;
}

/** Local frames delivered, and refused, since boot. */
export function localDelivered(): u64 { return state.delivered; }
export function localRefused(): u64 { return state.refused; }
