// Shared by the file-system host tests (cpio.test.ts, ramfs.test.ts, path.test.ts): compiles
// tests/host/entries/fs.ts once, instantiates it over fake hardware with the kernel's memory
// booted (frames in [32 MiB, 48 MiB) of the wasm memory), and wraps its flat exports: names go
// through the entry's scratch buffer, u64 results come back unsigned. Also a newc writer with
// every field settable (tools/cpio.ts writes the common case).

import { join } from "node:path";
import * as assert from "uvu/assert";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { fakeHardware, type FakeMachine } from "./fake-hardware";

// abi/errors.ts
export const ERROR = {
  None: 0, Malformed: 1, Truncated: 2, NotFound: 4, OutOfMemory: 5, InvalidArgument: 10, TableFull: 13, QuotaExceeded: 17, NotPermitted: 18,
  NotADirectory: 29, IsADirectory: 30, NotEmpty: 31, NameTooLong: 32, TooManyLinks: 33, Exists: 34, FileTooBig: 35, CrossDevice: 36,
};
export const S_IFREG = 0o100000, S_IFDIR = 0o040000, S_IFLNK = 0o120000, S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000;
/** NodeType (d_type values). */
export const TYPE = { CharacterDevice: 2, Directory: 4, Regular: 8, SymbolicLink: 10 };
export const RESOLVE = { NoFollow: 0, Follow: 1, Parent: 2, LastAsIs: 4 };
const REGION_START = 32 << 20, REGION_END = 48 << 20;

let module: WebAssembly.Module | null = null;

export interface Harness {
  e: Record<string, any>;
  wasm: AssemblyScriptModule;
  framesAtStart: bigint;
  /** Writes `parts` one after the other into the scratch buffer; their [address, length]s. */
  put(...parts: (string | Uint8Array)[]): [number, number][];
  bytes(address: number, length: number): Buffer;
  u64(value: bigint): bigint;
}

export function harness(): Harness {
  module ??= compileAssemblyScript(join(REPOSITORY, "tests/host/entries/fs.ts"));
  const machine = { serial: [], tsc: 0n, cr3: 0n, msrs: new Map() } as unknown as FakeMachine;
  machine.wasm = instantiate(module, { hw: fakeHardware(machine) });
  const e = machine.wasm.exports;
  machine.cr3 = BigInt(e.bootTablesAddress() >>> 0);
  const framesAtStart = e.setup(REGION_START, REGION_END);
  const scratch = e.scratch() >>> 0;
  const wasm = machine.wasm;
  return {
    e, wasm, framesAtStart,
    put(...parts) {
      let at = scratch;
      const placed: [number, number][] = [];
      for (const part of parts) {
        const bytes = typeof part === "string" ? Buffer.from(part, "latin1") : part;
        new Uint8Array(wasm.memory.buffer).set(bytes, at);
        placed.push([at, bytes.length]);
        at += (bytes.length + 15) & ~15;
      }
      return placed;
    },
    bytes: (address, length) => Buffer.from(wasm.bytes(address >>> 0, length)),
    u64: (value) => BigInt.asUintN(64, value),
  };
}

/** Where tests read into: far into the scratch buffer, clear of names. */
export const readArea = (h: Harness) => (h.e.scratch() >>> 0) + (512 << 10);

export function noAborts(h: Harness): void {
  assert.equal(h.wasm.aborts, [], "no abort");
}

// --- a newc writer with every field ---------------------------------------------------------

export interface CpioEntry {
  name: string | Buffer; mode: number; data?: Buffer | string; ino?: number; uid?: number; gid?: number; nlink?: number; mtime?: number;
  devMajor?: number; devMinor?: number; rdevMajor?: number; rdevMinor?: number; magic?: string;
}

const hex8 = (value: number) => (value >>> 0).toString(16).padStart(8, "0");

/** An archive of `entries` and a trailer; inodes default to the entry's position + 1. */
export function newc(entries: CpioEntry[], trailer = true): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (part: Buffer) => { parts.push(part); offset += part.length; };
  const pad = () => push(Buffer.alloc((4 - (offset % 4)) % 4));
  const all = trailer ? [...entries, { name: "TRAILER!!!", mode: 0 }] : entries;
  all.forEach((entry: CpioEntry, index) => {
    const name = typeof entry.name === "string" ? Buffer.from(entry.name, "latin1") : entry.name;
    const data = entry.data === undefined ? Buffer.alloc(0) : typeof entry.data === "string" ? Buffer.from(entry.data, "latin1") : entry.data;
    const fields = [entry.ino ?? index + 1, entry.mode, entry.uid ?? 0, entry.gid ?? 0, entry.nlink ?? 1, entry.mtime ?? 0, data.length,
      entry.devMajor ?? 0, entry.devMinor ?? 0, entry.rdevMajor ?? 0, entry.rdevMinor ?? 0, name.length + 1, 0];
    push(Buffer.from((entry.magic ?? "070701") + fields.map(hex8).join(""), "ascii"));
    push(Buffer.concat([name, Buffer.from([0])]));
    pad();
    push(data);
    pad();
  });
  return Buffer.concat(parts);
}
