// DNS messages for a stub resolver (user runtime): builds an A-record query for a dotted name
// and parses the response to it (RFC 1035 §4.1): the header matched to the query (id, one
// question, the same name, type and class), the rcode and the TC bit reported, then the A
// records of the name, following CNAMEs within the message. A program sends the query over UDP
// to port 53 and hands both the query and the response here. Pure: imports only abi/, and
// tests/host/dns.test.ts fuzzes it.
//
// Every offset is checked against the response's length before it is read, so any input meets a
// verdict, never an abort. Names (RFC 1035 §4.1.4): a compression pointer must point strictly
// before the start of the run of labels it ends (the name's start, or the last pointer's target),
// so every jump goes backwards and a chain cannot loop; at most 64 jumps, and a name's
// uncompressed length stays within 255 bytes. Label types 01 and 10 (RFC 6891's extended labels,
// unused) are malformed. At most 8 CNAMEs are followed (a CNAME loop ends there); the authority
// and additional sections are not read. Names are compared case-insensitively (ASCII,
// RFC 4343).

import { KernelError } from "../../abi/errors";

export const DNS_PORT: u32 = 53;
const HEADER: u32 = 12;
/** The longest name on the wire, length bytes and the root's 0 included (RFC 1035 §2.3.4). */
const NAME_MAXIMUM: u32 = 255;
const LABEL_MAXIMUM: u32 = 63;
const JUMPS_MAXIMUM: u32 = 64;
export const DNS_CNAMES_MAXIMUM: u32 = 8;
/** Most addresses one response gives. */
export const DNS_ADDRESSES_MAXIMUM: i32 = 8;
/** The longest query dnsBuildQuery writes. */
export const DNS_QUERY_MAXIMUM: u32 = HEADER + NAME_MAXIMUM + 4;
const TYPE_A: u32 = 1;
const TYPE_CNAME: u32 = 5;
const CLASS_IN: u32 = 1;
const FLAG_RESPONSE: u32 = 0x8000;
const FLAG_TRUNCATED: u32 = 0x0200;
const FLAG_RECURSION_DESIRED: u32 = 0x0100;

/** RFC 1035 §4.1.1 (the common ones). */
export enum DnsRcode {
  NoError = 0,
  FormatError = 1,
  ServerFailure = 2,
  /** NXDOMAIN: the name does not exist. */
  NameError = 3,
  NotImplemented = 4,
  Refused = 5,
}

/** What a response says, or why it was dropped. Add at the end. */
export enum DnsVerdict {
  /** At least one address for the name: DnsResponse.addresses. */
  Answered = 0,
  /** No error, but no A record for the name (or the end of its CNAME chain). */
  NoAddress = 1,
  /** The server answered with an error: DnsResponse.rcode (NameError: no such name). */
  ServerError = 2,
  /** TC set: the answer did not fit; asking again over TCP is the caller's (not supported). */
  Truncated = 3,
  // Drop reasons:
  /** Shorter than the header, or than its question. */
  TooShort = 4,
  /** QR is 0: a query, not a response. */
  NotResponse = 5,
  /** Not the query's id. */
  WrongId = 6,
  /** An opcode other than QUERY. */
  WrongOpcode = 7,
  /** Not exactly one question. */
  QuestionCount = 8,
  /** The question is not the query's (name, type or class). */
  QuestionMismatch = 9,
  /** A name runs past the message, is longer than 255 bytes, or has a reserved label type. */
  NameMalformed = 10,
  /** A compression pointer points forwards or into its own run, or there are more than 64. */
  PointerLoop = 11,
  /** A record's fixed fields or data run past the message. */
  RecordOverrun = 12,
  /** An A record whose data are not 4 bytes, or a CNAME whose name does not fill its data. */
  RecordMalformed = 13,
  /** More than DNS_CNAMES_MAXIMUM CNAMEs in a row (a loop, or a chain too long). */
  CnameChainTooLong = 14,
}
export const DNS_VERDICTS: i32 = <i32>DnsVerdict.CnameChainTooLong + 1;

/** The parsed response; the fields past rcode and truncated are valid for Answered. */
export class DnsResponse {
  id: u32 = 0;
  rcode: u32 = 0;
  truncated: bool = false;
  /** The addresses (host-order numbers: 10.0.2.15 is 0x0a00020f) and their TTLs in seconds. */
  readonly addresses: StaticArray<u32> = new StaticArray<u32>(DNS_ADDRESSES_MAXIMUM);
  readonly ttls: StaticArray<u32> = new StaticArray<u32>(DNS_ADDRESSES_MAXIMUM);
  addressCount: i32 = 0;
  /** CNAMEs followed to reach the addresses. */
  cnames: u32 = 0;
  /** Scratch: the name sought, a record's owner, a CNAME's target (uncompressed, lower case),
   * and the length of the last name read. */
  readonly sought: StaticArray<u8> = new StaticArray<u8>(<i32>NAME_MAXIMUM);
  soughtLength: u32 = 0;
  readonly owner: StaticArray<u8> = new StaticArray<u8>(<i32>NAME_MAXIMUM);
  readonly target: StaticArray<u8> = new StaticArray<u8>(<i32>NAME_MAXIMUM);
  targetLength: u32 = 0;
  nameLength: u32 = 0;
}

