// Host tests of the initrd parser (kernel/fs/cpio.ts) and of ramfsFromCpio (kernel/fs/unpack.ts),
// compiled to wasm from tests/host/entries/fs.ts. Archives are written here (tools/cpio.ts's
// writer, or tests/host/fs-harness.ts's with every field settable) and placed flush against the
// end of linear memory: a read past the archive traps, so "no trap" means "never read outside".
// Covered: the fields of every entry kind, name stripping, the tree built (missing parents,
// replacement, hard links joined with the data on the last, zero copy, concatenated archives),
// every prefix refused as Truncated, each field-level rule refused with its reason, and a seeded
// fuzz of mutated archives whose accepted trees are walked and checked, then torn down to zero
// charges.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpio } from "../../tools/cpio";
import {
  ERROR, harness, newc, noAborts, readArea, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, TYPE, type CpioEntry, type Harness,
} from "./fs-harness";
import { generator } from "./random";

const test = suite("cpio newc initrd");
const TOP_PAGES = 8; // 512 KiB above the heap for archives
let h: Harness;
let e: Record<string, any>;
let memoryEnd = 0;

test.before.each(() => {
  h = harness();
  e = h.e;
  memoryEnd = e.reserveTop(TOP_PAGES) >>> 0;
});

/** Places `archive` flush against the end of memory; its address. */
const place = (archive: Buffer) => h.wasm.placeAtEnd(archive, memoryEnd);

interface Read { name: string; mode: number; data: Buffer; inode: number; links: number; mtime: number; uid: number; rdev: [number, number] }
interface Parsed { error: number; reason: string; entries: Read[] }

function readAll(archive: Buffer): Parsed {
  e.readerStart(place(archive), BigInt(archive.length));
  const entries: Read[] = [];
  while (e.readerNext()) {
    entries.push({
      name: h.bytes(e.entryName(), e.entryNameLength()).toString("latin1"), mode: e.entryMode() >>> 0,
      data: h.bytes(e.entryData(), Number(e.entryDataLength())), inode: e.entryInode() >>> 0, links: e.entryLinks() >>> 0,
      mtime: e.entryMtime() >>> 0, uid: e.entryUid() >>> 0, rdev: [e.entryRdevMajor() >>> 0, e.entryRdevMinor() >>> 0],
    });
  }
  noAborts(h);
  assert.is(e.memoryEnd() >>> 0, memoryEnd, "memory did not grow");
  return { error: e.readerError(), reason: h.wasm.readString(e.readerReason()), entries };
}

/** Builds a file system from `archive` with a quota of `pages`: its index or -error. */
function build(archive: Buffer, pages = 1000n): { system: number; quota: number; reason: string } {
  const quota = e.quotaCreate(pages);
  const system = e.fromCpio(place(archive), BigInt(archive.length), quota);
  noAborts(h);
  return { system, quota, reason: h.wasm.readString(e.buildReason()) };
}

// --- walking a built tree -------------------------------------------------------------------

interface Walked { path: string; type: number; inode: bigint; handle: number }

/** Every entry below `directory` by readdir, checking "." and ".." and the directory's links. */
function walk(system: number, directory: number, path = ""): Walked[] {
  const found: Walked[] = [];
  const names = new Set<string>();
  let cursor = 0n, subdirectories = 0, index = 0;
  for (;;) {
    assert.is(e.readdir(system, directory, cursor), ERROR.None);
    if (e.recordEnd()) break;
    const name = h.bytes(e.recordName(), e.recordNameLength()).toString("latin1");
    const type = e.recordType(), inode = h.u64(e.recordInode());
    cursor = h.u64(e.recordNext());
    if (index === 0) { assert.is(name, "."); assert.is(inode, h.u64(e.inode(directory))); }
    else if (index === 1) { assert.is(name, ".."); assert.is(inode, h.u64(e.inode(e.parentOf(directory)))); }
    else {
      assert.ok(name.length >= 1 && name.length <= 255 && !name.includes("/") && !name.includes("\0") && name !== "." && name !== "..", `name ${JSON.stringify(name)}`);
      assert.not.ok(names.has(name), `${path}/${name} listed once`);
      names.add(name);
      const [address, length] = h.put(name)[0];
      const handle = e.lookup(system, directory, address, length);
      assert.ok(handle >= 0, `${path}/${name} looks up`);
      assert.is(h.u64(e.inode(handle)), inode);
      found.push({ path: `${path}/${name}`, type, inode, handle });
      if (type === TYPE.Directory) {
        subdirectories++;
        assert.is(e.parentOf(handle), directory, `${path}/${name}'s parent`);
        found.push(...walk(system, handle, `${path}/${name}`));
      }
    }
    index++;
  }
  assert.is(e.links(directory), 2 + subdirectories, `${path || "/"}: links are 2 + subdirectories`);
  return found;
}

