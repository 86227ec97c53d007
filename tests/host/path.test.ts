// Host tests of path resolution (kernel/fs/path.ts) over a real file system built by ramfs.ts,
// compiled to wasm from tests/host/entries/fs.ts: absolute and relative paths, "." and "..",
// repeated and trailing slashes, the parent-and-name answer for creation, symbolic links (relative
// from the link's directory, absolute from the namespace root, loops and the 40-link bound), a
// namespace root that is a subdirectory of a bigger tree (no path, "..", or link leads out of it),
// the length limits, a mount point that hands the rest of a path over (climbing to it, links into
// it), and a seeded random walk of hostile paths that never lands outside the root.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ERROR, harness, noAborts, RESOLVE, S_IFDIR, S_IFREG, type Harness } from "./fs-harness";
import { generator } from "./random";

const test = suite("path resolution");
let h: Harness;
let e: Record<string, any>;
let system = 0;
const nodes = new Map<string, number>();

/** The tree: /etc/passwd (outside the namespace), /jail (the namespace root) holding etc/passwd,
 * a/b/c, a/file, symbolic links of every kind, and loops. */
test.before.each(() => {
  h = harness();
  e = h.e;
  nodes.clear();
  system = e.create(e.quotaCreate(10_000n));
  nodes.set("/", e.root(system));
  const make = (path: string, kind: "dir" | "file" | string) => {
    const slash = path.lastIndexOf("/");
    const parent = nodes.get(path.slice(0, slash) || "/")!;
    const name = path.slice(slash + 1);
    let handle: number;
    if (kind === "dir") handle = e.makeNode(system, parent, ...h.put(name)[0], S_IFDIR | 0o755, 0, 0);
    else if (kind === "file") handle = e.makeNode(system, parent, ...h.put(name)[0], S_IFREG | 0o644, 0, 0);
    else { const [n, t] = h.put(name, kind); handle = e.symlink(system, parent, ...n, ...t); }
    assert.ok(handle >= 0, `made ${path}`);
    nodes.set(path, handle);
  };
  for (const path of ["/etc", "/jail", "/jail/etc", "/jail/a", "/jail/a/b", "/jail/a/b/c"]) make(path, "dir");
  for (const path of ["/etc/passwd", "/jail/etc/passwd", "/jail/a/file"]) make(path, "file");
  make("/jail/a/up", "..");                       // relative: /jail
  make("/jail/a/abs", "/etc/passwd");             // absolute: /jail/etc/passwd inside the namespace
  make("/jail/a/escape", "../../../../etc/passwd"); // climbs as far as it can: /jail/etc/passwd
  make("/jail/a/tofile", "./file");
  make("/jail/a/todir", "b/c");
  make("/jail/a/dangling", "b/new-name");
  make("/jail/loop1", "loop2");
  make("/jail/loop2", "loop1");
  make("/jail/self", "self");
  // A chain of 41 links: chain0 -> chain1 -> ... -> chain40 -> a
  for (let i = 40; i >= 0; i--) make(`/jail/chain${i}`, i === 40 ? "a" : `chain${i + 1}`);
});
test.after.each(() => noAborts(h));

interface Resolved { error: number; node: string | null; parent: string | null; name: string; trailingSlash: boolean }

const nameOf = (handle: number) => { for (const [path, value] of nodes) if (value === handle) return path; return handle < 0 ? null : `#${handle}`; };

function resolve(path: string | Buffer, flags = RESOLVE.Follow, root = "/jail", cwd = root): Resolved {
  const [address, length] = h.put(path)[0];
  const error = e.resolve(system, nodes.get(root)!, nodes.get(cwd)!, address, BigInt(length), flags);
  return {
    error, node: nameOf(e.resolvedNode()), parent: nameOf(e.resolvedParent()),
    name: h.bytes(e.resolvedName(), e.resolvedNameLength()).toString("latin1"), trailingSlash: e.resolvedTrailingSlash() === 1,
  };
}
const found = (path: string, flags = RESOLVE.Follow, root = "/jail", cwd = root) => {
  const result = resolve(path, flags, root, cwd);
  assert.is(result.error, ERROR.None, `${path}: error ${result.error}`);
  return result.node;
};
const refused = (path: string | Buffer, flags = RESOLVE.Follow, root = "/jail", cwd = root) => resolve(path, flags, root, cwd).error;

