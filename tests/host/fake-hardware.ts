// The "hw" imports of the kernel module (kernel/arch/hw.ts) as the ring host tests fake them: a
// serial port that records, a settable TSC and CR3 (CR3 loads counted), INVLPG recorded, a
// CPU vendor, a kernel image at physical [1 MiB, 2 MiB) below the frame region, a CPU with only no-execute,
// MSRs in a map. Shared by
// tests/host/ring.test.ts and ring-ipc.test.ts.

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
  msrs: Map<number, bigint>;
  onSerialWrite?: ((bytes: Buffer) => void) | null;
  onReadTsc?: (() => void) | null;
  onContextForget?: ((context: bigint) => void) | null;
}

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
    readControlRegister: (number: number) => (number === 3 ? machine.cr3 : 0n),
    writeControlRegister: (number: number, value: bigint) => {
      if (number !== 3) return;
      machine.cr3 = u64(value);
      machine.cr3Loads = (machine.cr3Loads ?? 0) + 1;
    },
    invalidatePage: (virtual: bigint) => {
      (machine.invalidated ??= []).push(u64(virtual));
      machine.onInvalidate?.(u64(virtual));
    },
    // KernelImageLayout's fields (kernel/memory/kernel-image.ts), at virtual offset + physical.
    kernelImageLayout: (output: number) => {
      const offset = 0xffff_ffff_8000_0000n;
      const fields = [0n, 0x10_0000n, 0x11_0000n, 0x11_0000n, 0x12_0000n, 0x12_0000n, 0x1f_0000n, 0x20_0000n, 0x13_0000n, 0x14_0000n, 0x15_0000n, 0x16_0000n];
      fields.forEach((field, i) => view().setBigUint64((output >>> 0) + i * 8, u64(offset + field), true));
    },
    // The vendor (leaf 0: EBX, EDX, ECX; GenuineIntel unless the machine names another) and
    // no-execute (CPUID 0x8000_0001 EDX bit 20), nothing else.
    cpuid: (leaf: number, _subleaf: number, output: number) => {
      for (let i = 0; i < 4; i++) view().setUint32((output >>> 0) + i * 4, 0, true);
      if (leaf >>> 0 === 0) {
        const vendor = Buffer.from(machine.cpuVendor ?? "GenuineIntel", "latin1");
        [4, 12, 8].forEach((offset, i) => view().setUint32((output >>> 0) + offset, vendor.readUInt32LE(i * 4), true));
      }
      if (leaf >>> 0 === 0x8000_0001) view().setUint32((output >>> 0) + 12, 1 << 20, true);
    },
    readMsr: (msr: number) => machine.msrs.get(msr >>> 0) ?? 0n,
    writeMsr: (msr: number, value: bigint) => void machine.msrs.set(msr >>> 0, u64(value)),
    contextForget: (context: bigint) => machine.onContextForget?.(u64(context)),
  };
}
