// Host tests of the in-memory file system (kernel/fs/ramfs.ts, directory.ts, file-data.ts),
// compiled to wasm from tests/host/entries/fs.ts with the kernel's frames booted over a region of
// the wasm memory: names and their errors, link counts, hard links, unlink and rmdir, POSIX
// rename (replacement, subtree refusal, same-node no-op), sparse reads and writes across pages and
// index levels, truncation, zero-copy archive files copied on their first write, quota and frame
// exhaustion changing nothing, the node limit, unlink while open, readdir cursors under changes,
// and a seeded random sequence checked against a JS model, after which every frame and charge
// is back.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ERROR, harness, newc, noAborts, readArea, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, TYPE, type Harness } from "./fs-harness";
import { generator } from "./random";

const test = suite("ramfs");
const PAGE = 4096;
const GIB = 1n << 30n;
let h: Harness;
let e: Record<string, any>;

test.before.each(() => {
  h = harness();
  e = h.e;
});
test.after.each(() => noAborts(h));

/** A file system with a quota of `pages`. */
function make(pages = 100_000n) {
  const quota = e.quotaCreate(pages);
  const system = e.create(quota);
  assert.ok(system >= 0);
  return { system, quota, root: e.root(system) };
}

// Short forms over one file system.
function ops(system: number) {
  const name = (text: string | Buffer) => h.put(text)[0];
  return {
    lookup: (dir: number, text: string) => e.lookup(system, dir, ...name(text)),
    file: (dir: number, text: string | Buffer, mode = S_IFREG | 0o644) => e.makeNode(system, dir, ...name(text), mode, 0, 0),
    mkdir: (dir: number, text: string, mode = S_IFDIR | 0o755) => e.makeNode(system, dir, ...name(text), mode, 0, 0),
    symlink: (dir: number, text: string, target: string) => { const [n, t] = h.put(text, target); return e.symlink(system, dir, ...n, ...t); },
    link: (dir: number, text: string, node: number) => e.link(system, dir, ...name(text), node),
    unlink: (dir: number, text: string) => e.unlink(system, dir, ...name(text)),
    rmdir: (dir: number, text: string) => e.rmdir(system, dir, ...name(text)),
    rename: (from: number, a: string, to: number, b: string) => { const [x, y] = h.put(a, b); return e.rename(system, from, ...x, to, ...y); },
    write: (node: number, offset: bigint | number, data: Buffer | string) => {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      const at = readArea(h);
      new Uint8Array(h.wasm.memory.buffer).set(bytes, at);
      return h.u64(e.write(system, node, BigInt(offset), at, BigInt(bytes.length)));
    },
    read: (node: number, offset: bigint | number, length: number) => {
      const at = readArea(h);
      const count = e.read(system, node, BigInt(offset), at, BigInt(length));
      return count < 0n ? Number(count) : h.bytes(at, Number(count));
    },
    all: (node: number) => { const at = readArea(h); const count = Number(e.read(system, node, 0n, at, 1n << 20n)); return h.bytes(at, count); },
    truncate: (node: number, size: bigint | number) => e.truncate(system, node, BigInt(size)),
    list: (dir: number) => {
      const names: string[] = [];
      for (let cursor = 0n; ;) {
        assert.is(e.readdir(system, dir, cursor), ERROR.None);
        if (e.recordEnd()) return names;
        names.push(h.bytes(e.recordName(), e.recordNameLength()).toString("latin1"));
        cursor = h.u64(e.recordNext());
      }
    },
  };
}

function tearDown(system: number, quota: number): void {
  e.destroy(system);
  assert.is(e.nodes(system), 0, "every node freed");
  assert.is(e.frames(system), 0n, "every frame freed");
  e.dispose(system);
  assert.is(e.quotaUsed(quota), 0n, "every charge back");
  assert.is(e.framesFree(), h.framesAtStart, "the allocator has every frame back");
}