test("a mount point hands the rest of the path over: reached by name, by .., through links", () => {
  const mount = nodes.get("/jail/a/b")!;
  e.setMountPoint(system, mount);
  const crossing = (path: string, cwd = "/jail", flags = RESOLVE.Follow) => {
    const [address, length] = h.put(path)[0];
    const error = e.resolveWithRest(system, nodes.get("/jail")!, nodes.get(cwd)!, address, BigInt(length), flags);
    return { error, crossed: e.resolvedCrossed() === 1, node: nameOf(e.resolvedNode()), rest: h.bytes(e.resolvedRest(), e.resolvedRestLength()).toString("latin1") };
  };
  assert.equal(crossing("/a/b/c/x/"), { error: ERROR.None, crossed: true, node: "/jail/a/b", rest: "/c/x/" });
  assert.equal(crossing("../../b/self", "/jail/a/b/c"), { error: ERROR.None, crossed: true, node: "/jail/a/b", rest: "/self" });
  assert.equal(crossing("a/b", "/jail", RESOLVE.Parent | RESOLVE.LastAsIs), { error: ERROR.None, crossed: true, node: "/jail/a/b", rest: "" });
  assert.equal(crossing("a/todir/more"), { error: ERROR.None, crossed: true, node: "/jail/a/b", rest: "/c//more" }, "a link's rest, then the path's (slashes collapse later)");
  assert.equal(crossing("a/file").crossed, false, "a path that does not enter it resolves as before");
  // Without a buffer for the rest, the mount point is an ordinary directory.
  assert.is(found("a/b/c"), "/jail/a/b/c");
});

test("absolute and relative paths, . and .., repeated slashes", () => {
  assert.is(found("/a/b/c"), "/jail/a/b/c");
  assert.is(found("a/b/c"), "/jail/a/b/c");
  assert.is(found("c", RESOLVE.Follow, "/jail", "/jail/a/b"), "/jail/a/b/c");
  assert.is(found("//a///b//c//"), "/jail/a/b/c");
  assert.is(found("./a/./b/../b/c/."), "/jail/a/b/c");
  assert.is(found("/"), "/jail");
  assert.is(found("///"), "/jail");
  assert.is(found("."), "/jail");
  assert.is(found("..", RESOLVE.Follow, "/jail", "/jail/a/b"), "/jail/a");
  assert.is(found("a/file"), "/jail/a/file");
  assert.is(refused(""), ERROR.NotFound, "an empty path names nothing");
  assert.is(refused("a/missing/c"), ERROR.NotFound);
  assert.is(refused("a/missing"), ERROR.NotFound);
  assert.is(refused("a/file/x"), ERROR.NotADirectory, "a file in the middle");
  assert.is(refused("a/file/."), ERROR.NotADirectory);
  assert.is(refused("a/file/.."), ERROR.NotADirectory);
});

test("a trailing slash needs a directory; the parent answer notes it", () => {
  assert.is(found("a/b/"), "/jail/a/b");
  assert.is(refused("a/file/"), ERROR.NotADirectory);
  assert.is(refused("a/file//"), ERROR.NotADirectory);
  assert.is(resolve("a/b/").trailingSlash, true);
  assert.is(resolve("a/b").trailingSlash, false);
  const created = resolve("a/newdir/", RESOLVE.Parent);
  assert.equal([created.error, created.node, created.parent, created.name, created.trailingSlash], [ERROR.None, null, "/jail/a", "newdir", true]);
  assert.is(found("a/todir/"), "/jail/a/b/c", "a trailing slash follows a link even without Follow");
  assert.is(resolve("a/todir/", RESOLVE.NoFollow).node, "/jail/a/b/c");
  assert.is(refused("a/tofile/", RESOLVE.NoFollow), ERROR.NotADirectory);
});

