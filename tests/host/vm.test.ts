// Host tests of virtual memory (kernel/vm/regions.ts, mappings.ts, fault.ts and the frame
// counts of kernel/memory/frames.ts), compiled to wasm from tests/host/entries/vm.ts:
// - exact cases: demand zero, protect at once, copy-on-write (a write in a clone or its parent is
//   invisible to the other; frames shared until written, as their counts show), the kernel's
//   copy-out breaking copy-on-write, the errors of map, unmap and protect in their order;
// - a seeded property test: random map, unmap, protect, clone, destroy, reads and writes against a
//   simple model (per page: region access, quota, contents, which model frame), checking every
//   answer, every frame's reference count, every quota's charge, and that once every space is
//   gone every frame is back (none leaked, none freed twice: a double free aborts).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate } from "./assemblyscript";
import { fakeHardware, type FakeMachine } from "./fake-hardware";
import { generator } from "./random";

const vm = suite("virtual memory");
const REGION_START = 32 << 20, REGION_END = 48 << 20;
const PAGE = 0x1000n;
const READ = 0, READ_WRITE = 1, READ_EXECUTE = 2, NONE = 3;
const ERROR = { None: 0, NotFound: 4, Unaligned: 6, OutOfRange: 7, AlreadyMapped: 9, InvalidArgument: 10, TableFull: 13, BadAddress: 14, QuotaExceeded: 17, NotPermitted: 18 };
/** FaultOutcome (kernel/vm/fault.ts), as read and write return it: -1 - outcome. */
const FAULT = { NoRegion: -2n, Denied: -3n, QuotaExceeded: -4n, OutOfMemory: -5n };
/** 64 pages across a 512 GiB boundary: a map there needs tables at every level. */
const BASE = 0x80_0000_0000n - 32n * PAGE, PAGES = 64;
/** Where each page's byte is read and written. */
const offsetOf = (page: number) => BigInt((page * 97) % 4096);

let module: WebAssembly.Module;
let e: Record<string, any>;
let framesAtStart = 0n;

vm.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/vm.ts"));
});
vm.before.each(() => {
  const machine = { serial: [], tsc: 0n, cr3: 0n, msrs: new Map() } as unknown as FakeMachine;
  machine.wasm = instantiate(module, { hw: fakeHardware(machine) });
  e = machine.wasm.exports;
  machine.cr3 = BigInt(e.bootTablesAddress() >>> 0);
  framesAtStart = e.setup(REGION_START, REGION_END);
});

const at = (page: number) => BASE + BigInt(page) * PAGE;

vm("demand zero: a map takes no frame; the first touch maps a zeroed page charged with its tables; a write to read-only faults; protect takes effect at once", () => {
  const quota = e.quotaCreate(100n), space = e.spaceCreate();
  const free = e.framesFree();
  assert.is(e.map(space, at(0), 8n, READ_WRITE, quota), ERROR.None);
  assert.is(e.framesFree(), free, "a map takes no frame");
  assert.is(e.quotaUsed(quota), 0n, "nor a charge");
  assert.is(e.read(space, at(3) + 5n), 0n, "a demand-zero page reads as zero");
  // The page, and a PDPT, a directory and a page table for it.
  assert.is(e.quotaUsed(quota), 4n, "the page and its three tables");
  assert.is(e.framesFree(), free - 4n);
  assert.is(e.write(space, at(3) + 5n, 0xab), 0n);
  assert.is(e.read(space, at(3) + 5n), 0xabn);
  assert.is(e.write(space, at(4), 1), 0n, "a neighbour: its tables exist");
  assert.is(e.quotaUsed(quota), 5n);
  assert.is(e.protect(space, at(3), 2n, READ), ERROR.None);
  assert.not.ok(e.writable(space, at(3)), "read-only at once");
  assert.is(e.write(space, at(3), 1), FAULT.Denied, "a write right after protect faults");
  assert.is(e.read(space, at(3) + 5n), 0xabn, "and reads go on");
  assert.is(e.read(space, at(9)), FAULT.NoRegion, "past the region");
  assert.is(e.regionCount(space), 3, "protect split the region in three");
  assert.is(e.unmap(space, at(0), 8n), ERROR.None);
  assert.is(e.read(space, at(3)), FAULT.NoRegion, "unmapped");
  assert.is(e.quotaUsed(quota), 3n, "the pages' charges came back; the tables stay until the space goes");
  e.spaceDestroy(space);
  assert.is(e.quotaUsed(quota), 0n);
  assert.is(e.framesFree(), framesAtStart - 0n, "every frame back");
});

