// Host tests of kernel memory charges (kernel/memory/quota.ts): a quota's pages and kernel
// bytes (rounded up into its pages), the one heap budget every charge reserves from
// (OutOfMemory past it, QuotaExceeded past the quota), splits lending pages, a quota that outlives
// its maker while charged, and a capability table charging its growth and refusing what its
// account cannot pay. A seeded random sequence is checked against a model after every step.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate } from "./assemblyscript";
import { fakeHardware, type FakeMachine } from "./fake-hardware";
import { generator } from "./random";

const quota = suite("kernel memory charges");
const ERROR = { None: 0, OutOfMemory: 5, QuotaExceeded: 17, TableFull: 20 };
let module: WebAssembly.Module;
let e: Record<string, any>;

quota.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/quota.ts"));
});
quota.before.each(() => {
  const machine = { serial: [], tsc: 0n, cr3: 0n, msrs: new Map() } as unknown as FakeMachine;
  machine.wasm = instantiate(module, { hw: fakeHardware(machine) });
  e = machine.wasm.exports;
});

const pagesOf = (bytes: bigint) => (bytes + 4095n) / 4096n;

quota("kernel bytes count in the quota's pages, rounded up; they come back exactly", () => {
  e.setBudget(1n << 30n);
  const q = e.root(10n);
  e.chargeKernel(q, 1n);
  assert.is(e.used(q), 1n, "one byte takes a page");
  e.chargeKernel(q, 4095n);
  assert.is(e.used(q), 1n, "4096 bytes still one page");
  e.chargeKernel(q, 1n);
  assert.is(e.used(q), 2n);
  e.charge(q, 3n);
  assert.is(e.used(q), 5n, "pages and kernel bytes add up");
  assert.is(e.kernelBytes(q), 4097n);
  assert.is(e.reserved(), 4097n, "the budget holds the bytes, not the pages");
  e.unchargeKernel(q, 4097n);
  e.uncharge(q, 3n);
  assert.is(e.used(q), 0n);
  assert.is(e.reserved(), 0n);
  assert.is(e.reservedPeak(), 4097n);
});

quota("QuotaExceeded past the quota's pages, OutOfMemory past the heap budget, None otherwise; a refusal charges nothing", () => {
  e.setBudget(10_000n);
  const a = e.root(2n), b = e.root(100n);
  assert.is(e.fits(a, 8192n, 0n), ERROR.None);
  assert.is(e.fits(a, 8193n, 0n), ERROR.QuotaExceeded, "three pages of bytes in a two-page quota");
  assert.is(e.fits(a, 1n, 2n), ERROR.QuotaExceeded, "pages and bytes together");
  assert.is(e.fits(a, 0n, 3n), ERROR.QuotaExceeded);
  assert.is(e.fits(b, 10_000n, 0n), ERROR.None);
  assert.is(e.fits(b, 10_001n, 0n), ERROR.OutOfMemory, "the budget is below b's pages");
  e.chargeKernel(a, 6000n);
  assert.is(e.fits(b, 4001n, 0n), ERROR.OutOfMemory, "a's bytes are gone from everyone's budget");
  assert.is(e.fits(b, 4000n, 0n), ERROR.None);
  assert.is(e.used(b), 0n);
  assert.is(e.reserved(), 6000n);
});

quota("a split lends pages; the split's own charges count against it only; the last release returns the pages", () => {
  e.setBudget(1n << 30n);
  const parent = e.root(100n);
  const child = e.split(parent, 30n);
  assert.is(e.used(parent), 30n);
  assert.is(e.fits(child, 30n * 4096n, 0n), ERROR.None);
  assert.is(e.fits(child, 30n * 4096n + 1n, 0n), ERROR.QuotaExceeded);
  e.chargeKernel(child, 5000n);
  assert.is(e.used(child), 2n);
  assert.is(e.used(parent), 30n, "the parent lent 30 pages; what the child does with them stays there");
  e.unchargeKernel(child, 5000n);
  const live = e.quotasLive();
  e.release(child);
  assert.is(e.quotasLive(), live - 1);
  assert.is(e.used(parent), 0n, "the pages came back with the last release");
});

