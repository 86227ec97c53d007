// The root file system's archive (docs/linux.md, "Files"): packs a folder of the repository
// (userspace/root/) into a cpio "newc" initrd, which GRUB loads as the module `initrd` and the
// kernel unpacks into its ramfs (kernel/fs/unpack.ts). Directories 0755, files keep their
// executable bit (0755, else 0644), symbolic links their target; owner root; every time 0, so
// the archive depends on the tree alone. `.keep` files (git's stand-in for an empty folder) are
// left out. Debian's busybox-static is added at build time as /bin/busybox with a link per applet
// (never committed). tests/qemu/linux-reference.ts packs the same tree for Debian's kernel.
//   tsx tools/initrd.ts FOLDER OUTPUT
//   tsx tools/initrd.ts --tree FOLDER OUTPUT   (the tree alone: build/test-initrd.cpio)

import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
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

/** Debian's busybox-static (tools/setup.sh installs it; it is never committed). */
export const BUSYBOX = "/bin/busybox";

/** busybox as /bin/busybox and a symbolic link to it for each of its applets, where Debian puts
 * them (`busybox --list-full`: bin/sh, usr/bin/awk, ...), with the folders they need; a name the
 * tree already has is left to the tree. */
export function busyboxEntries(busybox: string, taken: Set<string>): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const folders = new Set<string>(taken);
  const folder = (name: string) => {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const path = parts.slice(0, i).join("/");
      if (!folders.has(path)) { folders.add(path); entries.push({ name: path, mode: 0o040755 }); }
    }
  };
  folder("bin/busybox");
  entries.push({ name: "bin/busybox", mode: 0o100755, data: readFileSync(busybox) });
  const applets = execFileSync(busybox, ["--list-full"], { encoding: "utf8" }).split("\n").filter((line) => line.length > 0).sort();
  for (const applet of applets) {
    if (taken.has(applet) || applet === "bin/busybox") continue;
    folder(applet);
    entries.push({ name: applet, mode: 0o120777, data: Buffer.from("/bin/busybox", "utf8") });
  }
  return entries;
}

/** The root file system: the tree of `folder`, then busybox and its applets. */
export function rootEntries(folder: string, busybox = BUSYBOX): TreeEntry[] {
  const tree = treeEntries(folder);
  return [...tree, ...busyboxEntries(busybox, new Set(tree.map((entry) => entry.name)))];
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const treeOnly = args[0] === "--tree";   // the folder alone, no busybox (build/test-initrd.cpio)
  const [folder, output] = treeOnly ? args.slice(1) : args;
  if (!folder || !output) throw new Error("usage: tsx tools/initrd.ts [--tree] FOLDER OUTPUT");
  writeFileSync(output, cpio(treeOnly ? treeEntries(folder) : rootEntries(folder)));
}