vm("a quota that cannot pay for a page (or its tables) ends the access with QuotaExceeded and changes nothing", () => {
  const quota = e.quotaCreate(4n), space = e.spaceCreate();
  assert.is(e.map(space, at(0), 16n, READ_WRITE, quota), ERROR.None);
  assert.is(e.write(space, at(0), 1), 0n, "1 page + 3 tables: the whole quota");
  assert.is(e.write(space, at(1), 1), FAULT.QuotaExceeded);
  assert.is(e.quotaUsed(quota), 4n);
  assert.is(e.read(space, at(0)), 1n);
  e.spaceDestroy(space);
  assert.is(e.framesFree(), framesAtStart);
});

vm("copy-on-write: a clone shares every page until one side writes it; writes are invisible to the other; the kernel's copy-out breaks it too; every frame comes back", () => {
  const quota = e.quotaCreate(200n), parent = e.spaceCreate();
  assert.is(e.map(parent, at(0), 4n, READ_WRITE, quota), ERROR.None);
  assert.is(e.map(parent, at(10), 2n, READ, quota), ERROR.None);
  for (let page = 0; page < 4; page++) assert.is(e.write(parent, at(page), 10 + page), 0n);
  assert.is(e.read(parent, at(10)), 0n);
  const usedBefore = e.quotaUsed(quota), free = e.framesFree();
  const child = e.clone(parent);
  assert.ok(child > 0, `clone: ${child}`);
  assert.is(e.quotaUsed(quota), usedBefore + 5n, "the child's five pages are charged too");
  for (let page = 0; page < 4; page++) {
    const frame = e.frameAt(parent, at(page));
    assert.is(e.frameAt(child, at(page)), frame, `page ${page} shared`);
    assert.is(e.references(frame), 2, `page ${page}: two holders`);
    assert.not.ok(e.writable(parent, at(page)), "read-only in the parent until written");
    assert.not.ok(e.writable(child, at(page)), "and in the child");
  }
  const tables = free - e.framesFree();
  assert.is(tables, 4n, "the clone took a PML4 and three tables, no page");
  assert.is(e.write(child, at(0), 99), 0n);
  assert.is(e.read(child, at(0)), 99n);
  assert.is(e.read(parent, at(0)), 10n, "the child's write is invisible to the parent");
  assert.is.not(e.frameAt(child, at(0)), e.frameAt(parent, at(0)), "the child has its own copy now");
  assert.is(e.references(e.frameAt(parent, at(0))), 1);
  assert.is(e.write(parent, at(0), 7), 0n, "the parent's last holder writes in place");
  assert.is(e.read(child, at(0)), 99n);
  assert.is(e.write(parent, at(1), 55), 0n);
  assert.is(e.read(child, at(1)), 11n, "the parent's write is invisible to the child");
  assert.is(e.kernelWrite(child, at(2), 77), 0, "copy-out into a shared page");
  assert.is(e.read(child, at(2)), 77n);
  assert.is(e.read(parent, at(2)), 12n, "copy-out broke copy-on-write");
  assert.is(e.references(e.frameAt(parent, at(3))), 2, "page 3 still shared: nobody wrote it");
  assert.is(e.write(child, at(10), 1), FAULT.Denied, "a read-only region stays read-only in the clone");
  e.spaceDestroy(parent);
  assert.is(e.references(e.frameAt(child, at(3))), 1, "the child alone holds page 3 now");
  assert.is(e.read(child, at(3)), 13n);
  e.spaceDestroy(child);
  assert.is(e.quotaUsed(quota), 0n);
  assert.is(e.framesFree(), framesAtStart, "after both, every frame is back");
});