test("create and lookup: files, directories, devices; . and ..; link counts; unique inodes", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const file = o.file(root, "file"), dir = o.mkdir(root, "dir"), device = e.makeNode(system, root, ...h.put("null")[0], S_IFCHR | 0o666, 1, 3);
  assert.ok(file >= 0 && dir >= 0 && device >= 0);
  assert.is(o.lookup(root, "file"), file);
  assert.is(o.lookup(root, "dir"), dir);
  assert.is(o.lookup(dir, ".."), root);
  assert.is(o.lookup(dir, "."), dir);
  assert.is(o.lookup(root, ".."), root, "the root's parent is itself");
  assert.is(e.mode(file), S_IFREG | 0o644);
  assert.is(e.mode(device), S_IFCHR | 0o666);
  assert.equal([e.rdevMajor(device), e.rdevMinor(device)], [1, 3]);
  assert.is(e.links(file), 1);
  assert.is(e.links(dir), 2);
  assert.is(e.links(root), 3, "2 + one subdirectory");
  assert.is(new Set([root, file, dir, device].map((n) => h.u64(e.inode(n)))).size, 4);
  assert.is(o.file(root, "file"), -ERROR.Exists);
  assert.is(o.mkdir(root, "file"), -ERROR.Exists);
  assert.is(o.lookup(root, "missing"), -ERROR.NotFound);
  assert.is(o.lookup(file, "x"), -ERROR.NotADirectory);
  assert.is(o.file(file, "x"), -ERROR.NotADirectory);
  assert.is(e.makeNode(system, root, ...h.put("l")[0], S_IFLNK | 0o777, 0, 0), -ERROR.InvalidArgument, "symlinks come from symlink()");
  assert.is(e.makeNode(system, root, ...h.put("p")[0], S_IFIFO | 0o600, 0, 0), -ERROR.InvalidArgument);
  assert.is(e.makeNode(system, root, ...h.put("m")[0], 0o600, 0, 0), -ERROR.InvalidArgument, "no type bits");
  assert.is(o.mkdir(root, "x".repeat(255)) >= 0, true, "255 bytes is a name");
  assert.is(o.lookup(root, "x".repeat(255)) >= 0, true);
  assert.is(o.file(root, "x".repeat(256)), -ERROR.NameTooLong);
  assert.is(o.lookup(root, "x".repeat(256)), -ERROR.NameTooLong);
  for (const bad of ["", ".", "..", "a/b", "/", "a\0b"]) assert.is(o.file(root, bad), bad === "." || bad === ".." ? -ERROR.InvalidArgument : -ERROR.InvalidArgument, JSON.stringify(bad));
  assert.is(o.lookup(root, "a/b"), -ERROR.InvalidArgument);
  assert.is(o.file(root, Buffer.from([0xc3, 0xa9, 0xff])) >= 0, true, "any other bytes make a name");
  tearDown(system, quota);
});

test("hard links and unlink: counts, a directory refused, NotFound, IsADirectory, CrossDevice", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const dir = o.mkdir(root, "dir"), file = o.file(root, "file");
  o.write(file, 0, "content");
  assert.is(o.link(dir, "again", file), ERROR.None);
  assert.is(e.links(file), 2);
  assert.is(o.lookup(dir, "again"), file);
  assert.is(o.link(dir, "again", file), ERROR.Exists);
  assert.is(o.link(root, "dirlink", dir), ERROR.NotPermitted, "no hard link to a directory");
  assert.is(o.unlink(root, "dir"), ERROR.IsADirectory);
  assert.is(o.unlink(root, "missing"), ERROR.NotFound);
  assert.is(o.unlink(root, "file"), ERROR.None);
  assert.is(e.links(file), 1);
  assert.not.ok(e.freed(file));
  assert.is(o.all(file).toString(), "content", "the other name still reads it");
  const other = make();
  assert.is(e.link(other.system, other.root, ...h.put("x")[0], file), ERROR.CrossDevice);
  assert.is(o.unlink(dir, "again"), ERROR.None);
  assert.ok(e.freed(file), "the last name gone and not open: freed");
  assert.is(e.frames(system), 0n, "its frame went back");
  tearDown(system, quota);
  tearDown(other.system, other.quota);
});

test("rmdir: only an empty directory; the parent's link count; a removed directory held open lists nothing and takes no entry", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const dir = o.mkdir(root, "dir"), sub = o.mkdir(dir, "sub");
  o.file(root, "file");
  assert.is(e.links(dir), 3);
  assert.is(o.rmdir(root, "dir"), ERROR.NotEmpty);
  assert.is(o.rmdir(root, "file"), ERROR.NotADirectory);
  assert.is(o.rmdir(root, "nothing"), ERROR.NotFound);
  assert.is(o.rmdir(root, "."), ERROR.InvalidArgument);
  assert.is(o.rmdir(root, ".."), ERROR.InvalidArgument);
  e.open(system, sub);
  assert.is(o.rmdir(dir, "sub"), ERROR.None);
  assert.is(e.links(dir), 2);
  assert.is(e.links(sub), 0);
  assert.not.ok(e.freed(sub), "held open");
  assert.equal(o.list(sub), [], "a removed directory lists nothing, not even . and ..");
  assert.is(o.file(sub, "new"), -ERROR.NotFound);
  assert.is(o.lookup(sub, "."), -ERROR.NotFound);
  e.close(system, sub);
  assert.ok(e.freed(sub));
  assert.is(o.rmdir(root, "dir"), ERROR.None);
  assert.is(e.links(root), 2);
  tearDown(system, quota);
});

