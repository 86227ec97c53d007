// Host tests of the ACPI parsers (kernel/acpi/*.ts), compiled to wasm with asc and run under Node:
// QEMU-like tables (RSDP 2.0 -> XSDT and RSDP 1.0 -> RSDT -> MADT), every refusal the parsers
// promise (signatures, checksums, lengths, 4 GiB, the caller's readable ranges) and a seeded fuzz
// loop that must never reach an abort or a wasm trap. Tables are built here with their checksums.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const acpi = suite("ACPI parsers");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;

acpi.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/acpi.ts"));
});
acpi.before.each(() => {
  wasm = instantiate(module);
});

// --- talking to the module ---------------------------------------------------------------------

function readString(address: number): string {
  const length = new Uint32Array(wasm.memory.buffer, address - 4, 1)[0];
  return Buffer.from(wasm.memory.buffer, address, length).toString("utf16le");
}
function json(address: number): any {
  return JSON.parse(readString(address));
}
function setReadable(start: number, end: number): void {
  wasm.exports.resetReadable();
  assert.is(wasm.exports.addReadable(BigInt(start), BigInt(end)), 0, "readable range accepted");
}
function write(address: number, bytes: Uint8Array): void {
  new Uint8Array(wasm.memory.buffer).set(bytes, address);
}
const parseRsdp = (address: number, available: number) => json(wasm.exports.parseRsdpJson(address, available));
const readTable = (address: number | bigint) => json(wasm.exports.readTableJson(BigInt(address)));
const findTable = (rsdp: Placed, signature: string) =>
  json(wasm.exports.findTableJson(rsdp.address, rsdp.length, wasm.string(signature)));
const findMadt = (rsdp: Placed) => json(wasm.exports.findMadtJson(rsdp.address, rsdp.length));
const parseMadtAt = (address: number) => json(wasm.exports.parseMadtAtJson(BigInt(address)));
const route = (irq: number) => json(wasm.exports.isaIrqToGsiJson(irq));
const pciRoute = (line: number) => json(wasm.exports.pciLineToGsiJson(line));
const covers = (address: bigint, length: bigint): boolean => wasm.exports.covers(address, length) === 1;

// --- building tables ---------------------------------------------------------------------------

function sum(bytes: Uint8Array, length = bytes.length): number {
  let total = 0;
  for (let i = 0; i < length; i++) total += bytes[i];
  return total & 0xff;
}
/** Sets bytes[at] so that the first `length` bytes sum to zero. */
function fixChecksum(bytes: Uint8Array, at: number, length = bytes.length): void {
  bytes[at] = 0;
  bytes[at] = (0x100 - sum(bytes, length)) & 0xff;
}

/** A system description table (ACPI §5.2.6): the 36-byte header, then `body`; checksum set. */
function sdt(signature: string, body: Uint8Array, revision = 1): Uint8Array {
  const bytes = new Uint8Array(36 + body.length);
  const view = new DataView(bytes.buffer);
  bytes.set(Buffer.from(signature, "latin1"), 0);
  view.setUint32(4, bytes.length, true);
  bytes[8] = revision;
  bytes.set(Buffer.from("BOCHS ", "latin1"), 10);
  bytes.set(Buffer.from("BXPC    ", "latin1"), 16);
  view.setUint32(24, 1, true);
  bytes.set(Buffer.from("BXPC", "latin1"), 28);
  view.setUint32(32, 1, true);
  bytes.set(body, 36);
  fixChecksum(bytes, 9);
  return bytes;
}
function rootTable(signature: "RSDT" | "XSDT", addresses: (number | bigint)[]): Uint8Array {
  const size = signature === "XSDT" ? 8 : 4;
  const body = new Uint8Array(addresses.length * size);
  const view = new DataView(body.buffer);
  addresses.forEach((address, i) => {
    if (size === 8) view.setBigUint64(i * 8, BigInt(address), true);
    else view.setUint32(i * 4, Number(address), true);
  });
  return sdt(signature, body);
}
/** An RSDP (ACPI §5.2.5.3): 20 bytes for revision 0, 36 for revision 2; checksums set. */
function rsdpBytes(revision: number, rsdt: number, xsdt: number | bigint = 0): Uint8Array {
  const bytes = new Uint8Array(revision >= 2 ? 36 : 20);
  const view = new DataView(bytes.buffer);
  bytes.set(Buffer.from("RSD PTR ", "latin1"), 0);
  bytes.set(Buffer.from("BOCHS ", "latin1"), 9);
  bytes[15] = revision;
  view.setUint32(16, rsdt, true);
  if (revision >= 2) {
    view.setUint32(20, 36, true);
    view.setBigUint64(24, BigInt(xsdt), true);
  }
  fixChecksum(bytes, 8, 20);
  if (revision >= 2) fixChecksum(bytes, 32, 36);
  return bytes;
}

