// Host tests of PCI enumeration (kernel/pci/enumerate.ts), compiled to wasm from
// tests/host/entries/pci.ts over a fake configuration space: a QEMU-like bus decoded exactly
// (ids, class, BARs sized 32- and 64-bit, I/O and prefetchable, MSI-X located, and every BAR and
// the command register restored after sizing), bridges followed to their buses and a bridge loop
// scanned once, multi-function devices, malformed capability lists and BARs recorded as problems,
// and a seeded fuzz of random configuration spaces that must never abort and stay bounded.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const pci = suite("pci enumeration");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
const IO = 1, MEMORY32 = 2, MEMORY64 = 3;

pci.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/pci.ts"));
});
pci.before.each(() => {
  wasm = instantiate(module, {});
  e = wasm.exports;
  e.reset();
});

const address = (bus: number, device: number, fn: number) => (bus << 8) | (device << 3) | fn;

/** A function in `slot`: ids, class, header type (with the multifunction bit), status with
 * capabilities when `capabilities` is set. */
function device(slot: number, at: number, vendor: number, id: number, classCode: number, headerType = 0, capabilities = 0) {
  e.addFunction(at, slot);
  e.poke32(slot, 0x00, (id << 16) | vendor);
  e.poke32(slot, 0x04, (capabilities ? 0x10 << 16 : 0) | 0x7);   // status, command: decoding on
  e.poke32(slot, 0x08, (classCode << 8) | 1);
  e.poke32(slot, 0x0c, headerType << 16);
  if (capabilities) e.poke32(slot, 0x34, capabilities);
}

pci("a QEMU-like bus: host bridge, a virtio-net with a 64-bit prefetchable BAR, an I/O BAR and MSI-X; BARs and command restored", () => {
  device(0, address(0, 0, 0), 0x8086, 0x1237, 0x060000);
  device(1, address(0, 2, 0), 0x1af4, 0x1041, 0x020000, 0, 0x40);
  e.poke32(1, 0x10, 0xc041);                       // BAR0: I/O at 0xc040, 32 bytes
  e.barMask(1, 0, 0xffff_ffe0);
  e.poke32(1, 0x14, 0xfebc_0000);                  // BAR1: 32-bit memory, 4 KiB
  e.barMask(1, 1, 0xffff_f000);
  e.poke32(1, 0x20, 0xfebf_c00c);                  // BAR4: 64-bit prefetchable, 16 KiB ...
  e.barMask(1, 4, 0xffff_c000);
  e.poke32(1, 0x24, 0x8);                          // ... at 0x8_febf_c000
  e.barMask(1, 5, 0xffff_ffff);
  e.poke32(1, 0x3c, 0x010a);                       // INTA, line 10
  e.poke32(1, 0x40, (0x50 << 8) | 0x11 | (3 << 16)); // MSI-X: 4 vectors, next 0x50
  e.poke32(1, 0x44, 0x0 | 1);                      // table in BAR1 at 0
  e.poke32(1, 0x48, 0x800 | 1);                    // PBA in BAR1 at 0x800
  e.poke32(1, 0x50, (0x00 << 8) | 0x09);           // vendor capability, end
  const before = [0x04, 0x10, 0x14, 0x20, 0x24].map((offset) => e.peek32(1, offset));
  assert.is(e.enumerate(), 2);
  assert.equal([e.address(1), e.vendor(1), e.deviceId(1), e.classCode(1), e.interruptPin(1)], [address(0, 2, 0), 0x1af4, 0x1041, 0x020000, 1]);
  assert.is(e.barCount(1), 3);
  const bar = (j: number) => [e.barIndex(1, j), e.barKind(1, j), e.barAddress(1, j), e.barSize(1, j), !!e.barPrefetchable(1, j)];
  assert.equal(bar(0), [0, IO, 0xc040n, 32n, false]);
  assert.equal(bar(1), [1, MEMORY32, 0xfebc_0000n, 4096n, false]);
  assert.equal(bar(2), [4, MEMORY64, 0x8_febf_c000n, 16384n, true]);
  assert.equal([e.capabilityCount(1), e.capabilityId(1, 0), e.capabilityId(1, 1)], [2, 0x11, 0x09]);
  assert.equal([e.msixVectors(1), e.msixTableBar(1)], [4, 1]);
  assert.is(e.problemCount(1), 0);
  assert.equal([0x04, 0x10, 0x14, 0x20, 0x24].map((offset) => e.peek32(1, offset)), before, "command and BARs as they were");
  assert.equal(wasm.aborts, []);
});