vm("a stack region grows down on a touch below it, within its limit and a page clear of the region below; a clone's grows too", () => {
  const quota = e.quotaCreate(100n), space = e.spaceCreate();
  assert.is(e.mapGrowing(space, at(40), 2n, READ_WRITE, quota, at(40) / PAGE), ERROR.OutOfRange, "growth down to page 0");
  assert.is(e.mapGrowing(space, at(40), 2n, READ_WRITE, quota, 10n), ERROR.None, "a stack that may grow down to page 30");
  assert.is(e.map(space, at(29), 1n, READ, quota), ERROR.None, "a region just below that");
  assert.is(e.write(space, at(38) + 8n, 5), 0n, "two pages below: the region grows to it");
  assert.is(e.regionStart(space, at(39)), at(38), "the region now starts there");
  assert.is(e.read(space, at(39)), 0n, "the page between is the region's, zero");
  const child = e.clone(space);
  assert.ok(child > 0);
  assert.is(e.read(child, at(31)), 0n, "a clone's stack grows too");
  assert.is(e.regionStart(child, at(40)), at(31), "the child's region grew, not the parent's");
  assert.is(e.regionStart(space, at(40)), at(38));
  assert.is(e.read(space, at(30)), FAULT.NoRegion, "within the limit, but the page below belongs to another region: the guard gap");
  assert.is(e.mapGrowing(space, at(50), 1n, READ_WRITE, quota, 2n), ERROR.None);
  assert.is(e.read(space, at(47)), FAULT.NoRegion, "past its limit");
  assert.is(e.read(space, at(48)), 0n, "at its limit");
  e.spaceDestroy(child);
  e.spaceDestroy(space);
  assert.is(e.quotaUsed(quota), 0n);
  assert.is(e.framesFree(), framesAtStart);
});

vm("a shared memory object: the same frames in every space that maps it, also across a clone; charged until the last holder goes", () => {
  const quota = e.quotaCreate(100n), a = e.spaceCreate(), b = e.spaceCreate();
  const free = e.framesFree();
  const shared = e.sharedCreate(3n, quota);
  assert.is(e.quotaUsed(quota), 3n, "its pages are charged when it is made");
  assert.is(e.framesFree(), free - 3n);
  assert.is(e.mapShared(a, at(0), shared, READ_WRITE), ERROR.None);
  assert.is(e.mapShared(b, at(20), shared, READ), ERROR.None);
  assert.is(e.mapShared(a, at(1), shared, READ), ERROR.AlreadyMapped);
  assert.is(e.write(a, at(1) + 8n, 0x5a), 0n);
  assert.is(e.read(b, at(21) + 8n), 0x5an, "a write in one space is seen in the other");
  assert.is(e.write(b, at(21), 1), FAULT.Denied, "b mapped it read-only");
  assert.is(e.frameAt(a, at(2)), e.frameAt(b, at(22)), "the same frame");
  assert.is(e.references(e.frameAt(a, at(2))), 3, "the object and two mappings hold it");
  const child = e.clone(a);
  assert.ok(child > 0);
  assert.ok(e.writable(a, at(0)) && e.writable(child, at(0)), "a clone leaves a shared page shared and writable");
  assert.is(e.write(child, at(0), 0x77), 0n);
  assert.is(e.read(a, at(0)), 0x77n, "the child's write reaches the parent");
  assert.is(e.read(b, at(20)), 0x77n, "and the other space");
  assert.is(e.protect(a, at(0), 1n, READ), ERROR.None, "protect changes a shared region");
  assert.is(e.write(a, at(0), 1), FAULT.Denied);
  assert.is(e.protect(a, at(0), 1n, READ_WRITE), ERROR.None);
  assert.is(e.write(a, at(0), 0x78), 0n, "writable again, in place (never copy-on-write)");
  assert.is(e.read(child, at(0)), 0x78n);
  assert.is(e.unmap(a, at(1), 1n), ERROR.None, "a part unmapped");
  assert.is(e.read(a, at(1)), FAULT.NoRegion);
  assert.is(e.read(a, at(2)), 0n, "the rest stays");
  e.sharedRelease(shared);
  assert.is(e.quotaUsed(quota), 3n, "mapped still: the charge stays");
  assert.is(e.read(b, at(21) + 8n), 0x5an, "the frames live on while mapped");
  e.spaceDestroy(a);
  e.spaceDestroy(child);
  assert.is(e.quotaUsed(quota), 3n);
  e.spaceDestroy(b);
  assert.is(e.quotaUsed(quota), 0n, "the last mapping gone: the charge is back");
  assert.is(e.framesFree(), framesAtStart, "every frame back");
});

