// DHCPv4 messages (wire layer): a validated view of a server's reply inside a UDP payload
// (RFC 2131 §2, options RFC 2132), and the builders of the client's messages with the fields and
// options RFC 2131 table 5 gives each. The client state machine (iface/dhcp.ts) is the caller.
// Every byte is read through `load` at an offset checked against the message's length first, so
// hostile input meets a counted verdict, never an abort (tests/host/dhcp.test.ts fuzzes it).
//
//    0      1      2      3
//   +------+------+------+------+
//   |  op  | htype| hlen | hops |     op 2 = BOOTREPLY; htype 1, hlen 6: Ethernet
//   +------+------+------+------+
//   |            xid            |  4
//   +-------------+-------------+
//   |    secs     |    flags    |  8  flags bit 15: reply by broadcast
//   +-------------+-------------+
//   | ciaddr | yiaddr | siaddr | giaddr |   12, 16, 20, 24
//   | chaddr (16) | sname (64) | file (128) |  28, 44, 108
//   | magic cookie 99.130.83.99 | options ... end (255) |  236, 240
//
// Options: pad (0) and end (255) are one byte; every other option is code, length, data. An
// option whose length runs past the message drops it. An option that appears more than once is
// one option whose data are the pieces concatenated in order (RFC 3396 §7), so a lease time split
// in two is still read whole, and a list of DNS servers split in two is one list. Option overload
// (52: more options in sname/file) is refused: the message is dropped with its own verdict (no
// server we know sends it to a client that did not ask for a large message). A missing end option
// is accepted (the options end with the message). Options this client reads are checked for
// length and contents (subnet mask contiguous); others are skipped unread.

export const DHCP_SERVER_PORT: u32 = 67;
export const DHCP_CLIENT_PORT: u32 = 68;
/** chaddr: the client's hardware address, first 6 bytes for Ethernet. */
export const DHCP_CHADDR: u32 = 28;
const COOKIE_OFFSET: u32 = 236;
const OPTIONS_OFFSET: u32 = 240;
const MAGIC_COOKIE: u32 = 0x6382_5363;   // RFC 2131 §3, RFC 2132 §2
/** The size of every message built here: BOOTP's fixed 300 bytes (RFC 1542 §2.1: some relays
 * drop anything shorter); the options of the longest message built take 273. */
export const DHCP_BUILD_BYTES: u32 = 300;
/** The flags bit that asks the server to broadcast its reply (RFC 2131 §4.1): the interface
 * takes no unicast to an address it does not have yet. */
const FLAG_BROADCAST: u32 = 0x8000;

// Option codes (RFC 2132).
const OPTION_PAD: u32 = 0;
const OPTION_SUBNET_MASK: u32 = 1;          // §3.3
const OPTION_ROUTER: u32 = 3;               // §3.5
const OPTION_DNS: u32 = 6;                  // §3.8
const OPTION_REQUESTED_ADDRESS: u32 = 50;   // §9.1
const OPTION_LEASE_TIME: u32 = 51;          // §9.2
const OPTION_OVERLOAD: u32 = 52;            // §9.3
const OPTION_MESSAGE_TYPE: u32 = 53;        // §9.6
const OPTION_SERVER_ID: u32 = 54;           // §9.7
const OPTION_PARAMETERS: u32 = 55;          // §9.8
const OPTION_RENEWAL_TIME: u32 = 58;        // §9.11 (T1)
const OPTION_REBINDING_TIME: u32 = 59;      // §9.12 (T2)
const OPTION_CLIENT_ID: u32 = 61;           // §9.14
const OPTION_END: u32 = 255;
/** Most DNS servers kept from option 6. */
export const DHCP_DNS_SERVERS: i32 = 3;
/** Bytes of one option's concatenated data that are kept (the longest read: 3 DNS servers). */
const GATHER_BYTES: u32 = 16;

