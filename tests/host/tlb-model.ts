// A model of x86_64 TLBs for the host tests of the process-switch strategies
// (tests/host/tlb-model.test.ts): several CPUs, each with a TLB of translations tagged with a
// PCID (or global) and paging-structure caches (PML4E, PDPTE and PDE entries, tagged alike),
// filled by walks of the page tables in the kernel module's memory (which plays physical
// memory). It behaves as the Intel SDM (vol. 3A, 4.10) allows and no better:
// - a walk sets the accessed flag of every entry it uses, and only a walk that reaches a present
//   page caches a translation (4.10.2.3); paging-structure entries are cached even when the page
//   itself is not present (4.10.3.1);
// - translations and paging-structure entries are cached speculatively, at any moment, for any
//   address (4.10.2.3, 4.10.3.1), also through paging-structure entries cached earlier (so
//   through page tables that are no longer reachable from CR3), with the next page prefetched;
//   other CPUs do the same at the same moments, through their own page tables, and set the
//   accessed flags they share;
// - INVLPG drops the page's translations of the current PCID and its global ones, and every
//   paging-structure entry of the current PCID (4.10.4.1); a MOV to CR3 drops the non-global
//   translations and the paging-structure entries of the PCID loaded, unless bit 63 is set with
//   CR4.PCIDE (all PCIDs without CR4.PCIDE); changing CR4.PGE drops everything.
// Moments are the kernel's calls of the `hw` imports (before and after each takes effect) and the
// steps of the scenario: user code running (through the user-mode page tables when the ways out
// and in load them, as arch/x86_64/user_entry.S does), the kernel running. Checked at those
// steps: every translation and paging-structure entry a CPU could use agrees with a fresh walk of
// the page tables it is on; a CPU shows the space the kernel says it shows; no CR3 names page
// tables that were freed.

import { generator } from "./random";
import { fakeHardware, FAKE_IMAGE, type FakeMachine } from "./fake-hardware";
import { instantiate, type AssemblyScriptModule } from "./assemblyscript";

export const PAGE = 0x1000n;
const P = 1n, W = 2n, U = 4n, PWT = 8n, PCD = 16n, ACCESSED = 32n, DIRTY = 64n, PS = 128n, G = 256n, NX = 1n << 63n;
const ADDRESS = 0x000f_ffff_ffff_f000n;
/** The leaf bits a cached translation keeps (the accessed and dirty flags are not part of it). */
const LEAF_BITS = ADDRESS | P | W | U | PWT | PCD | PS | G | NX;
const NO_FLUSH = 1n << 63n;
const CR4_PGE = 1n << 7n, CR4_PCIDE = 1n << 17n;
const DIRECT_MAP_BASE = 0xffff_8000_0000_0000n;
const hex = (value: bigint) => "0x" + value.toString(16);
const u64 = (value: bigint) => BigInt.asUintN(64, value);
const canonical = (virtual: bigint) => (virtual & (1n << 47n) ? virtual | 0xffff_0000_0000_0000n : virtual);

/** The frame region the kernel allocates from (as in ring.test.ts). */
export const REGION_START = 32 << 20, REGION_END = 48 << 20;

interface Translation { page: bigint; size: bigint; leaf: bigint }
interface TlbEntry extends Translation { pcid: number; global: boolean }
interface PscEntry { pcid: number; level: number; prefix: bigint; table: bigint }
interface Walk { translation: Translation | null; path: { level: number; address: number; entry: bigint }[] }

export class CpuModel {
  cr3 = 0n;          // the PML4's physical address | the PCID (bit 63 never kept)
  cr4 = 0n;
  readonly tlb = new Map<string, TlbEntry>();
  readonly psc = new Map<string, PscEntry>();
  /** What the ways in and out of user mode load (hw.userModeCr3Set). */
  slots = { kernel: 0n, user: 0n, userAfter: 0n };
  mode: "kernel" | "user" = "kernel";
  /** CR3 when this CPU left for user mode: the way in must come back to it. */
  cr3AtExit = 0n;
  constructor(readonly index: number) {}
  get pcid(): number { return this.cr4 & CR4_PCIDE ? Number(this.cr3 & 0xfffn) : 0; }
  get pml4(): bigint { return this.cr3 & ADDRESS; }
}