test("rename: move, replace a file, a directory over an empty one, the type and emptiness rules, own subtree, same node", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const a = o.mkdir(root, "a"), b = o.mkdir(root, "b"), inner = o.mkdir(a, "inner");
  const f = o.file(a, "f"), g = o.file(b, "g");
  o.write(g, 0, "g's bytes");
  assert.is(o.rename(a, "f", b, "f2"), ERROR.None);
  assert.is(o.lookup(b, "f2"), f);
  assert.is(o.lookup(a, "f"), -ERROR.NotFound);
  assert.is(o.rename(b, "f2", b, "g"), ERROR.None, "a file over a file");
  assert.is(o.lookup(b, "g"), f);
  assert.ok(e.freed(g), "the replaced file had no other name: freed");
  assert.is(o.lookup(b, "f2"), -ERROR.NotFound);
  assert.is(o.rename(a, "inner", b, "g"), ERROR.NotADirectory, "a directory over a file");
  assert.is(o.rename(b, "g", root, "a"), ERROR.IsADirectory, "a file over a directory");
  const empty = o.mkdir(b, "empty");
  assert.is(o.rename(root, "a", b, "empty"), ERROR.None, "a directory over an empty directory");
  assert.ok(e.freed(empty));
  assert.is(o.lookup(b, "empty"), a);
  assert.is(e.parentOf(a), b, "its parent (..) follows");
  assert.is(e.links(root), 3, "root: . .. and b");
  assert.is(e.links(b), 3, "b: its own two and a's ..");
  const full = o.mkdir(root, "full");
  o.file(full, "x");
  assert.is(o.rename(b, "empty", root, "full"), ERROR.NotEmpty);
  assert.is(o.rename(root, "b", a, "below"), ERROR.InvalidArgument, "into its own subtree");
  assert.is(o.rename(root, "b", inner, "deeper"), ERROR.InvalidArgument);
  assert.is(o.rename(root, "b", b, "self"), ERROR.InvalidArgument, "into itself");
  assert.is(o.rename(root, "b", root, "b"), ERROR.None, "onto itself: nothing happens");
  assert.is(o.lookup(root, "b"), b);
  assert.is(o.link(root, "hard", f), ERROR.None);
  assert.is(o.rename(root, "hard", b, "g"), ERROR.None, "two names of one file: nothing happens");
  assert.is(o.lookup(root, "hard"), f, "both names stay");
  assert.is(e.links(f), 2);
  assert.is(o.rename(root, "missing", root, "x"), ERROR.NotFound);
  assert.is(o.rename(root, "hard", root, "."), ERROR.InvalidArgument);
  assert.is(o.rename(root, "hard", root, "a/b"), ERROR.InvalidArgument);
  const other = make();
  assert.is(e.rename(system, root, ...h.put("hard")[0], other.root, ...h.put("x")[0]), ERROR.CrossDevice);
  e.open(system, f);
  assert.is(o.unlink(root, "hard"), ERROR.None);
  assert.is(o.rename(full, "x", b, "g"), ERROR.None, "replaces the last name of an open file");
  assert.is(e.links(f), 0);
  assert.not.ok(e.freed(f), "open: stays");
  e.close(system, f);
  assert.ok(e.freed(f));
  tearDown(system, quota);
  tearDown(other.system, other.quota);
});

test("symbolic links and readlink: the target is copied, bounded and checked", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const link = o.symlink(root, "link", "some/where");
  assert.is(e.mode(link), S_IFLNK | 0o777);
  assert.is(h.u64(e.size(link)), 10n);
  const at = readArea(h);
  assert.is(h.u64(e.readlink(system, link, at, 4n)), 4n, "readlink stops at the buffer");
  assert.is(h.bytes(at, 4).toString(), "some");
  assert.is(o.symlink(root, "long", "x".repeat(4095)) >= 0, true);
  assert.is(o.symlink(root, "too", "x".repeat(4096)), -ERROR.NameTooLong);
  assert.is(o.symlink(root, "empty", ""), -ERROR.InvalidArgument);
  assert.is(o.symlink(root, "nul", "a\0b"), -ERROR.InvalidArgument);
  assert.is(o.symlink(root, "link", "again"), -ERROR.Exists);
  assert.is(o.read(link, 0, 4), -ERROR.InvalidArgument, "a link is not read as a file");
  assert.is(Number(e.readlink(system, root, at, 10n)), -ERROR.InvalidArgument);
  assert.is(o.write(link, 0, "x"), h.u64(BigInt(-ERROR.InvalidArgument)));
  tearDown(system, quota);
});

