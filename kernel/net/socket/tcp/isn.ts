// Initial sequence numbers and timestamp offsets for the TCP core (net/socket/tcp/), RFC 6528
// §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a timer ticking every
// 4 microseconds and F SipHash-2-4 (siphash.ts) under a 128-bit secret the kernel draws from its
// CSPRNG at boot and hands to the stack. Each connection's timestamp clock gets an offset from
// the same function (RFC 7323 §5.4 and §7.1), so timestamps tell nothing across connections.
// SYN cookies (cookie.ts) hash with the same secret.

import { sipHash24 } from "../../../random/siphash";

/** RFC 6528 §3: M ticks every 4 microseconds. */
const ISN_TICK: u64 = 4000;

/** What a hash is for: the same 4-tuple gives unrelated values for each. */
export enum HashPurpose {
  InitialSequence = 1,
  TimestampOffset = 2,
  Cookie = 3,
}

/** The stack's secret and a scratch area for the hashed message. */
export class TcpSecrets {
  private readonly message: StaticArray<u8> = new StaticArray<u8>(24);

  /** `key0` and `key1`: the 128-bit secret (RFC 6528 §3: from a CSPRNG, at boot). */
  constructor(private readonly key0: u64, private readonly key1: u64) {}

  /** F of the 4-tuple for `purpose`, with two more words (0 when unused). */
  hash(purpose: HashPurpose, localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32, extra0: u32, extra1: u32): u64 {
    const at = changetype<usize>(this.message);
    store<u32>(at, localAddress);
    store<u32>(at + 4, remoteAddress);
    store<u32>(at + 8, (localPort << 16) | (remotePort & 0xffff));
    store<u32>(at + 12, <u32>purpose);
    store<u32>(at + 16, extra0);
    store<u32>(at + 20, extra1);
    return sipHash24(this.key0, this.key1, at, 24);
  }

  /** RFC 6528 §3: the ISN for a connection opened at `now` (ns). */
  initialSequence(localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32, now: u64): u32 {
    return <u32>(now / ISN_TICK) + <u32>this.hash(HashPurpose.InitialSequence, localAddress, localPort, remoteAddress, remotePort, 0, 0);
  }

  /** RFC 7323 §5.4: a random offset for the connection's timestamp clock. */
  timestampOffset(localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32): u32 {
    return <u32>this.hash(HashPurpose.TimestampOffset, localAddress, localPort, remoteAddress, remotePort, 0, 0);
  }
}
