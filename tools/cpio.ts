// Writes an initramfs (cpio "newc" archive, the format the Linux kernel unpacks at boot) holding
// /dev/console and one program as /init: the Linux baselines of `make bench` (bench/linux/). More
// files (the network baseline's kernel modules, a second program for rdinit=) go at the top level
// under their own names, executable when the file is.
//   tsx tools/cpio.ts PROGRAM OUTPUT [FILE...]

import { readFileSync, statSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

interface Entry { name: string; mode: number; data?: Buffer; rdevMajor?: number; rdevMinor?: number }

function header(entry: Entry, inode: number): Buffer {
  const fields = [inode, entry.mode, 0, 0, 1, 0, entry.data?.length ?? 0, 0, 0, entry.rdevMajor ?? 0, entry.rdevMinor ?? 0,
    entry.name.length + 1, 0];
  return Buffer.from("070701" + fields.map((field) => field.toString(16).padStart(8, "0")).join(""), "ascii");
}

const pad = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);

export function cpio(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (part: Buffer) => { parts.push(part); offset += part.length; };
  [...entries, { name: "TRAILER!!!", mode: 0 }].forEach((entry, index) => {
    push(header(entry, index + 1));
    push(Buffer.from(entry.name + "\0", "ascii"));
    push(pad(offset));
    if (entry.data) {
      push(entry.data);
      push(pad(offset));
    }
  });
  return Buffer.concat(parts);
}

if (require.main === module) {
  const [program, output, ...files] = process.argv.slice(2);
  if (!program || !output) throw new Error("usage: tsx tools/cpio.ts PROGRAM OUTPUT [FILE...]");
  writeFileSync(output, cpio([
    { name: "dev", mode: 0o040755 },
    { name: "dev/console", mode: 0o020600, rdevMajor: 5, rdevMinor: 1 },
    { name: "init", mode: 0o100755, data: readFileSync(program) },
    ...files.map((file) => ({ name: basename(file), mode: (statSync(file).mode & 0o111) !== 0 ? 0o100755 : 0o100644, data: readFileSync(file) })),
  ]));
}