function contents(system: number, handle: number): Buffer {
  const size = Number(h.u64(e.size(handle)));
  const at = readArea(h);
  assert.is(h.u64(e.read(system, handle, 0n, at, BigInt(size) + 10n)), BigInt(size));
  return h.bytes(at, size);
}

function lookupPath(system: number, path: string): number {
  let node = e.root(system);
  for (const part of path.split("/").filter((p) => p)) {
    const [address, length] = h.put(part)[0];
    node = e.lookup(system, node, address, length);
    if (node < 0) return node;
  }
  return node;
}

/** Destroys and disposes a file system; every charge and frame must be back. */
function tearDown(system: number, quota: number): void {
  e.destroy(system);
  assert.is(e.nodes(system), 0, "every node freed");
  e.dispose(system);
  assert.is(e.quotaUsed(quota), 0n, "every charge back");
  assert.is(e.quotaKernelBytes(quota), 0n);
  noAborts(h);
}

// --- tests ------------------------------------------------------------------------------------

test("the end-of-memory guard works: a load one byte past the end traps", () => {
  assert.is(e.peek(memoryEnd - 1), 0);
  assert.throws(() => e.peek(memoryEnd), /out of bounds/);
});

test("tools/cpio.ts's archive (the Linux baselines' initramfs): every field read back", () => {
  const init = Buffer.from("\x7fELF pretend program");
  const parsed = readAll(cpio([
    { name: "dev", mode: 0o040755 }, { name: "dev/console", mode: 0o020600, rdevMajor: 5, rdevMinor: 1 }, { name: "init", mode: 0o100755, data: init },
  ]));
  assert.is(parsed.error, ERROR.None, parsed.reason);
  assert.equal(parsed.entries.map((entry) => [entry.name, entry.mode, entry.data.toString("latin1"), entry.rdev]), [
    ["dev", 0o040755, "", [0, 0]], ["dev/console", 0o020600, "", [5, 1]], ["init", 0o100755, init.toString("latin1"), [0, 0]],
  ]);
});

test("names: leading / and ./ stripped, . alone is the root (length 0); 070702 accepted, its checksum ignored", () => {
  const parsed = readAll(newc([
    { name: ".", mode: S_IFDIR | 0o700 }, { name: "./a", mode: S_IFDIR | 0o755, magic: "070702" }, { name: "/a/b", mode: S_IFREG | 0o644, data: "x", uid: 7, mtime: 99 },
    { name: ".//./c", mode: S_IFLNK | 0o777, data: "a/b" },
  ]));
  assert.is(parsed.error, ERROR.None, parsed.reason);
  assert.equal(parsed.entries.map((entry) => entry.name), ["", "a", "a/b", "c"]);
  assert.is(parsed.entries[2].uid, 7);
  assert.is(parsed.entries[2].mtime, 99);
});