/** RFC 2132 §9.6. */
export enum DhcpMessageType {
  Discover = 1,
  Offer = 2,
  Request = 3,
  Decline = 4,
  Ack = 5,
  Nak = 6,
  Release = 7,
  Inform = 8,
}

/** What a received message is, or why it was dropped. Add at the end. */
export enum DhcpVerdict {
  /** Well formed: the fields of DhcpMessage are valid. */
  Valid = 0,
  // Drop reasons:
  /** Shorter than the fixed fields and the cookie (240 bytes). */
  TooShort = 1,
  /** op is not BOOTREPLY: a client's message, or garbage. */
  NotReply = 2,
  /** htype/hlen are not Ethernet's 1/6. */
  NotEthernet = 3,
  /** The magic cookie is not 99.130.83.99. */
  BadCookie = 4,
  /** An option's length runs past the end of the message. */
  OptionOverrun = 5,
  /** Option overload (52) is present: refused. */
  Overload = 6,
  /** An option this client reads has the wrong length (after concatenation). */
  OptionLength = 7,
  /** The subnet mask's one bits are not contiguous. */
  MaskNotContiguous = 8,
  /** No message type option (53): BOOTP, not DHCP. */
  NoMessageType = 9,
  /** A message type outside 1..8. */
  UnknownMessageType = 10,
}
export const DHCP_VERDICTS: i32 = <i32>DhcpVerdict.UnknownMessageType + 1;

/** Bits of DhcpMessage.present: which options the message carried. */
export const PRESENT_SUBNET_MASK: u32 = 1 << 0;
export const PRESENT_ROUTER: u32 = 1 << 1;
export const PRESENT_LEASE_TIME: u32 = 1 << 2;
export const PRESENT_SERVER_ID: u32 = 1 << 3;
export const PRESENT_RENEWAL_TIME: u32 = 1 << 4;
export const PRESENT_REBINDING_TIME: u32 = 1 << 5;

/** The fields of a message dhcpParse called Valid (valid only then). Addresses are host-order
 * numbers (10.0.2.15 is 0x0a00020f). */
export class DhcpMessage {
  messageType: u32 = 0;
  xid: u32 = 0;
  secs: u32 = 0;
  flags: u32 = 0;
  ciaddr: u32 = 0;
  yiaddr: u32 = 0;
  siaddr: u32 = 0;
  giaddr: u32 = 0;
  /** PRESENT_* bits; a field below whose bit is clear is 0. */
  present: u32 = 0;
  subnetMask: u32 = 0;
  /** The first router of option 3. */
  router: u32 = 0;
  serverId: u32 = 0;
  leaseSeconds: u32 = 0;
  renewalSeconds: u32 = 0;
  rebindingSeconds: u32 = 0;
  /** The first DHCP_DNS_SERVERS servers of option 6, and how many there are. */
  readonly dnsServers: StaticArray<u32> = new StaticArray<u32>(DHCP_DNS_SERVERS);
  dnsCount: i32 = 0;
  /** One option's data, concatenated (the first GATHER_BYTES bytes). */
  readonly gathered: StaticArray<u8> = new StaticArray<u8>(<i32>GATHER_BYTES);
}

@inline function u16be(address: usize): u32 {
  return (<u32>load<u8>(address) << 8) | <u32>load<u8>(address + 1);
}
@inline function u32be(address: usize): u32 {
  return (u16be(address) << 16) | u16be(address + 2);
}
@inline function store32be(address: usize, value: u32): void {
  store<u8>(address, <u8>(value >>> 24)); store<u8>(address + 1, <u8>(value >>> 16));
  store<u8>(address + 2, <u8>(value >>> 8)); store<u8>(address + 3, <u8>value);
}

