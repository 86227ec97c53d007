// The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of
// the data as big-endian 16-bit words, an odd last byte padded with zero. Used by IPv4 headers,
// ICMP and UDP (with its pseudo-header).

/** The ones' complement sum of [address, address + length), folded to 16 bits, added to `sum`
 * (not complemented: a caller combines ranges, then complements). */
export function checksumAdd(sum: u32, address: usize, length: u32): u32 {
  let total: u64 = <u64>sum;
  let i: u32 = 0;
  for (; i + 1 < length; i += 2) total += (<u64>load<u8>(address + <usize>i) << 8) | <u64>load<u8>(address + <usize>i + 1);
  if (i < length) total += <u64>load<u8>(address + <usize>i) << 8;
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