/** MADT interrupt controller structures (ACPI §5.2.12). */
class Structures {
  bytes: number[] = [];
  private push(type: number, length: number, fill: (view: DataView) => void): this {
    const structure = new Uint8Array(length);
    structure[0] = type;
    structure[1] = length;
    fill(new DataView(structure.buffer));
    this.bytes.push(...structure);
    return this;
  }
  localApic(uid: number, apicId: number, flags: number) {
    return this.push(0, 8, (v) => { v.setUint8(2, uid); v.setUint8(3, apicId); v.setUint32(4, flags, true); });
  }
  ioApic(id: number, address: number, gsiBase: number) {
    return this.push(1, 12, (v) => { v.setUint8(2, id); v.setUint32(4, address, true); v.setUint32(8, gsiBase, true); });
  }
  override(bus: number, irq: number, gsi: number, flags: number) {
    return this.push(2, 10, (v) => { v.setUint8(2, bus); v.setUint8(3, irq); v.setUint32(4, gsi, true); v.setUint16(8, flags, true); });
  }
  localApicNmi(uid: number, flags: number, lint: number) {
    return this.push(4, 6, (v) => { v.setUint8(2, uid); v.setUint16(3, flags, true); v.setUint8(5, lint); });
  }
  addressOverride(address: bigint) {
    return this.push(5, 12, (v) => v.setBigUint64(4, address, true));
  }
  raw(...bytes: number[]) {
    this.bytes.push(...bytes);
    return this;
  }
}
function madt(structures: Structures, localApicAddress = 0xfee00000, flags = 1): Uint8Array {
  const body = new Uint8Array(8 + structures.bytes.length);
  const view = new DataView(body.buffer);
  view.setUint32(0, localApicAddress, true);
  view.setUint32(4, flags, true);
  body.set(structures.bytes, 8);
  return sdt("APIC", body, 1);
}
/** QEMU 7.2's i440fx MADT (hw/i386/acpi-common.c): per CPU a local APIC, one I/O APIC, IRQ0 ->
 * GSI 2, the PCI IRQs 5, 9, 10, 11 level-triggered active high, and LINT1 NMI for all CPUs. */
function qemuMadt(cpus: number): Uint8Array {
  const structures = new Structures();
  for (let i = 0; i < cpus; i++) structures.localApic(i, i, 1);
  structures.ioApic(0, 0xfec00000, 0).override(0, 0, 2, 0);
  for (const irq of [5, 9, 10, 11]) structures.override(0, irq, irq, 0x000d);
  structures.localApicNmi(0xff, 0, 1);
  return madt(structures);
}

interface Placed { address: number; length: number }
/** Places tables in the module's scratch area; their "physical addresses" are scratch addresses. */
class Scratch {
  base = wasm.exports.scratchAddress() as number;
  size = wasm.exports.scratchBytes() as number;
  private used = 0;
  constructor(readable = true) {
    new Uint8Array(wasm.memory.buffer, this.base, this.size).fill(0);
    if (readable) setReadable(this.base, this.base + this.size);
  }
  place(bytes: Uint8Array): Placed {
    const address = this.base + this.used;
    if (this.used + bytes.length > this.size) throw new Error("scratch area full");
    write(address, bytes);
    this.used = (this.used + bytes.length + 15) & ~15;
    return { address, length: bytes.length };
  }
  get end(): number { return this.base + this.size; }
}

interface QemuSet { rsdp: Placed; madt: Placed; facp: Placed; xsdt?: Placed; rsdt?: Placed }
/** Revision 2: RSDP -> XSDT (and RSDT) -> FACP, APIC, as OVMF publishes; revision 0: RSDP ->
 * RSDT -> FACP, APIC, as SeaBIOS does. */
function qemuSet(scratch: Scratch, revision: number, cpus: number): QemuSet {
  const facp = scratch.place(sdt("FACP", new Uint8Array(244 - 36), 3));
  const madtPlaced = scratch.place(qemuMadt(cpus));
  const rsdt = scratch.place(rootTable("RSDT", [facp.address, madtPlaced.address]));
  const xsdt = revision >= 2 ? scratch.place(rootTable("XSDT", [facp.address, madtPlaced.address])) : undefined;
  const rsdp = scratch.place(rsdpBytes(revision, rsdt.address, xsdt?.address ?? 0));
  return { rsdp, madt: madtPlaced, facp, xsdt, rsdt };
}

