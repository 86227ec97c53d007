// What /proc/net's files say (docs/linux.md, "procfs"), in Linux's formats, made at their open
// (proc-contents.ts): dev, the interfaces and their counters; route, eth0's routes; tcp and udp,
// sockets, and raw, the raw ICMP sockets (tcp6, udp6 and raw6 are empty: there is no IPv6); unix,
// the AF_UNIX sockets bound to a name
// the caller could connect to (a path in its namespace, or an abstract name). A process sees what its grant lets it:
// without a Network grant, dev lists lo alone and route and the sockets nothing; with one, tcp
// and udp list the sockets made from that same grant (by it, or by the processes it was passed
// to: a shell and what it runs), never those of another grant. Counters Capsid does not keep
// (errors, drops, timers, uids, inodes) read 0.

import { Interface } from "../../abi/interfaces";
import { INET_RAW, inetSocketsOf } from "../objects/inet-socket";
import { unixEndpointsBound } from "../objects/unix-endpoint";
import { NetworkObject } from "../objects/network";
import { TcpState } from "../net/socket/tcp/connection";
import { ETHERNET_INDEX, interfaceCount, interfaceGateway, interfaceLast, interfaceMask, interfaceAddress, interfaceName, LOOPBACK_INDEX } from "./net-interfaces";
import { LinuxProcess } from "./linux-process";
import { ProcText } from "./proc-text";

/** Whether `linux` holds a Network grant. */
export function procNetGranted(linux: LinuxProcess): bool {
  return grantSerial(linux) != 0;
}

/** The serial of the Network grant `linux` holds (0: none). */
function grantSerial(linux: LinuxProcess): u64 {
  const grant = linux.process.table.lookup(linux.networkHandle);
  return grant !== null && grant.iface == Interface.Network ? changetype<NetworkObject>(grant).serial : 0;
}

