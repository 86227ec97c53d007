// Host tests of the boot package's archives: the writer tools/boot-archive.ts and the kernel's
// reader kernel/loader/boot-archive.ts compiled to wasm (tests/host/entries/boot-archive.ts).
// Archives are placed flush against the end of linear memory, so a read past them traps: "no
// trap" means "never read outside". Covered: entries read in place (zero copy), the archives
// `make iso` built, every rule on top of cpio's refused with its error and reason (the whole
// archive, never a part), every prefix of a real archive refused, and a seeded mutation fuzz
// whose accepted results are checked against the rules.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { bootArchive, nameProblem, ENTRIES_MAXIMUM, NAME_MAXIMUM } from "../../tools/boot-archive";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { ERROR, newc, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG, type CpioEntry } from "./fs-harness";
import { generator } from "./random";

const test = suite("boot package archives");
const TOP_PAGES = 1024; // 64 MiB above the heap for archives (the test package is tens of MiB)

let module: WebAssembly.Module | null = null;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
let memoryEnd = 0;

test.before.each(() => {
  module ??= compileAssemblyScript(join(REPOSITORY, "tests/host/entries/boot-archive.ts"));
  wasm = instantiate(module);
  e = wasm.exports;
  memoryEnd = e.reserveTop(TOP_PAGES) >>> 0;
});

interface Read { error: number; reason: string; address: number; files: { name: string; offset: number; data: Buffer }[] }

/** Places `archive` flush against the end of memory and reads it. */
function read(archive: Buffer): Read {
  const address = wasm.placeAtEnd(archive, memoryEnd);
  e.read(address, BigInt(archive.length));
  assert.equal(wasm.aborts, [], "no abort");
  assert.is(e.memoryEnd() >>> 0, memoryEnd, "memory did not grow");
  const files = [];
  for (let i = 0; i < e.count(); i++) {
    const data = e.data(i) >>> 0, length = Number(e.length(i));
    files.push({ name: wasm.readString(e.name(i)), offset: data - address, data: Buffer.from(wasm.bytes(data, length)) });
  }
  return { error: e.error(), reason: wasm.readString(e.reason()), address, files };
}

/** Reads `archive` and expects the refusal `error` with a reason matching `reason`, and no file. */
function refused(archive: Buffer, error: number, reason: RegExp, what: string): void {
  const result = read(archive);
  assert.is(result.error, error, `${what}: error (${result.reason})`);
  assert.match(result.reason, reason, `${what}: reason`);
  assert.is(result.files.length, 0, `${what}: no file of a refused archive`);
}

const file = (name: string | Buffer, data: string | Buffer = "x", extra: Partial<CpioEntry> = {}): CpioEntry =>
  ({ name, mode: S_IFREG | 0o644, data, ...extra });

test("the writer's archive reads back: names, bytes, in place", () => {
  const files = [
    { name: "manifest", data: Buffer.from([1, 2, 3]) },
    { name: "init", data: Buffer.alloc(4097, 0xcc) },
    { name: "empty", data: Buffer.alloc(0) },
    { name: "hello.txt", data: Buffer.from("Hello\n") },
  ];
  const archive = bootArchive(files);
  const result = read(archive);
  assert.is(result.error, ERROR.None, result.reason);
  assert.equal(result.files.map((f) => f.name), files.map((f) => f.name));
  result.files.forEach((found, i) => {
    assert.equal(found.data, files[i].data, `${found.name}: bytes`);
    assert.ok(found.offset > 0 && found.offset + found.data.length <= archive.length, `${found.name}: inside the archive`);
    assert.equal(archive.subarray(found.offset, found.offset + found.data.length), files[i].data, `${found.name}: read in place`);
    assert.is(found.offset % 4, 0, "newc data is 4-byte aligned");
  });
  const empty = read(bootArchive([]));
  assert.is(empty.error, ERROR.None, "a trailer alone is an empty package");
  assert.is(empty.files.length, 0);
});

test("leading / and ./ are stripped as cpio.ts does; concatenated archives are one package", () => {
  const result = read(Buffer.concat([newc([file("./init", "a"), file("/hello", "b")]), Buffer.alloc(8), newc([file("shell", "c")])]));
  assert.is(result.error, ERROR.None, result.reason);
  assert.equal(result.files.map((f) => `${f.name}=${f.data.toString()}`), ["init=a", "hello=b", "shell=c"]);
});