export type Strategy = "accessed" | "cr3" | "pcid";

export interface Scenario {
  strategy: Strategy;
  isolation: boolean;
  cpus: number;
  seed: number;
  steps: number;
  /** A space of more than 512 pages among the others (the accessed-bit strategy's limit). */
  large: boolean;
}

/** Address pools user pages are mapped at: every space draws from the same ones, so that the
 * same address means another frame in another space. Index 128 of the PML4 ("far") only ever
 * gets pages after the space is made: a new top-level table while it may be shown. */
const POOLS: bigint[][] = [
  Array.from({ length: 12 }, (_, i) => 0x40_0000n + BigInt(i) * PAGE),
  Array.from({ length: 11 }, (_, i) => 0x1_0000_0000n + BigInt(i + 1) * PAGE),
  Array.from({ length: 6 }, (_, i) => 0x7fff_0000_0000n - BigInt(i + 1) * PAGE),
];
const FAR: bigint[] = Array.from({ length: 4 }, (_, i) => 0x4000_0000_0000n + BigInt(i) * PAGE);
const LARGE_BASE = 0x2_0000_0000n, LARGE_PAGES = 520n;
/** Addresses never mapped, in tables that exist: walks that stop at the page. */
const HOLES: bigint[] = [0x40_0000n + 0x20n * PAGE, 0x1_0000_0000n + 0x30n * PAGE, 0x7fff_0000_0000n - 0x20n * PAGE, 0x4000_0000_0000n + 0x10n * PAGE];

export class ModelFailure extends Error {}

/** One run: a fresh instance of the entry (tests/host/entries/address-switch.ts), its CPUs, and a
 * random scenario driving it. run() throws a ModelFailure at the first broken rule. */
export class TlbModel {
  readonly wasm: AssemblyScriptModule;
  readonly e: Record<string, any>;
  readonly cpus: CpuModel[] = [];
  current = 0;
  readonly random: () => number;
  /** The entry's spaces: the pages the test mapped (address → frame), null once destroyed. */
  readonly spaces: (Map<bigint, bigint> | null)[] = [];
  large = -1;
  poison = 0n;
  /** PML4s of destroyed spaces: no CR3 may name them. */
  readonly freedPml4s = new Set<bigint>();
  steps = 0;
  log: string[] = [];