test("read, write, truncate: growth across pages, holes read as zeros, the tail cleared, frames as the tree needs", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const f = o.file(root, "f");
  assert.is(o.write(f, 0, "hello"), 5n);
  assert.is(e.nodeFrames(f), 1n, "height 0: the page is the root");
  const span = Buffer.alloc(2 * PAGE + 100, 0x5a);
  assert.is(o.write(f, PAGE - 50, span), BigInt(span.length));
  assert.is(h.u64(e.size(f)), BigInt(3 * PAGE + 50));
  assert.is(e.nodeFrames(f), 5n, "4 pages and an index");
  const all = o.all(f);
  assert.is(all.subarray(0, 5).toString(), "hello");
  assert.ok(all.subarray(5, PAGE - 50).every((b) => b === 0), "between: zeros");
  assert.ok(all.subarray(PAGE - 50).every((b) => b === 0x5a));
  // A hole: write 3 MiB in (height 2: top, two indexes).
  const far = 3 << 20;
  assert.is(o.write(f, far, "far"), 3n);
  assert.is(e.nodeFrames(f), 8n, "a top index, a second index and the page");
  assert.ok((o.read(f, 1 << 20, PAGE) as Buffer).every((b) => b === 0), "the hole reads as zeros");
  assert.is((o.read(f, far - 2, 10) as Buffer).toString("latin1"), "\0\0far");
  assert.equal(o.read(f, far + 3, 10), Buffer.alloc(0), "at the end: nothing");
  assert.equal(o.read(f, 1n << 40n, 10), Buffer.alloc(0), "far past the end: nothing");
  // Shrink into the middle of a page: the tail is cleared, growing again shows zeros.
  assert.is(o.truncate(f, PAGE + 10), ERROR.None);
  assert.is(e.nodeFrames(f), 4n, "pages 0 and 1, the top and the first index");
  assert.is(o.truncate(f, 4 * PAGE), ERROR.None);
  const grown = o.all(f);
  assert.is(grown.length, 4 * PAGE);
  assert.ok(grown.subarray(PAGE + 10).every((b) => b === 0), "bytes cut off do not come back");
  assert.is(e.nodeFrames(f), 4n, "growth by truncate takes no frame");
  assert.is(o.truncate(f, 0), ERROR.None);
  assert.is(e.nodeFrames(f), 0n);
  assert.is(e.frames(system), 0n);
  // The largest file: the last byte can be written, one more cannot.
  assert.is(o.write(f, GIB - 1n, "z"), 1n);
  assert.is(e.nodeFrames(f), 3n);
  assert.is(h.u64(e.size(f)), GIB);
  assert.is(o.write(f, GIB, "z"), h.u64(BigInt(-ERROR.FileTooBig)));
  assert.is(o.write(f, GIB - 1n, "zz"), h.u64(BigInt(-ERROR.FileTooBig)));
  assert.is(o.write(f, (1n << 64n) - 1n, "z"), h.u64(BigInt(-ERROR.FileTooBig)), "no wrap past 2^64");
  assert.is(o.truncate(f, GIB + 1n), ERROR.FileTooBig);
  assert.is(o.write(f, 0, ""), 0n, "an empty write changes nothing");
  assert.is(o.write(root, 0, "x"), h.u64(BigInt(-ERROR.IsADirectory)));
  assert.is(o.read(root, 0, 1), -ERROR.IsADirectory);
  assert.is(o.truncate(root, 0), ERROR.IsADirectory);
  tearDown(system, quota);
});

test("archive files: zero copy until the first write or truncate, which copies; the archive's bytes never change", () => {
  const content = Buffer.alloc(PAGE + 123);
  for (let i = 0; i < content.length; i++) content[i] = (i * 7) & 0xff;
  const archive = newc([{ name: "file", mode: S_IFREG | 0o644, data: content }, { name: "other", mode: S_IFREG | 0o644, data: "abc" }]);
  const address = (e.scratch() >>> 0) + (256 << 10);
  new Uint8Array(h.wasm.memory.buffer).set(archive, address);
  const quota = e.quotaCreate(1000n);
  const system = e.fromCpio(address, BigInt(archive.length), quota);
  assert.ok(system >= 0);
  const o = ops(system);
  const root = e.root(system);
  const file = o.lookup(root, "file"), other = o.lookup(root, "other");
  assert.ok(e.archived(file));
  assert.is(e.frames(system), 0n);
  assert.equal(o.all(file), content);
  assert.is(o.write(file, 10, "XY"), 2n);
  assert.not.ok(e.archived(file), "copied on the first write");
  assert.is(e.nodeFrames(file), 3n, "two pages and an index");
  const expected = Buffer.from(content);
  expected.write("XY", 10);
  assert.equal(o.all(file), expected);
  assert.equal(h.bytes(address, archive.length), archive, "the archive is untouched");
  assert.is(o.truncate(other, 2), ERROR.None);
  assert.not.ok(e.archived(other));
  assert.is(o.all(other).toString(), "ab");
  const again = o.lookup(root, "other");
  assert.is(again, other);
  tearDown(system, quota);
});

