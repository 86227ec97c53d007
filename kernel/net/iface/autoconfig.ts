// Address configuration by DHCP (RFC 2131), the default when the command line gives no ip=: the
// client (dhcp.ts, a state machine that touches no device) reaches the interface through the
// hooks here. Its datagrams go out as UDP from port 68 to port 67, broadcast until it holds a
// lease and then unicast to the server through ARP; its timers run from the tick; a lease
// configures the link (address, prefix, gateway, DNS server) and its end takes the address away.
// Started after the kernel's generator is seeded: transaction ids come from it.

import { generatorU64 } from "../../random/generator";
import { monotonicNanos } from "../../time/clock";
import { tickListen } from "../../time/tick";
import { logEnd, LogLevel, logLine } from "../../log/log";
import { PROTOCOL_UDP } from "../wire/frame";
import { udpHeaderEmit } from "../wire/udp";
import { DhcpHooks, dhcpPoll, dhcpStart } from "./dhcp";
import { udpReserve } from "../socket/udp";
import { ipv4Output, netConfigure, netDhcpWanted } from "./interface";
import { ETHERNET_HEADER, linkConfigure, linkMac } from "./link";

const DHCP_CLIENT_PORT: u32 = 68;
const DHCP_SERVER_PORT: u32 = 67;

class AutoconfigState {
  started: bool = false;
  /** Where the client's datagrams are built: Ethernet, IPv4 and UDP headers, then its message. */
  readonly frame: usize = memory.data(<i32>(ETHERNET_HEADER + 20 + 8 + 576), 16);
}
const state = new AutoconfigState();

/** Starts DHCP when the interface is waiting for it (no ip= on the command line). */
export function netAutoconfigure(): void {
  if (!netDhcpWanted() || state.started) return;
  state.started = true;
  logLine().text("net: no ip= given: asking DHCP");
  logEnd();
  udpReserve(DHCP_CLIENT_PORT);   // no socket may bind the client's port
  tickListen(dhcpTick);
  dhcpStart(linkMac(), monotonicNanos(), new DhcpHooks(generatorU64, dhcpTransmit, dhcpConfigured, dhcpDeconfigured));
}

function dhcpTick(): void {
  dhcpPoll(monotonicNanos());
}

/** The client's datagram: `length` bytes at `payload`, from `source`:68 to `destination`:67. */
function dhcpTransmit(payload: usize, length: u32, source: u32, destination: u32): void {
  if (length > 576) return;
  const udp = state.frame + ETHERNET_HEADER + 20;
  memory.copy(udp + 8, payload, <usize>length);
  const total = udpHeaderEmit(udp, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, length, source, destination);
  ipv4Output(state.frame, PROTOCOL_UDP, source, destination, total);   // a lost one is sent again by the client's timers
}

function dhcpConfigured(address: u32, prefix: u32, gateway: u32, dnsServer: u32, leaseSeconds: u32): void {
  netConfigure(address, prefix, gateway, dnsServer);
}

function dhcpDeconfigured(): void {
  linkConfigure(0, 0, 0, 0);
  logLine(LogLevel.Warning).text("net: the DHCP lease ended; no address until the next one");
  logEnd();
}