/** Validates the `length` bytes at `message` (a UDP payload) as a server's reply, filling `out`. */
export function dhcpParse(message: usize, length: u32, out: DhcpMessage): DhcpVerdict {
  if (length < OPTIONS_OFFSET) return DhcpVerdict.TooShort;
  if (<u32>load<u8>(message) != 2) return DhcpVerdict.NotReply;
  if (<u32>load<u8>(message + 1) != 1 || <u32>load<u8>(message + 2) != 6) return DhcpVerdict.NotEthernet;
  if (u32be(message + COOKIE_OFFSET) != MAGIC_COOKIE) return DhcpVerdict.BadCookie;
  const options = message + OPTIONS_OFFSET, optionsLength = length - OPTIONS_OFFSET;
  // One pass checks the structure, so that gather() below may trust every length byte.
  let at: u32 = 0;
  while (at < optionsLength) {
    const code = <u32>load<u8>(options + <usize>at);
    if (code == OPTION_END) break;
    if (code == OPTION_PAD) { at++; continue; }
    if (at + 1 >= optionsLength) return DhcpVerdict.OptionOverrun;
    const size = <u32>load<u8>(options + <usize>at + 1);
    if (at + 2 + size > optionsLength) return DhcpVerdict.OptionOverrun;
    if (code == OPTION_OVERLOAD) return DhcpVerdict.Overload;
    at += 2 + size;
  }
  out.xid = u32be(message + 4);
  out.secs = u16be(message + 8);
  out.flags = u16be(message + 10);
  out.ciaddr = u32be(message + 12);
  out.yiaddr = u32be(message + 16);
  out.siaddr = u32be(message + 20);
  out.giaddr = u32be(message + 24);
  out.present = 0;
  out.subnetMask = 0; out.router = 0; out.serverId = 0; out.leaseSeconds = 0; out.renewalSeconds = 0; out.rebindingSeconds = 0;
  out.dnsCount = 0;

  let size = gather(options, optionsLength, OPTION_MESSAGE_TYPE, out);
  if (size < 0) return DhcpVerdict.NoMessageType;
  if (size != 1) return DhcpVerdict.OptionLength;
  out.messageType = <u32>out.gathered[0];
  if (out.messageType < <u32>DhcpMessageType.Discover || out.messageType > <u32>DhcpMessageType.Inform) return DhcpVerdict.UnknownMessageType;

  size = gather(options, optionsLength, OPTION_SUBNET_MASK, out);
  if (size >= 0) {
    if (size != 4) return DhcpVerdict.OptionLength;
    const mask = gatheredU32(out, 0);
    // Contiguous: the complement is one less than a power of two (0 and ~0 included).
    if (((~mask) & (~mask + 1)) != 0) return DhcpVerdict.MaskNotContiguous;
    out.subnetMask = mask;
    out.present |= PRESENT_SUBNET_MASK;
  }
  size = gather(options, optionsLength, OPTION_ROUTER, out);
  if (size >= 0) {
    if (size < 4 || (size & 3) != 0) return DhcpVerdict.OptionLength;
    out.router = gatheredU32(out, 0);
    out.present |= PRESENT_ROUTER;
  }
  size = gather(options, optionsLength, OPTION_DNS, out);
  if (size >= 0) {
    if (size < 4 || (size & 3) != 0) return DhcpVerdict.OptionLength;
    const count = min(size >> 2, DHCP_DNS_SERVERS);
    for (let i = 0; i < count; i++) unchecked(out.dnsServers[i] = gatheredU32(out, <u32>i * 4));
    out.dnsCount = count;
  }
  if (!fourBytes(options, optionsLength, OPTION_SERVER_ID, out, PRESENT_SERVER_ID)) return DhcpVerdict.OptionLength;
  out.serverId = out.present & PRESENT_SERVER_ID ? gatheredU32(out, 0) : 0;
  if (!fourBytes(options, optionsLength, OPTION_LEASE_TIME, out, PRESENT_LEASE_TIME)) return DhcpVerdict.OptionLength;
  out.leaseSeconds = out.present & PRESENT_LEASE_TIME ? gatheredU32(out, 0) : 0;
  if (!fourBytes(options, optionsLength, OPTION_RENEWAL_TIME, out, PRESENT_RENEWAL_TIME)) return DhcpVerdict.OptionLength;
  out.renewalSeconds = out.present & PRESENT_RENEWAL_TIME ? gatheredU32(out, 0) : 0;
  if (!fourBytes(options, optionsLength, OPTION_REBINDING_TIME, out, PRESENT_REBINDING_TIME)) return DhcpVerdict.OptionLength;
  out.rebindingSeconds = out.present & PRESENT_REBINDING_TIME ? gatheredU32(out, 0) : 0;
  return DhcpVerdict.Valid;
}

