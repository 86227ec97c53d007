// Receive-buffer autotuning (net/socket/tcp/): a connection's receive buffer grows, up to its
// receiveLimit, while its user reads faster than the window lets the peer send, as Linux's
// dynamic right-sizing does (tcp_rcv_rtt_measure, tcp_rcv_space_adjust). A fixed buffer caps a
// connection at buffer / RTT: 128 KiB over a 1 ms path is 128 MB/s, whatever the link. The
// receiver measures the round trip itself, one window at a time (the time RCV.NXT takes to pass
// the right edge announced when the measure began, its minimum kept: a sender limited by its
// own window takes longer, never shorter), and counts the bytes its user takes in each round
// trip. When that count grows, the buffer becomes twice it plus the growth, rounded up to a
// power of two of the starting size: the window then stays ahead of what the user takes, so the
// sender is never held back by it. The owner pays for the larger buffer first
// (TcpHost.receiveGrow: the socket's Memory quota); when it cannot, the buffer stays. A buffer
// never shrinks while the connection lives. The window scale a connection offers in its SYN is
// chosen for its limit (output.ts, scaleFor), since it cannot change later.

import { TcpConnection } from "./connection";
import { TcpCounter } from "./context";
import { seqLt } from "./seq";

/** RCV.NXT moved on (in-order bytes arrived): ends a round-trip measure when it passed the edge
 * the measure began with, and begins the next. */
export function receiveRttMeasure(c: TcpConnection): void {
  if (c.receiveLimit <= c.receiveCapacity) return;
  if (c.rcvRttStart != 0 && seqLt(c.rcvNxt, c.rcvRttSequence)) return;
  const now = c.context.host.now();
  if (c.rcvRttStart != 0) {
    const sample = max(now - c.rcvRttStart, 1000);   // at least 1 µs
    if (c.rcvRtt == 0 || sample < c.rcvRtt) c.rcvRtt = sample;
  }
  c.rcvRttSequence = c.rcvNxt + max(c.receiveWindow, c.rcvMss);
  c.rcvRttStart = now;
}

/** The user took `copied` bytes from the receive buffer: once a measured round trip has passed
 * since the last look, compares what the user took in it with the round trip before and grows the
 * buffer when that rose (as Linux's tcp_rcv_space_adjust: twice the bytes, plus twice their
 * growth scaled by the window, so a sender in slow start is not held back). */
export function receiveSpaceAdjust(c: TcpConnection, copied: u32): void {
  if (c.receiveLimit <= c.receiveCapacity || c.receive.capacity == 0) return;
  c.rcvSpaceCopied += copied;
  const now = c.context.host.now();
  if (c.rcvSpaceStart == 0) {
    c.rcvSpaceStart = now;
    c.rcvSpace = min(c.receiveCapacity, 10 * c.rcvMss);   // Linux's first measure: the initial window
    return;
  }
  if (c.rcvRtt == 0 || now - c.rcvSpaceStart < c.rcvRtt) return;
  const taken = <u64>c.rcvSpaceCopied, space = <u64>c.rcvSpace;
  c.rcvSpaceCopied = 0;
  c.rcvSpaceStart = now;
  if (taken <= space) return;
  c.rcvSpace = <u32>min(taken, <u64>u32.MAX_VALUE);
  let window = 2 * taken + 16 * <u64>c.rcvMss;
  window += 2 * (window * (taken - space) / max(space, 1));
  // No larger than the window field can announce (64 KiB when the peer took no window scale).
  const limit = min(<u64>c.receiveLimit, <u64>0xffff << c.rcvScale);
  let capacity = <u64>c.receiveCapacity;
  while (capacity < window && capacity < limit) capacity = min(capacity * 2, limit);
  if (capacity <= <u64>c.receiveCapacity) return;
  if (!c.context.host.receiveGrow(c, capacity - <u64>c.receiveCapacity)) return;
  c.receive.grow(<u32>capacity);
  c.receiveCapacity = <u32>capacity;
  c.context.count(TcpCounter.ReceiveBufferGrown);
}