test("a tree from an archive: parents made, zero copy, links, devices, attributes, a later entry replacing an earlier one", () => {
  const archive = newc([
    { name: ".", mode: S_IFDIR | 0o711, mtime: 5 },
    { name: "usr/bin/tool", mode: S_IFREG | 0o755, data: "tool bytes", uid: 3, gid: 4, mtime: 1_700_000_000 },
    { name: "bin", mode: S_IFLNK | 0o777, data: "usr/bin" },
    { name: "dev/tty", mode: S_IFCHR | 0o620, rdevMajor: 5, rdevMinor: 0 },
    { name: "etc/motd", mode: S_IFREG | 0o644, data: "first" },
    { name: "etc/motd", mode: S_IFREG | 0o600, data: "second, longer" },
    { name: "etc", mode: S_IFDIR | 0o700 },
    { name: "empty", mode: S_IFDIR | 0o755 },
    { name: "empty", mode: S_IFREG | 0o644, data: "now a file" },
  ]);
  const { system, quota, reason } = build(archive);
  assert.ok(system >= 0, reason);
  assert.is(e.buildEntries(), 9, "entries read, the trailer not counted");
  const root = e.root(system);
  assert.is(e.mode(root), S_IFDIR | 0o711, "the . entry sets the root's mode");
  const tool = lookupPath(system, "usr/bin/tool");
  assert.is(e.mode(tool), S_IFREG | 0o755);
  assert.is(e.uid(tool), 3);
  assert.is(e.gid(tool), 4);
  assert.is(h.u64(e.modified(tool)), 1_700_000_000n * 1_000_000_000n);
  assert.ok(e.archived(tool), "the file's bytes are the archive's");
  assert.is(contents(system, tool).toString(), "tool bytes");
  assert.is(e.mode(lookupPath(system, "usr")), S_IFDIR | 0o755, "a missing parent is made 0755");
  const link = lookupPath(system, "bin");
  const at = readArea(h);
  assert.is(h.u64(e.readlink(system, link, at, 100n)), 7n);
  assert.is(h.bytes(at, 7).toString(), "usr/bin");
  const tty = lookupPath(system, "dev/tty");
  assert.is(e.mode(tty), S_IFCHR | 0o620);
  assert.equal([e.rdevMajor(tty), e.rdevMinor(tty)], [5, 0]);
  const motd = lookupPath(system, "etc/motd");
  assert.is(contents(system, motd).toString(), "second, longer");
  assert.is(e.mode(motd), S_IFREG | 0o600);
  assert.is(e.mode(lookupPath(system, "etc")), S_IFDIR | 0o700, "a directory over a directory takes its attributes");
  assert.is(contents(system, lookupPath(system, "empty")).toString(), "now a file", "an empty directory replaced by a file");
  const walked = walk(system, root);
  assert.equal(walked.map((w) => w.path).sort(), ["/bin", "/dev", "/dev/tty", "/empty", "/etc", "/etc/motd", "/usr", "/usr/bin", "/usr/bin/tool"]);
  assert.is(e.nodes(system), 10, "nine nodes and the root");
  assert.is(e.frames(system), 0n, "zero copy: no frame");
  tearDown(system, quota);
});

test("hard links: entries sharing c_ino with nlink > 1 name one node; the data comes with the last", () => {
  const archive = newc([
    { name: "a", mode: S_IFREG | 0o644, ino: 42, nlink: 3 },
    { name: "d/b", mode: S_IFREG | 0o644, ino: 42, nlink: 3 },
    { name: "c", mode: S_IFREG | 0o644, ino: 42, nlink: 3, data: "shared bytes" },
    { name: "other", mode: S_IFREG | 0o644, ino: 42, nlink: 1, data: "not a link" },
    { name: "devlink", mode: S_IFREG | 0o644, ino: 42, nlink: 2, devMinor: 1, data: "other device" },
  ]);
  const { system, quota, reason } = build(archive);
  assert.ok(system >= 0, reason);
  const [a, b, c] = ["a", "d/b", "c"].map((path) => lookupPath(system, path));
  assert.is(a, b);
  assert.is(a, c);
  assert.is(e.links(a), 3);
  assert.is(contents(system, a).toString(), "shared bytes");
  assert.is(contents(system, lookupPath(system, "other")).toString(), "not a link", "nlink 1: its own file");
  assert.is.not(lookupPath(system, "devlink"), a, "another device's inode 42 is another file");
  tearDown(system, quota);
});

test("concatenated archives (NUL padding between them) are read one after the other", () => {
  const first = newc([{ name: "one", mode: S_IFREG | 0o644, data: "1" }]);
  const second = newc([{ name: "two", mode: S_IFREG | 0o644, data: "22" }, { name: "one", mode: S_IFREG | 0o600, data: "replaced" }]);
  const archive = Buffer.concat([first, Buffer.alloc(512 - first.length), second, Buffer.alloc(8)]);
  const { system, quota, reason } = build(archive);
  assert.ok(system >= 0, reason);
  assert.is(contents(system, lookupPath(system, "two")).toString(), "22");
  assert.is(contents(system, lookupPath(system, "one")).toString(), "replaced");
  tearDown(system, quota);
});

