// files-check: reads files of the boot package through its BootFiles grant and prints each one's
// size and SHA-256 (tests/qemu/boot-files.test.ts compares them with the host's copies), then
// checks the refusals: a missing name, a name too long, an offset past the end, a buffer that is
// not its memory, and the cap on one read's length. Exits 0 when every check held.

import { BootFiles, bootFilesNameAndOffset, Console } from "../../rt/index";
import { Sha256 } from "../../rt/sha256";
import { KernelError, kernelErrorName } from "../../../abi/errors";
import { BOOT_FILE_READ_MAXIMUM, BootFilesMethod } from "../../../abi/methods";
import { Opcode } from "../../../abi/ring";
import { ringCall, userAddress } from "../../rt/ring";

const CHUNK: usize = 16384;
const FILES: string[] = ["index.html", "hello.txt", "blob.bin", "manifest"];

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const files = BootFiles.granted();
  if (files === null) {
    console.line("files-check: no boot-files grant");
    return 2;
  }
  const buffer = memory.data(<i32>CHUNK, 16);
  const hash = new Sha256();
  let failures = 0;
  for (let i = 0; i < FILES.length; i++) {
    const name = FILES[i];
    const size = files.size(name);
    if (size < 0) {
      console.line("files-check: " + name + ": size failed: " + kernelErrorName(<KernelError>(-size)));
      failures++;
      continue;
    }
    hash.reset();
    let offset: u64 = 0;
    for (;;) {
      const count = files.read(name, offset, buffer, CHUNK);
      if (count <= 0) {
        if (count < 0) { console.line("files-check: " + name + ": read failed: " + kernelErrorName(<KernelError>(-count))); failures++; }
        break;
      }
      hash.update(buffer, <usize>count);
      offset += <u64>count;
    }
    if (offset != <u64>size) { console.line("files-check: " + name + ": read " + offset.toString() + " bytes of " + size.toString()); failures++; }
    console.line("files-check: " + name + " " + size.toString() + " bytes sha256 " + hash.finish());
  }
  failures += expect(console, "a missing file", files.size("no-such-file"), KernelError.NotFound);
  failures += expect(console, "an empty name", files.size(""), KernelError.NotFound);
  failures += expect(console, "a name of 256 bytes", files.size("x".repeat(256)), KernelError.InvalidArgument);
  failures += expect(console, "an offset past the end", files.read("hello.txt", 1 << 40, buffer, CHUNK), 0);
  failures += expect(console, "a buffer in the kernel half", ringCall(Opcode.Call, files.handle, BootFilesMethod.Read,
    userAddress(changetype<usize>(String.UTF8.encode("hello.txt"))), bootFilesNameAndOffset(9, 0), 0xffff_8000_0000_0000, 16),
    KernelError.BadAddress);
  failures += expect(console, "a name at an unmapped address", ringCall(Opcode.Call, files.handle, BootFilesMethod.Size, 0x10, 4),
    KernelError.BadAddress);
  failures += expect(console, "an unknown method", ringCall(Opcode.Call, files.handle, 2), KernelError.UnknownMethod);
  failures += expect(console, "a capacity of 0", files.read("hello.txt", 6, buffer, 0), 0);
  // A read copies at most BOOT_FILE_READ_MAXIMUM bytes, whatever the capacity (big holds that many).
  const big = memory.data(<i32>BOOT_FILE_READ_MAXIMUM, 16);
  const most = files.read("blob.bin", 1, big, 1 << 30);
  if (most != <i64>BOOT_FILE_READ_MAXIMUM) { console.line("files-check: a read of 1 GiB copied " + most.toString()); failures++; }
  console.line(failures == 0 ? "files-check: PASS" : "files-check: FAIL (" + failures.toString() + ")");
  return failures == 0 ? 0 : 3;
}

/** 0 when `result` is -`expected` (a KernelError; None stands for a count of 0), else 1 with a
 * line saying what came instead. */
function expect(console: Console, what: string, result: i64, expected: i64): i32 {
  const wanted = expected == 0 ? 0 : -expected;
  if (result == wanted) return 0;
  console.line("files-check: " + what + ": got " + result.toString() + ", expected " + wanted.toString());
  return 1;
}
