// The link: what every part of the interface shares about the one Ethernet device and the one
// IPv4 configuration: the device's MAC and its transmit, the address, prefix, gateway and DNS
// server (from the command line, later from DHCP), the IPv4 identification counter, and the next
// hop of a destination (routing: the local subnet directly, everything else through the gateway).
// The device (phy/phy.ts: virtio-net, maybe behind the fault and capture devices) is reached
// only here and in netInit (attaching the receiver).

import { phySend } from "../phy/phy";
import { localReady, localSend } from "./local";

/** The limited broadcast address, and the "MAC" a next hop of it means. */
export const BROADCAST: u32 = 0xffff_ffff;
/** Bytes of IP a frame carries (the Ethernet MTU). */
export const MTU: u32 = 1500;
export const ETHERNET_HEADER: u32 = 14;

class LinkState {
  /** The device's MAC, 6 bytes. */
  readonly mac: usize = memory.data(8, 8);
  up: bool = false;
  address: u32 = 0;
  prefix: u32 = 0;
  gateway: u32 = 0;
  dns: u32 = 0;
  /** The next IPv4 identification this host sends. */
  identification: u32 = 1;
  transmitted: u64 = 0;
  transmittedBytes: u64 = 0;
  transmitFull: u64 = 0;
}
const state = new LinkState();

@inline export function linkMac(): usize { return state.mac; }
@inline export function linkUp(): bool { return state.up; }
@inline export function linkAddress(): u32 { return state.address; }
@inline export function linkPrefix(): u32 { return state.prefix; }
@inline export function linkGateway(): u32 { return state.gateway; }
@inline export function linkDns(): u32 { return state.dns; }

/** Sets the IPv4 configuration (address 0: down). */
export function linkConfigure(address: u32, prefix: u32, gateway: u32, dns: u32): void {
  state.address = address;
  state.prefix = prefix;
  state.gateway = gateway;
  state.dns = dns;
  state.up = address != 0;
}

/** The next IPv4 identification (RFC 6864: unique per source, destination and protocol for as
 * long as a datagram may live; one counter for all is the simplest that is). */
export function linkIdentification(): u32 {
  const value = state.identification & 0xffff;
  state.identification++;
  return value;
}

/** The loopback network, 127.0.0.0/8, and the address this host sends from into it. */
const LOOPBACK_NETWORK: u32 = 127;
const LOOPBACK_ADDRESS: u32 = 0x7f00_0001;

/** Whether `address` is in 127.0.0.0/8 (never on a wire, RFC 1122 3.2.1.3). */
export function linkIsLoopback(address: u32): bool {
  return (address >>> 24) == LOOPBACK_NETWORK;
}

/** Whether a datagram to `destination` stays in this host (local.ts): a loopback address, or
 * this host's own. */
export function linkIsLocal(destination: u32): bool {
  return linkIsLoopback(destination) || (state.up && destination == state.address);
}

/** The source address of a datagram this host sends to `destination`: 127.0.0.1 into the
 * loopback network, the interface's address otherwise (0 before DHCP gave one). */
export function linkSourceFor(destination: u32): u32 {
  return linkIsLoopback(destination) ? LOOPBACK_ADDRESS : state.address;
}

/** Hands one whole Ethernet frame to the device, or to local delivery when it is addressed to
 * this host's own MAC (a reply to a local datagram); false when that has no room for it. */
export function linkTransmit(frame: usize, length: u32): bool {
  if (toOwnMac(frame)) return localSend(frame, length);
  if (phySend(frame, length)) {
    state.transmitted++;
    state.transmittedBytes += <u64>length;
    return true;
  }
  state.transmitFull++;
  return false;
}

function toOwnMac(frame: usize): bool {
  return load<u32>(frame) == load<u32>(state.mac) && load<u16>(frame + 4) == load<u16>(state.mac + 4);
}

/** Whether `address` is on the local subnet. */
export function linkOnSubnet(address: u32): bool {
  const mask = state.prefix == 0 ? 0 : <u32>(0xffff_ffff << (32 - state.prefix));
  return (address & mask) == (state.address & mask);
}

/** Whether `address` is a broadcast this host sends as one: the limited broadcast, or the local
 * subnet's directed broadcast. */
export function linkIsBroadcast(address: u32): bool {
  if (address == BROADCAST) return true;
  const host = state.prefix >= 32 ? 0 : <u32>(0xffff_ffff >>> state.prefix);
  return state.up && linkOnSubnet(address) && (address & host) == host;
}

/** The neighbour a datagram to `destination` goes to: itself on the local subnet, the gateway
 * otherwise, BROADCAST for a broadcast; 0 when there is no route (no address yet, except for the
 * limited broadcast DHCP needs; or off the subnet with no gateway). */
export function linkNextHop(destination: u32): u32 {
  if (destination == BROADCAST) return BROADCAST;
  if (!state.up || destination == 0 || (destination >>> 28) == 0xe) return 0;   // multicast: not supported
  if (linkIsBroadcast(destination)) return BROADCAST;
  if (linkOnSubnet(destination)) return destination;
  return state.gateway;
}

/** Whether a datagram to `destination` has somewhere to go: local delivery for this host's own
 * addresses (once an interface takes them), a next hop otherwise. */
export function linkRoutes(destination: u32): bool {
  return linkIsLocal(destination) ? localReady() : linkNextHop(destination) != 0;
}

/** Frames handed to the device, and refused because its transmit ring was full. */
export function linkTransmitted(): u64 { return state.transmitted; }
export function linkTransmittedBytes(): u64 { return state.transmittedBytes; }
export function linkTransmitFull(): u64 { return state.transmitFull; }
