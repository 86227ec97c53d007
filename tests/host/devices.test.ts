// Host tests of the root file system's device nodes (kernel/fs/devices.ts): /dev and its seven
// character devices with Linux's numbers and modes, made where missing and left alone where the
// archive has them, refused (changing nothing more) when /dev is not a directory or the quota is
// too small, and every charge back after teardown.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ERROR, harness, noAborts, S_IFCHR, S_IFDIR, S_IFREG, type Harness } from "./fs-harness";

const test = suite("devices");
let h: Harness;
let e: Record<string, any>;

test.before.each(() => {
  h = harness();
  e = h.e;
});
test.after.each(() => noAborts(h));

const EXPECTED: [string, number, number, number][] = [
  ["null", 0o666, 1, 3], ["zero", 0o666, 1, 5], ["full", 0o666, 1, 7], ["random", 0o666, 1, 8], ["urandom", 0o666, 1, 9],
  ["tty", 0o666, 5, 0], ["console", 0o600, 5, 1],
];

function make(pages = 100_000n) {
  const quota = e.quotaCreate(pages);
  const system = e.create(quota);
  assert.ok(system >= 0);
  return { system, quota, root: e.root(system) };
}

function lookup(system: number, directory: number, name: string): number {
  return e.lookup(system, directory, ...h.put(name)[0]);
}

function tearDown(system: number, quota: number): void {
  e.destroy(system);
  assert.is(e.nodes(system), 0, "every node freed");
  e.dispose(system);
  assert.is(e.quotaUsed(quota), 0n, "every charge back");
}

test("an empty file system gets /dev (0755) and the seven devices, Linux's numbers and modes", () => {
  const { system, quota, root } = make();
  assert.is(e.devices(system), ERROR.None);
  const dev = lookup(system, root, "dev");
  assert.ok(dev >= 0);
  assert.is(e.mode(dev), S_IFDIR | 0o755);
  for (const [name, mode, major, minor] of EXPECTED) {
    const node = lookup(system, dev, name);
    assert.ok(node >= 0, name);
    assert.is(e.mode(node), S_IFCHR | mode, name);
    assert.is([e.rdevMajor(node), e.rdevMinor(node)].join(":"), `${major}:${minor}`, name);
  }
  assert.is(e.nodes(system), 1 + 1 + EXPECTED.length);
  assert.is(e.devices(system), ERROR.None, "a second call finds everything there");
  assert.is(e.nodes(system), 1 + 1 + EXPECTED.length, "and makes nothing");
  tearDown(system, quota);
});

test("an existing /dev and node are kept as they are; the missing ones are made", () => {
  const { system, quota, root } = make();
  const dev = e.makeNode(system, root, ...h.put("dev")[0], S_IFDIR | 0o700, 0, 0);
  const mine = e.makeNode(system, dev, ...h.put("null")[0], S_IFREG | 0o600, 0, 0);
  assert.is(e.devices(system), ERROR.None);
  assert.is(e.mode(dev), S_IFDIR | 0o700);
  assert.is(lookup(system, dev, "null"), mine);
  assert.is(e.mode(mine), S_IFREG | 0o600);
  assert.ok(lookup(system, dev, "console") >= 0);
  tearDown(system, quota);
});

test("a /dev that is not a directory is NotADirectory; a quota too small is QuotaExceeded; teardown gives everything back", () => {
  let made = make();
  e.makeNode(made.system, made.root, ...h.put("dev")[0], S_IFREG | 0o644, 0, 0);
  assert.is(e.devices(made.system), ERROR.NotADirectory);
  tearDown(made.system, made.quota);
  made = make(2n);
  let filled = 0;
  for (; filled < 1000; filled++) {
    const name = `${filled}`.padStart(255, "f");
    if (e.makeNode(made.system, made.root, ...h.put(name)[0], S_IFREG | 0o644, 0, 0) < 0) break;
  }
  assert.ok(filled > 0 && filled < 1000, "the quota runs out");
  assert.is(e.devices(made.system), ERROR.QuotaExceeded);
  tearDown(made.system, made.quota);
});

test.run();
