// The root file system's archive (docs/linux.md, "Files"): packs a folder of the repository
// (userspace/root/) into a cpio "newc" initrd, which GRUB loads as the module `initrd` and the
// kernel unpacks into its ramfs (kernel/fs/unpack.ts). Directories 0755, files keep their
// executable bit (0755, else 0644), symbolic links their target; owner root; every time 0, so
// the archive depends on the tree alone. `.keep` files (git's stand-in for an empty folder) are
// left out. tests/qemu/linux-reference.ts packs the same tree for Debian's kernel.
//   tsx tools/initrd.ts FOLDER OUTPUT

import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpio } from "./cpio";

export interface TreeEntry { name: string; mode: number; data?: Buffer }

/** Every entry under `folder`, parents before children, names sorted, paths relative to it. */
export function treeEntries(folder: string, prefix = ""): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (name === ".keep") continue;
    const path = join(folder, name), relative = prefix + name, status = lstatSync(path);
    if (status.isSymbolicLink()) entries.push({ name: relative, mode: 0o120777, data: Buffer.from(readlinkSync(path), "utf8") });
    else if (status.isDirectory()) {
      entries.push({ name: relative, mode: 0o040755 });
      entries.push(...treeEntries(path, relative + "/"));
    } else if (status.isFile()) {
      entries.push({ name: relative, mode: (status.mode & 0o111) !== 0 ? 0o100755 : 0o100644, data: readFileSync(path) });
    } else throw new Error(`${path}: only files, folders and symbolic links go into the initrd`);
  }
  return entries;
}

if (require.main === module) {
  const [folder, output] = process.argv.slice(2);
  if (!folder || !output) throw new Error("usage: tsx tools/initrd.ts FOLDER OUTPUT");
  writeFileSync(output, cpio(treeEntries(folder)));
}
