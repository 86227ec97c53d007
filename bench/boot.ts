// Boot-time benchmark: QEMU start to "capsid: ready" against the firmware floor (a kernel that
// prints one line and stops, bench/floor/), under SeaBIOS and OVMF, runs interleaved, median of
// five. Both ISOs boot through the same GRUB configuration, with the same module files (the
// boot package and the initrd, byte for byte: the floor kernel ignores them, so the floor is
// firmware, GRUB and loading the same bytes), and the same QEMU runner, as a user boots: without
// the test package. Target (the boot package issue): Capsid at most 1.05 x the floor under
// SeaBIOS. BOOT_COMPARE_ISO=path adds a third image to the same interleaved runs (an ISO built
// from another commit, e.g. one module per program before the archives).
//
// A third image, the sized floor, is the floor kernel carrying as many loaded bytes (filler) and
// zeroed bytes as Capsid's stripped kernel image. Under SeaBIOS, GRUB reads the CD through the
// BIOS, whose ATAPI driver moves every 16-bit word with a port read, each one a trip through
// QEMU's device model under TCG; so the image's bytes cost time of their own before any kernel
// code runs. The sized floor shows that part apart from the kernel's init.
//
// Kernel init (C entry to ready, without calibration) is reported three ways, because under TCG
// on this machine wall time mostly measures QEMU translating code, not the kernel's work:
// - the median of the same runs;
// - the best of them: a boot whose first writes to the heap and the frame bitmap land on host
//   memory QEMU never touched takes about 10 ms more;
// - the guest instructions init executes, from one boot under `-icount shift=0`, where the
//   guest's clock advances 1 ns per instruction.
// docs/ARCHITECTURE.md, "Where init time goes", has the measurements.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY, withQemu, type Firmware } from "../tests/qemu-runner/runner";

const FLOOR_DIRECTORY = join(REPOSITORY, "build/bench-floor");
export const FLOOR_ISO = join(FLOOR_DIRECTORY, "floor.iso");
/** The sized floor: the floor kernel carrying as many loaded and zeroed bytes as Capsid's image. */
export const SIZED_FLOOR_ISO = join(FLOOR_DIRECTORY, "sized-floor.iso");
const KERNEL_IMAGE = join(REPOSITORY, "build/isodir/boot/capsid.elf");

/** The module files iso/grub.cfg loads (the Makefile copies them to build/isodir/boot/). */
const MODULE_FILES = ["package.cpio", "initrd.cpio", "test-package.cpio", "test-initrd.cpio"];
/** The ones a boot without the test package loads. */
const USER_MODULE_FILES = ["package.cpio", "initrd.cpio"];

/** What GRUB does with an ELF kernel's PT_LOAD segments: bytes it reads from the medium, and
 * bytes past them it zeroes. */
export interface ImageBytes { loaded: number; zeroed: number }

export function kernelImageBytes(path = KERNEL_IMAGE): ImageBytes {
  const elf = readFileSync(path);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) throw new Error(`${path}: not an ELF64 image`);
  const headerOffset = Number(elf.readBigUInt64LE(32)), headerSize = elf.readUInt16LE(54), count = elf.readUInt16LE(56);
  const bytes = { loaded: 0, zeroed: 0 };
  for (let index = 0; index < count; index++) {
    const header = headerOffset + index * headerSize;
    if (elf.readUInt32LE(header) !== 1) continue; // PT_LOAD
    const fileSize = Number(elf.readBigUInt64LE(header + 32)), memorySize = Number(elf.readBigUInt64LE(header + 40));
    bytes.loaded += fileSize;
    bytes.zeroed += memorySize - fileSize;
  }
  return bytes;
}

/** A floor ISO: the floor kernel (sized as `image` when given), iso/grub.cfg, and the very module
 * files of `make iso`. */
function buildFloor(iso: string, name: string, image?: ImageBytes): void {
  const isoDirectory = join(FLOOR_DIRECTORY, `${name}-isodir`);
  mkdirSync(join(isoDirectory, "boot/grub"), { recursive: true });
  const sizes = image ? [`-DIMAGE_BYTES=${image.loaded}`, `-DZEROED_BYTES=${image.zeroed}`] : [];
  execFileSync("gcc", ["-m32", ...sizes, "-c", join(REPOSITORY, "bench/floor/floor.S"), "-o", join(FLOOR_DIRECTORY, `${name}.o`)]);
  execFileSync("ld", ["-m", "elf_i386", "-n", "--no-warn-rwx-segments", "-T", join(REPOSITORY, "bench/floor/floor.ld"), "-o", join(isoDirectory, "boot/capsid.elf"), join(FLOOR_DIRECTORY, `${name}.o`)]);
  copyFileSync(join(REPOSITORY, "iso/grub.cfg"), join(isoDirectory, "boot/grub/grub.cfg"));
  for (const file of MODULE_FILES) copyFileSync(join(REPOSITORY, "build/isodir/boot", file), join(isoDirectory, "boot", file));
  execFileSync("grub-mkrescue", ["-o", iso, isoDirectory], { stdio: "ignore" });
}