vm("a region with a page source: each page filled from it on its first touch (zeros past its end), private after a write and across a clone; splits keep the offsets; the source is let go with the last region", () => {
  const quota = e.quotaCreate(100n), space = e.spaceCreate();
  const source = e.sourceCreate(PAGE * 2n + 100n);   // page n of the source holds n + 1
  assert.is(e.mapFrom(space, at(0), 6n, READ, quota, source, PAGE), ERROR.None, "from the source's second page");
  e.sourceRelease(source);
  assert.is(e.sourceFills(source), 0, "nothing filled before a touch");
  assert.is(e.read(space, at(0) + 7n), 2n, "the region's first page is the source's second");
  assert.is(e.read(space, at(1) + 99n), 3n, "the last bytes within the source");
  assert.is(e.read(space, at(1) + 100n), 0n, "zeros past its end in the last page");
  assert.is(e.read(space, at(4)), 0n, "and past it");
  assert.is(e.sourceFills(source), 3, "one fill per page touched");
  assert.is(e.write(space, at(0), 9), FAULT.Denied, "a read-only mapping");
  assert.is(e.protect(space, at(2), 2n, READ_WRITE), ERROR.None);
  assert.is(e.regionCount(space), 3, "split in three");
  const child = e.clone(space);
  assert.is(e.write(child, at(2) + 1n, 0x44), 0n, "the child writes its copy");
  assert.is(e.read(space, at(2) + 1n), 0n, "private: the parent does not see it");
  assert.is(e.read(space, at(3)), 0n, "the split's offset kept: page 3 of the region lies past the source");
  assert.is(e.unmap(space, at(0), 6n), ERROR.None);
  assert.not.ok(e.sourceDisposed(source), "the child's regions still hold it");
  assert.is(e.read(child, at(0) + 5n), 2n, "the child fills from it too");
  e.spaceDestroy(child);
  assert.ok(e.sourceDisposed(source), "the last region gone: the source is let go");
  e.spaceDestroy(space);
  assert.is(e.quotaUsed(quota), 0n);
  assert.is(e.framesFree(), framesAtStart, "every frame back");
});

vm("discard drops the present pages of Anonymous regions: their charges come back, they read as their first touch gives them again", () => {
  const quota = e.quotaCreate(100n), space = e.spaceCreate();
  const source = e.sourceCreate(PAGE * 8n);
  assert.is(e.map(space, at(0), 4n, READ_WRITE, quota), ERROR.None);
  assert.is(e.mapFrom(space, at(4), 4n, READ_WRITE, quota, source, 0n), ERROR.None);
  e.sourceRelease(source);
  for (let page = 0; page < 8; page++) assert.is(e.write(space, at(page) + 1n, 0xee), 0n);
  const used = e.quotaUsed(quota);
  e.discard(space, at(2), 4n);
  assert.is(e.quotaUsed(quota), used - 4n, "four pages' charges back");
  assert.is(e.read(space, at(1) + 1n), 0xeen, "outside the range: kept");
  assert.is(e.read(space, at(2) + 1n), 0n, "a zero page again");
  assert.is(e.read(space, at(4) + 1n), 1n, "the source's bytes again");
  assert.is(e.read(space, at(6) + 1n), 0xeen, "kept");
  assert.is(e.regionCount(space), 2, "regions unchanged");
  e.spaceDestroy(space);
  assert.ok(e.sourceDisposed(source));
  assert.is(e.framesFree(), framesAtStart, "every frame back");
});