test("running out changes nothing: a quota too small for a write, a copy or a create; no frames left (OutOfMemory)", () => {
  const content = Buffer.alloc(3 * PAGE, 0x33);
  const archive = newc([{ name: "big", mode: S_IFREG | 0o644, data: content }]);
  const address = (e.scratch() >>> 0) + (256 << 10);
  new Uint8Array(h.wasm.memory.buffer).set(archive, address);
  const quota = e.quotaCreate(4n);   // the heap bytes take one page, three left
  const system = e.fromCpio(address, BigInt(archive.length), quota);
  assert.ok(system >= 0);
  const o = ops(system);
  const root = e.root(system);
  const big = o.lookup(root, "big");
  const used = e.quotaUsed(quota), bytes = e.kernelBytes(system);
  assert.is(used, 1n);
  assert.is(o.write(big, 0, "x"), h.u64(BigInt(-ERROR.QuotaExceeded)), "the copy needs 4 frames");
  assert.ok(e.archived(big), "still the archive's");
  assert.is(e.nodeFrames(big), 0n);
  assert.is(e.quotaUsed(quota), used);
  assert.is(o.truncate(big, 5), ERROR.QuotaExceeded);
  assert.is(h.u64(e.size(big)), BigInt(3 * PAGE), "size unchanged");
  assert.equal(o.all(big), content);
  assert.is(o.truncate(big, 0), ERROR.None, "truncating to 0 needs no copy");
  assert.is(o.write(big, 0, Buffer.alloc(2 * PAGE, 1)), BigInt(2 * PAGE), "owned now: two pages and an index fit the three pages left");
  assert.is(o.write(big, 2 * PAGE, "x"), h.u64(BigInt(-ERROR.QuotaExceeded)), "a third page does not");
  assert.is(o.all(big).length, 2 * PAGE);
  tearDown(system, quota);
});

test("running out changes nothing: writes and creates past the quota, writes past the frames left", () => {
  const { system, quota, root } = make(10n);
  const o = ops(system);
  const f = o.file(root, "f");
  assert.is(o.write(f, 0, Buffer.alloc(5 * PAGE, 7)), BigInt(5 * PAGE), "5 pages and an index");
  const used = e.quotaUsed(quota), frames = e.frames(system), free = e.framesFree();
  assert.is(o.write(f, 8 * PAGE, Buffer.alloc(4 * PAGE, 8)), h.u64(BigInt(-ERROR.QuotaExceeded)));
  assert.is(e.quotaUsed(quota), used);
  assert.is(e.frames(system), frames);
  assert.is(e.framesFree(), free);
  assert.is(h.u64(e.size(f)), BigInt(5 * PAGE));
  // Heap bytes: fill the quota's last pages with names.
  let made = 0, error = 0;
  for (; made < 10_000; made++) {
    const result = o.file(root, `name-${made}-${"x".repeat(200)}`);
    if (result < 0) { error = result; break; }
  }
  assert.is(error, -ERROR.QuotaExceeded);
  const listed = o.list(root).length;
  assert.is(listed, made + 3, "the refused create added nothing (. .. f and the ones made)");
  assert.is(o.lookup(root, `name-${made}-${"x".repeat(200)}`), -ERROR.NotFound);
  tearDown(system, quota);
  // Frames: a quota far above what the allocator has left.
  const large = make(1_000_000n);
  const g = ops(large.system).file(large.root, "g");
  const free2 = e.framesFree();
  const tooMany = Number(free2) + 10;
  const result = h.u64(e.write(large.system, g, 0n, 0, BigInt(tooMany * PAGE)));
  assert.is(result, h.u64(BigInt(-ERROR.OutOfMemory)));
  assert.is(e.framesFree(), free2);
  assert.is(h.u64(e.size(g)), 0n);
  assert.is(e.nodeFrames(g), 0n);
  tearDown(large.system, large.quota);
});

test("times come from the clock given at creation; attributes change the mode's permission bits only; blocks count frames", () => {
  e.setTime(5_000n);
  const { system, quota, root } = make();
  const o = ops(system);
  assert.is(e.modified(root), 5_000n);
  e.setTime(6_000n);
  const f = o.file(root, "f");
  assert.equal([e.accessed(f), e.modified(f), e.changed(f)], [6_000n, 6_000n, 6_000n]);
  assert.is(e.modified(root), 6_000n, "a new entry changes its directory");
  e.setTime(7_000n);
  o.write(f, 0, "x");
  assert.equal([e.accessed(f), e.modified(f), e.changed(f)], [6_000n, 7_000n, 7_000n], "a write: mtime and ctime, not atime");
  assert.is(e.blocks(f), 8n, "one frame: 8 blocks of 512 bytes");
  e.setTime(8_000n);
  o.read(f, 0, 1);
  assert.is(e.accessed(f), 6_000n, "reads leave atime (noatime)");
  e.setPermissions(system, f, 0o177777);
  assert.is(e.mode(f), S_IFREG | 0o7777, "the type stays");
  e.setOwner(system, f, 1000, 100);
  assert.equal([e.uid(f), e.gid(f)], [1000, 100]);
  e.setTimes(system, f, 1n, 2n);
  assert.equal([e.accessed(f), e.modified(f), e.changed(f)], [1n, 2n, 8_000n]);
  e.setTime(9_000n);
  assert.is(o.unlink(root, "f"), ERROR.None);
  assert.is(e.modified(root), 9_000n);
  tearDown(system, quota);
});

test("the heap budget every quota shares: a create past it is OutOfMemory and changes nothing", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const before = e.heapReserved();
  e.setBudget(before + 100n);   // less than a node and its entry
  assert.is(o.file(root, "f"), -ERROR.OutOfMemory);
  assert.is(o.mkdir(root, "d"), -ERROR.OutOfMemory);
  assert.is(e.heapReserved(), before);
  assert.equal(o.list(root), [".", ".."]);
  e.setBudget(1n << 30n);
  assert.ok(o.file(root, "f") >= 0);
  tearDown(system, quota);
});

