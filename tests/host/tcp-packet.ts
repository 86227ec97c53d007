// TCP segments on the test's side, written independently of the kernel's wire layer: encode
// (options emitted literally, in the order given, padded with zeros to 4 bytes) and decode (the
// option list as it stands in the bytes), with the checksum over the IPv4 pseudo-header. Used by
// tests/host/tcp-wire.test.ts to build segments for the parser and by the segment scripts
// (tcp-script.ts) to inject and check segments.

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

export type TcpOption =
  | { kind: "mss"; value: number }
  | { kind: "sackOK" }
  | { kind: "TS"; val: number; ecr: number }
  | { kind: "nop" }
  | { kind: "eol" }
  | { kind: "wscale"; value: number }
  | { kind: "sack"; blocks: [number, number][] }
  | { kind: "raw"; bytes: number[] };

export interface TcpPacket {
  sourcePort: number;
  destinationPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  urgent?: number;
  options: TcpOption[];
  payload: Uint8Array;
  /** Set by decode: the header's length. */
  headerLength?: number;
}

const word = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

export function optionBytes(options: TcpOption[]): number[] {
  const bytes: number[] = [];
  for (const option of options) {
    switch (option.kind) {
      case "mss": bytes.push(2, 4, (option.value >> 8) & 0xff, option.value & 0xff); break;
      case "sackOK": bytes.push(4, 2); break;
      case "TS": bytes.push(8, 10, ...word(option.val), ...word(option.ecr)); break;
      case "nop": bytes.push(1); break;
      case "eol": bytes.push(0); break;
      case "wscale": bytes.push(3, 3, option.value); break;
      case "sack": bytes.push(5, 2 + 8 * option.blocks.length, ...option.blocks.flatMap(([start, end]) => [...word(start), ...word(end)])); break;
      case "raw": bytes.push(...option.bytes); break;
    }
  }
  while (bytes.length % 4 !== 0) bytes.push(0);
  return bytes;
}

/** The Internet checksum of `bytes` with the pseudo-header for `source` to `destination`. */
export function tcpChecksum(bytes: Uint8Array, source: number, destination: number): number {
  let sum = (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff) + 6 + bytes.length;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function encode(packet: TcpPacket, source: number, destination: number, dataOffset?: number): Uint8Array {
  const options = optionBytes(packet.options);
  const headerLength = 20 + options.length;
  const bytes = new Uint8Array(headerLength + packet.payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, packet.sourcePort);
  view.setUint16(2, packet.destinationPort);
  view.setUint32(4, packet.seq >>> 0);
  view.setUint32(8, packet.ack >>> 0);
  bytes[12] = (dataOffset ?? headerLength / 4) << 4;
  bytes[13] = packet.flags;
  view.setUint16(14, packet.window);
  view.setUint16(18, packet.urgent ?? 0);
  bytes.set(options, 20);
  bytes.set(packet.payload, headerLength);
  view.setUint16(16, tcpChecksum(bytes, source, destination));
  return bytes;
}

/** Decodes a segment the kernel emitted; throws on what a correct emitter never writes. */
export function decode(bytes: Uint8Array, source?: number, destination?: number): TcpPacket {
  if (bytes.length < 20) throw new Error(`segment of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = (bytes[12] >> 4) * 4;
  if (headerLength < 20 || headerLength > bytes.length) throw new Error(`data offset ${headerLength}`);
  if (source !== undefined && destination !== undefined && tcpChecksum(bytes, source, destination) !== 0) throw new Error("bad checksum");
  const options: TcpOption[] = [];
  for (let at = 20; at < headerLength;) {
    const kind = bytes[at];
    if (kind === 0) { options.push({ kind: "eol" }); at++; continue; }
    if (kind === 1) { options.push({ kind: "nop" }); at++; continue; }
    const length = bytes[at + 1];
    if (length < 2 || at + length > headerLength) throw new Error(`option ${kind} of length ${length}`);
    const body = (i: number) => view.getUint32(at + 2 + i);
    if (kind === 2 && length === 4) options.push({ kind: "mss", value: view.getUint16(at + 2) });
    else if (kind === 3 && length === 3) options.push({ kind: "wscale", value: bytes[at + 2] });
    else if (kind === 4 && length === 2) options.push({ kind: "sackOK" });
    else if (kind === 8 && length === 10) options.push({ kind: "TS", val: body(0), ecr: body(4) });
    else if (kind === 5 && (length - 2) % 8 === 0) {
      const blocks: [number, number][] = [];
      for (let i = 0; i < (length - 2) / 8; i++) blocks.push([body(8 * i), body(8 * i + 4)]);
      options.push({ kind: "sack", blocks });
    } else options.push({ kind: "raw", bytes: Array.from(bytes.subarray(at, at + length)) });
    at += length;
  }
  return {
    sourcePort: view.getUint16(0), destinationPort: view.getUint16(2), seq: view.getUint32(4), ack: view.getUint32(8), flags: bytes[13],
    window: view.getUint16(14), urgent: view.getUint16(18), options, payload: bytes.slice(headerLength), headerLength,
  };
}

/** Flags in packetdrill's letters: S F R P then "." for ACK (e.g. "S.", "F.", "P.", "."). */
export function flagText(flags: number): string {
  let text = "";
  if (flags & SYN) text += "S";
  if (flags & FIN) text += "F";
  if (flags & RST) text += "R";
  if (flags & PSH) text += "P";
  if (flags & URG) text += "U";
  if (flags & ECE) text += "E";
  if (flags & CWR) text += "W";
  if (flags & ACK) text += ".";
  return text;
}

export function parseFlags(text: string): number {
  let flags = 0;
  for (const letter of text) {
    const bit = ({ S: SYN, F: FIN, R: RST, P: PSH, U: URG, E: ECE, W: CWR, ".": ACK } as Record<string, number>)[letter];
    if (bit === undefined) throw new Error(`unknown flag ${letter} in ${text}`);
    flags |= bit;
  }
  return flags;
}