  constructor(module: WebAssembly.Module, readonly scenario: Scenario) {
    this.random = generator(scenario.seed);
    const fake: FakeMachine = {
      wasm: undefined as unknown as AssemblyScriptModule, serial: [], tsc: 1_000_000n, cr3: 0n, msrs: new Map(),
      cpuVendor: "GenuineIntel", cpuPcid: true,
    };
    const hw = {
      ...fakeHardware(fake),
      readControlRegister: (number: number) => (number === 3 ? this.cpu().cr3 : number === 4 ? this.cpu().cr4 : 0n),
      writeControlRegister: (number: number, value: bigint) => this.around(() => (number === 3 ? this.loadCr3(this.cpu(), u64(value)) : number === 4 ? this.writeCr4(u64(value)) : undefined)),
      invalidatePage: (virtual: bigint) => this.around(() => this.invalidatePage(this.cpu(), u64(virtual))),
      // The IPI of a shootdown: the CPU signalled enters the kernel, answers, and goes back to
      // user mode if it was there; then the CPU that signalled goes on.
      shootdownSignal: (index: number) => this.around(() => {
        const sender = this.current, target = this.cpus[index];
        const wasUser = target.mode === "user";
        this.current = index;
        this.enterKernel(target);
        this.e.cpuShootdownReceive(index);
        if (wasUser) this.exitToUser(target);
        this.current = sender;
      }),
      userModeCr3Set: (kernel: bigint, user: bigint, userAfter: bigint) => this.around(() => {
        const cpu = this.cpu(), previous = cpu.slots.user;
        cpu.slots = { kernel: u64(kernel), user: u64(user), userAfter: u64(userAfter) };
        return previous;
      }),
    };
    this.wasm = instantiate(module, { hw });
    fake.wasm = this.wasm;
    this.e = this.wasm.exports;
    const boot = new CpuModel(0);
    boot.cr3 = BigInt(this.e.bootTablesAddress() >>> 0);
    this.cpus.push(boot);
    const words = `switch=${scenario.strategy} isolation=${scenario.isolation ? "on" : "off"}`;
    this.e.setup(REGION_START, REGION_END, this.wasm.string(words));
    if (this.wasm.aborts.length) throw new Error(`setup aborted: ${this.wasm.aborts.join("; ")}`);
    this.expect(boot.cr3 === u64(this.e.kernelPml4Address()), "the kernel runs on its own PML4 after setup");
    this.expect((boot.cr4 & CR4_PGE) !== 0n, "CR4.PGE is on");
    this.expect(((boot.cr4 & CR4_PCIDE) !== 0n) === (scenario.strategy === "pcid"), "CR4.PCIDE is on exactly for the PCID strategy");
    this.poison = u64(this.e.frameTake());
    this.poisonFrame(this.poison);
    for (let i = 1; i < scenario.cpus; i++) {
      const cpu = new CpuModel(i);
      cpu.cr3 = boot.cr3;
      cpu.cr4 = boot.cr4;
      this.cpus.push(cpu);
      this.current = i;
      this.e.cpuCreate();
    }
    this.current = 0;
  }

  cpu(): CpuModel { return this.cpus[this.current]; }
  view(): DataView { return new DataView(this.wasm.memory.buffer); }

  expect(condition: boolean, message: string): void {
    if (!condition) throw new ModelFailure(`${message} (seed ${this.scenario.seed}, step ${this.steps}; ${this.log.slice(-6).join(", ")})`);
  }

  // --- the CPU --------------------------------------------------------------------------------

  /** Reads a paging-structure entry; a table outside the frame region reads as not present (only
   * a stale walk goes there, and what the model writes must stay in the region). */
  private entry(table: bigint, index: bigint): { address: number; value: bigint } | null {
    const address = table + index * 8n;
    if (table < BigInt(REGION_START) || address + 8n > BigInt(REGION_END)) return null;
    return { address: Number(address), value: this.view().getBigUint64(Number(address), true) };
  }

  /** Walks `cpu`'s page tables for `virtual`: from CR3, or (`cached`) from the deepest
   * paging-structure entry the CPU holds for it. */
  walk(cpu: CpuModel, virtual: bigint, cached: boolean): Walk {
    const path: Walk["path"] = [];
    let table = cpu.pml4, level = 3;
    if (cached) {
      for (const candidate of [1, 2, 3]) {
        const found = cpu.psc.get(`${cpu.pcid}:${candidate}:${virtual >> BigInt(12 + 9 * candidate)}`);
        if (found) {
          table = found.table;
          level = candidate - 1;
          break;
        }
      }
    }
    for (; level >= 0; level--) {
      const index = (virtual >> BigInt(12 + 9 * level)) & 511n;
      const read = this.entry(table, index);
      if (!read || !(read.value & P)) return { translation: null, path };
      path.push({ level, address: read.address, entry: read.value });
      if (level === 0 || (level === 1 && read.value & PS)) {
        const size = level === 0 ? PAGE : 2n << 20n;
        return { translation: { page: virtual & ~(size - 1n), size, leaf: read.value & LEAF_BITS }, path };
      }
      table = read.value & ADDRESS;
    }
    return { translation: null, path };
  }