vm("move: a region's pages move with their frames, charges and copy-on-write state; it grows (demand zero) or shrinks; its errors", () => {
  const quota = e.quotaCreate(200n), space = e.spaceCreate();
  assert.is(e.map(space, at(0), 4n, READ_WRITE, quota), ERROR.None);
  assert.is(e.map(space, at(4), 1n, READ, quota), ERROR.None);
  for (let page = 0; page < 3; page++) assert.is(e.write(space, at(page) + 3n, 10 + page), 0n);
  const frame = e.frameAt(space, at(1));
  const child = e.clone(space);
  const used = e.quotaUsed(quota);
  assert.is(e.move(space, at(0), 4n, at(0), 6n), ERROR.AlreadyMapped, "in place it would grow into the next region");
  assert.is(e.move(space, at(0), 5n, at(20), 5n), ERROR.NotFound, "not inside one region");
  assert.is(e.move(space, at(0), 4n, at(3), 4n), ERROR.AlreadyMapped, "onto itself elsewhere");
  assert.is(e.move(space, at(0), 4n, BASE + 0x20_0000n * 3n, 8n), ERROR.None, "to another page table");
  const moved = BASE + 0x20_0000n * 3n;
  assert.is(e.read(space, at(1)), FAULT.NoRegion, "the old range is empty");
  assert.is(e.frameAt(space, moved + PAGE), frame, "the same frame, moved");
  assert.is(e.read(space, moved + PAGE + 3n), 11n);
  assert.not.ok(e.writable(space, moved + PAGE), "still copy-on-write: the child shares it");
  assert.is(e.write(space, moved + PAGE + 3n, 99), 0n);
  assert.is(e.read(child, at(1) + 3n), 11n, "the child keeps its page");
  assert.is(e.read(space, moved + PAGE * 7n), 0n, "the new pages are demand zero");
  assert.ok(e.quotaUsed(quota) > used, "charged as they are touched");
  assert.is(e.move(space, moved, 8n, moved, 2n), ERROR.None, "a shrink in place");
  assert.is(e.read(space, moved + PAGE * 2n), FAULT.NoRegion, "past the new end");
  assert.is(e.read(space, moved + 3n), 10n, "the rest kept");
  const top = 0x8000_0000_0000n;   // the user half's end
  assert.is(e.move(space, moved, 2n, 0xffff_ffff_8010_0000n, 0x8_0000n), ERROR.OutOfRange, "into the kernel half, wrapping past it");
  assert.is(e.move(space, moved, 2n, top - PAGE, 2n), ERROR.OutOfRange, "past the user half's end");
  assert.is(e.map(space, 0xffff_ffff_ffff_f000n, 2n, READ, quota), ERROR.OutOfRange, "a map that wraps to page 1");
  assert.is(e.unmap(space, 0xffff_ffff_ffff_f000n, 2n), ERROR.OutOfRange, "an unmap that wraps");
  assert.is(e.move(space, moved, 2n, at(8), 1n), ERROR.None, "a move that shrinks");
  assert.is(e.read(space, at(8) + 3n), 10n);
  assert.is(e.read(space, at(9)), FAULT.NoRegion);
  e.spaceDestroy(child);
  e.spaceDestroy(space);
  assert.is(e.quotaUsed(quota), 0n, "every charge back");
  assert.is(e.framesFree(), framesAtStart, "every frame back");
});

vm("write-back (a vfork child's writes reach its parent): pages the clone wrote or filled with non-zero bytes are copied into the parent, made private there first; the rest is left", () => {
  const quota = e.quotaCreate(200n), parent = e.spaceCreate();
  assert.is(e.map(parent, at(0), 8n, READ_WRITE, quota), ERROR.None);
  assert.is(e.map(parent, at(10), 2n, READ, quota), ERROR.None);
  for (let page = 0; page < 4; page++) assert.is(e.write(parent, at(page), 10 + page), 0n);
  const sibling = e.clone(parent);   // another holder of the parent's frames
  const child = e.clone(parent);
  assert.is(e.write(child, at(1), 0x61), 0n, "a copy-on-write page written");
  assert.is(e.write(child, at(5) + 9n, 0x62), 0n, "a page the parent never touched");
  assert.is(e.read(child, at(6)), 0n, "a zero page only read");
  assert.is(e.read(child, at(10)), 0n, "a read-only page");
  assert.is(e.kernelWrite(parent, at(2), 0x55), 0, "the kernel writes the parent's page 2 (CLONE_PARENT_SETTID)");
  assert.is(e.writeBack(child, parent), 2n, "two pages copied");
  assert.is(e.read(parent, at(2)), 0x55n, "a page the child never wrote is left: the kernel's write stays");
  assert.is(e.read(parent, at(1)), 0x61n, "the parent sees the child's write");
  assert.is(e.read(parent, at(5) + 9n), 0x62n, "and its new page");
  assert.is(e.frameAt(parent, at(6)), 0n, "a zero page is not made in the parent");
  assert.is(e.read(parent, at(0)), 10n, "pages the child did not write are as they were");
  assert.is(e.read(sibling, at(1)), 11n, "another clone keeps its page: the parent's was made private first");
  assert.is(e.writeBack(child, parent), 2n, "again: the same pages (their frames still differ)");
  e.spaceDestroy(child);
  e.spaceDestroy(sibling);
  e.spaceDestroy(parent);
  assert.is(e.quotaUsed(quota), 0n);
  assert.is(e.framesFree(), framesAtStart, "every frame back");
});