test("the parent answer: directory and last name for creation and removal", () => {
  const missing = resolve("a/b/new", RESOLVE.Parent);
  assert.equal([missing.error, missing.node, missing.parent, missing.name], [ERROR.None, null, "/jail/a/b", "new"]);
  const existing = resolve("/a//file", RESOLVE.Parent);
  assert.equal([existing.error, existing.node, existing.parent, existing.name], [ERROR.None, "/jail/a/file", "/jail/a", "file"]);
  const root = resolve("/", RESOLVE.Parent);
  assert.equal([root.error, root.node, root.parent, root.name], [ERROR.None, "/jail", null, ""], "/ has no last name");
  const dots = resolve("a/b/..", RESOLVE.Parent);
  assert.equal([dots.node, dots.parent, dots.name], ["/jail/a", null, ""]);
  assert.is(resolve("missing/new", RESOLVE.Parent).error, ERROR.NotFound, "only the last component may be missing");
  const link = resolve("a/tofile", RESOLVE.Parent);
  assert.equal([link.node, link.parent, link.name], ["/jail/a/tofile", "/jail/a", "tofile"], "unlink: the link itself");
  const followed = resolve("a/tofile", RESOLVE.Parent | RESOLVE.Follow);
  assert.equal([followed.node, followed.parent, followed.name], ["/jail/a/file", "/jail/a", "file"], "open: the file it names");
  const dangling = resolve("a/dangling", RESOLVE.Parent | RESOLVE.Follow);
  assert.equal([dangling.error, dangling.node, dangling.parent, dangling.name], [ERROR.None, null, "/jail/a/b", "new-name"], "O_CREAT through a dangling link");
  assert.is(refused("a/dangling"), ERROR.NotFound);
});

test("LastAsIs: the last component is never followed, a trailing slash after a non-directory is noted, not refused", () => {
  const flags = RESOLVE.Parent | RESOLVE.NoFollow | RESOLVE.LastAsIs;
  const toDirectory = resolve("a/todir/", flags);
  assert.equal([toDirectory.error, toDirectory.node, toDirectory.parent, toDirectory.name, toDirectory.trailingSlash],
    [ERROR.None, "/jail/a/todir", "/jail/a", "todir", true], "rmdir(\"link/\"): the link itself, for ENOTDIR");
  const file = resolve("a/file/", flags);
  assert.equal([file.error, file.node, file.trailingSlash], [ERROR.None, "/jail/a/file", true]);
  const dangling = resolve("a/dangling/", flags);
  assert.equal([dangling.error, dangling.node, dangling.parent, dangling.name], [ERROR.None, "/jail/a/dangling", "/jail/a", "dangling"],
    "mkdir(\"dangling/\"): the link exists (EEXIST), nothing is made where it points");
  assert.is(resolve("a/up/a/b", flags).node, "/jail/a/b", "links in the middle are still followed");
  assert.is(refused("a/file/x", flags), ERROR.NotADirectory, "a file in the middle is still refused");
});

test("symbolic links: relative from the link's directory, absolute from the namespace root, Follow or not for the last", () => {
  assert.is(found("a/tofile"), "/jail/a/file");
  assert.is(found("a/tofile", RESOLVE.NoFollow), "/jail/a/tofile");
  assert.is(found("a/todir/../c"), "/jail/a/b/c", "a link in the middle, then ..: from where the link led");
  assert.is(found("a/up/a/b"), "/jail/a/b");
  assert.is(found("a/abs"), "/jail/etc/passwd", "an absolute target starts at the namespace root");
  assert.is(found("/jail/a/abs", RESOLVE.Follow, "/"), "/etc/passwd", "the same link seen from the whole tree");
  assert.is(found("a/escape"), "/jail/etc/passwd", "../../../.. stops at the namespace root");
  assert.is(refused("a/tofile/x"), ERROR.NotADirectory, "a link to a file in the middle");
  assert.is(found("chain1"), "/jail/a", "40 links followed");
  assert.is(refused("chain0"), ERROR.TooManyLinks, "41 are too many");
  assert.is(found("chain0", RESOLVE.NoFollow), "/jail/chain0", "not following the last, nothing is followed");
  assert.is(refused("loop1"), ERROR.TooManyLinks);
  assert.is(refused("self"), ERROR.TooManyLinks);
  assert.is(refused("loop1/x"), ERROR.TooManyLinks);
  assert.is(found("loop1", RESOLVE.NoFollow), "/jail/loop1");
  assert.is(refused("self/", RESOLVE.NoFollow), ERROR.TooManyLinks, "a trailing slash follows");
});

test("the namespace root bounds everything: .., ../../.., a working directory outside it", () => {
  assert.is(found(".."), "/jail");
  assert.is(found("/../../.."), "/jail");
  assert.is(found("../../../etc/passwd", RESOLVE.Follow, "/jail", "/jail/a/b"), "/jail/etc/passwd");
  assert.is(found("/../etc/passwd"), "/jail/etc/passwd");
  assert.is(found("a/b/c/../../../../.."), "/jail");
  assert.is(found("../etc/passwd", RESOLVE.Follow, "/"), "/etc/passwd", "from the whole tree, the outer file");
  assert.is(refused("passwd", RESOLVE.Follow, "/jail", "/etc"), ERROR.NotFound, "a relative path from a cwd outside the root");
  assert.is(found("/etc/passwd", RESOLVE.Follow, "/jail", "/etc"), "/jail/etc/passwd", "an absolute one still works");
  const outside = e.contains(system, nodes.get("/jail"), nodes.get("/etc/passwd"));
  assert.is(outside, 0);
});