  /** Caches what a walk for `virtual` finds (through the paging-structure caches when `cached`),
   * setting the accessed flags it used. */
  fill(cpu: CpuModel, virtual: bigint, cached = this.random() < 0.5): void {
    const { translation, path } = this.walk(cpu, virtual, cached);
    for (const step of path) {
      this.view().setBigUint64(step.address, step.entry | ACCESSED, true);
      const isLeaf = step.level === 0 || (step.level === 1 && step.entry & PS);
      if (!isLeaf) {
        const prefix = virtual >> BigInt(12 + 9 * step.level);
        cpu.psc.set(`${cpu.pcid}:${step.level}:${prefix}`, { pcid: cpu.pcid, level: step.level, prefix, table: step.entry & ADDRESS });
      }
    }
    if (!translation) return;
    const global = (cpu.cr4 & CR4_PGE) !== 0n && (translation.leaf & G) !== 0n;
    cpu.tlb.set(`${global ? "g" : cpu.pcid}:${translation.page}`, { ...translation, pcid: cpu.pcid, global });
  }

  invalidatePage(cpu: CpuModel, virtual: bigint): void {
    for (const [key, entry] of cpu.tlb) {
      if ((entry.global || entry.pcid === cpu.pcid) && virtual >= entry.page && virtual < entry.page + entry.size) cpu.tlb.delete(key);
    }
    for (const [key, entry] of cpu.psc) if (entry.pcid === cpu.pcid) cpu.psc.delete(key);
  }

  loadCr3(cpu: CpuModel, value: bigint): void {
    const pcide = (cpu.cr4 & CR4_PCIDE) !== 0n;
    this.expect(pcide || (value & NO_FLUSH) === 0n, `CR3 bit 63 set without CR4.PCIDE: ${hex(value)}`);
    const keep = pcide && (value & NO_FLUSH) !== 0n;
    cpu.cr3 = value & ~NO_FLUSH;
    if (keep) return;
    const pcid = cpu.pcid;
    for (const [key, entry] of cpu.tlb) if (!entry.global && (!pcide || entry.pcid === pcid)) cpu.tlb.delete(key);
    for (const [key, entry] of cpu.psc) if (!pcide || entry.pcid === pcid) cpu.psc.delete(key);
  }

  writeCr4(value: bigint): void {
    const cpu = this.cpu();
    if ((value & CR4_PCIDE) && !(cpu.cr4 & CR4_PCIDE)) this.expect((cpu.cr3 & 0xfffn) === 0n, "CR4.PCIDE set with a PCID in CR3");
    if ((value ^ cpu.cr4) & CR4_PGE) {
      cpu.tlb.clear();
      cpu.psc.clear();
    }
    cpu.cr4 = value;
  }

  /** A moment for speculation, then `action` (a `hw` import), then another moment. */
  private around<T>(action: () => T): T {
    this.speculate();
    const result = action();
    this.speculate();
    return result;
  }

  /** Some CPUs cache some translations, with prefetch: the one running mostly, the others in
   * whatever mode they are in. */
  speculate(): void {
    if (this.steps === 0) return;   // not during setup
    const count = Math.floor(this.random() * 3);
    for (let i = 0; i < count; i++) {
      const cpu = this.random() < 0.7 ? this.cpu() : this.cpus[Math.floor(this.random() * this.cpus.length)];
      const virtual = this.candidate();
      this.fill(cpu, virtual);
      if (this.random() < 0.3) this.fill(cpu, virtual + PAGE);
    }
  }

  private candidate(): bigint {
    const r = this.random();
    const pick = <T>(list: T[]) => list[Math.floor(this.random() * list.length)];
    if (r < 0.7) return pick([...POOLS.flat(), ...FAR]);
    if (r < 0.8) return pick(HOLES);
    if (r < 0.85 && this.large >= 0) return LARGE_BASE + BigInt(Math.floor(this.random() * Number(LARGE_PAGES))) * PAGE;
    const image = FAKE_IMAGE;
    return pick([
      DIRECT_MAP_BASE + 0x10_0000n, DIRECT_MAP_BASE + BigInt(REGION_START) + 0x20_0000n, image.textStart + 0x5000n, image.entryTextStart,
      image.entryDataStart, image.entryStackGuard + PAGE, image.dataStart,
    ].map(u64));
  }

  // --- the checks ---------------------------------------------------------------------------

