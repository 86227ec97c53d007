// The header before every virtio-net packet (virtio 1.2 §5.1.6), 12 bytes with VERSION_1 (no
// HASH_REPORT), and what the receive path does with it: the checksum a device leaves partial
// under NEEDS_CSUM completed in place (§5.1.6.4). Used by net.ts; host-tested through
// tests/host/virtqueue.test.ts. The checksum is summed here rather than through
// net/wire/checksum.ts because drivers sit below the network stack (docs/ARCHITECTURE.md, "Layers").
//
//   0 flags (u8) | 1 gso_type (u8) | 2 hdr_len | 4 gso_size | 6 csum_start | 8 csum_offset | 10 num_buffers
//   (each after the first two a little-endian u16)

/** Bytes of the header (§5.1.6: up to num_buffers, which VERSION_1 always has). */
export const NET_HEADER: u32 = 12;
const FLAGS: usize = 0;
const CSUM_START: usize = 6;
const CSUM_OFFSET: usize = 8;
const NUM_BUFFERS: usize = 10;

/** VIRTIO_NET_HDR_F_NEEDS_CSUM (§5.1.6): the checksum at csum_start + csum_offset is partial. */
export const VIRTIO_NET_HDR_F_NEEDS_CSUM: u32 = 1;
/** VIRTIO_NET_HDR_F_DATA_VALID (§5.1.6.4): the device validated the packet's checksum. */
export const VIRTIO_NET_HDR_F_DATA_VALID: u32 = 2;
/** VIRTIO_NET_HDR_F_RSC_INFO (§5.1.6.4): csum_start and csum_offset carry counts, not offsets. */
export const VIRTIO_NET_HDR_F_RSC_INFO: u32 = 4;
/** VIRTIO_NET_HDR_GSO_NONE (§5.1.6). */
export const VIRTIO_NET_HDR_GSO_NONE: u32 = 0;

@inline export function netHeaderFlags(header: usize): u32 { return load<u8>(header + FLAGS); }
@inline export function netHeaderNumBuffers(header: usize): u32 { return load<u16>(header + NUM_BUFFERS); }

/** A transmit header: no flags, GSO_NONE, num_buffers 0 (§5.1.6.2.1). */
@inline export function netHeaderClear(header: usize): void {
  store<u64>(header, 0);
  store<u32>(header + 8, 0);
}

/** What completing a partial checksum found. */
export enum ChecksumCompletion {
  /** The header asked for nothing (no NEEDS_CSUM, or RSC_INFO, whose fields are counts). */
  NotNeeded = 0,
  Completed = 1,
  /** csum_start and csum_offset do not leave room for the 2-byte field inside the packet. */
  OutOfRange = 2,
  /** Partial, and left so (netHeaderCompleteChecksum's `fill` false): the packet's checksums count
   * as validated (§5.1.6.4.1), but its field still holds only the pseudo-header's sum. */
  Partial = 3,
}

/** Completes in place (unless `fill` is false: only the offsets are checked) the checksum of the
 * `length`-byte packet at `packet` (the Ethernet frame after the header at `header`) when the
 * device left it partial (§5.1.6.4: the field holds the
 * pseudo-header's sum; the ones' complement sum from csum_start to the end of the packet goes at
 * csum_start + csum_offset). A result of 0 is stored as 0xFFFF, the same value in ones'
 * complement and the form UDP requires (RFC 768). */
export function netHeaderCompleteChecksum(header: usize, packet: usize, length: u32, fill: bool = true): ChecksumCompletion {
  const flags = netHeaderFlags(header);
  if ((flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) == 0 || (flags & VIRTIO_NET_HDR_F_RSC_INFO) != 0) return ChecksumCompletion.NotNeeded;
  const start = <u32>load<u16>(header + CSUM_START), offset = <u32>load<u16>(header + CSUM_OFFSET);
  if (start + offset + 2 > length) return ChecksumCompletion.OutOfRange;
  if (!fill) return ChecksumCompletion.Partial;
  const sum = onesComplementSum(packet + <usize>start, length - start);
  const checksum = ~sum & 0xffff;
  const field = packet + <usize>(start + offset);
  const value = checksum == 0 ? 0xffff : checksum;
  store<u8>(field, <u8>(value >> 8));
  store<u8>(field + 1, <u8>value);
  return ChecksumCompletion.Completed;
}

/** The ones' complement sum (RFC 1071) of `length` bytes at `address` as big-endian 16-bit
 * words, folded to 16 bits. Summed as little-endian 32-bit words, then swapped: the sum's byte
 * order follows the words' (RFC 1071 §2(B)). */
export function onesComplementSum(address: usize, length: u32): u32 {
  let total: u64 = 0;
  let i: u32 = 0;
  for (; i + 4 <= length; i += 4) total += <u64>load<u32>(address + <usize>i);
  if (i + 2 <= length) {
    total += <u64>load<u16>(address + <usize>i);
    i += 2;
  }
  if (i < length) total += <u64>load<u8>(address + <usize>i);   // the odd byte, the high half of a big-endian word
  while (total > 0xffff) total = (total & 0xffff) + (total >> 16);
  const little = <u32>total;
  return ((little & 0xff) << 8) | (little >> 8);
}
