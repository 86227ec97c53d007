// Host-test entry for the TCP core's pieces (kernel/net/socket/tcp/) taken one at a time:
// SipHash-2-4, ISNs, SYN cookies, sequence comparisons, the RTT estimator, NewReno and CUBIC,
// the byte ring, the assembler and the SACK scoreboard. tests/host/tcp-units.test.ts calls them.

import { sipHash24 } from "../../../kernel/random/siphash";
import { TcpSecrets } from "../../../kernel/net/socket/tcp/isn";
import { cookieCheck, cookieMake } from "../../../kernel/net/socket/tcp/cookie";
import { seqGe, seqGt, seqInRange, seqLe, seqLt } from "../../../kernel/net/socket/tcp/seq";
import { RttEstimator } from "../../../kernel/net/socket/tcp/rtt";
import { CongestionControl, NewReno } from "../../../kernel/net/socket/tcp/congestion";
import { Cubic, cubeRoot } from "../../../kernel/net/socket/tcp/cubic";
import { ByteRing } from "../../../kernel/net/socket/tcp/ring";
import { Assembler } from "../../../kernel/net/socket/tcp/assembler";
import { Holes, Scoreboard } from "../../../kernel/net/socket/tcp/scoreboard";

const BUFFER = memory.data(65536, 16);

class World {
  secrets: TcpSecrets = new TcpSecrets(0x0706050403020100, 0x0f0e0d0c0b0a0908);
  rtt: RttEstimator = new RttEstimator(200_000_000, 60_000_000_000);
  congestion: CongestionControl = new NewReno(1000);
  ring: ByteRing = new ByteRing(16);
  assembler: Assembler = new Assembler();
  scoreboard: Scoreboard = new Scoreboard();
}
let world = new World();

export function bufferAddress(): usize { return BUFFER; }
export function reset(): void { world = new World(); }

export function sipHash(k0: u64, k1: u64, length: u32): u64 { return sipHash24(k0, k1, BUFFER, length); }
export function isn(localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32, now: u64): u32 {
  return world.secrets.initialSequence(localAddress, localPort, remoteAddress, remotePort, now);
}
export function cookie(peerIsn: u32, mss: u32, now: u64): u32 { return cookieMake(world.secrets, 1, 80, 2, 40000, peerIsn, mss, now); }
export function checkCookie(remotePort: u32, peerIsn: u32, value: u32, now: u64): u32 { return cookieCheck(world.secrets, 1, 80, 2, remotePort, peerIsn, value, now); }

/** Sequence comparisons as bits: lt, le, gt, ge, then whether a lies in [b, c). */
export function compare(a: u32, b: u32, c: u32): u32 {
  return (seqLt(a, b) ? 1 : 0) | (seqLe(a, b) ? 2 : 0) | (seqGt(a, b) ? 4 : 0) | (seqGe(a, b) ? 8 : 0) | (seqInRange(a, b, c) ? 16 : 0);
}

export function rttSample(rtt: u64): void { world.rtt.sample(rtt); }
export function rttBackOff(): void { world.rtt.backOff(); }
export function rto(): u64 { return world.rtt.rto; }
export function srtt(): u64 { return world.rtt.srtt; }
export function rttvar(): u64 { return world.rtt.rttvar; }

export function congestionNew(cubic: bool, mss: u32): void {
  world.congestion = cubic ? changetype<CongestionControl>(new Cubic(mss)) : changetype<CongestionControl>(new NewReno(mss));
}
export function congestionAck(acked: u32, now: u64, srtt: u64): void { world.congestion.onAck(acked, now, srtt); }
export function congestionLoss(flight: u32, now: u64): void {
  world.congestion.onLoss(flight, now);
  world.congestion.cwnd = world.congestion.ssthresh;
}
export function congestionTimeout(flight: u32, now: u64): void { world.congestion.onTimeout(flight, now); }
export function cwnd(): u32 { return world.congestion.cwnd; }
export function ssthresh(): u32 { return world.congestion.ssthresh; }
export function setCwnd(value: u32): void { world.congestion.cwnd = value; }
export function cubeRootOf(value: u64): u64 { return cubeRoot(value); }

export function ringNew(capacity: u32): void { world.ring = new ByteRing(capacity); }
export function ringWrite(length: u32): u32 { return world.ring.write(BUFFER, length); }
export function ringWriteAt(offset: u32, length: u32): void { world.ring.writeAt(offset, BUFFER, length); }
export function ringCommit(count: u32): void { world.ring.commit(count); }
export function ringRead(length: u32): u32 { return world.ring.read(BUFFER, length); }
export function ringPeekAt(offset: u32, length: u32): void { world.ring.peekAt(offset, BUFFER, length); }
export function ringRelease(): void { world.ring.release(); }
export function ringAllocate(capacity: u32): void { world.ring.allocate(capacity); }
export function ringCapacity(): u32 { return world.ring.capacity; }
export function ringLength(): u32 { return world.ring.length; }
export function ringFree(): u32 { return world.ring.free; }
export function ringWriteSpan(): u32 { return world.ring.writeSpanLength; }
export function ringWriteSpanAddress(): usize { return world.ring.writeSpanAddress; }
export function ringReadSpan(): u32 { return world.ring.readSpanLength; }

export function assemblerAdd(start: u32, end: u32): bool { return world.assembler.add(start, end); }
export function assemblerTake(): u32 { return world.assembler.take(); }
export function assemblerCount(): i32 { return world.assembler.count; }
export function assemblerRange(i: i32, end: bool): u32 { return end ? world.assembler.ends[i] : world.assembler.starts[i]; }
export function assemblerRecent(): i32 { return world.assembler.recent; }

export function boardAdd(start: u32, end: u32, una: u32, highest: u32): bool { return world.scoreboard.add(start, end, una, highest); }
export function boardAdvance(una: u32): void { world.scoreboard.advance(una); }
export function boardCount(): i32 { return world.scoreboard.count; }
export function boardRange(i: i32, end: bool): u32 { return end ? world.scoreboard.ends[i] : world.scoreboard.starts[i]; }
export function boardIsLost(seq: u32, mss: u32): bool { return world.scoreboard.isLost(seq, mss); }
export function boardPipe(una: u32, highest: u32, highRxt: u32, mss: u32): u32 { return world.scoreboard.pipe(una, highest, highRxt, mss); }
export function boardNextHole(una: u32, from: u32, mss: u32, lostOnly: bool): u32 { return world.scoreboard.nextHole(una, from, mss, lostOnly ? Holes.Lost : Holes.Any); }
export function boardHoleEnd(): u32 { return world.scoreboard.holeEnd; }
export function boardSackedEnd(seq: u32): u32 { return world.scoreboard.sackedEnd(seq); }
