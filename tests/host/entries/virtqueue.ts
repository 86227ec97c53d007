// Host-test entry for the virtio pieces that need no device (kernel/drivers/virtio/): the split
// virtqueue over plain memory here, which tests/host/virtqueue.test.ts reads and writes as the
// device would (descriptors, the driver ring, used entries, avail_event) and whose notifications
// it sees through the mmioWrite16 import it provides; the net header's checksum completion; the
// `virtio-net=` settings; and the spec constants, pinned.

import {
  Interrupts, needEvent, QUEUE_SIZE_MAXIMUM, Virtqueue, VIRTQ_AVAIL_F_NO_INTERRUPT, VIRTQ_DESC_F_WRITE, VIRTQ_USED_F_NO_NOTIFY,
} from "../../../kernel/drivers/virtio/virtqueue";
import {
  NET_HEADER, netHeaderCompleteChecksum, onesComplementSum, VIRTIO_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_F_RSC_INFO,
} from "../../../kernel/drivers/virtio/net-header";
import { F_CSUM, F_EVENT_IDX, F_GUEST_CSUM, F_MAC, F_MRG_RXBUF, F_STATUS, F_VERSION_1, netFeaturesWanted } from "../../../kernel/drivers/virtio/net-features";
import { NetOptions } from "../../../kernel/drivers/virtio/net-options";

const DESCRIPTORS = memory.data(<i32>QUEUE_SIZE_MAXIMUM * 16, 16);
const DRIVER_RING = memory.data(4096, 16);
const DEVICE_RING = memory.data(4096, 16);
const PACKET = memory.data(16384, 16);
/** The notify address the queue writes its index to (the test's mmioWrite16 sees it). */
const NOTIFY_AT: u64 = 0x1000;

class World {
  queue: Virtqueue | null = null;
  options: NetOptions = new NetOptions();
}
const world = new World();

/** A queue of `size` over zeroed memory, configured as the driver would. */
export function create(size: u32, eventIndex: bool, suppressed: bool): void {
  memory.fill(DESCRIPTORS, 0, <usize>QUEUE_SIZE_MAXIMUM * 16);
  memory.fill(DRIVER_RING, 0, 4096);
  memory.fill(DEVICE_RING, 0, 4096);
  const queue = new Virtqueue(0, size, DESCRIPTORS, DRIVER_RING, DEVICE_RING);
  queue.configure(eventIndex, suppressed ? Interrupts.Suppressed : Interrupts.Wanted);
  queue.notifyAt = NOTIFY_AT;
  world.queue = queue;
}
export function descriptorsAddress(): usize { return DESCRIPTORS; }
export function driverRingAddress(): usize { return DRIVER_RING; }
export function deviceRingAddress(): usize { return DEVICE_RING; }
export function add(address: u64, length: u32, writable: bool, cookie: u64): bool { return world.queue!.add(address, length, writable, cookie); }
export function kick(): void { world.queue!.kick(); }
export function next(): i64 { return world.queue!.next(); }
export function usedLength(): u32 { return world.queue!.usedLength; }
export function waiting(): u32 { return world.queue!.waiting(); }
export function arm(): bool { return world.queue!.arm(); }
export function problem(): i32 { return <i32>world.queue!.problem; }
export function free(): i32 { return world.queue!.free; }
export function reset(): void { world.queue!.reset(); }
export function forgetNextInFlight(): bool { return world.queue!.forgetNextInFlight(); }
export function notifications(): u64 { return world.queue!.notifications; }
export function notifyAgain(): void { world.queue!.notifyAgain(); }
export function notificationsRepeated(): u64 { return world.queue!.notificationsRepeated; }
export function outstanding(): u32 { return world.queue!.outstanding; }
export function usedCount(): u32 { return world.queue!.usedCount; }
export function notificationsSuppressed(): u64 { return world.queue!.notificationsSuppressed; }
export function needEventOf(event: u32, now: u32, old: u32): bool { return needEvent(<u16>event, <u16>now, <u16>old); }

export function packetAddress(): usize { return PACKET; }
export function completeChecksum(header: usize, packet: usize, length: u32): i32 { return <i32>netHeaderCompleteChecksum(header, packet, length); }
/** The same, left partial (no capture): only the offsets are checked. */
export function checkPartialChecksum(header: usize, packet: usize, length: u32): i32 { return <i32>netHeaderCompleteChecksum(header, packet, length, false); }
export function sum(address: usize, length: u32): u32 { return onesComplementSum(address, length); }

/** Parses `virtio-net=` text; its problem ("" when accepted). */
export function optionsParse(text: string): string {
  world.options = NetOptions.parse(text);
  return world.options.problem;
}
/** The parsed settings: offloads, event index, mergeable, fault kind, after, times, receive
 * buffers, receive budget. */
export function option(index: i32): i64 {
  const options = world.options;
  switch (index) {
    case 0: return options.checksumOffloads ? 1 : 0;
    case 1: return options.eventIndex ? 1 : 0;
    case 2: return options.mergeableBuffers ? 1 : 0;
    case 3: return <i64>options.fault;
    case 4: return <i64>options.faultAfter;
    case 5: return <i64>options.faults;
    case 6: return <i64>options.receiveBuffers;
    case 7: return <i64>options.receiveBudget;
    default: return -1;
  }
}
export function wantedFeatures(): u64 { return netFeaturesWanted(world.options); }

/** The constants the specification fixes, in the order the test lists them. */
export function constant(index: i32): u64 {
  switch (index) {
    case 0: return <u64>VIRTQ_DESC_F_WRITE;
    case 1: return <u64>VIRTQ_AVAIL_F_NO_INTERRUPT;
    case 2: return <u64>VIRTQ_USED_F_NO_NOTIFY;
    case 3: return F_CSUM;
    case 4: return F_GUEST_CSUM;
    case 5: return F_MAC;
    case 6: return F_MRG_RXBUF;
    case 7: return F_STATUS;
    case 8: return F_EVENT_IDX;
    case 9: return F_VERSION_1;
    case 10: return <u64>NET_HEADER;
    case 11: return <u64>VIRTIO_NET_HDR_F_NEEDS_CSUM;
    case 12: return <u64>VIRTIO_NET_HDR_F_DATA_VALID;
    case 13: return <u64>VIRTIO_NET_HDR_F_RSC_INFO;
    default: return 0xffff_ffff_ffff_ffff;
  }
}