test("every prefix of an archive is refused as Truncated, and leaves no charge", () => {
  const archive = newc([
    { name: "dir", mode: S_IFDIR | 0o755 }, { name: "dir/file", mode: S_IFREG | 0o644, data: "hello, world" },
    { name: "link", mode: S_IFLNK | 0o777, data: "dir/file" },
  ]);
  assert.is(readAll(archive).error, ERROR.None);
  for (let length = 0; length < archive.length; length++) {
    const prefix = archive.subarray(0, length);
    const parsed = readAll(prefix);
    assert.is(parsed.error, ERROR.Truncated, `prefix of ${length} bytes: ${parsed.reason}`);
    assert.ok(parsed.reason.length > 0);
    const { system, quota, reason } = build(prefix);
    assert.is(system, -ERROR.Truncated, `built from a prefix of ${length}: ${reason}`);
    assert.is(e.quotaUsed(quota), 0n, "no charge left behind");
  }
});

/** A header field replaced by `value` (8 characters) in an archive of one file. */
function withField(index: number, value: string): Buffer {
  const archive = newc([{ name: "file", mode: S_IFREG | 0o644, data: "data" }]);
  archive.write(value, 6 + index * 8, "latin1");
  return archive;
}

type Rule = [name: string, archive: () => Buffer, error: number, reason: RegExp];
const RULES: Rule[] = [
  ["bad magic", () => { const a = newc([]); a.write("070707", 0); return a; }, ERROR.Malformed, /bad magic/],
  ["magic 070703", () => newc([{ name: "x", mode: S_IFREG, magic: "070703" }]), ERROR.Malformed, /bad magic/],
  ...["c_ino", "c_mode", "c_uid", "c_gid", "c_nlink", "c_mtime", "c_filesize", "c_devmajor", "c_devminor", "c_rdevmajor", "c_rdevminor", "c_namesize", "c_check"]
    .map((field, index): Rule => [`${field} not hex`, () => withField(index, "0000000g"), ERROR.Malformed, new RegExp(`${field} is not 8 hexadecimal digits`)]),
  ["a space in a field", () => withField(0, " 0000001"), ERROR.Malformed, /c_ino is not/],
  ["c_namesize 0", () => withField(11, "00000000"), ERROR.Malformed, /c_namesize 0 leaves no name/],
  ["c_namesize 1 (only the NUL)", () => newc([{ name: "", mode: S_IFREG }]), ERROR.Malformed, /c_namesize 1 leaves no name/],
  ["c_namesize 0xffffffff", () => withField(11, "ffffffff"), ERROR.Malformed, /name of 4294967295 bytes/],
  ["name past the end", () => withField(11, "00000fff"), ERROR.Truncated, /name runs past the end/],
  ["c_filesize past the end", () => withField(6, "00001000"), ERROR.Truncated, /data runs past the end/],
  ["c_filesize 0xffffffff", () => withField(6, "ffffffff"), ERROR.Truncated, /data runs past the end/],
  ["name not NUL-terminated", () => { const a = newc([{ name: "file", mode: S_IFREG }]); a[110 + 4] = 0x41; return a; }, ERROR.Malformed, /not NUL-terminated/],
  ["a NUL inside the name", () => newc([{ name: "fi\0le", mode: S_IFREG }]), ERROR.Malformed, /NUL inside/],
  ["a control character in the name", () => newc([{ name: "fi\nle", mode: S_IFREG }]), ERROR.Malformed, /control character/],
  ["DEL in the name", () => newc([{ name: "fi\x7fle", mode: S_IFREG }]), ERROR.Malformed, /control character/],
  ["a .. component", () => newc([{ name: "a/../../etc", mode: S_IFREG }]), ERROR.Malformed, /"\.\." component/],
  [".. alone", () => newc([{ name: "..", mode: S_IFDIR }]), ERROR.Malformed, /"\.\." component/],
  ["a component of 256 bytes", () => newc([{ name: "d/" + "x".repeat(256), mode: S_IFREG }]), ERROR.Malformed, /over 255 bytes/],
  ["a name of 4096 bytes", () => newc([{ name: ("x".repeat(200) + "/").repeat(20) + "x".repeat(76), mode: S_IFREG }]), ERROR.Malformed, /name of 4097 bytes/],
  ["a block device", () => newc([{ name: "sda", mode: S_IFBLK | 0o600 }]), ERROR.NotPermitted, /block devices, FIFOs and sockets/],
  ["a FIFO", () => newc([{ name: "fifo", mode: S_IFIFO | 0o600 }]), ERROR.NotPermitted, /block devices/],
  ["a socket", () => newc([{ name: "socket", mode: 0o140600 }]), ERROR.NotPermitted, /block devices/],
  ["type 0", () => newc([{ name: "what", mode: 0o644 }]), ERROR.Malformed, /unknown file type/],
  ["type 0o170000", () => newc([{ name: "what", mode: 0o170644 }]), ERROR.Malformed, /unknown file type/],
  ["a directory with data", () => newc([{ name: "d", mode: S_IFDIR | 0o755, data: "x" }]), ERROR.Malformed, /directory or device with data/],
  ["a device with data", () => newc([{ name: "c", mode: S_IFCHR | 0o600, data: "x" }]), ERROR.Malformed, /directory or device with data/],
  ["an empty symbolic link", () => newc([{ name: "l", mode: S_IFLNK | 0o777 }]), ERROR.Malformed, /target of 0 bytes/],
  ["a symbolic link of 4096 bytes", () => newc([{ name: "l", mode: S_IFLNK | 0o777, data: "x".repeat(4096) }]), ERROR.Malformed, /target of 4096 bytes/],
  ["a NUL in a link target", () => newc([{ name: "l", mode: S_IFLNK | 0o777, data: "a\0b" }]), ERROR.Malformed, /target has a NUL/],
  ["no trailer", () => newc([{ name: "f", mode: S_IFREG }], false), ERROR.Truncated, /header runs past the end/],
  ["an empty archive", () => Buffer.alloc(0), ERROR.Truncated, /empty archive/],
  ["junk after the trailer", () => Buffer.concat([newc([]), Buffer.from("junk".repeat(30))]), ERROR.Malformed, /bad magic/],
  ["4 bytes of junk after the trailer", () => Buffer.concat([newc([]), Buffer.from("junk")]), ERROR.Truncated, /header runs past the end/],
  ["a stray byte after the trailer", () => Buffer.concat([newc([]), Buffer.from([0, 1])]), ERROR.Truncated, /header runs past the end/],
];

