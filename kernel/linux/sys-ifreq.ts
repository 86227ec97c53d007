// The interface ioctls on an AF_INET socket (docs/linux.md, "Sockets"), what busybox ifconfig and
// the C libraries' if_nameindex ask (net-interfaces.ts answers): SIOCGIFCONF lists the interfaces
// with an IPv4 address; SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFDSTADDR, SIOCGIFBRDADDR,
// SIOCGIFNETMASK, SIOCGIFHWADDR, SIOCGIFMTU, SIOCGIFMETRIC, SIOCGIFTXQLEN, SIOCGIFMAP,
// SIOCGIFINDEX and SIOCGIFNAME read one, named in a struct ifreq (40 bytes: the name, then a
// union). ENODEV for a name no interface has, EADDRNOTAVAIL for an address it lacks; the SIOCS*
// calls that would change an interface EPERM (a Linux process without CAP_NET_ADMIN gets the
// same). Any socket answers, as Linux's (the C libraries' if_nametoindex asks an AF_UNIX one);
// to a process without a Network grant only lo exists, so it learns nothing of the network.

import { KernelError } from "../../abi/errors";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { interfaceAddress, interfaceBroadcast, interfaceFlags, interfaceLast, interfaceMac, interfaceMask, interfaceMtu, interfaceName,
  interfaceNamed, LOOPBACK_INDEX } from "./net-interfaces";

const SIOCGIFNAME: u64 = 0x8910, SIOCGIFCONF: u64 = 0x8912, SIOCGIFFLAGS: u64 = 0x8913, SIOCGIFADDR: u64 = 0x8915,
  SIOCGIFDSTADDR: u64 = 0x8917, SIOCGIFBRDADDR: u64 = 0x8919, SIOCGIFNETMASK: u64 = 0x891b, SIOCGIFMETRIC: u64 = 0x891d,
  SIOCGIFMTU: u64 = 0x8921, SIOCGIFHWADDR: u64 = 0x8927, SIOCGIFINDEX: u64 = 0x8933, SIOCGIFTXQLEN: u64 = 0x8942,
  SIOCGIFMAP: u64 = 0x8970;
/** The calls that change an interface or a route: SIOCADDRT, SIOCDELRT, SIOCSIFFLAGS, SIOCSIFADDR,
 * SIOCSIFDSTADDR, SIOCSIFBRDADDR, SIOCSIFNETMASK, SIOCSIFMETRIC, SIOCSIFMTU, SIOCSIFNAME,
 * SIOCSIFHWADDR, SIOCADDMULTI, SIOCDELMULTI, SIOCSIFTXQLEN, SIOCSIFMAP. */
const SETTERS: StaticArray<u32> = [0x890b, 0x890c, 0x8914, 0x8916, 0x8918, 0x891a, 0x891c, 0x891e, 0x8922, 0x8923, 0x8924, 0x8931, 0x8932,
  0x8943, 0x8971];
const IFREQ_SIZE: u64 = 40, IFNAMSIZ: u32 = 16, IFCONF_SIZE: u64 = 16;
const AF_INET: u16 = 2, ARPHRD_ETHER: u16 = 1, ARPHRD_LOOPBACK: u16 = 772;
const TX_QUEUE_LENGTH: i32 = 1000;

class IfreqState {
  readonly buffer: usize = memory.data(64, 16);
}
const state = new IfreqState();

/** Whether `request` reads an interface (answered here). */
function getter(request: u64): bool {
  return request == SIOCGIFNAME || request == SIOCGIFCONF || request == SIOCGIFFLAGS || request == SIOCGIFADDR || request == SIOCGIFDSTADDR
    || request == SIOCGIFBRDADDR || request == SIOCGIFNETMASK || request == SIOCGIFMETRIC || request == SIOCGIFMTU
    || request == SIOCGIFHWADDR || request == SIOCGIFINDEX || request == SIOCGIFTXQLEN || request == SIOCGIFMAP;
}