const QEMU_OVERRIDES = [
  { bus: 0, irq: 0, gsi: 2, flags: 0 }, { bus: 0, irq: 5, gsi: 5, flags: 13 }, { bus: 0, irq: 9, gsi: 9, flags: 13 },
  { bus: 0, irq: 10, gsi: 10, flags: 13 }, { bus: 0, irq: 11, gsi: 11, flags: 13 },
];

// --- QEMU-like tables --------------------------------------------------------------------------

acpi("signature constants match their ASCII names", () => {
  const constants = json(wasm.exports.constantsJson());
  for (const name of ["RSDT", "XSDT", "APIC", "FACP"]) {
    assert.is(constants[name], Buffer.from(name, "latin1").readUInt32LE(0), name);
    assert.is(wasm.exports.signatureCodeOf(wasm.string(name)) >>> 0, constants[name], `signatureCode("${name}")`);
  }
  assert.is(constants.header, 36);
  assert.is(wasm.exports.signatureCodeOf(wasm.string("APICS")), 0, "not 4 characters");
  assert.is(readString(wasm.exports.signatureTextOf(0x0a504146)), "FAP?", "unprintable byte shown as ?");
});

acpi("QEMU, RSDP 2.0 -> XSDT -> APIC, 1 CPU", () => {
  const scratch = new Scratch();
  const set = qemuSet(scratch, 2, 1);
  const rsdp = parseRsdp(set.rsdp.address, 36);
  assert.equal([rsdp.error, rsdp.revision, rsdp.length, rsdp.oemId], ["none", 2, 36, "BOCHS "]);
  assert.is(rsdp.rsdt, set.rsdt!.address);
  assert.is(rsdp.xsdt, `0x${set.xsdt!.address.toString(16)}`);
  const facp = findTable(set.rsdp, "FACP");
  assert.equal([facp.error, facp.address, facp.length, facp.revision], ["none", `0x${set.facp.address.toString(16)}`, 244, 3]);
  assert.equal([facp.oemId, facp.oemTableId], ["BOCHS ", "BXPC    "]);
  const { table, madt } = findMadt(set.rsdp);
  assert.equal([table.error, table.signature, table.address, table.problems], ["none", "APIC", `0x${set.madt.address.toString(16)}`, []]);
  assert.is(madt.error, "none");
  assert.equal(madt.problems, []);
  assert.is(madt.localApicAddress, 0xfee00000);
  assert.is(madt.effectiveLocalApicAddress, "0xfee00000");
  assert.equal([madt.flags, madt.pcatCompatible], [1, true]);
  assert.equal(madt.localApics, [{ uid: 0, apicId: 0, flags: 1, enabled: true, onlineCapable: false }]);
  assert.equal(madt.ioApics, [{ id: 0, address: 0xfec00000, gsiBase: 0 }]);
  assert.equal(madt.overrides, QEMU_OVERRIDES);
  assert.equal(madt.localApicNmis, [{ uid: 0xff, flags: 0, lint: 1 }]);
});

acpi("QEMU, RSDP 1.0 -> RSDT -> APIC, 2 CPUs", () => {
  const scratch = new Scratch();
  const set = qemuSet(scratch, 0, 2);
  const rsdp = parseRsdp(set.rsdp.address, 20);
  assert.equal([rsdp.error, rsdp.revision, rsdp.length, rsdp.xsdt], ["none", 0, 20, "0x0"]);
  const { table, madt } = findMadt(set.rsdp);
  assert.is(table.error, "none");
  assert.is(madt.error, "none");
  assert.equal(madt.localApics, [
    { uid: 0, apicId: 0, flags: 1, enabled: true, onlineCapable: false },
    { uid: 1, apicId: 1, flags: 1, enabled: true, onlineCapable: false },
  ]);
  assert.equal(madt.overrides, QEMU_OVERRIDES);
  assert.equal(madt.localApicNmis, [{ uid: 0xff, flags: 0, lint: 1 }]);
});