for (const [name, make, error, reason] of RULES) {
  test(`refused: ${name}`, () => {
    const parsed = readAll(make());
    assert.is(parsed.error, error, `error kind; reason: ${parsed.reason}`);
    assert.ok(reason.test(parsed.reason), `reason "${parsed.reason}" matches ${reason}`);
    assert.match(parsed.reason, /^entry at offset \d+: /);
    const { system, quota } = build(make());
    assert.is(system, -error, "ramfsFromCpio refuses it the same way");
    assert.is(e.quotaUsed(quota), 0n);
  });
}

test("unpacking refusals: a file over a non-empty directory, a path through a file, the root as a file, a quota too small", () => {
  const cases: [CpioEntry[], number, RegExp][] = [
    [[{ name: "d/f", mode: S_IFREG }, { name: "d", mode: S_IFREG }], ERROR.Malformed, /\(\/d\): malformed/],
    [[{ name: "f", mode: S_IFREG }, { name: "f/g", mode: S_IFREG }], ERROR.NotADirectory, /\(\/f\/g\): not a directory/],
    [[{ name: ".", mode: S_IFREG }], ERROR.Malformed, /\(\/\)/],
  ];
  for (const [entries, error, reason] of cases) {
    const { system, quota, reason: why } = build(newc(entries));
    assert.is(system, -error, why);
    assert.match(why, reason);
    assert.is(e.quotaUsed(quota), 0n);
  }
  const many = newc(Array.from({ length: 200 }, (_, i) => ({ name: `f${i}`, mode: S_IFREG | 0o644 })));
  const { system, quota, reason } = build(many, 5n);
  assert.is(system, -ERROR.QuotaExceeded, reason);
  assert.is(e.quotaUsed(quota), 0n, "the partial tree's charges went back");
});