  /** Every translation and paging-structure entry `cpu` could use now agrees with its tables. */
  coherent(cpu: CpuModel, where: string): void {
    for (const entry of cpu.tlb.values()) {
      if (!entry.global && entry.pcid !== cpu.pcid) continue;
      const fresh = this.walk(cpu, entry.page, false).translation;
      this.expect(fresh !== null && fresh.page === entry.page && fresh.size === entry.size && fresh.leaf === entry.leaf,
        `CPU ${cpu.index} (${where}) could use a stale translation of ${hex(canonical(entry.page))}: ${hex(entry.leaf)}${entry.global ? " (global)" : ""}, the tables say ${fresh ? hex(fresh.leaf) : "not mapped"}`);
    }
    for (const entry of cpu.psc.values()) {
      if (entry.pcid !== cpu.pcid) continue;
      const virtual = entry.prefix << BigInt(12 + 9 * entry.level);
      const step = this.walk(cpu, virtual, false).path.find((item) => item.level === entry.level);
      this.expect(step !== undefined && (step.entry & ADDRESS) === entry.table,
        `CPU ${cpu.index} (${where}) could walk through a stale level-${entry.level} paging-structure entry for ${hex(canonical(virtual))}`);
    }
  }

  /** The PML4 at `table` shows space `space` (-1: none) in its lower half. */
  private showsSpace(table: bigint, space: number, what: string): void {
    const own = space >= 0 ? u64(this.e.spacePml4(space)) : 0n;
    for (let index = 0n; index < 256n; index++) {
      const entry = this.view().getBigUint64(Number(table + index * 8n), true);
      const expected = own ? this.view().getBigUint64(Number(own + index * 8n), true) : 0n;
      this.expect((entry & ~ACCESSED) === (expected & ~ACCESSED), `${what}: PML4 entry ${index} is not the shown space's`);
    }
  }

  /** Checks a CPU in kernel mode: on the page tables of the space it shows, all coherent. */
  checkKernel(cpu: CpuModel, where: string): void {
    const shown = this.e.cpuShown(cpu.index) as number;
    const view = this.scenario.strategy === "accessed" || shown < 0 ? u64(this.e.cpuKernelView(cpu.index)) : u64(this.e.spacePml4(shown));
    this.expect(cpu.pml4 === view, `CPU ${cpu.index} (${where}) is on ${hex(cpu.pml4)}, not the kernel view of what it shows (${hex(view)})`);
    this.showsSpace(cpu.pml4, shown, `CPU ${cpu.index} kernel view (${where})`);
    this.expect(!this.freedPml4s.has(cpu.pml4), `CPU ${cpu.index} (${where}) is on a freed PML4`);
    this.coherent(cpu, where);
  }

  /** Leaves for user mode as the ways out do; checks the user-mode view and what user code can
   * reach from it. */
  exitToUser(cpu: CpuModel): void {
    this.expect(cpu.mode === "kernel", "exit from kernel mode");
    cpu.cr3AtExit = cpu.cr3;
    if (cpu.slots.user !== 0n) {
      this.expect(this.scenario.isolation, "the ways out load CR3 only under isolation");
      this.loadCr3(cpu, cpu.slots.user);
      cpu.slots.user = cpu.slots.userAfter;
      const shown = this.e.cpuShown(cpu.index) as number;
      this.expect(cpu.pml4 === u64(this.e.cpuUserPml4(cpu.index)), `CPU ${cpu.index} went to user mode on ${hex(cpu.pml4)}, not its user-mode PML4`);
      this.showsSpace(cpu.pml4, shown, `CPU ${cpu.index} user-mode PML4`);
      this.kernelHalfIsEntryArea(cpu.pml4);
    } else {
      this.expect(!this.scenario.isolation, `CPU ${cpu.index}: isolation on, yet the way out loads no user-mode CR3`);
    }
    cpu.mode = "user";
  }