/** /proc/net/dev (net-procfs.c's dev_seq_show): a line per interface. */
export function procNetDev(out: ProcText, linux: LinuxProcess): void {
  out.text("Inter-|   Receive                                                |  Transmit\n");
  out.text(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n");
  const last = procNetGranted(linux) ? interfaceLast() : LOOPBACK_INDEX;
  for (let index = LOOPBACK_INDEX; index <= last; index++) {
    const name = interfaceName(index);
    for (let i = name.length; i < 6; i++) out.byte(0x20);
    out.text(name).byte(0x3a);
    out.decimal(interfaceCount(index, true, true), 8).byte(0x20).decimal(interfaceCount(index, true, false), 7);
    out.text("    0    0    0     0          0         0 ");
    out.decimal(interfaceCount(index, false, true), 8).byte(0x20).decimal(interfaceCount(index, false, false), 7);
    out.text("    0    0    0     0       0          0\n");
  }
}

/** /proc/net/route (fib_trie.c's fib_route_seq_show): eth0's default route and its subnet's, each
 * line padded to 127 columns. */
export function procNetRoute(out: ProcText, linux: LinuxProcess): void {
  let start = out.length;
  out.text("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT").padTo(start, 127).byte(0x0a);
  if (!procNetGranted(linux) || interfaceLast() < ETHERNET_INDEX || interfaceAddress(ETHERNET_INDEX) == 0) return;
  const gateway = interfaceGateway(ETHERNET_INDEX), netmask = interfaceMask(ETHERNET_INDEX);
  if (gateway != 0) route(out, 0, gateway, 0x3, 0);   // RTF_UP | RTF_GATEWAY
  route(out, interfaceAddress(ETHERNET_INDEX) & netmask, 0, 0x1, netmask);
}

function route(out: ProcText, destination: u32, gateway: u32, flags: u32, netmask: u32): void {
  const start = out.length;
  out.text("eth0\t").upperHex(bswap<u32>(destination), 8).byte(0x09).upperHex(bswap<u32>(gateway), 8).byte(0x09).upperHex(flags, 4);
  out.text("\t0\t0\t0\t").upperHex(bswap<u32>(netmask), 8).text("\t0\t0\t0").padTo(start, 127).byte(0x0a);
}

/** Linux's TCP states, as /proc/net/tcp numbers them (include/net/tcp_states.h). */
function linuxState(state: TcpState): u32 {
  switch (state) {
    case TcpState.Established: return 1;
    case TcpState.SynSent: return 2;
    case TcpState.SynReceived: return 3;
    case TcpState.FinWait1: return 4;
    case TcpState.FinWait2: return 5;
    case TcpState.TimeWait: return 6;
    case TcpState.CloseWait: return 8;
    case TcpState.LastAck: return 9;
    case TcpState.Listen: return 10;
    case TcpState.Closing: return 11;
  }
  return 7;   // TCP_CLOSE
}

/** /proc/net/tcp (`tcp`) or /proc/net/udp (tcp4_seq_show, udp4_format_sock): a line per socket
 * of the caller's grant, a listener, connection or bound datagram socket, each padded as
 * Linux's; with `six`, tcp6 or udp6: the header alone. */
export function procNetSockets(out: ProcText, linux: LinuxProcess, tcp: bool, six: bool = false): void {
  const width: u32 = tcp ? 149 : 127;
  let start = out.length;
  if (six) {
    out.text(tcp ? "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      : "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
    return;
  }
  out.text(tcp ? "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
    : "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops");
  out.padTo(start, width).byte(0x0a);
  const grant = grantSerial(linux);
  if (grant == 0) return;
  const sockets = inetSocketsOf(grant);
  let line: u64 = 0;
  for (let i = 0; i < sockets.length; i++) {
    const socket = sockets[i];
    if (socket.icmp || socket.datagram != !tcp) continue;
    let local: u32 = socket.boundAddress, localPort = socket.localPort, remote: u32 = 0, remotePort: u32 = 0;
    let state: u32 = 7, sending: u64 = 0, receiving: u64 = 0;
    if (socket.stream !== null) {
      const c = socket.stream!.link.connection;
      local = c.localAddress;
      localPort = c.localPort;
      remote = c.remoteAddress;
      remotePort = c.remotePort;
      state = linuxState(c.state);
      sending = <u64>c.send.length;
      receiving = <u64>c.receive.length;
    } else if (socket.listener !== null) {
      state = 10;
      receiving = <u64>socket.listener!.link.listener.ready.length;
    } else if (socket.datagram && socket.udp !== null) {
      if (socket.connected) {
        remote = socket.peer;
        remotePort = socket.peerPort;
        state = 1;
      }
      receiving = <u64>socket.udp!.bytes;
    }
    if (localPort == 0) continue;   // neither bound nor connected: Linux lists none such
    start = out.length;
    out.decimal(line++, tcp ? 4 : 5).text(": ");
    out.upperHex(bswap<u32>(local), 8).byte(0x3a).upperHex(localPort, 4).byte(0x20);
    out.upperHex(bswap<u32>(remote), 8).byte(0x3a).upperHex(remotePort, 4).byte(0x20);
    out.upperHex(state, 2).byte(0x20).upperHex(sending, 8).byte(0x3a).upperHex(receiving, 8);
    out.text(" 00:00000000 00000000     0        0 0");
    out.padTo(start, width).byte(0x0a);
  }
}

/** /proc/net/unix (af_unix.c's unix_seq_show): a line per AF_UNIX socket bound to a name the
 * caller could connect to: a path in its namespace's file system (`fileSystem`, Ramfs.id) or an
 * abstract name (shown with a leading @, a NUL inside it as @). Unnamed sockets and the connected
 * ends a listener hands out are not listed, nor names bound in another namespace. The kernel
 * address and the inode read 0; the reference count 2, as an idle socket's on Linux. */
export function procNetUnix(out: ProcText, fileSystem: u32): void {
  out.text("Num       RefCount Protocol Flags    Type St Inode Path\n");
  const bound = unixEndpointsBound();
  for (let i = 0; i < bound.length; i++) {
    const endpoint = bound[i];
    if (!endpoint.inAbstract && (endpoint.node === null || endpoint.node!.fileSystem != fileSystem)) continue;
    out.text("0000000000000000: 00000002 00000000 ");
    out.upperHex(endpoint.listening ? 0x10000 : 0, 8).byte(0x20);          // __SO_ACCEPTCON
    out.upperHex(endpoint.kind, 4).byte(0x20);
    out.upperHex(endpoint.peer !== null ? 3 : 1, 2).byte(0x20);            // SS_CONNECTED, SS_UNCONNECTED
    out.decimal(0, 5).byte(0x20);
    if (endpoint.inAbstract) out.byte(0x40);
    const name = endpoint.name;
    for (let j = 0; j < name.length; j++) {
      const c = unchecked(name[j]);
      out.byte(c == 0 && endpoint.inAbstract ? 0x40 : c);
    }
    out.byte(0x0a);
  }
}

/** /proc/net/raw (raw.c's raw_sock_seq_show): a line per raw ICMP socket of the caller's grant
 * (the only raw sockets there are), its local "port" the protocol as Linux's; with `six`, raw6:
 * the header alone. */
export function procNetRaw(out: ProcText, linux: LinuxProcess, six: bool): void {
  out.text(six ? "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    : "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
  const grant = grantSerial(linux);
  if (six || grant == 0) return;
  const sockets = inetSocketsOf(grant);
  let line: u64 = 0;
  for (let i = 0; i < sockets.length; i++) {
    const socket = sockets[i];
    if (socket.kind != INET_RAW) continue;
    out.decimal(line++, 4).text(": ");
    out.upperHex(bswap<u32>(socket.boundAddress), 8).byte(0x3a).upperHex(socket.protocol, 4).byte(0x20);
    out.upperHex(bswap<u32>(socket.connected ? socket.peer : 0), 8).text(":0000 07 00000000:");
    out.upperHex(socket.udp !== null ? <u64>socket.udp!.bytes : 0, 8);
    out.text(" 00:00000000 00000000     0        0 0 2 0000000000000000 0\n");
  }
}
