// SYN cookies for the TCP core's listeners (net/socket/tcp/), RFC 4987 §3.6: when a listener's
// half-open queue is full, its SYN-ACK carries the state in its ISN and nothing is kept; the
// ACK that completes the handshake brings it back (ACK - 1), and a valid one opens the
// connection. Only the MSS survives (Linux's four values, 2 bits): no window scaling, SACK or
// timestamps, so a SYN-ACK with a cookie offers none of them.
//
//   31    27 26  25 24                                        0
//   +-------+------+-------------------------------------------+
//   | time  | MSS  | SipHash(secret, 4-tuple, peer ISN, time)  |
//   +-------+------+-------------------------------------------+
//   time: the 64-second period (low 5 bits); valid for the current period and the one before.

import { HashPurpose, TcpSecrets } from "./isn";

/** A cookie is good for the 64-second period it was made in and the next. */
const PERIOD: u64 = 64_000_000_000;
const HASH_MASK: u32 = 0x01ff_ffff;

/** Linux's table (net/ipv4/syncookies.c msstab): the largest entry not above the peer's MSS. */
function mssFor(index: u32): u32 {
  return index == 0 ? 536 : index == 1 ? 1300 : index == 2 ? 1440 : 1460;
}

/** The cookie (the ISN of the SYN-ACK) for a SYN with sequence `peerIsn` announcing `mss`. */
export function cookieMake(secrets: TcpSecrets, localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32, peerIsn: u32, mss: u32, now: u64): u32 {
  let index: u32 = 3;
  while (index > 0 && mssFor(index) > mss) index--;
  const period = <u32>(now / PERIOD);
  const hash = <u32>secrets.hash(HashPurpose.Cookie, localAddress, localPort, remoteAddress, remotePort, peerIsn, period) & HASH_MASK;
  return ((period & 31) << 27) | (index << 25) | hash;
}

/** The MSS a cookie carries when it is valid now for this 4-tuple and peer ISN, else 0. */
export function cookieCheck(secrets: TcpSecrets, localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32, peerIsn: u32, cookie: u32, now: u64): u32 {
  const current = <u32>(now / PERIOD);
  for (let age: u32 = 0; age < 2; age++) {
    const period = current - age;
    if ((period & 31) != cookie >> 27) continue;
    const hash = <u32>secrets.hash(HashPurpose.Cookie, localAddress, localPort, remoteAddress, remotePort, peerIsn, period) & HASH_MASK;
    if (hash == (cookie & HASH_MASK)) return mssFor((cookie >> 25) & 3);
  }
  return 0;
}
