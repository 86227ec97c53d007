// ICMP sockets (docs/linux.md, "Sockets"): socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), what busybox
// ping opens, and socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), Linux's ping socket (iputils ping
// tries it first), both InetSockets (objects/inet-socket.ts) made from the Network grant like any
// other (sys-inet.ts), their queue an InetPort that net/socket/icmp.ts feeds. They send echo
// requests to peers the grant covers (any rule for the address: ICMP has no ports) and receive
// the echo replies: a raw socket each one, IP header first; a ping socket those carrying its
// identifier, which it binds as a UDP socket binds a port (bind's sin_port, or a free one at
// connect or the first send), without the IP header. A raw socket sends echo requests only
// (EPERM for another type, where Linux's root sends any ICMP); a ping socket, as Linux's, EINVAL
// for anything but an echo request. sys-inet.ts parses the addresses and calls here; receiving,
// readiness, options and shutdown are the datagram socket's own (sys-inet.ts).

import { KernelError } from "../../abi/errors";
import { UDP_PAYLOAD_MAXIMUM } from "../../abi/methods";
import { linkRoutes } from "../net/iface/link";
import { ICMP_ECHO_REQUEST, ICMP_HEADER, icmpBindPing, icmpFreeIdentifier, icmpIdentifierTaken, icmpMessageArea, icmpOpenRaw, icmpSend } from "../net/socket/icmp";
import { INET_PORT_BYTES, INET_RAW, InetPort, InetSocketObject } from "../objects/inet-socket";
import { Quota } from "../memory/quota";
import { Thread } from "../sched/thread";
import { Errno } from "./errno";
import { gatherIn } from "./sys-pipe";

/** A raw socket, just made, gets its queue (INET_PORT_BYTES, which the caller checked `account`
 * can pay) and sees echo replies from now on, as Linux's does from its socket(). */
export function icmpRawOpen(socket: InetSocketObject, account: Quota): void {
  const port = new InetPort(socket.policy);
  socket.attachPort(port, account);
  icmpOpenRaw(port);
}

/** bind for an ICMP socket: the local address (any, or one of this host's: `local`); a ping
 * socket's identifier too (0: a free one). EINVAL when a ping socket has one already;
 * EADDRNOTAVAIL; EADDRINUSE for an identifier taken; ENOMEM. */
export function icmpBind(thread: Thread, socket: InetSocketObject, address: u32, identifier: u32, local: bool): i64 {
  if (!local) return -(<i64>Errno.EADDRNOTAVAIL);
  if (socket.kind == INET_RAW) {
    socket.boundAddress = address;
    return 0;
  }
  if (socket.udp !== null && socket.udp!.port != 0) return -(<i64>Errno.EINVAL);
  if (identifier != 0 && icmpIdentifierTaken(identifier)) return -(<i64>Errno.EADDRINUSE);
  const bound = pingBind(thread, socket, identifier);
  if (bound < 0) return bound;
  socket.boundAddress = address;
  return 0;
}

/** connect for an ICMP socket: `peer` becomes where sends without an address go, and the only
 * sender whose replies are read. EACCES when the grant does not cover it; ENETUNREACH; a ping
 * socket's identifier errors (pingBind). */
export function icmpConnect(thread: Thread, socket: InetSocketObject, peer: u32): i64 {
  if (!socket.policy.allowsAddress(peer)) return -(<i64>Errno.EACCES);
  if (!linkRoutes(peer)) return -(<i64>Errno.ENETUNREACH);
  if (socket.kind != INET_RAW) {
    const bound = pingBind(thread, socket, 0);
    if (bound < 0) return bound;
  }
  socket.connected = true;
  socket.peer = peer;
  socket.peerPort = 0;
  return 0;
}

/** A ping socket's identifier, unless it has one: `identifier`, or a free one when 0. 0;
 * EAGAIN when none is free; ENOMEM when the caller's account cannot pay for the queue. */
function pingBind(thread: Thread, socket: InetSocketObject, identifier: u32): i64 {
  if (socket.udp !== null && socket.udp!.port != 0) return 0;
  if (identifier == 0) identifier = icmpFreeIdentifier();
  if (identifier == 0) return -(<i64>Errno.EAGAIN);
  if (socket.udp === null) {
    const account = thread.process.account;
    if (account.kernelFits(INET_PORT_BYTES, 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
    socket.attachPort(new InetPort(socket.policy), account);
  }
  icmpBindPing(socket.udp!, identifier);
  return 0;
}

/** The send of an ICMP socket (sys-inet.ts's datagramSend checked shutdown and found the peer):
 * the message (`total` bytes from the buffer or iovecs) as one echo request to `peer`. EMSGSIZE
 * past UDP_PAYLOAD_MAXIMUM; EINVAL under an ICMP header's 8 bytes, and for another type from a
 * ping socket; EPERM for another type from a raw socket; EACCES for a peer the grant does not
 * cover; ENETUNREACH, EHOSTUNREACH; ENOBUFS when the device's ring was full; EFAULT. */
export function icmpDatagramSend(thread: Thread, socket: InetSocketObject, buffer: u64, count: u64, vectors: u64, vectorCount: u64,
  total: u64, peer: u32): i64 {
  if (total > UDP_PAYLOAD_MAXIMUM) return -(<i64>Errno.EMSGSIZE);
  if (total < <u64>ICMP_HEADER) return -(<i64>Errno.EINVAL);
  if (!socket.policy.allowsAddress(peer)) return -(<i64>Errno.EACCES);
  if (!linkRoutes(peer)) return -(<i64>Errno.ENETUNREACH);
  const area = icmpMessageArea();
  const done = gatherIn(thread, buffer, count, vectors, vectorCount, area, UDP_PAYLOAD_MAXIMUM);
  if (done < 0) return done;
  if (done < <i64>ICMP_HEADER) return -(<i64>Errno.EINVAL);
  const raw = socket.kind == INET_RAW;
  if (<u32>load<u8>(area) != ICMP_ECHO_REQUEST || load<u8>(area + 1) != 0) return -(<i64>(raw ? Errno.EPERM : Errno.EINVAL));
  let identifier: u32 = 0;
  if (!raw) {
    const bound = pingBind(thread, socket, 0);
    if (bound < 0) return bound;
    identifier = socket.udp!.port;
  }
  const error = icmpSend(<u32>done, peer, identifier);
  if (error == KernelError.QueueFull) return -(<i64>Errno.ENOBUFS);
  if (error != KernelError.None) return -(<i64>Errno.EHOSTUNREACH);
  return <i64>done;
}