  enterKernel(cpu: CpuModel): void {
    if (cpu.mode === "kernel") return;
    if (cpu.slots.user !== 0n) this.loadCr3(cpu, cpu.slots.kernel);
    cpu.mode = "kernel";
    this.expect(cpu.cr3 === cpu.cr3AtExit, `CPU ${cpu.index}: the way in loaded ${hex(cpu.cr3)}, the way out left ${hex(cpu.cr3AtExit)}`);
  }

  /** An independent walk of a user-mode PML4's kernel half: only the entry area, at the kernel's
   * own pages. */
  private kernelHalfIsEntryArea(pml4: bigint): void {
    const image = FAKE_IMAGE;
    const inArea = (virtual: bigint) => (virtual >= image.entryTextStart && virtual < image.entryTextEnd) ||
      (virtual >= image.entryDataStart && virtual < image.entryDataEnd);
    const visit = (table: bigint, level: number, base: bigint): void => {
      for (let index = 0n; index < 512n; index++) {
        if (level === 3 && index < 256n) continue;
        const read = this.entry(table, index);
        if (!read || !(read.value & P)) continue;
        const virtual = canonical(base | (index << BigInt(12 + 9 * level)));
        this.expect(level === 0 || !(read.value & PS), `the user-mode PML4 maps a large page at ${hex(virtual)}`);
        if (level > 0) visit(read.value & ADDRESS, level - 1, virtual);
        else this.expect(inArea(virtual) && (read.value & ADDRESS) === virtual - image.virtualOffset, `the user-mode PML4 maps ${hex(virtual)}`);
      }
    };
    visit(pml4, 3, 0n);
  }

  // --- the scenario -------------------------------------------------------------------------

  private on(cpu: number): CpuModel {
    this.current = cpu;
    const model = this.cpus[cpu];
    this.enterKernel(model);
    return model;
  }

  private liveSpaces(): number[] {
    return this.spaces.flatMap((space, index) => (space ? [index] : []));
  }

  private poisonFrame(frame: bigint): void {
    for (let offset = 0n; offset < PAGE; offset += 8n) this.view().setBigUint64(Number(frame + offset), this.poison | P | W | U, true);
  }

  /** A new space with a random share of the pools' pages. */
  private createSpace(large = false): number {
    const index = this.e.spaceCreate() as number;
    this.freedPml4s.delete(BigInt.asUintN(64, this.e.spacePml4(index)));   // the frame taken again
    const pages = new Map<bigint, bigint>();
    this.spaces[index] = pages;
    for (const pool of POOLS) for (const virtual of pool) if (this.random() < 0.6) this.map(index, virtual);
    if (large) for (let page = 0n; page < LARGE_PAGES; page++) this.map(index, LARGE_BASE + page * PAGE);
    return index;
  }

  private map(space: number, virtual: bigint): void {
    const frame = u64(this.e.spaceMap(space, virtual, 1));
    this.expect(frame !== 0n, `mapping ${hex(virtual)} failed`);
    this.spaces[space]!.set(virtual, frame);
  }

  /** Every frame a space's lower half holds, tables included. */
  private framesOf(pml4: bigint): bigint[] {
    const frames: bigint[] = [pml4];
    const visit = (table: bigint, level: number, count: bigint) => {
      for (let index = 0n; index < count; index++) {
        const read = this.entry(table, index)!;
        if (!(read.value & P)) continue;
        frames.push(read.value & ADDRESS);
        if (level > 0) visit(read.value & ADDRESS, level - 1, 512n);
      }
    };
    visit(pml4, 3, 256n);
    return frames;
  }

  private kill(space: number): void {
    for (let cpu = 0; cpu < this.cpus.length; cpu++) {
      this.on(cpu);
      this.e.cpuHide(cpu, space);
    }
    const pml4 = u64(this.e.spacePml4(space));
    const frames = this.framesOf(pml4);
    this.e.spaceDestroy(space);
    this.spaces[space] = null;
    if (space === this.large) this.large = -1;
    for (const frame of frames) this.poisonFrame(frame);
    this.freedPml4s.add(pml4);
    for (const cpu of this.cpus) {
      this.expect(!this.freedPml4s.has(cpu.pml4), `CPU ${cpu.index} still on the PML4 of destroyed space ${space}`);
      for (const slot of [cpu.slots.kernel, cpu.slots.user, cpu.slots.userAfter]) this.expect(!this.freedPml4s.has(slot & ADDRESS), `CPU ${cpu.index}'s ways in or out would load a freed PML4`);
    }
  }

