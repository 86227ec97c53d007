// Writes a boot package archive (kernel/loader/boot-archive.ts reads it): one cpio "newc" archive
// of flat, regular files, each named as the kernel will know it (a program by its manifest name,
// `manifest`, a data file by its file name). The Makefile writes two: build/package.cpio (the
// user's programs and the manifest, GRUB module `package`) and build/test-package.cpio (the test
// programs and the data files, module `test-package`, loaded only for test runs). The names are
// checked here against the kernel's rules, so a bad name fails the build, not the boot. Mode
// 0644, owner root, time 0: the archive depends on the files alone.
//   tsx tools/boot-archive.ts OUTPUT NAME=PATH...

import { readFileSync, writeFileSync } from "node:fs";
import { cpio } from "./cpio";

/** kernel/loader/boot-archive.ts: BOOT_ARCHIVE_NAME_MAXIMUM and BOOT_ARCHIVE_ENTRIES_MAXIMUM. */
export const NAME_MAXIMUM = 255;
export const ENTRIES_MAXIMUM = 1024;

export interface PackageFile { name: string; data: Buffer }

/** Why `name` cannot name a file of the package, or null. */
export function nameProblem(name: string): string | null {
  if (name.length === 0 || name.length > NAME_MAXIMUM) return `a name is 1..${NAME_MAXIMUM} bytes`;
  if (!/^[\x21-\x7e]+$/.test(name)) return "a name is printable ASCII without spaces";
  if (name.includes("/")) return "a name has no \"/\" (the package is flat)";
  if (name === "." || name === ".." || name.startsWith("./")) return "a name is not \".\" or \"..\"";
  if (name === "TRAILER!!!") return "\"TRAILER!!!\" ends a cpio archive";
  return null;
}

/** The archive of `files`, in their order; throws on a name the kernel would refuse. */
export function bootArchive(files: PackageFile[]): Buffer {
  if (files.length > ENTRIES_MAXIMUM) throw new Error(`boot-archive: ${files.length} files (at most ${ENTRIES_MAXIMUM})`);
  const seen = new Set<string>();
  for (const file of files) {
    const problem = nameProblem(file.name);
    if (problem !== null) throw new Error(`boot-archive: ${JSON.stringify(file.name)}: ${problem}`);
    if (seen.has(file.name)) throw new Error(`boot-archive: ${file.name} given twice`);
    seen.add(file.name);
  }
  return cpio(files.map((file) => ({ name: file.name, mode: 0o100644, data: file.data })));
}

if (require.main === module) {
  const [output, ...pairs] = process.argv.slice(2);
  if (!output) throw new Error("usage: tsx tools/boot-archive.ts OUTPUT NAME=PATH...");
  writeFileSync(output, bootArchive(pairs.map((pair) => {
    const equals = pair.indexOf("=");
    if (equals < 0) throw new Error(`boot-archive: ${pair}: not NAME=PATH`);
    return { name: pair.slice(0, equals), data: readFileSync(pair.slice(equals + 1)) };
  })));
}