test("a heap limit of its own: creates past it are QuotaExceeded and change nothing; removing gives room back", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const start = e.kernelBytes(system);
  e.setHeapLimit(system, start + 2000n);
  let made = 0;
  for (; made < 100; made++) if (o.file(root, `file-${made}`) < 0) break;
  assert.ok(made > 0 && made < 100, `some files fit, then none (${made})`);
  const held = e.kernelBytes(system);
  assert.ok(held <= start + 2000n, "never past the limit");
  assert.is(o.file(root, "one-more"), -ERROR.QuotaExceeded);
  assert.is(o.mkdir(root, "d"), -ERROR.QuotaExceeded);
  assert.is(o.symlink(root, "s", "target"), -ERROR.QuotaExceeded);
  assert.is(e.kernelBytes(system), held, "a refusal changes nothing");
  assert.is(o.unlink(root, "file-0"), ERROR.None);
  assert.ok(o.file(root, "again") >= 0, "an unlink makes room");
  assert.is(o.write(e.lookup(system, root, ...h.put("again")[0]), 0, "data"), 4n, "file data is pages, not heap: not limited by it");
  tearDown(system, quota);
});

test("the node limit: 65536 nodes, then TableFull", () => {
  const { system, quota } = make(1_000_000n);
  const o = ops(system);
  let root = e.root(system);
  let count = 1;
  for (let d = 0; count < 65536; d++) {
    const dir = o.mkdir(root, `d${d}`);
    assert.ok(dir >= 0);
    count++;
    for (let i = 0; i < 255 && count < 65536; i++, count++) assert.ok(o.file(dir, `f${i}`) >= 0);
    e.forget();   // handles are indexes into one table: keep it short
    root = e.root(system);
  }
  assert.is(e.nodes(system), 65536);
  assert.is(o.file(root, "one-more"), -ERROR.TableFull);
  assert.is(o.symlink(root, "one-more", "x"), -ERROR.TableFull);
  assert.ok(o.unlink(o.lookup(root, "d0"), "f0") === ERROR.None);
  assert.ok(o.file(root, "one-more") >= 0, "room again");
  tearDown(system, quota);
});

test("unlink while open: the file stays readable and writable until the last close frees it", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const f = o.file(root, "f");
  o.write(f, 0, Buffer.alloc(2 * PAGE, 9));
  e.open(system, f);
  e.open(system, f);
  assert.is(o.unlink(root, "f"), ERROR.None);
  assert.is(e.links(f), 0);
  assert.not.ok(e.freed(f));
  assert.is(o.lookup(root, "f"), -ERROR.NotFound);
  assert.is(o.write(f, 2 * PAGE, "more"), 4n);
  assert.is(o.all(f).length, 2 * PAGE + 4);
  assert.is(o.link(root, "back", f), ERROR.NotFound, "an unlinked file cannot be linked again");
  e.close(system, f);
  assert.not.ok(e.freed(f), "one holder left");
  const frames = e.frames(system);
  assert.ok(frames > 0n);
  e.close(system, f);
  assert.ok(e.freed(f));
  assert.is(e.frames(system), 0n, "its frames went back with the last close");
  tearDown(system, quota);
});

test("readdir: . and .. first, insertion order, and a cursor that survives entries added and removed during the walk", () => {
  const { system, quota, root } = make();
  const o = ops(system);
  const dir = o.mkdir(root, "dir");
  o.file(dir, "x");
  o.symlink(dir, "l", "x");
  o.mkdir(dir, "s");
  e.makeNode(system, dir, ...h.put("c")[0], S_IFCHR | 0o600, 4, 1);
  const types: [string, number][] = [];
  for (let cursor = 0n; ;) {
    e.readdir(system, dir, cursor);
    if (e.recordEnd()) break;
    types.push([h.bytes(e.recordName(), e.recordNameLength()).toString(), e.recordType()]);
    cursor = h.u64(e.recordNext());
  }
  assert.equal(types, [[".", TYPE.Directory], ["..", TYPE.Directory], ["x", TYPE.Regular], ["l", TYPE.SymbolicLink], ["s", TYPE.Directory], ["c", TYPE.CharacterDevice]]);
  assert.is(e.readdir(system, o.lookup(dir, "x"), 0n), ERROR.NotADirectory);
  assert.is(e.readdir(system, dir, 1n << 62n), ERROR.None, "a cursor past everything");
  assert.ok(e.recordEnd());

  const random = generator(0x4eadd1);
  for (let round = 0; round < 40; round++) {
    const big = o.mkdir(root, `big${round}`);
    let serial = 0;
    const live = new Set<string>();
    for (; serial < 60; serial++) { o.file(big, `n${serial}`); live.add(`n${serial}`); }
    const presentThroughout = new Set(live), removedEver = new Set<string>(), seen = new Set<string>();
    let cursor = 2n;
    for (;;) {
      // Change the directory between two calls (for a while: additions could outrun the walk).
      for (let k = 0; k < 3 && seen.size < 50; k++) {
        if (random() < 0.5 && live.size > 0) {
          const victim = [...live][Math.floor(random() * live.size)];
          assert.is(o.unlink(big, victim), ERROR.None);
          live.delete(victim); presentThroughout.delete(victim); removedEver.add(victim);
        } else {
          const name = `n${serial++}`;
          assert.ok(o.file(big, name) >= 0);
          live.add(name);
        }
      }
      assert.is(e.readdir(system, big, cursor), ERROR.None);
      if (e.recordEnd()) break;
      const name = h.bytes(e.recordName(), e.recordNameLength()).toString();
      assert.not.ok(seen.has(name), `round ${round}: ${name} returned twice`);
      assert.ok(live.has(name), `round ${round}: ${name} is live when returned`);
      seen.add(name);
      const next = h.u64(e.recordNext());
      assert.ok(next > cursor, "the cursor moves forward");
      cursor = next;
      if (seen.size > 10_000) throw new Error("runaway walk");
    }
    for (const name of presentThroughout) assert.ok(seen.has(name), `round ${round}: ${name}, present throughout, was returned`);
  }
  tearDown(system, quota);
});