/** Whether `request` is one of this file's (the caller then answers with ifreqIoctl). */
export function ifreqRequest(request: u64): bool {
  return getter(request) || SETTERS.includes(<u32>request);
}

/** The interface ioctl `request` (ifreqRequest's) with its argument at `argument`, for a process
 * holding a Network grant (`granted`) or not: 0 or -errno. */
export function ifreqIoctl(thread: Thread, request: u64, argument: u64, granted: bool): i64 {
  if (!getter(request)) return -(<i64>Errno.EPERM);
  const last = granted ? interfaceLast() : LOOPBACK_INDEX;
  if (request == SIOCGIFCONF) return interfaceList(thread, argument, last);
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 64, argument, IFREQ_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  let index: i32;
  if (request == SIOCGIFNAME) {
    index = load<i32>(b, 16);
    if (index < LOOPBACK_INDEX || index > last) return -(<i64>Errno.ENODEV);
    nameInto(b, index);
  } else {
    index = interfaceNamed(b, IFNAMSIZ);
    if (index == 0 || index > last) return -(<i64>Errno.ENODEV);
    memory.fill(b + 16, 0, 24);
    if (request == SIOCGIFFLAGS) store<u16>(b, <u16>interfaceFlags(index), 16);
    else if (request == SIOCGIFMETRIC) store<i32>(b, 0, 16);
    else if (request == SIOCGIFMTU) store<i32>(b, <i32>interfaceMtu(index), 16);
    else if (request == SIOCGIFINDEX) store<i32>(b, index, 16);
    else if (request == SIOCGIFTXQLEN) store<i32>(b, TX_QUEUE_LENGTH, 16);
    else if (request == SIOCGIFHWADDR) {
      store<u16>(b, index == LOOPBACK_INDEX ? ARPHRD_LOOPBACK : ARPHRD_ETHER, 16);
      const mac = interfaceMac(index);
      if (mac != 0) memory.copy(b + 18, mac, 6);
    } else if (request != SIOCGIFMAP) {   // an address: struct sockaddr_in
      const address = interfaceAddress(index);
      if (address == 0) return -(<i64>Errno.EADDRNOTAVAIL);
      const value = request == SIOCGIFNETMASK ? interfaceMask(index) : request == SIOCGIFBRDADDR ? interfaceBroadcast(index) : address;
      store<u16>(b, AF_INET, 16);
      store<u32>(b, bswap<u32>(value), 20);
    }
  }
  return copyOut(space, argument, b, 64, IFREQ_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** Writes interface `index`'s name, zero-filled, over the first IFNAMSIZ bytes at `out`. */
function nameInto(out: usize, index: i32): void {
  const name = interfaceName(index);
  memory.fill(out, 0, IFNAMSIZ);
  for (let i = 0; i < name.length; i++) store<u8>(out + <usize>i, <u8>name.charCodeAt(i));
}

/** SIOCGIFCONF (struct ifconf: ifc_len, then ifc_buf): a struct ifreq per interface up to `last`
 * with an address (its name and address), as many as ifc_len holds; ifc_len becomes the bytes written,
 * or, with ifc_buf NULL, the bytes all of them need. */
function interfaceList(thread: Thread, argument: u64, last: i32): i64 {
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 64, argument, IFCONF_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  const room = load<i32>(b), buffer = load<u64>(b, 8);
  let written: u64 = 0;
  for (let index = LOOPBACK_INDEX; index <= last; index++) {
    const address = interfaceAddress(index);
    if (address == 0) continue;
    if (buffer != 0) {
      if (room < 0 || written + IFREQ_SIZE > <u64>room) break;
      const entry = b + 16;
      memory.fill(entry, 0, <usize>IFREQ_SIZE);
      nameInto(entry, index);
      store<u16>(entry, AF_INET, 16);
      store<u32>(entry, bswap<u32>(address), 20);
      if (copyOut(space, buffer + written, entry, 48, IFREQ_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
    }
    written += IFREQ_SIZE;
  }
  store<i32>(b, <i32>written);
  return copyOut(space, argument, b, 64, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}
