// The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of
// the data as big-endian 16-bit words, an odd last byte padded with zero. Used by IPv4 headers,
// ICMP and UDP (with its pseudo-header).

/** The ones' complement sum of [address, address + length), folded to 16 bits, added to `sum`
 * (not complemented: a caller combines ranges, then complements). The sum does not depend on
 * byte order or word size (RFC 1071 §2): the data are summed as little-endian 32-bit halves of
 * 64-bit loads into a 64-bit total, folded, and the 16-bit result swapped to big-endian, eight
 * bytes a step where a byte at a time took sixteen loads. */
export function checksumAdd(sum: u32, address: usize, length: u32): u32 {
  let total: u64 = 0;
  let i: u32 = 0;
  for (; i + 8 <= length; i += 8) {
    const eight = load<u64>(address + <usize>i);
    total += (eight & 0xffff_ffff) + (eight >> 32);
  }
  for (; i + 2 <= length; i += 2) total += <u64>load<u16>(address + <usize>i);
  if (i < length) total += <u64>load<u8>(address + <usize>i);   // the odd last byte: a word's first byte, padded
  while (total > 0xffff) total = (total & 0xffff) + (total >> 16);
  total = ((total & 0xff) << 8) | (total >> 8);
  total += <u64>sum;
  while (total > 0xffff) total = (total & 0xffff) + (total >> 16);
  return <u32>total;
}

/** The checksum to store: the complement of the folded sum. A range that holds its own correct
 * checksum sums to 0xffff, so its checksum comes out 0. */
export function checksumFinish(sum: u32): u32 {
  return ~sum & 0xffff;
}

/** Computes the checksum of [start, start + length) with its field at `field` (inside the range)
 * taken as zero, and stores it there, big-endian. */
export function checksumStore(field: usize, start: usize, length: u32): void {
  store<u8>(field, 0);
  store<u8>(field + 1, 0);
  const sum = checksumFinish(checksumAdd(0, start, length));
  store<u8>(field, <u8>(sum >> 8));
  store<u8>(field + 1, <u8>sum);
}
