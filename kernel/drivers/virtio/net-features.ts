// The virtio-net feature bits the driver (net.ts) looks at (virtio 1.2 §5.1.3; EVENT_IDX and
// VERSION_1 are device-independent, §6), which it accepts under which settings (net-options.ts),
// and their names for the log. tests/host/virtqueue.test.ts pins the values.

import { NetOptions } from "./net-options";

/** VIRTIO_NET_F_CSUM (§5.1.3): the device completes partial checksums on transmit. Not accepted:
 * see `netFeaturesWanted`. */
export const F_CSUM: u64 = <u64>1 << 0;
/** VIRTIO_NET_F_GUEST_CSUM (§5.1.3): the driver takes received packets with partial checksums
 * (NEEDS_CSUM) and the device's word that it validated one (DATA_VALID), §5.1.6.4. */
export const F_GUEST_CSUM: u64 = <u64>1 << 1;
/** VIRTIO_NET_F_MAC (§5.1.3): the device configuration holds the MAC. */
export const F_MAC: u64 = <u64>1 << 5;
/** VIRTIO_NET_F_MRG_RXBUF (§5.1.3): a received packet may span several buffers (§5.1.6.4). */
export const F_MRG_RXBUF: u64 = <u64>1 << 15;
/** VIRTIO_NET_F_STATUS (§5.1.3): the device configuration holds the link status. */
export const F_STATUS: u64 = <u64>1 << 16;
/** VIRTIO_F_EVENT_IDX (§6): used_event and avail_event (§2.7.7, §2.7.10). */
export const F_EVENT_IDX: u64 = <u64>1 << 29;
/** VIRTIO_F_VERSION_1 (§6): a modern device; the header is 12 bytes (§5.1.6). */
export const F_VERSION_1: u64 = <u64>1 << 32;

/** The features the driver accepts when offered. CSUM is never among them: the stack computes
 * its transmit checksums itself (UDP and ICMP over at most 1500 bytes: a few hundred
 * instructions a datagram, below what a round trip's spread lets one measure, and handing a
 * partial checksum down would need a path through the phy devices, docs/ARCHITECTURE.md). */
export function netFeaturesWanted(options: NetOptions): u64 {
  let wanted = F_VERSION_1 | F_MAC | F_STATUS;
  if (options.checksumOffloads) wanted |= F_GUEST_CSUM;
  if (options.mergeableBuffers) wanted |= F_MRG_RXBUF;
  if (options.eventIndex) wanted |= F_EVENT_IDX;
  return wanted;
}

/** " CSUM GUEST_CSUM MRG_RXBUF EVENT_IDX": the names of the optional features among `features`
 * (each after a space; "" for none). */
export function netFeatureNames(features: u64): string {
  return ((features & F_CSUM) != 0 ? " CSUM" : "") + ((features & F_GUEST_CSUM) != 0 ? " GUEST_CSUM" : "")
    + ((features & F_MRG_RXBUF) != 0 ? " MRG_RXBUF" : "") + ((features & F_EVENT_IDX) != 0 ? " EVENT_IDX" : "");
}