test("the archives make iso built hold the user's programs and the tests' apart", () => {
  const names = (path: string) => {
    assert.ok(existsSync(join(REPOSITORY, path)), `${path} exists (make iso)`);
    const result = read(readFileSync(join(REPOSITORY, path)));
    assert.is(result.error, ERROR.None, `${path}: ${result.reason}`);
    return result.files.map((f) => f.name);
  };
  const user = names("build/package.cpio"), tests = names("build/test-package.cpio");
  for (const name of ["manifest", "init", "hello", "shell", "shell-musl"]) assert.ok(user.includes(name), `package has ${name}`);
  for (const name of ["files-check", "linux-check", "linux-check-musl", "blob.bin", "hello.txt"]) assert.ok(tests.includes(name), `test-package has ${name}`);
  assert.equal(user.filter((name) => tests.includes(name)), [], "no file in both");
  const manifest = readFileSync(join(REPOSITORY, "build/user/manifest.bin"));
  const found = read(readFileSync(join(REPOSITORY, "build/package.cpio"))).files.find((f) => f.name === "manifest")!;
  assert.equal(found.data, manifest, "the manifest's bytes");
});

test("entries that are not regular files with one link are refused", () => {
  refused(newc([file("init"), { name: "bin", mode: S_IFDIR | 0o755 }]), ERROR.NotPermitted, /offset \d+: not a regular file/, "a directory");
  refused(newc([{ name: "sh", mode: S_IFLNK | 0o777, data: "init" }]), ERROR.NotPermitted, /not a regular file/, "a symbolic link");
  refused(newc([{ name: "console", mode: S_IFCHR | 0o600, rdevMajor: 5, rdevMinor: 1 }]), ERROR.NotPermitted, /not a regular file/, "a device");
  refused(newc([file("a", "", { nlink: 2, ino: 7 }), file("b", "data", { nlink: 2, ino: 7 })]), ERROR.NotPermitted, /hard link \(c_nlink 2\)/, "hard links");
  refused(newc([file("a", "x", { nlink: 0 })]), ERROR.NotPermitted, /c_nlink 0/, "no link");
  refused(newc([{ name: "fifo", mode: 0o010644 }]), ERROR.NotPermitted, /FIFOs/, "a FIFO (cpio.ts's rule)");
});

test("names: flat, printable ASCII, 1..255 bytes, each once", () => {
  refused(newc([file("bin/sh")]), ERROR.Malformed, /"\/" \(the package is flat\)/, "a path");
  refused(newc([file("a b")]), ERROR.Malformed, /printable ASCII/, "a space");
  refused(newc([file(Buffer.from([0x68, 0xe9]))]), ERROR.Malformed, /printable ASCII/, "a byte above 0x7e");
  refused(newc([file(Buffer.from([0x68, 0x7f]))]), ERROR.Malformed, /control character/, "DEL (cpio.ts's rule)");
  refused(newc([file(".")]), ERROR.Malformed, /an empty name/, "\".\" (the root once stripped)");
  refused(newc([file("./")]), ERROR.Malformed, /an empty name/, "\"./\"");
  refused(newc([file("..")]), ERROR.Malformed, /"\.\."/, "\"..\"");
  refused(newc([file("a".repeat(256))]), ERROR.Malformed, /over 255 bytes/, "256 bytes");
  const longest = read(newc([file("a".repeat(255))]));
  assert.is(longest.error, ERROR.None, "255 bytes is a name");
  assert.is(longest.files[0].name, "a".repeat(255));
  refused(newc([file("init", "1"), file("hello"), file("init", "2")]), ERROR.Exists, /second file named 'init'/, "a name twice");
  refused(newc([file("init", "1"), file("./init", "2")]), ERROR.Exists, /second file named 'init'/, "a name twice once stripped");
});

test("at most 1024 entries", () => {
  const entries = (count: number) => Array.from({ length: count }, (_, i) => file(`f${i}`, ""));
  const full = read(newc(entries(ENTRIES_MAXIMUM)));
  assert.is(full.error, ERROR.None, full.reason);
  assert.is(full.files.length, ENTRIES_MAXIMUM);
  refused(newc(entries(ENTRIES_MAXIMUM + 1)), ERROR.TableFull, /more than 1024 entries/, "1025 entries");
});

