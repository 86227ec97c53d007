// The "hw" imports of the kernel module (kernel/arch/hw.ts) as the ring host tests fake them: a
// serial port that records, a settable TSC and CR3 (CR3 loads counted), CR4, INVLPG recorded, the
// CR3s the ways in and out of user mode would load, a CPU vendor, a kernel image at physical
// [1 MiB, 2 MiB) below the frame region (its entry area included), a CPU with no-execute and
// global pages and otherwise only what the machine names, MSRs in a map. Shared by
// tests/host/ring.test.ts, ring-ipc.test.ts and tlb-model.ts.

import type { AssemblyScriptModule } from "./assemblyscript";

const u64 = (value: bigint) => BigInt.asUintN(64, value);

/** What the fake hardware reads and writes; the test's machine object. */
export interface FakeMachine {
  wasm: AssemblyScriptModule;
  serial: Buffer[];
  tsc: bigint;
  cr3: bigint;
  /** CR3 loads (each empties the TLB), and the addresses given to INVLPG, in order. */
  cr3Loads?: number;
  invalidated?: bigint[];
  /** Called inside each INVLPG, after it is recorded. */
  onInvalidate?: ((virtual: bigint) => void) | null;
  /** CPUID leaf 0's 12-byte vendor string. */
  cpuVendor?: string;
  /** CPUID leaf 0x40000000's signature says QEMU's TCG. */
  cpuTcg?: boolean;
  /** CPUID.1:ECX.PCID. */
  cpuPcid?: boolean;
  /** CR4 as the kernel last wrote it. */
  cr4?: bigint;
  /** The CR3s hw.userModeCr3Set gave the ways in and out of user mode. */
  userModeCr3?: { kernel: bigint; user: bigint; userAfter: bigint };
  msrs: Map<number, bigint>;
  onSerialWrite?: ((bytes: Buffer) => void) | null;
  onReadTsc?: (() => void) | null;
  onContextForget?: ((context: bigint) => void) | null;
}

const OFFSET = 0xffff_ffff_8000_0000n;
/** The fake kernel image (KernelImageLayout's fields, in order): text at 1 MiB, its first two
 * pages the entry text; the entry data 0x13_6000-0x17_0000 (descriptors, then the entry stack and
 * the three IST stacks, each above its guard); the kernel stack's guard below it. */
export const FAKE_IMAGE = {
  virtualOffset: OFFSET, textStart: OFFSET + 0x10_0000n, textEnd: OFFSET + 0x11_0000n, rodataStart: OFFSET + 0x11_0000n,
  rodataEnd: OFFSET + 0x12_0000n, dataStart: OFFSET + 0x12_0000n, symbolsStart: OFFSET + 0x1f_0000n, imageEnd: OFFSET + 0x20_0000n,
  kernelStackGuard: OFFSET + 0x13_0000n, doubleFaultStackGuard: OFFSET + 0x14_0000n, nmiStackGuard: OFFSET + 0x15_0000n,
  pageFaultStackGuard: OFFSET + 0x16_0000n, entryTextStart: OFFSET + 0x10_0000n, entryTextEnd: OFFSET + 0x10_2000n,
  entryDataStart: OFFSET + 0x13_6000n, entryDataEnd: OFFSET + 0x17_0000n, entryStackGuard: OFFSET + 0x13_8000n,
};

export function fakeHardware(machine: FakeMachine): Record<string, (...args: any[]) => any> {
  const view = () => new DataView(machine.wasm.memory.buffer);
  return {
    serialWrite: (address: number, length: number) => {
      const bytes = Buffer.from(machine.wasm.bytes(address >>> 0, length >>> 0));
      machine.serial.push(bytes);
      machine.onSerialWrite?.(bytes);
    },
    readTsc: () => {
      machine.onReadTsc?.();
      return machine.tsc;
    },
    bootClockNanos: () => 0n,
    readControlRegister: (number: number) => (number === 3 ? machine.cr3 : number === 4 ? machine.cr4 ?? 0n : 0n),
    writeControlRegister: (number: number, value: bigint) => {
      if (number === 4) machine.cr4 = u64(value);
      if (number !== 3) return;
      machine.cr3 = u64(value);
      machine.cr3Loads = (machine.cr3Loads ?? 0) + 1;
    },
    userModeCr3Set: (kernel: bigint, user: bigint, userAfter: bigint) => {
      const previous = machine.userModeCr3?.user ?? 0n;
      machine.userModeCr3 = { kernel: u64(kernel), user: u64(user), userAfter: u64(userAfter) };
      return previous;
    },
    shootdownSignal: (cpu: number) => {
      throw new Error(`hw.shootdownSignal(${cpu}): no test here runs a second CPU`);
    },
    invalidatePage: (virtual: bigint) => {
      (machine.invalidated ??= []).push(u64(virtual));
      machine.onInvalidate?.(u64(virtual));
    },
    // KernelImageLayout's fields (kernel/memory/kernel-image.ts), at virtual offset + physical:
    // FAKE_IMAGE.
    kernelImageLayout: (output: number) => {
      Object.values(FAKE_IMAGE).forEach((field, i) => view().setBigUint64((output >>> 0) + i * 8, u64(field), true));
    },
    // The vendor (leaf 0: EBX, EDX, ECX; GenuineIntel unless the machine names another; the
    // highest basic leaf 1), global pages (leaf 1 EDX bit 13), PCID (leaf 1 ECX bit 17) when the
    // machine says so, QEMU's TCG signature (leaf 0x4000_0000: EBX, ECX, EDX) when it says so,
    // and no-execute (leaf 0x8000_0001 EDX bit 20).
    cpuid: (leaf: number, _subleaf: number, output: number) => {
      for (let i = 0; i < 4; i++) view().setUint32((output >>> 0) + i * 4, 0, true);
      const signature = (text: string, offsets: number[]) =>
        offsets.forEach((offset, i) => view().setUint32((output >>> 0) + offset, Buffer.from(text, "latin1").readUInt32LE(i * 4), true));
      if (leaf >>> 0 === 0) {
        view().setUint32(output >>> 0, 1, true);
        signature(machine.cpuVendor ?? "GenuineIntel", [4, 12, 8]);
      }
      if (leaf >>> 0 === 1) {
        view().setUint32((output >>> 0) + 8, machine.cpuPcid ? 1 << 17 : 0, true);
        view().setUint32((output >>> 0) + 12, 1 << 13, true);
      }
      if (leaf >>> 0 === 0x4000_0000 && machine.cpuTcg) signature("TCGTCGTCGTCG", [4, 8, 12]);
      if (leaf >>> 0 === 0x8000_0001) view().setUint32((output >>> 0) + 12, 1 << 20, true);
    },
    readMsr: (msr: number) => machine.msrs.get(msr >>> 0) ?? 0n,
    writeMsr: (msr: number, value: bigint) => void machine.msrs.set(msr >>> 0, u64(value)),
    contextForget: (context: bigint) => machine.onContextForget?.(u64(context)),
    contextSaveFpu: () => {},
    // Devices no host test drives (PCI, virtio-net): linked in with the objects that reach the
    // network, never called; a call is a test bug.
    ...Object.fromEntries(["portIn32", "portOut32", "mmioRead8", "mmioRead16", "mmioRead32", "mmioWrite8", "mmioWrite16", "mmioWrite32",
      "mmioCopy", "memoryBarrier"].map((name) => [name, () => { throw new Error(`hw.${name}: no host test drives a device`); }])),
  };
}