pci("bridges are followed to their buses; a bridge back to a bus already scanned is not scanned again; multi-function devices", () => {
  device(0, address(0, 0, 0), 0x8086, 0x29c0, 0x060000);
  device(1, address(0, 3, 0), 0x8086, 0x244e, 0x060400, 1);
  e.poke32(1, 0x18, (0 << 16) | (2 << 8) | 0);     // secondary bus 2
  device(2, address(2, 0, 0), 0x1234, 0x0001, 0x020000, 0x80);   // multi-function
  device(3, address(2, 0, 3), 0x1234, 0x0002, 0x0c0300);
  device(4, address(2, 5, 0), 0x8086, 0x244e, 0x060400, 1);
  e.poke32(4, 0x18, (0 << 16) | (0 << 8) | 2);     // secondary bus 0: a loop (below its own bus)
  device(5, address(2, 6, 0), 0x8086, 0x244e, 0x060400, 1);
  e.poke32(5, 0x18, (3 << 8) | 2);                 // secondary bus 3: empty
  assert.is(e.enumerate(), 6);
  const found = Array.from({ length: 6 }, (_, i) => e.address(i));
  assert.equal(found, [address(0, 0, 0), address(0, 3, 0), address(2, 0, 0), address(2, 0, 3), address(2, 5, 0), address(2, 6, 0)]);
  assert.equal(wasm.aborts, []);
});

pci("malformed capability lists and BARs are problems, not crashes: a loop, a pointer into the header, MSI-X outside its BAR, a 64-bit BAR5, a bad pin", () => {
  device(0, address(0, 1, 0), 0x1111, 1, 0x020000, 0, 0x40);
  e.poke32(0, 0x40, (0x48 << 8) | 0x09);
  e.poke32(0, 0x48, (0x40 << 8) | 0x09);           // back to 0x40: a loop
  device(1, address(0, 2, 0), 0x1111, 2, 0x020000, 0, 0x20);   // a pointer into the header
  device(2, address(0, 3, 0), 0x1111, 3, 0x020000, 0, 0x40);
  e.poke32(2, 0x10, 0xfe00_0000);
  e.barMask(2, 0, 0xffff_f000);                    // 4 KiB
  e.poke32(2, 0x40, 0x11 | (511 << 16));           // MSI-X: 512 vectors (8 KiB of table) in BAR0
  e.poke32(2, 0x44, 0);
  e.poke32(2, 0x48, 0);
  device(3, address(0, 4, 0), 0x1111, 4, 0x020000);
  e.poke32(3, 0x24, 0xfe00_0004);                  // BAR5 says 64-bit
  e.barMask(3, 5, 0xffff_f000);
  e.poke32(3, 0x3c, 0x0900);                       // pin 9
  assert.is(e.enumerate(), 4);
  const problems = (i: number) => Array.from({ length: e.problemCount(i) }, (_, j) => wasm.readString(e.problem(i, j)));
  assert.equal(problems(0), ["capability list loops at 0x40"]);
  assert.is(e.capabilityCount(0), 2);
  assert.equal(problems(1), ["capability pointer 0x20 into the header"]);
  assert.equal(problems(2), ["MSI-X table outside a memory BAR"]);
  assert.is(e.msixVectors(2), 0, "no MSI-X to use");
  assert.equal(problems(3), ["interrupt pin 9 is not A to D", "BAR5 is 64-bit with no register after it"]);
  assert.equal(wasm.aborts, []);
});

pci("fuzz: random configuration spaces never abort; the walk stays bounded", () => {
  const seed = Number(process.env.PCI_SEED ?? 20261205);
  const random = generator(seed);
  for (let round = 0; round < 200; round++) {
    e.reset();
    const count = 1 + Math.floor(random() * 40);
    for (let slot = 0; slot < count; slot++) {
      const bus = random() < 0.7 ? 0 : Math.floor(random() * 256);
      const at = address(bus, Math.floor(random() * 32), random() < 0.8 ? 0 : Math.floor(random() * 8));
      e.addFunction(at, slot);
      const bytes = new Uint8Array(wasm.memory.buffer, e.spaceAddress(slot), 256);
      for (let i = 0; i < 256; i++) bytes[i] = Math.floor(random() * 256);
      if (random() < 0.5) bytes[0] = bytes[1] = 0x11;   // a vendor id that is not 0xffff
      for (let bar = 0; bar < 6; bar++) if (random() < 0.5) e.barMask(slot, bar, ~((1 << Math.floor(random() * 31)) - 1) >>> 0);
    }
    const found = e.enumerate();
    assert.ok(found <= count, `seed ${seed}, round ${round}: ${found} functions from ${count}`);
    assert.ok(e.accesses() < 200_000, `seed ${seed}, round ${round}: ${e.accesses()} configuration accesses`);
    assert.equal(wasm.aborts, [], `seed ${seed}, round ${round}`);
  }
});

pci.run();