// --- fuzz -----------------------------------------------------------------------------------

const FUZZ_SEED = 0xc910;
const FUZZ_ROUNDS = 3000;

function seedArchive(random: () => number): Buffer {
  const entries: CpioEntry[] = [{ name: ".", mode: S_IFDIR | 0o755 }];
  const names = ["a", "b", "a/c", "a/c/d", "e", "a/f", "g/h/i", "b/j"];
  const count = 1 + Math.floor(random() * 8);
  for (let i = 0; i < count; i++) {
    const name = names[Math.floor(random() * names.length)];
    const kind = Math.floor(random() * 5);
    if (kind === 0) entries.push({ name, mode: S_IFDIR | 0o755 });
    else if (kind === 1) entries.push({ name, mode: S_IFLNK | 0o777, data: names[Math.floor(random() * names.length)] });
    else if (kind === 2) entries.push({ name, mode: S_IFCHR | 0o600, rdevMajor: 1, rdevMinor: 3 });
    else if (kind === 3) entries.push({ name, mode: S_IFREG | 0o644, ino: 77, nlink: 2, data: random() < 0.5 ? "" : "linked" });
    else entries.push({ name, mode: S_IFREG | 0o644, data: Buffer.alloc(Math.floor(random() * 40), 0x61 + i) });
  }
  return newc(entries);
}

/** `archive` with 0 to 3 changes (none in about one round of five: random trees, replacements
 * and links unpacked as they are). */
function mutate(archive: Buffer, random: () => number): Buffer {
  const bytes = Buffer.from(archive);
  const changes = random() < 0.2 ? 0 : 1 + Math.floor(random() * 3);
  for (let i = 0; i < changes; i++) {
    const at = Math.floor(random() * bytes.length);
    const kind = random();
    if (kind < 0.4) bytes[at] = Math.floor(random() * 256);
    else if (kind < 0.7) bytes[at] = "0123456789abcdef/."[Math.floor(random() * 18)].charCodeAt(0);   // stays plausible
    else if (kind < 0.85) bytes.write(Math.floor(random() * 0x200).toString(16).padStart(8, "0"), at - (at % 8) + 6 > bytes.length - 8 ? 0 : at - (at % 8) + 6, "latin1");
    else return bytes.subarray(0, at);
  }
  return bytes;
}

test(`fuzz: ${FUZZ_ROUNDS} mutated archives never abort or read outside; accepted trees are consistent and tear down to zero`, () => {
  const random = generator(FUZZ_SEED);
  let accepted = 0;
  for (let round = 0; round < FUZZ_ROUNDS; round++) {
    const archive = mutate(seedArchive(random), random);
    const where = `seed ${FUZZ_SEED.toString(16)} round ${round}`;
    const { system, quota, reason } = build(archive);
    assert.is(e.memoryEnd() >>> 0, memoryEnd, `${where}: memory did not grow`);
    if (system < 0) {
      assert.ok(reason.length > 0, `${where}: a refusal has a reason`);
      assert.is(e.quotaUsed(quota), 0n, `${where}: a refusal leaves no charge`);
      continue;
    }
    accepted++;
    const walked = walk(system, e.root(system));
    const inodes = new Set(walked.map((w) => w.inode));
    assert.is(e.nodes(system), inodes.size + 1, `${where}: every node is reachable`);
    for (const item of walked) {
      if (item.type === TYPE.Regular) {
        const bytes = contents(system, item.handle);
        const start = archive.indexOf(bytes);
        assert.ok(bytes.length === 0 || start >= 0, `${where}: ${item.path}'s bytes are the archive's`);
      }
      if (item.type === TYPE.SymbolicLink) {
        const at = readArea(h);
        const length = Number(h.u64(e.readlink(system, item.handle, at, 4096n)));
        assert.ok(length >= 1 && length <= 4095 && !h.bytes(at, length).includes(0), `${where}: ${item.path}'s target`);
      }
    }
    tearDown(system, quota);
    if (round % 200 === 0) e.forget();
  }
  assert.ok(accepted > FUZZ_ROUNDS / 8, `a fair share of mutants is accepted (${accepted})`);
});

test.run();