@inline function u16be(address: usize): u32 {
  return (<u32>load<u8>(address) << 8) | <u32>load<u8>(address + 1);
}

/** Writes at `out` (`capacity` bytes) a query for the A records of `name` (dotted text, one
 * trailing dot allowed; labels of 1..63 printable ASCII characters other than '.', 255 bytes in
 * all on the wire) with `id` and recursion desired. Returns its length, or -InvalidArgument for
 * a name that breaks those rules, -OutOfRange when `capacity` is too small. */
export function dnsBuildQuery(out: usize, capacity: u32, id: u32, name: string): i32 {
  let textLength = name.length;
  if (textLength > 0 && name.charCodeAt(textLength - 1) == 0x2e) textLength--;
  if (textLength == 0) return -<i32>KernelError.InvalidArgument;
  // Wire length: one length byte per label plus the characters (the dots become length bytes),
  // plus the first length byte and the root.
  const wireLength = <u32>textLength + 2;
  if (wireLength > NAME_MAXIMUM) return -<i32>KernelError.InvalidArgument;
  const total = HEADER + wireLength + 4;
  if (capacity < total) return -<i32>KernelError.OutOfRange;
  let labelStart: u32 = HEADER, labelLength: u32 = 0;
  for (let i = 0; i <= textLength; i++) {
    const c = i < textLength ? <u32>name.charCodeAt(i) : 0x2e;
    if (c == 0x2e) {
      if (labelLength == 0 || labelLength > LABEL_MAXIMUM) return -<i32>KernelError.InvalidArgument;
      store<u8>(out + <usize>labelStart, <u8>labelLength);
      labelStart += labelLength + 1;
      labelLength = 0;
    } else {
      if (c <= 0x20 || c >= 0x7f) return -<i32>KernelError.InvalidArgument;
      labelLength++;
      if (labelLength > LABEL_MAXIMUM) return -<i32>KernelError.InvalidArgument;
      store<u8>(out + <usize>(labelStart + labelLength), <u8>c);
    }
  }
  store<u8>(out + <usize>labelStart, 0);
  // The header: id, flags (RD), one question, no answer, authority or additional records.
  memory.fill(out, 0, <usize>HEADER);
  store<u8>(out, <u8>(id >> 8)); store<u8>(out + 1, <u8>id);
  store<u8>(out + 2, <u8>(FLAG_RECURSION_DESIRED >> 8));
  store<u8>(out + 5, 1);
  const tail = out + <usize>(labelStart + 1);
  store<u8>(tail, 0); store<u8>(tail + 1, <u8>TYPE_A);
  store<u8>(tail + 2, 0); store<u8>(tail + 3, <u8>CLASS_IN);
  return <i32>total;
}

/** Parses the `length` bytes at `message` as the response to the `queryLength`-byte query at
 * `query` (as dnsBuildQuery wrote it), filling `out`. Never reads outside either. */