quota("a capability table charges its storage, growth included, and is refused growth its account cannot pay", () => {
  e.setBudget(1n << 30n);
  const q = e.root(1000n);
  const t = e.tableCreate(4, 4096, q);
  assert.ok(t >= 0);
  assert.is(e.tableCharged(t), e.tableBytes(4));
  assert.is(e.kernelBytes(q), e.tableBytes(4));
  for (let i = 0; i < 100; i++) assert.ok(e.tableInsert(t) > 0n, `insert ${i}`);
  assert.is(e.tableCapacity(t), 128);
  assert.is(e.tableCharged(t), e.tableBytes(128), "charged at its capacity");
  assert.is(e.kernelBytes(q), e.tableBytes(128));
  e.tableDiscard(t);
  assert.is(e.kernelBytes(q), 0n, "discard returns it all");
  assert.is(e.used(q), 0n);

  // An account that can pay for 512 slots and not 1024: the 513th insert is refused, nothing charged.
  assert.ok(pagesOf(e.tableBytes(1024)) > pagesOf(e.tableBytes(512)), "the premise: doubling needs more pages");
  const small = e.root(pagesOf(e.tableBytes(512)));
  const u = e.tableCreate(512, 4096, small);
  for (let i = 0; i < 512; i++) assert.ok(e.tableInsert(u) > 0n, `insert ${i}`);
  const before = e.kernelBytes(small);
  assert.is(e.tableInsert(u), 0n);
  assert.is(e.tableError(u), ERROR.QuotaExceeded, "the quota cannot pay for 1024 slots");
  assert.is(e.kernelBytes(small), before);
  assert.is(e.tableCapacity(u), 512);
  // The same through the budget: OutOfMemory.
  e.setBudget(e.reserved() + 10n);
  const big = e.root(1n << 20n);
  const v = e.tableCreate(1, 4096, big);
  assert.is(v, -1, "not even one slot fits the budget");
  e.setBudget(e.reserved() + e.tableBytes(64));
  const w = e.tableCreate(64, 4096, big);
  assert.ok(w >= 0);
  for (let i = 0; i < 64; i++) assert.ok(e.tableInsert(w) > 0n, `insert ${i}`);
  assert.is(e.tableInsert(w), 0n);
  assert.is(e.tableError(w), ERROR.OutOfMemory, "growth past the budget");
});

quota("random charges, splits and releases match a model (seeded)", () => {
  for (const seed of [1, 2, 3, 0x5eed]) {
    const random = generator(seed);
    e.setBudget(BigInt(200_000 + Math.floor(random() * 200_000)));
    const model: ({ limit: bigint; pages: bigint; bytes: bigint; parent: number; lent: bigint; alive: boolean } | undefined)[] = [];
    const make = (pages: bigint, parent = -1) => {
      const index = parent < 0 ? e.root(pages) : e.split(parent, pages);
      model[index] = { limit: pages, pages: 0n, bytes: 0n, parent, lent: 0n, alive: true };
      if (parent >= 0) model[parent]!.lent += pages;
      return index;
    };
    const usedOf = (i: number) => model[i]!.pages + model[i]!.lent + pagesOf(model[i]!.bytes);
    const base = e.reserved() as bigint;   // what earlier seeds left charged
    const reserved = () => base + model.reduce((sum, q) => sum + (q ? q.bytes : 0n), 0n);
    const budget = e.budget() as bigint;
    for (let r = 0; r < 3; r++) make(BigInt(1 + Math.floor(random() * 200)));
    for (let step = 0; step < 2000; step++) {
      const alive = model.map((q, i) => (q && q.alive ? i : -1)).filter((i) => i >= 0);
      const i = alive[Math.floor(random() * alive.length)];
      const q = model[i]!;
      const roll = random();
      if (roll < 0.4) {
        const bytes = BigInt(Math.floor(random() * 9000)), pages = BigInt(Math.floor(random() * 3));
        const expected = pages > q.limit - usedOf(i) || pagesOf(q.bytes + bytes) - pagesOf(q.bytes) > q.limit - usedOf(i) - pages
          ? ERROR.QuotaExceeded : bytes > budget - reserved() ? ERROR.OutOfMemory : ERROR.None;
        assert.is(e.fits(i, bytes, pages), expected, `seed ${seed} step ${step}: fits`);
        if (expected === ERROR.None && pages === 0n) { e.chargeKernel(i, bytes); q.bytes += bytes; }
      } else if (roll < 0.6 && q.bytes > 0n) {
        const bytes = BigInt(Math.floor(random() * Number(q.bytes))) + 1n;
        e.unchargeKernel(i, bytes);
        q.bytes -= bytes;
      } else if (roll < 0.75) {
        const pages = BigInt(1 + Math.floor(random() * 20));
        if (pages <= q.limit - usedOf(i)) make(pages, i);
      } else if (roll < 0.85) {
        // Release a quota with no charges and no splits alive (what the kernel's references ensure).
        if (q.bytes === 0n && q.pages === 0n && q.lent === 0n) {
          e.release(i);
          q.alive = false;
          if (q.parent >= 0) model[q.parent]!.lent -= q.limit;
        }
      }
      for (const j of model.keys()) if (model[j]?.alive) assert.is(e.used(j), usedOf(j), `seed ${seed} step ${step}: quota ${j} used`);
      assert.is(e.reserved(), reserved(), `seed ${seed} step ${step}: reserved`);
    }
  }
});

quota.run();
