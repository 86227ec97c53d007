// Host tests of procfs's text (kernel/linux/proc-text.ts), compiled to wasm with asc and run
// under Node: a maps line, the stat line and meminfo and uptime as Linux 6.1 prints them
// (fs/proc/task_mmu.c, array.c, meminfo.c, uptime.c), and text cut at the buffer's end without
// a byte written past it.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";

const text = suite("procfs text");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
const SENTINEL = 0xa5;

text.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/proc-text.ts"));
});
/** The storage and the bytes after it back to the sentinel. */
function clear(): void {
  const base = wasm.exports.storageAddress();
  new Uint8Array((wasm.exports.memory as WebAssembly.Memory).buffer).fill(SENTINEL, base, base + 8192 + 64);
}

text.before.each(() => {
  wasm = instantiate(module);
  clear();
});

/** What a formatter wrote, checking nothing went past `capacity`. */
function written(capacity: number, length: number): string {
  assert.ok(length <= capacity, `${length} bytes within ${capacity}`);
  const base = wasm.exports.storageAddress();
  const after = wasm.bytes(base + capacity, 64);
  assert.ok(after.every((byte: number) => byte === SENTINEL), "nothing written past the capacity");
  return Buffer.from(wasm.bytes(base, length)).toString("latin1");
}

text("a maps line without a name ends in a space after the inode, as Linux's", () => {
  const length = wasm.exports.mapsLine(4096, 0x400000n, 0x401000n, 1 | 4, 0n, 0, 0, 0n, wasm.string(""));
  assert.is(written(4096, length), "00400000-00401000 r-xp 00000000 00:00 0 \n");
});

text("a named line pads the name to column 74; permissions rw-p, r--s", () => {
  const length = wasm.exports.mapsLine(4096, 0x7ffffffde000n, 0x7ffffffff000n, 1 | 2, 0n, 0, 0, 0n, wasm.string("[stack]"));
  const line = written(4096, length);
  assert.is(line, "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0" + " ".repeat(73 - 47) + "[stack]\n");
  assert.is(line.indexOf("[stack]"), 73);
  const shared = wasm.exports.mapsLine(4096, 0x1000n, 0x2000n, 1 | 8, 0x3000n, 0, 1, 42n, wasm.string("/bin/x"));
  assert.match(written(4096, shared), /^00001000-00002000 r--s 00003000 00:01 42 +\/bin\/x\n$/);
});

text("the stat line has 52 fields in Linux's order", () => {
  const length = wasm.exports.statLine(4096, 7, wasm.string("my prog"), 1, 7, 3, 250n, 1048576n, 64n, 0x10002n, 0x4000n);
  const line = written(4096, length);
  assert.ok(line.endsWith("\n"));
  const after = line.slice(line.lastIndexOf(")") + 2).trimEnd().split(" ");
  assert.is(line.slice(0, line.lastIndexOf(")") + 1), "7 (my prog)");
  assert.is(after.length + 2, 52, "52 fields");
  const field = (n: number) => after[n - 3];   // 1-based, as proc(5) numbers them
  assert.is(field(3), "R");
  assert.is(field(4), "1");
  assert.is(field(5), "7");
  assert.is(field(6), "3");
  assert.is(field(8), "-1", "no foreground group");
  assert.is(field(20), "1", "one thread");
  assert.is(field(22), "250", "starttime");
  assert.is(field(23), "1048576", "vsize");
  assert.is(field(24), "64", "rss");
  assert.is(field(25), "18446744073709551615", "rsslim");
  assert.is(field(32), String(0x10002), "blocked");
  assert.is(field(34), String(0x4000), "caught");
  assert.is(field(38), "17", "exit_signal SIGCHLD");
});

text("meminfo: the name padded to 16 columns, kB right-aligned in 8", () => {
  const length = wasm.exports.meminfo(8192, 65536n, 1000n);
  const lines = written(8192, length).split("\n");
  assert.is(lines[0], "MemTotal:         262144 kB");
  assert.is(lines[1], "MemFree:            4000 kB");
  assert.is(lines[2], "MemAvailable:       4000 kB");
  assert.is(lines[lines.length - 1], "", "ends in a newline");
  for (const line of lines.slice(0, -1)) assert.match(line, /^[A-Za-z_()]+: +\d+ kB$/);
});

text("uptime: seconds with two decimals", () => {
  assert.is(written(64, wasm.exports.uptime(64, 12_345_678_901n, 5_000_000n)), "12.34 0.00\n");
  assert.is(written(64, wasm.exports.uptime(64, 0n, 100_000_000_000n)), "0.00 100.00\n");
});

text("text is cut at the capacity, never past it", () => {
  const length = wasm.exports.meminfo(40, 65536n, 1000n);
  assert.is(length, 40);
  assert.is(written(40, length), "MemTotal:         262144 kB\nMemFree:    ");
  clear();
  assert.is(written(4, wasm.exports.hex(4, 0xdeadbeefn, 8)), "dead");
  clear();
  assert.is(written(16, wasm.exports.hex(16, 0xbeefn, 8)), "0000beef");
});

text.run();
