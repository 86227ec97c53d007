// Compiles an AssemblyScript host-test entry to wasm (asconfig.json target "host-test") and
// instantiates it under Node with the given fake imports; helpers pass strings in and bytes out.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";

export interface AssemblyScriptModule {
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  /** Copies a JS string into a new, pinned AssemblyScript string; returns its address. */
  string(value: string): number;
  bytes(address: number, length: number): Uint8Array;
  /** Messages of every abort() the module called. */
  aborts: string[];
  /** The AssemblyScript string at `address`. */
  readString(address: number): string;
  /** Copies `bytes` so that they end exactly at `end` (the end of linear memory, for parsers of
   * untrusted input: a read past them traps); returns their address. */
  placeAtEnd(bytes: Uint8Array, end: number): number;
}

export function compileAssemblyScript(entry: string): WebAssembly.Module {
  const output = join(REPOSITORY, "build/host", basename(entry).replace(/\.ts$/, ".wasm"));
  mkdirSync(join(REPOSITORY, "build/host"), { recursive: true });
  execFileSync(join(REPOSITORY, "node_modules/.bin/asc"), [entry, "--config", "asconfig.json", "--target", "host-test", "-o", output], {
    cwd: REPOSITORY,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return new WebAssembly.Module(readFileSync(output));
}

export function instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports = {}): AssemblyScriptModule {
  const aborts: string[] = [];
  let memory: WebAssembly.Memory;
  const readString = (address: number): string => {
    if (!address) return "(null)";
    const length = new Uint32Array(memory.buffer, address - 4, 1)[0];
    return Buffer.from(memory.buffer, address, length).toString("utf16le");
  };
  const env = {
    abort(message: number, file: number, line: number, column: number) {
      aborts.push(`${readString(message)} at ${readString(file)}:${line}:${column}`);
      throw new Error(`abort: ${aborts[aborts.length - 1]}`);
    },
    ...(imports.env ?? {}),
  };
  const instance = new WebAssembly.Instance(module, { ...imports, env });
  const exports = instance.exports as Record<string, any>;
  memory = exports.memory as WebAssembly.Memory;
  const STRING_CLASS_ID = 2; // AssemblyScript's built-in String
  return {
    exports,
    memory,
    aborts,
    string(value: string): number {
      const address = exports.__new(value.length * 2, STRING_CLASS_ID) as number;
      const units = new Uint16Array(memory.buffer, address, value.length);
      for (let i = 0; i < value.length; i++) units[i] = value.charCodeAt(i);
      exports.__pin(address);
      return address;
    },
    bytes(address: number, length: number): Uint8Array {
      return new Uint8Array(memory.buffer.slice(address, address + length));
    },
    readString,
    placeAtEnd(bytes: Uint8Array, end: number): number {
      const address = end - bytes.length;
      new Uint8Array(memory.buffer).set(bytes, address);
      return address;
    },
  };
}