// --- the random sequence against a model ----------------------------------------------------

interface ModelNode { kind: "file" | "dir" | "link"; handle: number; data: Buffer; entries: Map<string, ModelNode>; parent: ModelNode | null; links: number; opened: number; target: string }

test("a seeded random sequence of 3000 operations agrees with a model; afterwards every frame and charge is back", () => {
  const SEED = 0xf5f5;
  const random = generator(SEED);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const { system, quota, root } = make(40n);
  const o = ops(system);
  const NAMES = ["a", "b", "c", "d", "e"];
  const top: ModelNode = { kind: "dir", handle: root, data: Buffer.alloc(0), entries: new Map(), parent: null, links: 2, opened: 0, target: "" };
  top.parent = top;
  const open: ModelNode[] = [];
  const allNodes = (): ModelNode[] => {
    const found: ModelNode[] = [top];
    for (let i = 0; i < found.length; i++) for (const child of found[i].entries.values()) if (!found.includes(child)) found.push(child);
    for (const node of open) if (!found.includes(node)) found.push(node);
    return found;
  };
  const directories = () => allNodes().filter((n) => n.kind === "dir" && n.links > 0);
  const files = () => allNodes().filter((n) => n.kind === "file");
  const below = (ancestor: ModelNode, node: ModelNode) => { for (let up = node; ; up = up.parent!) { if (up === ancestor) return true; if (up === top) return false; } };
  const drop = (node: ModelNode) => { if (node.kind === "dir") node.links = 0; else node.links--; };
  const fresh = (kind: ModelNode["kind"], handle: number, parent: ModelNode | null): ModelNode =>
    ({ kind, handle, data: Buffer.alloc(0), entries: new Map(), parent, links: kind === "dir" ? 2 : 1, opened: 0, target: "" });

  /** The invariants, checked before every step (so also after a refused one) and at the end. */
  const check = (where: string) => {
    for (const node of allNodes()) {
      if (node.kind === "file") {
        assert.not.ok(e.freed(node.handle), `${where}: a live file`);
        assert.is(e.links(node.handle), node.links, `${where}: links`);
        assert.equal(o.all(node.handle), node.data, `${where}: contents`);
      }
      if (node.kind === "dir" && node.links > 0) assert.is(e.links(node.handle), node.links, `${where}: directory links`);
    }
    const framesHeld = allNodes().filter((n) => n.kind === "file").reduce((sum, n) => sum + e.nodeFrames(n.handle), 0n);
    assert.is(e.frames(system), framesHeld, `${where}: the file system's frames are its files'`);
    assert.is(h.framesAtStart - e.framesFree(), framesHeld, `${where}: the allocator agrees`);
    assert.is(e.quotaUsed(quota), framesHeld + (e.kernelBytes(system) + 4095n) / 4096n, `${where}: the quota holds frames and heap bytes`);
  };
  let failures = 0;
  for (let step = 0; step < 3000; step++) {
    const where = `seed ${SEED.toString(16)} step ${step}`;
    check(`${where} (before)`);
    const choice = random();
    if (choice < 0.15) {
      const dir = pick(directories()), name = pick(NAMES), kind = pick(["file", "dir", "link"] as const);
      const handle = kind === "file" ? o.file(dir.handle, name) : kind === "dir" ? o.mkdir(dir.handle, name) : o.symlink(dir.handle, name, pick(NAMES));
      if (dir.entries.has(name)) { assert.is(handle, -ERROR.Exists, where); continue; }
      if (handle === -ERROR.QuotaExceeded) { failures++; continue; }
      assert.ok(handle >= 0, `${where}: create ${handle}`);
      const node = fresh(kind, handle, kind === "dir" ? dir : null);
      dir.entries.set(name, node);
      if (kind === "dir") dir.links++;
    } else if (choice < 0.22) {
      const dir = pick(directories()), name = pick(NAMES), candidates = files().filter((f) => f.links > 0);
      if (candidates.length === 0) continue;
      const file = pick(candidates);
      const error = o.link(dir.handle, name, file.handle);
      if (dir.entries.has(name)) { assert.is(error, ERROR.Exists, where); continue; }
      if (error === ERROR.QuotaExceeded) { failures++; continue; }
      assert.is(error, ERROR.None, where);
      dir.entries.set(name, file);
      file.links++;
    } else if (choice < 0.32) {
      const dir = pick(directories()), name = pick(NAMES);
      const target = dir.entries.get(name);
      const error = o.unlink(dir.handle, name);
      if (!target) assert.is(error, ERROR.NotFound, where);
      else if (target.kind === "dir") assert.is(error, ERROR.IsADirectory, where);
      else { assert.is(error, ERROR.None, where); dir.entries.delete(name); target.links--; }
    } else if (choice < 0.38) {
      const dir = pick(directories()), name = pick(NAMES);
      const target = dir.entries.get(name);
      const error = o.rmdir(dir.handle, name);
      if (!target) assert.is(error, ERROR.NotFound, where);
      else if (target.kind !== "dir") assert.is(error, ERROR.NotADirectory, where);
      else if (target.entries.size > 0) assert.is(error, ERROR.NotEmpty, where);
      else { assert.is(error, ERROR.None, where); dir.entries.delete(name); dir.links--; target.links = 0; }
    } else if (choice < 0.5) {
      const from = pick(directories()), to = pick(directories()), a = pick(NAMES), b = pick(NAMES);
      const node = from.entries.get(a), replaced = to.entries.get(b);
      const error = o.rename(from.handle, a, to.handle, b);
      let expected = ERROR.None;
      if (!node) expected = ERROR.NotFound;
      else if (replaced === node) expected = ERROR.None;
      else if (node.kind === "dir" && below(node, to)) expected = ERROR.InvalidArgument;
      else if (replaced && node.kind === "dir" && replaced.kind !== "dir") expected = ERROR.NotADirectory;
      else if (replaced && node.kind !== "dir" && replaced.kind === "dir") expected = ERROR.IsADirectory;
      else if (replaced && replaced.kind === "dir" && replaced.entries.size > 0) expected = ERROR.NotEmpty;
      if (error === ERROR.QuotaExceeded && expected === ERROR.None && !replaced) { failures++; continue; }
      assert.is(error, expected, `${where}: rename`);
      if (error !== ERROR.None || replaced === node) continue;
      if (replaced) { drop(replaced); if (replaced.kind === "dir") to.links--; }
      from.entries.delete(a);
      to.entries.set(b, node!);
      if (node!.kind === "dir" && from !== to) { from.links--; to.links++; node!.parent = to; }
    } else if (choice < 0.75) {
      const candidates = files();
      if (candidates.length === 0) continue;
      const file = pick(candidates);
      const offset = Math.floor(random() * 6 * PAGE), length = Math.floor(random() * 2 * PAGE);
      const bytes = Buffer.alloc(length, Math.floor(random() * 256));
      const result = o.write(file.handle, offset, bytes);
      if (length === 0) { assert.is(result, 0n, where); continue; }
      if (result === h.u64(BigInt(-ERROR.QuotaExceeded))) { failures++; continue; }
      assert.is(result, BigInt(length), `${where}: write`);
      if (file.data.length < offset + length) file.data = Buffer.concat([file.data, Buffer.alloc(offset + length - file.data.length)]);
      bytes.copy(file.data, offset);
    } else if (choice < 0.82) {
      const candidates = files();
      if (candidates.length === 0) continue;
      const file = pick(candidates), size = Math.floor(random() * 5 * PAGE);
      assert.is(o.truncate(file.handle, size), ERROR.None, where);
      file.data = size <= file.data.length ? file.data.subarray(0, size) : Buffer.concat([file.data, Buffer.alloc(size - file.data.length)]);
    } else if (choice < 0.9) {
      const candidates = files().filter((f) => f.links > 0);
      if (random() < 0.5 && candidates.length > 0) { const file = pick(candidates); e.open(system, file.handle); file.opened++; open.push(file); }
      else if (open.length > 0) { const file = open.splice(Math.floor(random() * open.length), 1)[0]; e.close(system, file.handle); file.opened--; }
    } else {
      const dir = pick(directories());
      assert.equal(o.list(dir.handle).slice(2).sort(), [...dir.entries.keys()].sort(), `${where}: readdir`);
      for (const [name, child] of dir.entries) assert.is(o.lookup(dir.handle, name), child.handle, `${where}: lookup ${name}`);
    }
  }
  check("the end");
  assert.ok(failures > 0, "the quota ran out at times (and changed nothing)");
  for (const file of open) e.close(system, file.handle);
  tearDown(system, quota);
});

test.run();