vm("1,000 clone/touch/destroy cycles leak nothing: frames and charges back after each", () => {
  const quota = e.quotaCreate(1000n), parent = e.spaceCreate();
  assert.is(e.map(parent, at(0), 16n, READ_WRITE, quota), ERROR.None);
  for (let page = 0; page < 16; page++) assert.is(e.write(parent, at(page), page), 0n);
  const free = e.framesFree(), used = e.quotaUsed(quota);
  for (let cycle = 0; cycle < 1000; cycle++) {
    const child = e.clone(parent);
    assert.ok(child > 0, `cycle ${cycle}: clone ${child}`);
    const page = cycle % 16;
    assert.is(e.write(child, at(page), 200), 0n);
    assert.is(e.write(parent, at((page + 1) % 16), (page + 1) % 16), 0n, "the parent writes too (the same value)");
    assert.is(e.read(parent, at(page)), BigInt(page), `cycle ${cycle}: the parent's page untouched`);
    e.spaceDestroy(child);
    assert.is(e.framesFree(), free, `cycle ${cycle}: frames back`);
    assert.is(e.quotaUsed(quota), used, `cycle ${cycle}: charges back`);
  }
  e.spaceDestroy(parent);
  assert.is(e.framesFree(), framesAtStart);
});

vm("access None (PROT_NONE): every user access and kernel copy faults; a page keeps its bytes through None and back", () => {
  const quota = e.quotaCreate(16n), space = e.spaceCreate();
  assert.is(e.map(space, at(0), 4n, NONE, quota), ERROR.None);
  assert.is(e.read(space, at(1)), FAULT.Denied, "a read of a None region faults, nothing is filled");
  assert.is(e.write(space, at(1), 1), FAULT.Denied);
  assert.is(e.kernelWrite(space, at(1), 1), ERROR.BadAddress, "the kernel's copies are refused too");
  assert.is(e.quotaUsed(quota), 0n, "no page was charged");
  assert.is(e.protect(space, at(1), 1n, READ_WRITE), ERROR.None);
  assert.is(e.write(space, at(1) + 7n, 0x5a), 0n);
  assert.is(e.protect(space, at(1), 1n, NONE), ERROR.None);
  assert.is(e.read(space, at(1) + 7n), FAULT.Denied, "a present page made None faults");
  assert.is(e.kernelWrite(space, at(1), 1), ERROR.BadAddress);
  assert.is(e.protect(space, at(1), 1n, READ), ERROR.None);
  assert.is(e.read(space, at(1) + 7n), 0x5an, "its bytes survived");
  e.spaceDestroy(space);
});

vm("map, unmap and protect refuse bad ranges in the documented order, changing nothing", () => {
  const quota = e.quotaCreate(10n), space = e.spaceCreate();
  assert.is(e.map(space, at(0) + 1n, 1n, READ, quota), ERROR.Unaligned);
  assert.is(e.map(space, at(0), 0n, READ, quota), ERROR.InvalidArgument, "no pages");
  assert.is(e.map(space, at(0), 1n, 4, quota), ERROR.InvalidArgument, "an access that is not one (3 is None, the Linux personality's PROT_NONE)");
  assert.is(e.map(space, 0x7fff_ffff_f000n, 2n, READ, quota), ERROR.OutOfRange, "past the user half");
  assert.is(e.map(space, 0n, 1n, READ, quota), ERROR.OutOfRange, "page 0");
  assert.is(e.map(space, at(0), 1n << 40n, READ, quota), ERROR.OutOfRange, "wrapping");
  assert.is(e.map(space, at(0), 4n, READ, quota), ERROR.None);
  assert.is(e.map(space, at(3), 4n, READ, quota), ERROR.AlreadyMapped);
  assert.is(e.unmap(space, at(0), 513n), ERROR.InvalidArgument, "more than 512 pages a call");
  assert.is(e.protect(space, at(0), 5n, READ_WRITE), ERROR.NotFound, "part of the range has no region");
  assert.is(e.protect(space, at(0), 4n, 7), ERROR.InvalidArgument);
  assert.is(e.unmap(space, at(10), 3n), ERROR.None, "unmapping nothing is fine");
  assert.is(e.regionCount(space), 1);
  // Splits are counted: 1024 regions at most.
  let error = ERROR.None, made = 1;
  for (let page = 0n; error === ERROR.None; page += 2n) {
    error = e.map(space, 0x1000_0000n + page * PAGE, 1n, READ, quota);
    if (error === ERROR.None) made++;
  }
  assert.is(error, ERROR.TableFull);
  assert.is(made, 1024);
  assert.is(e.protect(space, at(1), 1n, READ_EXECUTE), ERROR.TableFull, "a split would pass the limit");
  assert.is(e.regionAccess(space, at(1)), READ);
  e.spaceDestroy(space);
  assert.is(e.framesFree(), framesAtStart);
});

