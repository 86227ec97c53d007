// The network interfaces as Linux programs see them (docs/linux.md, "Sockets"): `lo` (index 1),
// always, and `eth0` (index 2) when there is a network device, with the interface's address,
// prefix, MAC and counters (net/iface/). What /proc/net/dev and /proc/net/route list
// (proc-net.ts) and the SIOCGIF* ioctls answer (sys-ifreq.ts). Read-only: no Linux call changes
// an interface (EPERM, as for a process without CAP_NET_ADMIN).

import { linkAddress, linkGateway, linkMac, linkPrefix, linkTransmittedBytes, linkTransmitted, linkUp, MTU } from "../net/iface/link";
import { netHasDevice, netReceived } from "../net/iface/interface";
import { mask } from "../net/socket/policy";

export const LOOPBACK_INDEX: i32 = 1, ETHERNET_INDEX: i32 = 2;
/** Linux's interface flags (IFF_*). */
export const IFF_UP: u32 = 0x1, IFF_BROADCAST: u32 = 0x2, IFF_LOOPBACK: u32 = 0x8, IFF_RUNNING: u32 = 0x40, IFF_MULTICAST: u32 = 0x1000;
const LOOPBACK_MTU: u32 = 65536;

/** The highest index of an interface that exists (1: loopback alone). */
export function interfaceLast(): i32 {
  return netHasDevice() ? ETHERNET_INDEX : LOOPBACK_INDEX;
}

/** An interface's name (index 1 or 2). */
export function interfaceName(index: i32): string {
  return index == LOOPBACK_INDEX ? "lo" : "eth0";
}

/** The index of the interface named by the `length` bytes at `name` (up to a zero byte), or 0. */
export function interfaceNamed(name: usize, length: u32): i32 {
  let size: u32 = 0;
  while (size < length && load<u8>(name + <usize>size) != 0) size++;
  for (let index = LOOPBACK_INDEX; index <= interfaceLast(); index++) {
    const expected = interfaceName(index);
    if (<u32>expected.length != size) continue;
    let same = true;
    for (let i: u32 = 0; i < size && same; i++) same = <u32>load<u8>(name + <usize>i) == <u32>expected.charCodeAt(<i32>i);
    if (same) return index;
  }
  return 0;
}

/** Its IPv4 address (0: none yet: DHCP has not answered, or ip= was refused). */
export function interfaceAddress(index: i32): u32 {
  if (index == LOOPBACK_INDEX) return 0x7f00_0001;
  return linkUp() ? linkAddress() : 0;
}

/** Its network mask. */
export function interfaceMask(index: i32): u32 {
  if (index == LOOPBACK_INDEX) return 0xff00_0000;
  return linkUp() ? mask(linkPrefix()) : 0;
}

/** Its broadcast address (none for loopback, as Linux's lo). */
export function interfaceBroadcast(index: i32): u32 {
  if (index == LOOPBACK_INDEX || !linkUp()) return 0;
  return linkAddress() | ~mask(linkPrefix());
}

/** Its default gateway (0: none). */
export function interfaceGateway(index: i32): u32 {
  return index == ETHERNET_INDEX && linkUp() ? linkGateway() : 0;
}

export function interfaceFlags(index: i32): u32 {
  if (index == LOOPBACK_INDEX) return IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
  return IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST;
}

export function interfaceMtu(index: i32): u32 {
  return index == LOOPBACK_INDEX ? LOOPBACK_MTU : MTU;
}

/** Its MAC's 6 bytes (loopback's are zeros). */
export function interfaceMac(index: i32): usize {
  return index == LOOPBACK_INDEX ? 0 : linkMac();
}

/** Frames (`bytes`: their bytes) it received (`received`) or sent. Loopback's are the frames this
 * host sent itself, counted once each way, as Linux's lo. */
export function interfaceCount(index: i32, received: bool, bytes: bool): u64 {
  if (index == LOOPBACK_INDEX) return netReceived(true, bytes);
  if (received) return netReceived(false, bytes);
  return bytes ? linkTransmittedBytes() : linkTransmitted();
}