  run(): void {
    const scenario = this.scenario;
    for (let i = 0; i < 3; i++) this.createSpace();
    if (scenario.large) this.large = this.createSpace(true);
    this.steps = 1;
    for (; this.steps <= scenario.steps; this.steps++) {
      const c = Math.floor(this.random() * this.cpus.length);
      const live = this.liveSpaces();
      const r = this.random();
      if (r < 0.35) {
        const space = this.large >= 0 && this.random() < 0.15 ? this.large : live[Math.floor(this.random() * live.length)];
        this.log.push(`CPU ${c} shows ${space}`);
        const cpu = this.on(c);
        this.e.cpuShow(c, space);
        this.checkKernel(cpu, `after showing space ${space}`);
      } else if (r < 0.65) {
        const cpu = this.on(c);
        if ((this.e.cpuShown(c) as number) < 0) continue;
        this.log.push(`CPU ${c} runs user code`);
        this.exitToUser(cpu);
        const fills = 3 + Math.floor(this.random() * 10);
        for (let i = 0; i < fills; i++) this.fill(cpu, this.candidate());
        this.coherent(cpu, "in user mode");
        this.speculate();
      } else if (r < 0.75) {
        this.log.push(`CPU ${c} runs the kernel`);
        const cpu = this.on(c);
        for (let i = 0; i < 5; i++) this.fill(cpu, this.candidate());
        this.checkKernel(cpu, "in kernel mode");
      } else if (r < 0.87) {
        const space = live[Math.floor(this.random() * live.length)];
        const pages = this.spaces[space]!;
        const free = [...POOLS.flat(), ...FAR].filter((virtual) => !pages.has(virtual));
        if (free.length === 0) continue;
        const virtual = free[Math.floor(this.random() * free.length)];
        this.log.push(`space ${space} maps ${hex(virtual)}`);
        this.on(c);
        this.map(space, virtual);
        this.speculate();
        this.checkKernel(this.cpus[c], `after space ${space} mapped ${hex(virtual)}`);
      } else if (r < 0.91) {
        // A mapping changes (vm/mappings.ts, vm/fault.ts): one page unmapped or made read-only,
        // or (as a clone does) every page made read-only at once.
        const space = live[Math.floor(this.random() * live.length)];
        const pages = this.spaces[space]!;
        if (pages.size === 0) continue;
        this.on(c);
        const how = this.random();
        if (how < 0.2) {
          this.log.push(`CPU ${c}: space ${space} made read-only`);
          this.e.spaceReadOnlyAll(c, space);
        } else {
          const list = [...pages.keys()];
          const virtual = list[Math.floor(this.random() * list.length)];
          const unmap = how < 0.6;
          this.log.push(`CPU ${c}: space ${space} ${unmap ? "unmaps" : "makes read-only"} ${hex(virtual)}`);
          this.e.spaceChangePage(c, space, virtual, unmap ? 0 : 1);
          if (unmap) {
            this.poisonFrame(pages.get(virtual)!);
            pages.delete(virtual);
          }
        }
        this.speculate();
        this.checkKernel(this.cpus[c], `after space ${space} changed`);
      } else if (r < 0.96) {
        const space = live[Math.floor(this.random() * live.length)];
        this.log.push(`space ${space} destroyed`);
        this.kill(space);
        this.createSpace(space === this.large);
        this.on(c);
        this.checkKernel(this.cpus[c], `after space ${space} was destroyed`);
      } else {
        this.log.push(`CPU ${c} speculates`);
        this.on(c);
        this.speculate();
        this.checkKernel(this.cpus[c], "after speculation");
      }
      if (this.wasm.aborts.length) throw new Error(`the kernel aborted: ${this.wasm.aborts.join("; ")}`);
    }
  }
}