acpi("isaIrqToGsi: IRQ0 -> GSI 2, identity elsewhere with ISA defaults, PCI IRQs level", () => {
  const scratch = new Scratch();
  assert.is(findMadt(qemuSet(scratch, 2, 1).rsdp).madt.error, "none");
  assert.equal(route(0), { error: "none", gsi: 2, activeLow: false, level: false });
  assert.equal(route(4), { error: "none", gsi: 4, activeLow: false, level: false });
  assert.equal(route(9), { error: "none", gsi: 9, activeLow: false, level: true });
  assert.equal(route(15), { error: "none", gsi: 15, activeLow: false, level: false });
  assert.is(route(16).error, "invalid argument");
});

acpi("isaIrqToGsi: active low, the first of two overrides wins, non-ISA buses ignored", () => {
  const scratch = new Scratch();
  const table = scratch.place(madt(new Structures().override(0, 3, 20, 0x000f).override(0, 3, 21, 0).override(1, 4, 30, 0)));
  const parsed = parseMadtAt(table.address);
  assert.is(parsed.error, "none");
  assert.match(parsed.problems.join("\n"), /second override of IRQ 3/);
  assert.match(parsed.problems.join("\n"), /IRQ 4 on bus 1, not ISA/);
  assert.equal(route(3), { error: "none", gsi: 20, activeLow: true, level: true });
  assert.equal(route(4), { error: "none", gsi: 4, activeLow: false, level: false });
});

acpi("pciLineToGsi: QEMU's PCI IRQs through their overrides (level, active high); PCI's signalling where none or 'conforms'", () => {
  const scratch = new Scratch();
  assert.is(findMadt(qemuSet(scratch, 2, 1).rsdp).madt.error, "none");
  assert.equal(pciRoute(10), { error: "none", gsi: 10, activeLow: false, level: true });
  assert.equal(pciRoute(11), { error: "none", gsi: 11, activeLow: false, level: true });
  assert.equal(pciRoute(0), { error: "not found", gsi: 0, activeLow: true, level: true }, "0: firmware gave no line");
  assert.equal(pciRoute(255), { error: "not found", gsi: 0, activeLow: true, level: true }, "255: unknown or not connected");
  assert.equal(pciRoute(3), { error: "none", gsi: 3, activeLow: true, level: true }, "no override: PCI's own signalling");
  assert.equal(pciRoute(19), { error: "none", gsi: 19, activeLow: true, level: true }, "16 and up: a GSI as written");
  const table = scratch.place(madt(new Structures().override(0, 3, 20, 0x0000).override(0, 4, 21, 0x0005).override(0, 5, 22, 0x000a)
    .override(1, 6, 30, 0x0005)));
  assert.is(parseMadtAt(table.address).error, "none");
  assert.equal(pciRoute(3), { error: "none", gsi: 20, activeLow: true, level: true }, "flags 0, conforming: PCI's");
  assert.equal(pciRoute(4), { error: "none", gsi: 21, activeLow: false, level: false }, "active high, edge: the override's");
  assert.equal(pciRoute(5), { error: "none", gsi: 22, activeLow: true, level: true }, "reserved fields: PCI's");
  assert.equal(pciRoute(6), { error: "none", gsi: 6, activeLow: true, level: true }, "an override on another bus is not ISA's");
});

acpi("MADT: an override with reserved flags or a non-ISA source IRQ is noted, with its IRQ", () => {
  const scratch = new Scratch();
  const table = scratch.place(madt(new Structures().override(0, 5, 5, 0x0002).override(0, 17, 40, 0)));
  const parsed = parseMadtAt(table.address);
  assert.is(parsed.error, "none");
  const problems = parsed.problems.join("\n");
  assert.match(problems, /MADT offset \d+: override of IRQ 5 has reserved flags 0x2; ISA defaults used/);
  assert.match(problems, /MADT offset \d+: override of IRQ 17, not an ISA IRQ/);
});

acpi("MADT: local APIC address override, online-capable CPUs, unknown types skipped by length", () => {
  const scratch = new Scratch();
  const structures = new Structures()
    .raw(9, 16, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0) // type 9, processor local x2APIC
    .localApic(1, 7, 2)
    .raw(0x7f, 3, 0xee)                                    // a future type
    .addressOverride(0xfee0_0000_0000n)
    .localApic(2, 8, 1);
  const parsed = parseMadtAt(scratch.place(madt(structures, 0xfee00000, 0)).address);
  assert.equal([parsed.error, parsed.problems, parsed.pcatCompatible], ["none", [], false]);
  assert.is(parsed.effectiveLocalApicAddress, "0xfee000000000");
  assert.is(parsed.localApicAddress, 0xfee00000);
  assert.equal(parsed.localApics, [
    { uid: 1, apicId: 7, flags: 2, enabled: false, onlineCapable: true },
    { uid: 2, apicId: 8, flags: 1, enabled: true, onlineCapable: false },
  ]);
});