/** Gathers option `code` (false: present with a length other than 4); sets `bit` when present. */
function fourBytes(options: usize, length: u32, code: u32, out: DhcpMessage, bit: u32): bool {
  const size = gather(options, length, code, out);
  if (size < 0) return true;
  if (size != 4) return false;
  out.present |= bit;
  return true;
}

/** Concatenates the data of every instance of option `code` into out.gathered (its first
 * GATHER_BYTES bytes); returns the total length, or -1 when the option is absent. The options
 * were checked by dhcpParse's first pass: every length stays inside `length`. */
function gather(options: usize, length: u32, code: u32, out: DhcpMessage): i32 {
  let total: i32 = -1;
  let at: u32 = 0;
  while (at < length) {
    const found = <u32>load<u8>(options + <usize>at);
    if (found == OPTION_END) break;
    if (found == OPTION_PAD) { at++; continue; }
    const size = <u32>load<u8>(options + <usize>at + 1);
    if (found == code) {
      if (total < 0) total = 0;
      for (let i: u32 = 0; i < size; i++) {
        if (<u32>total + i < GATHER_BYTES) unchecked(out.gathered[total + <i32>i] = load<u8>(options + <usize>(at + 2 + i)));
      }
      total += <i32>size;
    }
    at += 2 + size;
  }
  return total;
}

function gatheredU32(out: DhcpMessage, offset: u32): u32 {
  return u32be(changetype<usize>(out.gathered) + <usize>offset);
}

/** What a REQUEST is for (RFC 2131 §4.3.2, table 5). INIT-REBOOT is not built. */
export enum DhcpRequestKind {
  /** Answering an offer: broadcast, ciaddr 0, requested address and server id set. */
  Selecting = 0,
  /** Extending the lease at T1: unicast to the server, ciaddr set, neither option. */
  Renewing = 1,
  /** Extending the lease from any server at T2: broadcast, ciaddr set, neither option. */
  Rebinding = 2,
}

/** A DISCOVER (RFC 2131 §4.4.1): broadcast reply asked, client id, parameter request list.
 * Writes DHCP_BUILD_BYTES bytes at `out` (the caller's buffer holds them); returns that length. */
export function dhcpBuildDiscover(out: usize, xid: u32, secs: u32, mac: usize): u32 {
  let at = begin(out, DhcpMessageType.Discover, xid, secs, FLAG_BROADCAST, 0, mac);
  at = parameterRequestList(out, at);
  return finish(out, at);
}

/** A REQUEST of `kind` for `address` from `server` (both ignored where table 5 says MUST NOT:
 * renewing and rebinding carry the address in ciaddr and no server id). Writes DHCP_BUILD_BYTES
 * bytes at `out`; returns that length. */
export function dhcpBuildRequest(out: usize, kind: DhcpRequestKind, xid: u32, secs: u32, mac: usize, address: u32, server: u32): u32 {
  const selecting = kind == DhcpRequestKind.Selecting;
  let at = begin(out, DhcpMessageType.Request, xid, secs, selecting ? FLAG_BROADCAST : 0, selecting ? 0 : address, mac);
  if (selecting) {
    at = addressOption(out, at, OPTION_REQUESTED_ADDRESS, address);
    at = addressOption(out, at, OPTION_SERVER_ID, server);
  }
  at = parameterRequestList(out, at);
  return finish(out, at);
}