/** The floor ISO, and the sized floor's beside it. */
export function buildFloorIso(): void {
  buildFloor(FLOOR_ISO, "floor");
  buildFloor(SIZED_FLOOR_ISO, "sized-floor", kernelImageBytes());
}

/** Bytes GRUB loads as modules on a user's boot of `make iso`'s image (and of the floor's). */
export function userModuleBytes(): number {
  return USER_MODULE_FILES.reduce((sum, file) => sum + statSync(join(REPOSITORY, "build/isodir/boot", file)).size, 0);
}

/** Milliseconds from QEMU's start to the line matching `ready`. */
async function timeToLine(firmware: Firmware, iso: string | undefined, ready: RegExp, extraArguments: string[] = [], timeoutMs = 60_000): Promise<{ total: number; line: string }> {
  return withQemu({ firmware, iso, commandLine: "", extraArguments, testPackage: false }, async (qemu) => {
    const line = await qemu.expectLine(ready, timeoutMs);
    return { total: performance.now() - qemu.startedAt, line };
  });
}

export interface BootRow {
  firmware: Firmware;
  floorMilliseconds: number;
  /** The sized floor's median: firmware, GRUB, the modules, and reading Capsid's image. */
  sizedFloorMilliseconds: number;
  capsidMilliseconds: number;
  overheadPercent: number;
  kernelReportedMilliseconds: number; // the kernel's own "ready in" figure (C entry to ready)
  calibrationMilliseconds: number;    // the part of it spent calibrating the TSC and APIC timer
  initWithoutCalibrationMilliseconds: number;
  bestInitWithoutCalibrationMilliseconds: number;
  initInstructions: number;           // guest instructions of init without calibration (-icount)
  /** BOOT_COMPARE_ISO's median, booted in the same interleaved runs; null without it. */
  compareMilliseconds: number | null;
}

/** Capsid's target under SeaBIOS: at most this times the floor (the boot package issue). */
export const BOOT_TARGET_RATIO = 1.05;

const READY_FIGURES = /ready in ([\d.]+) ms \(calibration ([\d.]+) ms\)/;

/** Guest instructions of kernel init without calibration, from one boot of `iso` (the head's
 * iso/capsid.iso when undefined) under `-icount shift=0`: the guest's clock advances 1 ns per
 * instruction, so the ready line's milliseconds are millions of instructions. Also used by
 * regression.ts on a base commit's image; throws when the ready line has no such figures. */
export async function countInitInstructions(firmware: Firmware = "seabios", iso?: string): Promise<number> {
  // Slow: an OVMF boot under -icount takes about a minute on this machine when it is busy.
  const { line } = await timeToLine(firmware, iso, /^capsid: ready in /, ["-icount", "shift=0"], 300_000);
  const counted = READY_FIGURES.exec(line);
  if (counted === null) throw new Error(`the ready line has no init and calibration figures: ${line}`);
  return Math.round((Number(counted[1]) - Number(counted[2])) * 1e6);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchmarkBoot(runs = 5, compareIso = process.env.BOOT_COMPARE_ISO): Promise<BootRow[]> {
  buildFloorIso();
  const rows: BootRow[] = [];
  for (const firmware of ["seabios", "ovmf"] as Firmware[]) {
    const floor: number[] = [], sizedFloor: number[] = [], capsid: number[] = [], reported: number[] = [], calibration: number[] = [], init: number[] = [];
    const compare: number[] = [];
    for (let run = 0; run < runs; run++) {
      floor.push((await timeToLine(firmware, FLOOR_ISO, /^floor: ready$/)).total);
      sizedFloor.push((await timeToLine(firmware, SIZED_FLOOR_ISO, /^floor: ready$/)).total);
      if (compareIso) compare.push((await timeToLine(firmware, compareIso, /^capsid: ready in /)).total);
      const result = await timeToLine(firmware, undefined, /^capsid: ready in /);
      capsid.push(result.total);
      const [, total, calibrating] = READY_FIGURES.exec(result.line)!;
      reported.push(Number(total));
      calibration.push(Number(calibrating));
      init.push(Number(total) - Number(calibrating));
    }
    const initInstructions = await countInitInstructions(firmware);
    const floorMedian = median(floor), capsidMedian = median(capsid);
    rows.push({
      firmware,
      floorMilliseconds: floorMedian,
      sizedFloorMilliseconds: median(sizedFloor),
      capsidMilliseconds: capsidMedian,
      overheadPercent: ((capsidMedian - floorMedian) / floorMedian) * 100,
      kernelReportedMilliseconds: median(reported),
      calibrationMilliseconds: median(calibration),
      initWithoutCalibrationMilliseconds: median(init),
      bestInitWithoutCalibrationMilliseconds: Math.min(...init),
      initInstructions,
      compareMilliseconds: compareIso ? median(compare) : null,
    });
  }
  return rows;
}