// --- refusals: RSDP ----------------------------------------------------------------------------

acpi("RSDP: bad signature, bad checksum, bad extended checksum, truncated, bad length", () => {
  const scratch = new Scratch();
  const good = rsdpBytes(2, 0x1000, 0x2000);
  const badSignature = good.slice(); badSignature[0] = 0x72; // "rSD PTR "
  assert.is(parseRsdp(scratch.place(badSignature).address, 36).error, "malformed");
  const badChecksum = good.slice(); badChecksum[16] ^= 1;
  assert.is(parseRsdp(scratch.place(badChecksum).address, 36).error, "checksum mismatch");
  const badExtended = good.slice(); badExtended[24] ^= 1; // XSDT address: only the extended checksum covers it
  assert.is(sum(badExtended, 20), 0, "the 1.0 checksum still holds");
  assert.is(parseRsdp(scratch.place(badExtended).address, 36).error, "checksum mismatch");
  const goodAddress = scratch.place(good).address;
  assert.is(parseRsdp(goodAddress, 19).error, "truncated");
  assert.is(parseRsdp(0, 36).error, "invalid argument");
  const shortLength = good.slice(); new DataView(shortLength.buffer).setUint32(20, 35, true);
  fixChecksum(shortLength, 32, 36);
  assert.is(parseRsdp(scratch.place(shortLength).address, 36).error, "malformed");
  const longLength = good.slice(); new DataView(longLength.buffer).setUint32(20, 0xffffffff, true);
  fixChecksum(longLength, 32, 36);
  assert.is(parseRsdp(scratch.place(longLength).address, 36).error, "truncated", "length past the copied bytes");
});

acpi("RSDP: revision 2 copied in 20 bytes (multiboot2 tag 14) falls back to the RSDT", () => {
  const scratch = new Scratch();
  const set = qemuSet(scratch, 2, 1);
  const rsdp = parseRsdp(set.rsdp.address, 20);
  assert.equal([rsdp.error, rsdp.revision, rsdp.length, rsdp.xsdt], ["none", 2, 20, "0x0"]);
  assert.match(rsdp.problems[0], /only 20 bytes/);
  const { table, madt } = findMadt({ address: set.rsdp.address, length: 20 });
  assert.equal([table.error, madt.error], ["none", "none"]);
});

// --- refusals: tables and roots ----------------------------------------------------------------

acpi("SDT: bad checksum, header length below 36, null and above-4-GiB addresses", () => {
  const scratch = new Scratch();
  const badChecksum = sdt("FACP", new Uint8Array(8)); badChecksum[40] ^= 0x10;
  assert.is(readTable(scratch.place(badChecksum).address).error, "checksum mismatch");
  const short = sdt("FACP", new Uint8Array(8)); new DataView(short.buffer).setUint32(4, 35, true); fixChecksum(short, 9, 36);
  assert.is(readTable(scratch.place(short).address).error, "malformed");
  const zero = sdt("FACP", new Uint8Array(8)); new DataView(zero.buffer).setUint32(4, 0, true); fixChecksum(zero, 9, 36);
  assert.is(readTable(scratch.place(zero).address).error, "malformed");
  assert.is(readTable(0).error, "out of range");
  assert.is(readTable(0x1_0000_0000n).error, "out of range");
  assert.is(readTable(0xffff_ffe0n).error, "out of range", "header past 4 GiB");
});

acpi("SDT: a length that reaches past 4 GiB (would wrap a u32) is refused without reading", () => {
  const scratch = new Scratch();
  const table = sdt("FACP", new Uint8Array(8));
  const placed = scratch.place(table);
  const huge = 0x1_0000_0000 - placed.address + 16; // address + length wraps to 16 in 32 bits
  new DataView(wasm.memory.buffer).setUint32(placed.address + 4, huge, true);
  const result = readTable(placed.address);
  assert.is(result.error, "out of range");
  assert.match(result.problems[0], /reaches past 4 GiB/);
});