// --- the property test ----------------------------------------------------------------------------

interface PageModel { access: number; quota: number; frame: number | null }
interface SpaceModel { index: number; pages: Map<number, PageModel>; tables: Set<string>; charges: Map<number, bigint> }

vm("property: random map, unmap, protect, clone, destroy, reads and writes agree with a model; frames counted and all back", () => {
  for (let seed = 1; seed <= 8; seed++) {
    e = instantiateFresh();
    const random = generator(seed);
    const below = (n: number) => Math.floor(random() * n);
    const quotaLimits = [60n, 400n];
    const quotas = quotaLimits.map((limit) => e.quotaCreate(limit) as number);
    const used = quotaLimits.map(() => 0n);
    /** Model frames: contents (one byte per page at offsetOf) and holders. */
    const contents = new Map<number, number>(), holders = new Map<number, number>(), physical = new Map<number, bigint>();
    let nextFrame = 1;
    const spaces: SpaceModel[] = [];
    const newSpace = (index: number): SpaceModel => ({ index, pages: new Map(), tables: new Set(), charges: new Map() });
    spaces.push(newSpace(e.spaceCreate()));
    const prefixes = (page: number) => {
      const address = at(page);
      return [`3:${address >> 39n}`, `2:${address >> 30n}`, `1:${address >> 21n}`];
    };
    const charge = (space: SpaceModel, quota: number, pages: bigint) => {
      used[quota] += pages;
      space.charges.set(quota, (space.charges.get(quota) ?? 0n) + pages);
    };
    const release = (frame: number) => {
      const count = holders.get(frame)! - 1;
      if (count === 0) { holders.delete(frame); contents.delete(frame); physical.delete(frame); } else holders.set(frame, count);
    };
    const where = (step: number, what: string) => `seed ${seed}, step ${step}: ${what}`;

    for (let step = 0; step < 400; step++) {
      const space = spaces[below(spaces.length)];
      const r = random();
      const start = below(PAGES), count = 1 + below(Math.min(12, PAGES - start));
      if (r < 0.15) {
        const access = below(3), quota = below(2);
        const free = [...Array(count).keys()].every((i) => !space.pages.has(start + i));
        const result = e.map(space.index, at(start), BigInt(count), access, quotas[quota]);
        assert.is(result, free ? ERROR.None : ERROR.AlreadyMapped, where(step, `map ${start}+${count}`));
        if (free) for (let i = 0; i < count; i++) space.pages.set(start + i, { access, quota, frame: null });
      } else if (r < 0.25) {
        assert.is(e.unmap(space.index, at(start), BigInt(count)), ERROR.None, where(step, `unmap ${start}+${count}`));
        for (let i = 0; i < count; i++) {
          const page = space.pages.get(start + i);
          if (!page) continue;
          if (page.frame !== null) { release(page.frame); charge(space, page.quota, -1n); }
          space.pages.delete(start + i);
        }
      } else if (r < 0.35) {
        const access = below(3);
        const covered = [...Array(count).keys()].every((i) => space.pages.has(start + i));
        assert.is(e.protect(space.index, at(start), BigInt(count), access), covered ? ERROR.None : ERROR.NotFound, where(step, `protect ${start}+${count}`));
        if (covered) for (let i = 0; i < count; i++) space.pages.get(start + i)!.access = access;
      } else if (r < 0.42 && spaces.length < 6) {
        const needed = new Map<number, bigint>();
        for (const [quota, pages] of space.charges) needed.set(quota, pages);
        const fits = [...needed].every(([quota, pages]) => quotaLimits[quota] - used[quota] >= pages);
        const result = e.clone(space.index) as number;
        if (!fits) { assert.is(result, -ERROR.QuotaExceeded, where(step, "clone past a quota")); continue; }
        assert.ok(result > 0, where(step, `clone: ${result}`));
        const child = newSpace(result);
        for (const [number, page] of space.pages) {
          child.pages.set(number, { ...page });
          if (page.frame === null) continue;
          holders.set(page.frame, holders.get(page.frame)! + 1);
          charge(child, page.quota, 1n);
          for (const prefix of prefixes(number)) child.tables.add(prefix);
        }
        spaces.push(child);
      } else if (r < 0.46 && spaces.length > 1) {
        e.spaceDestroy(space.index);
        for (const page of space.pages.values()) if (page.frame !== null) release(page.frame);
        for (const [quota, pages] of space.charges) used[quota] -= pages;
        spaces.splice(spaces.indexOf(space), 1);
      } else {
        // A user access, or the kernel's copy-out.
        const number = below(PAGES), address = at(number) + offsetOf(number);
        const page = space.pages.get(number);
        const kind = random() < 0.1 ? "kernel" : random() < 0.5 ? "read" : "write";
        const value = below(256);
        let expected: bigint;
        let outcome: "ok" | "denied" | "none" | "quota" = "ok";
        if (!page) outcome = "none";
        else if (kind !== "read" && page.access !== READ_WRITE) outcome = "denied";
        else if (page.frame === null) {
          const missing = prefixes(number).filter((prefix) => !space.tables.has(prefix)).length;
          if (quotaLimits[page.quota] - used[page.quota] < BigInt(1 + missing)) outcome = "quota";
        }
        if (kind === "kernel") {
          const result = e.kernelWrite(space.index, address, value);
          assert.is(result, outcome === "ok" ? 0 : 14, where(step, `copy-out at page ${number}`));   // BadAddress
        } else if (kind === "read") {
          expected = outcome === "ok" ? BigInt(page!.frame === null ? 0 : contents.get(page!.frame)!) : outcome === "none" ? FAULT.NoRegion : outcome === "denied" ? FAULT.Denied : FAULT.QuotaExceeded;
          assert.is(e.read(space.index, address), expected, where(step, `read page ${number}`));
        } else {
          expected = outcome === "ok" ? 0n : outcome === "none" ? FAULT.NoRegion : outcome === "denied" ? FAULT.Denied : FAULT.QuotaExceeded;
          assert.is(e.write(space.index, address, value), expected, where(step, `write page ${number}`));
        }
        if (outcome !== "ok") continue;
        if (page!.frame === null) {
          // Demand zero: the page and its missing tables, charged to the region's quota.
          const missing = prefixes(number).filter((prefix) => !space.tables.has(prefix));
          for (const prefix of missing) space.tables.add(prefix);
          charge(space, page!.quota, BigInt(1 + missing.length));
          page!.frame = nextFrame++;
          holders.set(page!.frame, 1);
          contents.set(page!.frame, 0);
        }
        if (kind !== "read") {
          if (holders.get(page!.frame!)! > 1) {
            // The copy-on-write break: a new frame with the old contents.
            const copy = nextFrame++;
            holders.set(copy, 1);
            contents.set(copy, contents.get(page!.frame!)!);
            release(page!.frame!);
            page!.frame = copy;
          }
          contents.set(page!.frame!, value);
        }
      }
      // Every answer and count against the model.
      for (let q = 0; q < quotas.length; q++) assert.is(e.quotaUsed(quotas[q]), used[q], where(step, `quota ${q} used`));
      for (const s of spaces) {
        const probe = below(PAGES);
        const modelPage = s.pages.get(probe);
        assert.is(e.regionAccess(s.index, at(probe)), modelPage ? modelPage.access : -1, where(step, `region at page ${probe}`));
        for (const [number, page] of s.pages) {
          const frame = BigInt.asUintN(64, e.frameAt(s.index, at(number)));
          if (page.frame === null) { assert.is(frame, 0n, where(step, `page ${number} not present yet`)); continue; }
          assert.ok(frame !== 0n, where(step, `page ${number} present`));
          const known = physical.get(page.frame);
          if (known === undefined) physical.set(page.frame, frame);
          else assert.is(frame, known, where(step, `page ${number}: the frame its sharers map`));
          assert.is(e.references(frame), holders.get(page.frame), where(step, `page ${number}: the frame's holders`));
        }
      }
    }
    for (const space of spaces) e.spaceDestroy(space.index);
    assert.is(e.framesFree(), framesAtStart, `seed ${seed}: every frame back`);
    for (let q = 0; q < quotas.length; q++) assert.is(e.quotaUsed(quotas[q]), 0n, `seed ${seed}: quota ${q} back to 0`);
  }
});

function instantiateFresh(): Record<string, any> {
  const machine = { serial: [], tsc: 0n, cr3: 0n, msrs: new Map() } as unknown as FakeMachine;
  machine.wasm = instantiate(module, { hw: fakeHardware(machine) });
  const exports = machine.wasm.exports;
  machine.cr3 = BigInt(exports.bootTablesAddress() >>> 0);
  framesAtStart = exports.setup(REGION_START, REGION_END);
  return exports;
}

vm.run();