test("a working directory moved out of the namespace (renamed from outside) resolves nothing relative; a removed one finds nothing in itself", () => {
  assert.is(found("c", RESOLVE.Follow, "/jail", "/jail/a/b"), "/jail/a/b/c");
  const [a, outside] = h.put("a", "moved-out");
  assert.is(e.rename(system, nodes.get("/jail"), ...a, nodes.get("/"), ...outside), ERROR.None);
  assert.is(refused("c", RESOLVE.Follow, "/jail", "/jail/a/b"), ERROR.NotFound, "the cwd is no longer inside the root");
  assert.is(refused("../../../etc/passwd", RESOLVE.Follow, "/jail", "/jail/a/b"), ERROR.NotFound, "nor is anything above it");
  assert.is(found("/etc/passwd", RESOLVE.Follow, "/jail", "/jail/a/b"), "/jail/etc/passwd", "absolute paths still start at the root");
  assert.is(found("c", RESOLVE.Follow, "/", "/jail/a/b"), "/jail/a/b/c", "from the whole tree it is inside");
  const c = nodes.get("/jail/a/b/c")!;
  e.open(system, c);
  assert.is(e.rmdir(system, nodes.get("/jail/a/b"), ...h.put("c")[0]), ERROR.None);
  assert.is(refused("x", RESOLVE.Parent, "/", "/jail/a/b/c"), ERROR.NotFound, "nothing can be made in a removed directory");
  assert.is(found("..", RESOLVE.Follow, "/", "/jail/a/b/c"), "/jail/a/b", "its .. still leads to where it was");
  e.close(system, c);
});

test("limits: a component of 255 bytes, 256 too long; a path of 4095 bytes, 4096 too long; NUL refused", () => {
  assert.is(refused("a/" + "x".repeat(255)), ERROR.NotFound);
  assert.is(refused("a/" + "x".repeat(256)), ERROR.NameTooLong);
  assert.is(refused("x".repeat(256) + "/a"), ERROR.NameTooLong);
  const long = "./".repeat(2045) + "a/b";   // 4093 bytes
  assert.is(found(long + "/c"), "/jail/a/b/c", "4095 bytes");
  assert.is(refused(long + "/c/"), ERROR.NameTooLong, "4096 bytes");
  assert.is(refused(Buffer.from("a\0b")), ERROR.InvalidArgument);
  assert.is(refused("/".repeat(4095)), ERROR.None);
});

test("a seeded random walk of 3000 hostile paths never lands outside the namespace root", () => {
  const SEED = 0x9a7;
  const random = generator(SEED);
  const parts = ["..", ".", "", "a", "b", "c", "up", "abs", "escape", "todir", "tofile", "etc", "passwd", "loop1", "chain3", "missing"];
  const jail = nodes.get("/jail")!;
  const counts = new Map<number, number>();
  for (let round = 0; round < 3000; round++) {
    let path = random() < 0.5 ? "/" : "";
    const count = 1 + Math.floor(random() * 10);
    for (let i = 0; i < count; i++) path += (i ? "/" : "") + parts[Math.floor(random() * parts.length)];
    if (random() < 0.1) path += "/";
    const cwds = ["/jail", "/jail/a", "/jail/a/b/c", "/jail/etc"];
    const flags = Math.floor(random() * 4);
    const result = resolve(path, flags, "/jail", cwds[Math.floor(random() * cwds.length)]);
    counts.set(result.error, (counts.get(result.error) ?? 0) + 1);
    for (const handle of [e.resolvedNode(), e.resolvedParent()]) {
      if (handle < 0) continue;
      assert.ok(nameOf(handle)!.startsWith("/jail"), `seed ${SEED} round ${round}: ${path} led to ${nameOf(handle)}`);
      if (e.mode(handle) >>> 12 === S_IFDIR >>> 12) assert.ok(e.contains(system, jail, handle), `${path}: contains agrees`);
    }
  }
  assert.ok((counts.get(ERROR.None) ?? 0) > 300, "many resolve");
  assert.ok((counts.get(ERROR.NotFound) ?? 0) > 100, "many do not");
});

test.run();