acpi("a table reaching past the readable memory is refused and never read (the page after is unmapped)", () => {
  const page = wasm.exports.growOnePage() as number;
  const end = page + 0x10000;
  assert.is(wasm.memory.buffer.byteLength, end, "the grown page is the last of linear memory");
  setReadable(page, end);
  const header = sdt("APIC", new Uint8Array(0));
  new DataView(header.buffer).setUint32(4, 100, true); // 64 bytes past the end of memory
  write(end - 36, header);
  const result = readTable(end - 36);
  assert.is(result.error, "out of range");
  assert.match(result.problems[0], /outside readable memory/);
  assert.is(readTable(end - 20).error, "out of range", "header itself past the end");
  // Reading those bytes would trap, so the refusals above prove that nothing was read there.
  assert.is(wasm.exports.peekByte(end - 1), 0);
  assert.throws(() => wasm.exports.peekByte(end + 10), /out of bounds/);
});

acpi("root walk: entries at 0, at or above 4 GiB, past the readable memory and broken are skipped with problems", () => {
  const scratch = new Scratch();
  const badChecksum = sdt("APIC", new Uint8Array(8)); badChecksum[38] ^= 1;
  const broken = scratch.place(badChecksum);
  const good = scratch.place(qemuMadt(1));
  const xsdt = scratch.place(rootTable("XSDT", [0, 0x1_0000_0000n, 0xffff_fff0n, scratch.end + 0x100, broken.address, good.address]));
  const rsdp = scratch.place(rsdpBytes(2, 0, xsdt.address));
  const table = findTable(rsdp, "APIC");
  assert.is(table.error, "none");
  assert.is(table.address, `0x${good.address.toString(16)}`);
  const problems = table.problems.join("\n");
  assert.match(problems, /XSDT entry 0 skipped: table at a null address/);
  assert.match(problems, /XSDT entry 1 skipped: .*4 GiB/);
  assert.match(problems, /XSDT entry 2 skipped: .*4 GiB/);
  assert.match(problems, /XSDT entry 3 skipped: .*outside readable memory/);
  assert.match(problems, /XSDT entry 4 skipped: .*checksum/);
  assert.is(findTable(rsdp, "HPET").error, "not found");
});

acpi("root choice: the XSDT is preferred; an XSDT above 4 GiB or refused falls back to the RSDT", () => {
  const scratch = new Scratch();
  const viaRsdt = scratch.place(madt(new Structures().localApic(0, 1, 1)));
  const viaXsdt = scratch.place(madt(new Structures().localApic(0, 2, 1)));
  const rsdt = scratch.place(rootTable("RSDT", [viaRsdt.address]));
  const xsdt = scratch.place(rootTable("XSDT", [viaXsdt.address]));
  const apicId = (rsdp: Placed) => findMadt(rsdp).madt.localApics[0]?.apicId;
  assert.is(apicId(scratch.place(rsdpBytes(2, rsdt.address, xsdt.address))), 2, "XSDT preferred");
  assert.is(apicId(scratch.place(rsdpBytes(0, rsdt.address, 0))), 1, "revision 0: RSDT");
  const high = scratch.place(rsdpBytes(2, rsdt.address, 0x1_0000_1000n));
  assert.is(apicId(high), 1, "XSDT above 4 GiB");
  assert.match(findMadt(high).table.problems[0], /above 4 GiB; using the RSDT/);
  const brokenXsdt = rootTable("XSDT", [viaXsdt.address]); brokenXsdt[9] ^= 1;
  assert.is(apicId(scratch.place(rsdpBytes(2, rsdt.address, scratch.place(brokenXsdt).address))), 1, "XSDT checksum bad");
  const wrongSignature = scratch.place(rsdpBytes(2, 0, rsdt.address)); // the RSDT named as the XSDT
  const lookup = findMadt(wrongSignature).table;
  assert.is(lookup.error, "malformed");
  assert.match(lookup.problems.join("\n"), /XSDT at .*signature is "RSDT"/);
  assert.is(findMadt(scratch.place(rsdpBytes(0, 0, 0))).table.error, "not found", "no root at all");
  const badRsdp = rsdpBytes(0, rsdt.address); badRsdp[0] = 0;
  assert.is(findMadt(scratch.place(badRsdp)).table.error, "malformed", "the RSDP's own error");
});

// --- refusals: MADT structures -----------------------------------------------------------------

acpi("MADT: a structure of length 0 or 1 stops parsing with an error; earlier ones are kept", () => {
  for (const length of [0, 1]) {
    const scratch = new Scratch();
    const table = scratch.place(madt(new Structures().localApic(0, 0, 1).raw(0, length, 0, 0, 0, 0, 0, 0).localApic(1, 1, 1)));
    const parsed = parseMadtAt(table.address);
    assert.is(parsed.error, "malformed", `length ${length}`);
    assert.match(parsed.problems[0], new RegExp(`MADT offset 52: structure length ${length}`));
    assert.is(parsed.localApics.length, 1, "the structure before is kept, none after");
  }
});

