// Kernel image size figures: what GRUB loads (PT_LOAD file bytes), the stripped ELF on the ISO,
// the kernel module's wasm, the text of the generated C, and the ISO itself.

import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../tests/qemu-runner/runner";

export interface SizeRow {
  item: string;
  bytes: number;
}

export function measureSizes(): SizeRow[] {
  const elf = join(REPOSITORY, "build/kernel.elf");
  const headers = execFileSync("readelf", ["-lW", elf], { encoding: "utf8" });
  let loaded = 0, reserved = 0;
  for (const match of headers.matchAll(/^\s+LOAD\s+\S+\s+\S+\s+\S+\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)/gm)) {
    loaded += Number(match[1]);
    reserved += Number(match[2]);
  }
  const sections = execFileSync("readelf", ["-SW", elf], { encoding: "utf8" });
  const textSize = parseInt(/\.text\s+PROGBITS\s+\S+\s+\S+\s+([0-9a-f]+)/.exec(sections)![1], 16);
  return [
    { item: "bytes GRUB loads (PT_LOAD file size)", bytes: loaded },
    { item: "memory the image reserves (PT_LOAD memory size, heap included)", bytes: reserved },
    { item: "kernel .text", bytes: textSize },
    { item: "stripped ELF on the ISO", bytes: statSync(join(REPOSITORY, "build/isodir/boot/capsid.elf")).size },
    { item: "kernel module wasm (after wasm-opt)", bytes: statSync(join(REPOSITORY, "build/kernel.wasm")).size },
    { item: "ISO image", bytes: statSync(join(REPOSITORY, "iso/capsid.iso")).size },
  ];
}
