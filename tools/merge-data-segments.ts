// Build step between wasm-opt and wasm2c: merges the module's active data segments into a few.
// asc emits one segment per static object (hundreds); wasm2c turns each into a range-checked copy
// in one long function that QEMU's TCG must translate on every boot (about 4 ms). The segments
// are laid into one image, later ones winning as wasm applies them in order, and the image is cut
// again only at runs of at least MINIMUM_ZERO_GAP zero bytes (linear memory starts zeroed, and
// every stored byte is read from the boot medium). Modules with passive segments or non-constant
// offsets are left unchanged (memory.init could name a segment by index).
// Usage: tsx tools/merge-data-segments.ts <in.wasm> <out.wasm>

import { readFileSync, writeFileSync } from "node:fs";

const SECTION_DATA = 11;
const SECTION_DATA_COUNT = 12;
const SECTION_CUSTOM = 0;
const NAME_SUBSECTION_DATA = 9;
const MAXIMUM_SPAN = 4 << 20;
const MINIMUM_ZERO_GAP = 256;

class Reader {
  constructor(readonly bytes: Uint8Array, public offset = 0) {}
  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error("truncated module");
    return this.bytes[this.offset++];
  }
  unsigned(): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }
  signed32(): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.byte();
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return shift < 32 && byte & 0x40 ? result | (-1 << shift) : result;
  }
  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new Error("truncated module");
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

function unsignedBytes(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

function signedBytes(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

function section(id: number, contents: number[] | Uint8Array): Uint8Array {
  return Uint8Array.from([id, ...unsignedBytes(contents.length), ...contents]);
}

/** The merged module, or `module` itself when merging does not apply. */
export function mergeDataSegments(module: Uint8Array): { module: Uint8Array; before: number; after: number } {
  const reader = new Reader(module, 8);
  const sections: { id: number; contents: Uint8Array }[] = [];
  while (reader.offset < module.length) {
    const id = reader.byte();
    sections.push({ id, contents: reader.take(reader.unsigned()) });
  }
  const data = sections.find((s) => s.id === SECTION_DATA);
  if (!data) return { module, before: 0, after: 0 };
  const segments: { offset: number; bytes: Uint8Array }[] = [];
  const dataReader = new Reader(data.contents);
  const count = dataReader.unsigned();
  for (let i = 0; i < count; i++) {
    const flags = dataReader.unsigned();
    if (flags === 2 && dataReader.unsigned() !== 0) return { module, before: count, after: count };
    if (flags !== 0 && flags !== 2) return { module, before: count, after: count }; // passive
    if (dataReader.byte() !== 0x41) return { module, before: count, after: count }; // not i32.const
    const offset = dataReader.signed32() >>> 0;
    if (dataReader.byte() !== 0x0b) return { module, before: count, after: count };
    segments.push({ offset, bytes: dataReader.take(dataReader.unsigned()) });
  }
  if (segments.length < 2) return { module, before: count, after: count };
  const start = Math.min(...segments.map((s) => s.offset));
  const end = Math.max(...segments.map((s) => s.offset + s.bytes.length));
  if (end - start > MAXIMUM_SPAN) return { module, before: count, after: count };
  const merged = new Uint8Array(end - start);
  for (const segment of segments) merged.set(segment.bytes, segment.offset - start);
  const pieces = nonZeroPieces(merged);
  const newData: number[] = [...unsignedBytes(pieces.length)];
  for (const [from, to] of pieces)
    newData.push(0, 0x41, ...signedBytes((start + from) | 0), 0x0b, ...unsignedBytes(to - from), ...merged.subarray(from, to));

  const output: Uint8Array[] = [module.subarray(0, 8)];
  for (const s of sections) {
    if (s.id === SECTION_DATA) output.push(section(SECTION_DATA, newData));
    else if (s.id === SECTION_DATA_COUNT) output.push(section(SECTION_DATA_COUNT, unsignedBytes(pieces.length)));
    else if (s.id === SECTION_CUSTOM) output.push(section(SECTION_CUSTOM, withoutDataNames(s.contents)));
    else output.push(section(s.id, s.contents));
  }
  const total = output.reduce((sum, part) => sum + part.length, 0);
  const result = new Uint8Array(total);
  let at = 0;
  for (const part of output) {
    result.set(part, at);
    at += part.length;
  }
  return { module: result, before: count, after: pieces.length };
}

/** [from, to) ranges of `image` separated by runs of at least MINIMUM_ZERO_GAP zero bytes. */
function nonZeroPieces(image: Uint8Array): [number, number][] {
  const pieces: [number, number][] = [];
  let pieceStart = -1, zeros = 0;
  for (let i = 0; i < image.length; i++) {
    if (image[i] !== 0) {
      if (pieceStart < 0) pieceStart = i;
      else if (zeros >= MINIMUM_ZERO_GAP) {
        pieces.push([pieceStart, i - zeros]);
        pieceStart = i;
      }
      zeros = 0;
    } else if (pieceStart >= 0) zeros++;
  }
  if (pieceStart >= 0) pieces.push([pieceStart, image.length - zeros]);
  return pieces.length ? pieces : [[0, 0]];
}

/** A custom section, minus the name section's data-segment names (their indices are gone). */
function withoutDataNames(contents: Uint8Array): Uint8Array {
  const reader = new Reader(contents);
  const nameLength = reader.unsigned();
  const name = new TextDecoder().decode(reader.take(nameLength));
  if (name !== "name") return contents;
  const kept: number[] = Array.from(contents.subarray(0, reader.offset));
  while (reader.offset < contents.length) {
    const id = reader.byte();
    const body = reader.take(reader.unsigned());
    if (id !== NAME_SUBSECTION_DATA) kept.push(id, ...unsignedBytes(body.length), ...body);
  }
  return Uint8Array.from(kept);
}

if (process.argv[1]?.endsWith("merge-data-segments.ts")) {
  const [input, output] = process.argv.slice(2);
  const result = mergeDataSegments(readFileSync(input));
  writeFileSync(output, result.module);
  console.log(`merge-data-segments: ${result.before} data segments -> ${result.after}`);
}