acpi("MADT: a structure running past the table, or a lone trailing byte, stops parsing", () => {
  const scratch = new Scratch();
  const past = parseMadtAt(scratch.place(madt(new Structures().localApic(0, 0, 1).raw(1, 12, 0, 0))).address);
  assert.is(past.error, "malformed");
  assert.match(past.problems[0], /structure of 12 bytes runs past the table/);
  assert.is(past.localApics.length, 1);
  const lone = parseMadtAt(scratch.place(madt(new Structures().localApic(0, 0, 1).raw(0))).address);
  assert.is(lone.error, "malformed");
  assert.match(lone.problems[0], /structure header runs past the table/);
});

acpi("MADT: known structures too short for their fields are skipped with a problem", () => {
  const scratch = new Scratch();
  const parsed = parseMadtAt(scratch.place(madt(new Structures().raw(1, 8, 0, 0, 0, 0, 0, 0).localApic(3, 3, 1))).address);
  assert.is(parsed.error, "none");
  assert.equal(parsed.ioApics, []);
  assert.is(parsed.localApics.length, 1);
  assert.match(parsed.problems[0], /type 1 structure of 8 bytes is too short/);
});

acpi("MCFG: windows read as q35 publishes them; bad entries skipped with a problem; a short table refused", () => {
  const scratch = new Scratch();
  const entry = (base: bigint, segment: number, start: number, end: number) => {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, base, true);
    view.setUint16(8, segment, true);
    bytes[10] = start;
    bytes[11] = end;
    return bytes;
  };
  const body = (...entries: Uint8Array[]) => Buffer.concat([Buffer.alloc(8), ...entries]);
  const mcfg = (address: number) => json(wasm.exports.parseMcfgAtJson(BigInt(address)));
  const q35 = mcfg(scratch.place(sdt("MCFG", body(entry(0xb000_0000n, 0, 0, 255)))).address);
  assert.equal([q35.error, q35.windows], ["none", [{ base: "0xb0000000", segment: 0, startBus: 0, endBus: 255 }]]);
  const bad = mcfg(scratch.place(sdt("MCFG", body(entry(0xe000_0000n, 0, 5, 4), entry(0xe000_1000n, 0, 0, 1), entry(0n, 0, 0, 1), entry(0x10_0000_0000n, 1, 0, 63)))).address);
  assert.equal(bad.windows, [{ base: "0x1000000000", segment: 1, startBus: 0, endBus: 63 }]);
  assert.is(bad.problems.length, 3, JSON.stringify(bad.problems));
  assert.is(mcfg(scratch.place(sdt("MCFG", new Uint8Array(4))).address).error, "truncated");
});

acpi("MADT: refused tables, wrong signature, shorter than 44 bytes", () => {
  const scratch = new Scratch();
  assert.is(parseMadtAt(scratch.place(sdt("FACP", new Uint8Array(8))).address).error, "invalid argument");
  assert.is(parseMadtAt(scratch.place(sdt("APIC", new Uint8Array(4))).address).error, "truncated");
  const bad = qemuMadt(1); bad[50] ^= 1;
  assert.is(parseMadtAt(scratch.place(bad).address).error, "checksum mismatch");
  assert.is(parseMadtAt(0).error, "out of range");
});

acpi("MADT: problem lists are bounded for a table of hostile structures", () => {
  const scratch = new Scratch();
  const structures = new Structures();
  for (let i = 0; i < 600; i++) structures.raw(1, 2); // 600 too-short I/O APICs
  for (let i = 0; i < 300; i++) structures.localApic(i & 0xff, i & 0xff, 1);
  const parsed = parseMadtAt(scratch.place(madt(structures)).address);
  assert.is(parsed.error, "none");
  assert.is(parsed.problems.length, 17);
  assert.is(parsed.problems[16], "further problems not recorded");
  assert.is(parsed.localApics.length, 256, "entries per kind are bounded");
});