test("cpio's own refusals reach the caller: magic, fields, sizes, no trailer, nothing", () => {
  refused(newc([file("init", "x", { magic: "070707" })]), ERROR.Malformed, /bad magic/, "the old binary magic");
  const badField = newc([file("init")]);
  badField.write("zz", 6 + 8 * 6, "latin1");
  refused(badField, ERROR.Malformed, /c_filesize is not 8 hexadecimal digits/, "a bad field");
  const huge = newc([file("init")]);
  huge.write("ffffffff", 6 + 8 * 6, "latin1");
  refused(huge, ERROR.Truncated, /data runs past the end/, "a size past the end");
  refused(newc([file("init")], false), ERROR.Truncated, /header runs past the end/, "no trailer");
  refused(Buffer.alloc(0), ERROR.Truncated, /empty archive/, "no bytes");
});

test("every prefix of a real package is refused whole, and never read past", () => {
  const archive = bootArchive([
    { name: "manifest", data: Buffer.from("manifest bytes") },
    { name: "init", data: Buffer.alloc(301, 7) },
    { name: "hello.txt", data: Buffer.from("hello\n") },
  ]);
  for (let length = 0; length < archive.length; length++) {
    const result = read(archive.subarray(0, length));
    // A prefix that ends right after the last file's padding and before the trailer: no trailer.
    assert.ok(result.error === ERROR.Truncated, `prefix of ${length}: ${result.error} ${result.reason}`);
    assert.is(result.files.length, 0);
  }
});

test("fuzz: mutated packages are refused or read within the rules", () => {
  const next = generator(0x5eed_b007);
  const random = { below: (n: number) => Math.floor(next() * n) };
  const base = bootArchive([
    { name: "manifest", data: Buffer.from("m".repeat(40)) },
    { name: "init", data: Buffer.alloc(200, 1) },
    { name: "hello", data: Buffer.alloc(9, 2) },
    { name: "blob.bin", data: Buffer.alloc(77, 3) },
  ]);
  let accepted = 0;
  for (let round = 0; round < 3000; round++) {
    const archive = Buffer.from(base);
    const mutations = 1 + random.below(4);
    for (let m = 0; m < mutations; m++) {
      const at = random.below(archive.length);
      // Hex digits and name characters as often as any byte, so fields stay parseable.
      archive[at] = random.below(2) === 0 ? "0123456789abcdef/ ."[random.below(19)].charCodeAt(0) : random.below(256);
    }
    const cut = random.below(8) === 0 ? random.below(archive.length + 1) : archive.length;
    const result = read(archive.subarray(0, cut));
    if (result.error !== ERROR.None) {
      assert.is(result.files.length, 0, "a refused archive yields no file");
      assert.ok(result.reason.length > 0, "a refusal has a reason");
      continue;
    }
    accepted++;
    const names = new Set<string>();
    for (const found of result.files) {
      assert.is(nameProblem(found.name), null, `accepted name ${JSON.stringify(found.name)}`);
      assert.not.ok(names.has(found.name), `${found.name} once`);
      names.add(found.name);
      assert.ok(found.offset >= 0 && found.offset + found.data.length <= cut, `${found.name} inside the archive`);
    }
  }
  assert.ok(accepted > 0, "some mutations leave a valid package (the fuzz reaches the accepting path)");
});

test("the writer refuses what the kernel would", () => {
  assert.is(NAME_MAXIMUM, Number(/BOOT_FILE_NAME_MAXIMUM: u64 = (\d+);/.exec(readFileSync(join(REPOSITORY, "abi/methods.ts"), "utf8"))![1]));
  for (const name of ["", "a/b", "a b", "é", ".", "..", "./a", "a".repeat(256), "TRAILER!!!"]) {
    assert.throws(() => bootArchive([{ name, data: Buffer.alloc(1) }]), undefined, JSON.stringify(name));
  }
  assert.throws(() => bootArchive([{ name: "a", data: Buffer.alloc(1) }, { name: "a", data: Buffer.alloc(1) }]), /given twice/);
  assert.throws(() => bootArchive(Array.from({ length: ENTRIES_MAXIMUM + 1 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(0) }))));
});

test.run();