/** A DECLINE of `address` offered by `server` (RFC 2131 §4.4.1, after a failed address check):
 * ciaddr 0, requested address and server id, no parameter list. */
export function dhcpBuildDecline(out: usize, xid: u32, mac: usize, address: u32, server: u32): u32 {
  let at = begin(out, DhcpMessageType.Decline, xid, 0, 0, 0, mac);
  at = addressOption(out, at, OPTION_REQUESTED_ADDRESS, address);
  at = addressOption(out, at, OPTION_SERVER_ID, server);
  return finish(out, at);
}

/** A RELEASE of the lease on `address` from `server` (RFC 2131 §4.4.6): ciaddr set, server id. */
export function dhcpBuildRelease(out: usize, xid: u32, mac: usize, address: u32, server: u32): u32 {
  let at = begin(out, DhcpMessageType.Release, xid, 0, 0, address, mac);
  at = addressOption(out, at, OPTION_SERVER_ID, server);
  return finish(out, at);
}

/** The fixed fields, the cookie, the message type and the client id (RFC 2132 §9.14: type 1,
 * the MAC; sent in every message, as RFC 2131 §4.2 asks of a client that sends it once).
 * Returns the offset of the next option. */
function begin(out: usize, type: DhcpMessageType, xid: u32, secs: u32, flags: u32, ciaddr: u32, mac: usize): u32 {
  memory.fill(out, 0, <usize>DHCP_BUILD_BYTES);
  store<u8>(out, 1);       // BOOTREQUEST
  store<u8>(out + 1, 1);   // Ethernet
  store<u8>(out + 2, 6);
  store32be(out + 4, xid);
  store<u8>(out + 8, <u8>(min(secs, 0xffff) >> 8)); store<u8>(out + 9, <u8>min(secs, 0xffff));
  store<u8>(out + 10, <u8>(flags >> 8)); store<u8>(out + 11, <u8>flags);
  store32be(out + 12, ciaddr);
  memory.copy(out + DHCP_CHADDR, mac, 6);
  store32be(out + COOKIE_OFFSET, MAGIC_COOKIE);
  let at = OPTIONS_OFFSET;
  store<u8>(out + at, <u8>OPTION_MESSAGE_TYPE); store<u8>(out + at + 1, 1); store<u8>(out + at + 2, <u8>type);
  at += 3;
  store<u8>(out + at, <u8>OPTION_CLIENT_ID); store<u8>(out + at + 1, 7); store<u8>(out + at + 2, 1);
  memory.copy(out + at + 3, mac, 6);
  return at + 9;
}

function addressOption(out: usize, at: u32, code: u32, address: u32): u32 {
  store<u8>(out + at, <u8>code); store<u8>(out + at + 1, 4);
  store32be(out + at + 2, address);
  return at + 6;
}

/** What the client asks for (RFC 2132 §9.8): mask, router, DNS, lease time, T1, T2. */
function parameterRequestList(out: usize, at: u32): u32 {
  store<u8>(out + at, <u8>OPTION_PARAMETERS); store<u8>(out + at + 1, 6);
  store<u8>(out + at + 2, <u8>OPTION_SUBNET_MASK); store<u8>(out + at + 3, <u8>OPTION_ROUTER);
  store<u8>(out + at + 4, <u8>OPTION_DNS); store<u8>(out + at + 5, <u8>OPTION_LEASE_TIME);
  store<u8>(out + at + 6, <u8>OPTION_RENEWAL_TIME); store<u8>(out + at + 7, <u8>OPTION_REBINDING_TIME);
  return at + 8;
}

/** The end option; the rest was zeroed (pad) by begin(). */
function finish(out: usize, at: u32): u32 {
  store<u8>(out + at, <u8>OPTION_END);
  return DHCP_BUILD_BYTES;
}