acpi("ReadableMemory: ranges merge, reversed or past-4-GiB ranges are refused, no overflow", () => {
  wasm.exports.resetReadable();
  assert.is(wasm.exports.addReadable(0x1000n, 0x2000n), 0);
  assert.is(wasm.exports.addReadable(0x2000n, 0x3000n), 0);
  assert.is(covers(0x1800n, 0x1000n), true, "straddles two touching ranges");
  assert.is(covers(0x2ff0n, 0x11n), false);
  assert.is(covers(0x1000n, 0xffff_ffff_ffff_ffffn), false, "huge length");
  assert.is(covers(0xffff_ffff_ffff_f000n, 0x2000n), false, "address + length wraps u64");
  assert.is(wasm.exports.addReadable(0x3000n, 0x3000n), 10, "empty");
  assert.is(wasm.exports.addReadable(0x4000n, 0x3000n), 10, "reversed");
  assert.is(wasm.exports.addReadable(0xffff_f000n, 0x1_0000_1000n), 10, "past 4 GiB");
  for (let i = 0; i < 63; i++) assert.is(wasm.exports.addReadable(BigInt(0x10000 + i * 0x2000), BigInt(0x11000 + i * 0x2000)), 0);
  assert.is(wasm.exports.addReadable(0x800000n, 0x801000n), 7, "64 separate ranges at most");
});

// --- fuzz --------------------------------------------------------------------------------------


acpi("fuzz: mutated MADT, XSDT, RSDT and RSDP bytes never abort or trap", () => {
  const seed = Number(process.env.ACPI_FUZZ_SEED ?? 0x5eed_acb1) >>> 0;
  const random = generator(seed);
  const below = (n: number) => Math.floor(random() * n);
  const outcomes: Record<string, number> = {};
  const ITERATIONS = 2000;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const where = `seed 0x${seed.toString(16)} (ACPI_FUZZ_SEED), iteration ${iteration}`;
    const scratch = new Scratch();
    const revision = below(3) === 0 ? 0 : 2;
    const set = qemuSet(scratch, revision, 1 + below(4));
    const targets = [set.madt, set.madt, set.madt, set.xsdt ?? set.rsdt!, set.rsdt!, set.rsdp];
    const target = targets[below(targets.length)];
    const bytes = new Uint8Array(wasm.memory.buffer.slice(target.address, target.address + target.length));
    const view = new DataView(bytes.buffer);
    const interesting = [0, 1, 2, 35, 36, 44, 0xff, 0x7fffffff, 0xffffffff, 0xfffffff0, target.length + 1,
      scratch.end - target.address, 0x1_0000_0000 - target.address, set.madt.address, scratch.end - 8];
    for (let mutations = 1 + below(6); mutations > 0; mutations--) {
      const at = below(bytes.length);
      switch (below(4)) {
        case 0: bytes[at] ^= 1 << below(8); break;
        case 1: bytes[at] = [0, 1, 2, 0xff][below(4)]; break;
        case 2: if (at + 4 <= bytes.length) view.setUint32(at, interesting[below(interesting.length)] >>> 0, true); break;
        case 3: bytes[at] = below(256); break;
      }
    }
    if (below(2) === 0) {
      if (target === set.rsdp) {
        fixChecksum(bytes, 8, 20);
        if (bytes.length >= 36) fixChecksum(bytes, 32, Math.min(36, view.getUint32(20, true)));
      } else {
        fixChecksum(bytes, 9, Math.min(bytes.length, view.getUint32(4, true)));
      }
    }
    write(target.address, bytes);
    try {
      const { table, madt } = findMadt(set.rsdp);
      const key = `table ${table.error}, madt ${madt.error}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      for (let irq = 0; irq <= 16; irq++) route(irq);
      readTable(target.address);
      parseRsdp(set.rsdp.address, below(40));
    } catch (error) {
      assert.unreachable(`${where}: ${error} (aborts: ${wasm.aborts.join("; ")})`);
    }
    assert.equal(wasm.aborts, [], where);
  }
  if (process.env.ACPI_FUZZ_VERBOSE) console.log(outcomes);
  // The loop must reach the structure parser with mutated bytes, not only fail checksums.
  assert.ok((outcomes["table none, madt none"] ?? 0) > 200, `valid MADTs parsed: ${JSON.stringify(outcomes)}`);
  assert.ok((outcomes["table none, madt malformed"] ?? 0) > 20, `malformed structures reached: ${JSON.stringify(outcomes)}`);
  const refused = Object.entries(outcomes).filter(([key]) => !key.startsWith("table none")).reduce((total, [, count]) => total + count, 0);
  assert.ok(refused > 100, `tables refused: ${JSON.stringify(outcomes)}`);
});

acpi.run();