export function dnsParseResponse(message: usize, length: u32, query: usize, queryLength: u32, out: DnsResponse): DnsVerdict {
  out.addressCount = 0;
  out.cnames = 0;
  out.rcode = 0;
  out.truncated = false;
  if (length < HEADER) return DnsVerdict.TooShort;
  const flags = u16be(message + 2);
  out.id = u16be(message);
  out.rcode = flags & 0xf;
  out.truncated = (flags & FLAG_TRUNCATED) != 0;
  if ((flags & FLAG_RESPONSE) == 0) return DnsVerdict.NotResponse;
  if (queryLength < HEADER || out.id != u16be(query)) return DnsVerdict.WrongId;
  if (((flags >> 11) & 0xf) != 0) return DnsVerdict.WrongOpcode;
  if (out.truncated) return DnsVerdict.Truncated;
  if (u16be(message + 4) != 1) return DnsVerdict.QuestionCount;
  const answers = u16be(message + 6);

  // The question: the query's name, type and class.
  let end = readName(query, queryLength, HEADER, out.sought, out);
  if (end < 0 || <u32>end + 4 > queryLength) return DnsVerdict.QuestionMismatch;
  out.soughtLength = out.nameLength;
  const queryType = query + <usize>end;
  end = readName(message, length, HEADER, out.owner, out);
  if (end < 0) return <DnsVerdict>-end;
  if (<u32>end + 4 > length) return DnsVerdict.TooShort;
  if (!sameName(out.owner, out.nameLength, out.sought, out.soughtLength) || u16be(message + <usize>end) != u16be(queryType)
    || u16be(message + <usize>end + 2) != u16be(queryType + 2)) return DnsVerdict.QuestionMismatch;
  if (out.rcode != 0) return DnsVerdict.ServerError;
  const first = <u32>end + 4;

  // The answers, once per name of the CNAME chain.
  for (let hop: u32 = 0; hop <= DNS_CNAMES_MAXIMUM; hop++) {
    let at = first;
    let cname = false;
    for (let i: u32 = 0; i < answers; i++) {
      if (at >= length) return DnsVerdict.RecordOverrun;   // fewer records than the count says
      const nameEnd = readName(message, length, at, out.owner, out);
      if (nameEnd < 0) return <DnsVerdict>-nameEnd;
      if (<u32>nameEnd + 10 > length) return DnsVerdict.RecordOverrun;
      const fixed = message + <usize>nameEnd;
      const type = u16be(fixed), klass = u16be(fixed + 2);
      const ttl = (u16be(fixed + 4) << 16) | u16be(fixed + 6);
      const dataLength = u16be(fixed + 8);
      const data = <u32>nameEnd + 10;
      if (data + dataLength > length) return DnsVerdict.RecordOverrun;
      if (klass == CLASS_IN && sameName(out.owner, out.nameLength, out.sought, out.soughtLength)) {
        if (type == TYPE_A) {
          if (dataLength != 4) return DnsVerdict.RecordMalformed;
          const count = out.addressCount;
          if (count < DNS_ADDRESSES_MAXIMUM) {
            unchecked(out.addresses[count] = (u16be(message + <usize>data) << 16) | u16be(message + <usize>data + 2));
            unchecked(out.ttls[count] = ttl);
            out.addressCount = count + 1;
          }
        } else if (type == TYPE_CNAME && !cname) {
          const targetEnd = readName(message, length, data, out.target, out);
          if (targetEnd < 0) return <DnsVerdict>-targetEnd;
          if (<u32>targetEnd != data + dataLength) return DnsVerdict.RecordMalformed;
          cname = true;
          out.targetLength = out.nameLength;
        }
      }
      at = data + dataLength;
    }
    if (out.addressCount > 0) return DnsVerdict.Answered;
    if (!cname) return DnsVerdict.NoAddress;
    if (hop >= DNS_CNAMES_MAXIMUM) return DnsVerdict.CnameChainTooLong;
    // The chain's next name is sought in the next pass.
    memory.copy(changetype<usize>(out.sought), changetype<usize>(out.target), <usize>out.targetLength);
    out.soughtLength = out.targetLength;
    out.cnames = hop + 1;
  }
  return DnsVerdict.CnameChainTooLong;   // not reached: the last pass returns
}

/** Reads the name at `start` of the `length` bytes at `message` into `into` (uncompressed, lower
 * case, its length in out.nameLength). Returns the offset just after the name where it starts
 * (after its first pointer, or its root label), or -DnsVerdict. */
function readName(message: usize, length: u32, start: u32, into: StaticArray<u8>, out: DnsResponse): i32 {
  let at = start, run = start, end: i32 = -1, jumps: u32 = 0, written: u32 = 0;
  const name = changetype<usize>(into);
  while (true) {
    if (at >= length) return -<i32>DnsVerdict.NameMalformed;
    const byte = <u32>load<u8>(message + <usize>at);
    const kind = byte & 0xc0;
    if (kind == 0xc0) {
      if (at + 1 >= length) return -<i32>DnsVerdict.NameMalformed;
      const target = ((byte & 0x3f) << 8) | <u32>load<u8>(message + <usize>at + 1);
      if (end < 0) end = <i32>(at + 2);
      // Strictly before the run this pointer ends: every jump goes backwards, no loop.
      if (target >= run || ++jumps > JUMPS_MAXIMUM) return -<i32>DnsVerdict.PointerLoop;
      at = target;
      run = target;
      continue;
    }
    if (kind != 0) return -<i32>DnsVerdict.NameMalformed;
    // Room for this label and the root's 0 after it.
    if (written + 1 + byte + (byte != 0 ? 1 : 0) > NAME_MAXIMUM) return -<i32>DnsVerdict.NameMalformed;
    if (byte == 0) {
      store<u8>(name + <usize>written, 0);
      written++;
      break;
    }
    if (at + 1 + byte > length) return -<i32>DnsVerdict.NameMalformed;
    store<u8>(name + <usize>written, <u8>byte);
    for (let i: u32 = 1; i <= byte; i++) {
      let c = <u32>load<u8>(message + <usize>(at + i));
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      store<u8>(name + <usize>(written + i), <u8>c);
    }
    written += 1 + byte;
    at += 1 + byte;
  }
  out.nameLength = written;
  return end >= 0 ? end : <i32>(at + 1);
}

function sameName(a: StaticArray<u8>, aLength: u32, b: StaticArray<u8>, bLength: u32): bool {
  return aLength == bLength && memory.compare(changetype<usize>(a), changetype<usize>(b), <usize>aLength) == 0;
}
