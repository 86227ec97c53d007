// execve and execveat (docs/linux.md, "execve"): the calling process gets a new program from a
// file of its namespace, in a new address space, keeping its id, its capabilities and every
// descriptor but the close-on-exec ones. Everything that can fail is checked before the old
// space goes (the path, the arguments, the ELF file, the frames and the account), so a failed
// exec returns to the caller unchanged. A file starting with `#!` names its interpreter, which
// is run with the script's path as an argument, at most EXEC_SCRIPT_DEPTH deep (then ELOOP).

import { KernelError, kernelErrorName } from "../../abi/errors";
import { contextForget } from "../arch/hw";
import { CONTEXT_SIZE, contextInitialise } from "../arch/context";
import { framesFree } from "../memory/frames";
import { Node } from "../fs/node";
import { resolve, Resolution, Resolve } from "../fs/path";
import { execProgram, execProgramRelease, execProgramSharedPages } from "../loader/exec-program";
import { LINUX_ARGUMENTS_MAXIMUM, linuxArgumentsBytes, linuxImageMap } from "../loader/linux-image";
import { logEnd, LogLevel, logLine } from "../log/log";
import { NamespaceObject } from "../objects/namespace";
import { spawnBytesNeeded, spawnFramesNeeded } from "../objects/spawn";
import { generatorFill } from "../random/generator";
import { processReplaceSpace } from "../sched/process";
import { Thread } from "../sched/thread";
import { AddressSpace } from "../vm/address-space";
import { copyIn } from "../vm/user-memory";
import { procCrossed, procFind, procNodeIs } from "./sys-proc";
import { Errno } from "./errno";
import { FD_CLOEXEC, LINUX_DESCRIPTORS, LinuxProcess } from "./linux-process";
import { linuxSignalsExec } from "./signal";
import { linuxEndOtherThreads } from "./sys-thread";
import { closeDescriptor } from "./sys-files";
import { namespaceOf, pathIn, pathBuffer, restBuffer, startOf } from "./sys-path";

const AT_FDCWD: i32 = -100;
const AT_EMPTY_PATH: u64 = 0x1000, AT_SYMLINK_NOFOLLOW: u64 = 0x100;
/** How many `#!` interpreters one exec follows (Linux stops at 5 with ELOOP: the script and four). */
const EXEC_SCRIPT_DEPTH: i32 = 4;
/** The bytes of a `#!` line looked at (Linux's BINPRM_BUF_SIZE). */
const SCRIPT_LINE_MAXIMUM: i32 = 256;
const HEAD_SIZE: u64 = 4096;

class ExecState {
  /** The file's first page. */
  readonly head: usize = memory.data(<i32>HEAD_SIZE, 16);
  /** A pointer of argv or envp, or a string's bytes, on their way in. */
  readonly word: usize = memory.data(8, 8);
  readonly chunk: usize = memory.data(4096, 16);
  /** AT_RANDOM's bytes. */
  readonly random: usize = memory.data(16, 16);
}
const state = new ExecState();

class Strings {
  list: ArrayBuffer[] = [];
  bytes: u64 = 0;
  error: i64 = 0;
}

/** The NUL-terminated strings of the NULL-terminated array at `address` (argv, envp; 0 is an empty
 * array, as Linux takes it), at most `budget` bytes with their pointers: E2BIG past it, EFAULT
 * for an unreadable pointer or string. */
function stringsIn(thread: Thread, address: u64, budget: u64): Strings {
  const result = new Strings();
  if (address == 0) return result;
  const space = thread.process.space;
  for (let index: u64 = 0; ; index++) {
    if (copyIn(space, state.word, 8, address + index * 8, 8) != KernelError.None) { result.error = -(<i64>Errno.EFAULT); return result; }
    const pointer = load<u64>(state.word);
    if (pointer == 0) return result;
    result.bytes += 8;
    // The string, a page-bounded chunk at a time, up to its NUL.
    const bytes = new Array<u8>();
    let at = pointer;
    for (;;) {
      if (result.bytes + <u64>bytes.length >= budget) { result.error = -(<i64>Errno.E2BIG); return result; }
      const chunk = min(<u64>4096 - (at & 4095), budget - result.bytes - <u64>bytes.length);
      if (copyIn(space, state.chunk, 4096, at, chunk) != KernelError.None) {
        // The end of the readable range may hold the NUL: byte by byte up to it.
        if (copyIn(space, state.chunk, 4096, at, 1) != KernelError.None) { result.error = -(<i64>Errno.EFAULT); return result; }
        const byte = load<u8>(state.chunk);
        bytes.push(byte);
        at++;
        if (byte == 0) break;
        continue;
      }
      let ended = false;
      for (let i: u64 = 0; i < chunk; i++) {
        const byte = load<u8>(state.chunk + <usize>i);
        bytes.push(byte);
        if (byte == 0) { ended = true; break; }
      }
      if (ended) break;
      at += chunk;
    }
    result.list.push(bufferOf(bytes));
    result.bytes += <u64>bytes.length;
  }
  return result;
}

function bufferOf(bytes: Array<u8>): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes.length);
  for (let i = 0; i < bytes.length; i++) store<u8>(changetype<usize>(buffer) + <usize>i, unchecked(bytes[i]));
  return buffer;
}

/** `length` bytes at `address` and a NUL. */
function bufferFrom(address: usize, length: i32): ArrayBuffer {
  const buffer = new ArrayBuffer(length + 1);
  memory.copy(changetype<usize>(buffer), address, <usize>length);
  store<u8>(changetype<usize>(buffer) + <usize>length, 0);
  return buffer;
}

/** What an exec resolves its file to. */
class Found {
  node: Node | null = null;
  error: i64 = 0;
}

/** The regular, executable file `path` (NUL-terminated bytes) names from `dirfd`. */
function findFile(thread: Thread, linux: LinuxProcess, namespace: NamespaceObject, dirfd: u64, path: ArrayBuffer, follow: bool): Found {
  const found = new Found();
  const length = path.byteLength - 1;
  const error = new StaticArray<i64>(1);
  const start = startOf(thread, linux, namespace, dirfd, error, changetype<usize>(path));
  if (start === null) { found.error = error[0]; return found; }
  // A path into /proc (docs/linux.md, "procfs"): /proc/self/exe runs the program's file again; procfs's own
  // files run nothing (EACCES). Any other path from a procfs directory starts at the root.
  const flags: u32 = follow ? Resolve.Follow : Resolve.NoFollow;
  let place = procFind(linux, namespace, start, changetype<usize>(path), <u64>length, follow, flags);
  let resolution: Resolution | null = null;
  if (place === null) {
    resolution = resolve(namespace.fileSystem, namespace.root, procNodeIs(start) ? namespace.root : start, changetype<usize>(path), <u64>length, flags,
      restBuffer());
    if (resolution.crossed) place = procCrossed(linux, namespace, restBuffer(), resolution.restLength, follow, flags);
  }
  if (place !== null && place.resolution === null) {
    if (place.errno != 0) { found.error = -(<i64>place.errno); return found; }
    if (place.fileSystem !== namespace.fileSystem) { found.error = -(<i64>Errno.EACCES); return found; }
    resolution = new Resolution();
    resolution.node = place.node;
  } else if (place !== null) resolution = place.resolution;
  if (resolution!.error != KernelError.None || resolution!.node === null) {
    found.error = resolution!.error == KernelError.TooManyLinks ? -(<i64>Errno.ELOOP)
      : resolution!.error == KernelError.NotADirectory ? -(<i64>Errno.ENOTDIR)
      : resolution!.error == KernelError.NameTooLong ? -(<i64>Errno.ENAMETOOLONG) : -(<i64>Errno.ENOENT);
    return found;
  }
  const node = resolution!.node!;
  if (node.isSymbolicLink) { found.error = -(<i64>Errno.ELOOP); return found; }   // AT_SYMLINK_NOFOLLOW
  // Linux: only a regular file with an execute bit runs (a directory or a device is EACCES).
  if (!node.isRegular || (node.mode & 0o111) == 0) { found.error = -(<i64>Errno.EACCES); return found; }
  found.node = node;
  return found;
}

/** A `#!` line's interpreter and its one optional argument (Linux splits nothing more). */
class Script {
  interpreter: ArrayBuffer | null = null;
  argument: ArrayBuffer | null = null;
}

/** The `#!` line of the file whose first `length` bytes are at `head` (they start with "#!"), read
 * as Linux's binfmt_script reads its 256-byte buffer (zero past the file's end): the line ends at
 * the first newline, else the buffer's last byte, provided the name is not cut; the interpreter's
 * name ends at a space, tab or NUL; the optional argument is the rest up to a NUL, trailing spaces
 * and tabs trimmed. A null interpreter: none named, or cut (ENOEXEC). */
function scriptOf(head: usize, length: i32): Script {
  const script = new Script();
  const line = state.chunk;   // SCRIPT_LINE_MAXIMUM bytes, zero past the file
  memory.fill(line, 0, <usize>SCRIPT_LINE_MAXIMUM);
  memory.copy(line, head, <usize>min(length, SCRIPT_LINE_MAXIMUM));
  const last = SCRIPT_LINE_MAXIMUM - 1;
  let end = -1;
  for (let i = 0; i < SCRIPT_LINE_MAXIMUM; i++) if (load<u8>(line + <usize>i) == 0x0a) { end = i; break; }
  if (end < 0) {
    const first = nonBlank(line, 2, last);
    if (first < 0 || terminator(line, first, last) < 0) return script;   // all blank, or the name cut
    end = last;
  }
  while (end > 2 && isBlank(load<u8>(line + <usize>(end - 1)))) end--;
  store<u8>(line + <usize>end, 0);
  const name = nonBlank(line, 2, end);
  if (name < 0 || name == end) return script;
  const separator = terminator(line, name, end);
  const nameEnd = separator >= 0 ? separator : end;
  if (load<u8>(line + <usize>name) == 0) return script;
  script.interpreter = bufferFrom(line + <usize>name, nameEnd - name);
  if (separator >= 0 && load<u8>(line + <usize>separator) != 0) {
    const argument = nonBlank(line, separator, end);
    if (argument >= 0 && argument < end && load<u8>(line + <usize>argument) != 0) {
      let argumentEnd = argument;
      while (argumentEnd < end && load<u8>(line + <usize>argumentEnd) != 0) argumentEnd++;
      script.argument = bufferFrom(line + <usize>argument, argumentEnd - argument);
    }
  }
  return script;
}

/** The first index in [first, last] whose byte is not a space or tab, or -1. */
function nonBlank(line: usize, first: i32, last: i32): i32 {
  for (let i = first; i <= last; i++) if (!isBlank(load<u8>(line + <usize>i))) return i;
  return -1;
}

/** The first index in [first, last] whose byte is a space, a tab or NUL, or -1. */
function terminator(line: usize, first: i32, last: i32): i32 {
  for (let i = first; i <= last; i++) {
    const byte = load<u8>(line + <usize>i);
    if (isBlank(byte) || byte == 0) return i;
  }
  return -1;
}

@inline function isBlank(byte: u8): bool {
  return byte == 0x20 || byte == 0x09;
}

/** The last part of `path` (its bytes with a NUL), as the process's name (at most 15 bytes). */
function nameOf(path: ArrayBuffer): string {
  const bytes = changetype<usize>(path), length = path.byteLength - 1;
  let start = 0;
  for (let i = 0; i < length; i++) if (load<u8>(bytes + <usize>i) == 0x2f) start = i + 1;
  let name = "";
  for (let i = start; i < length && name.length < 15; i++) {
    const byte = load<u8>(bytes + <usize>i);
    name += String.fromCharCode(byte >= 0x20 && byte < 0x7f ? byte : 0x3f);
  }
  return name;
}

/** execve(path, argv, envp) and execveat(dirfd, path, argv, envp, flags). */
export function sysExecve(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, argvAddress: u64, envpAddress: u64, flags: u64): i64 {
  if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) != 0) return -(<i64>Errno.EINVAL);
  const pathLength = pathIn(thread, path);
  if (pathLength < 0) return pathLength;
  if (pathLength == 0) return -(<i64>Errno.ENOENT);   // AT_EMPTY_PATH (fexecve) is not supported: no descriptor names a program's file yet
  let filename = bufferFrom(pathBuffer(), <i32>pathLength);
  const namespace = namespaceOf(thread, linux);
  if (namespace === null) return -(<i64>Errno.ENOENT);
  const fileSystem = namespace.fileSystem;
  const execFilename = filename;
  // As Linux: the file is found before the arguments are read.
  let found = findFile(thread, linux, namespace, dirfd, filename, (flags & AT_SYMLINK_NOFOLLOW) == 0);
  if (found.node === null) return found.error;
  const argv = stringsIn(thread, argvAddress, LINUX_ARGUMENTS_MAXIMUM);
  if (argv.error != 0) return argv.error;
  const envp = stringsIn(thread, envpAddress, LINUX_ARGUMENTS_MAXIMUM - argv.bytes);
  if (envp.error != 0) return envp.error;
  // An empty argv gets one empty string, as Linux gives it (so argv[0] exists).
  if (argv.list.length == 0) argv.list.push(new ArrayBuffer(1));

  // The file, through its `#!` interpreters.
  let arguments = argv.list;
  let node: Node | null = null;
  let headLength: i64 = 0;
  for (let depth = 0; ; depth++) {
    if (depth > 0) {
      found = findFile(thread, linux, namespace, <u64><i64>AT_FDCWD, filename, true);
      if (found.node === null) return found.error;
    }
    headLength = fileSystem.read(found.node!, 0, state.head, HEAD_SIZE);
    if (headLength < 0) return -(<i64>Errno.EIO);
    if (headLength < 2 || load<u16>(state.head) != 0x2123) { node = found.node; break; }   // not "#!"
    if (depth == EXEC_SCRIPT_DEPTH) return -(<i64>Errno.ELOOP);
    const script = scriptOf(state.head, <i32>headLength);
    if (script.interpreter === null) return -(<i64>Errno.ENOEXEC);
    // argv becomes: the interpreter, its argument, the script's path, then argv[1..].
    const next: ArrayBuffer[] = [script.interpreter!];
    if (script.argument !== null) next.push(script.argument!);
    next.push(filename);
    for (let i = 1; i < arguments.length; i++) next.push(arguments[i]);
    arguments = next;
    filename = script.interpreter!;
  }
  if (linuxArgumentsBytes(arguments, envp.list) + <u64>execFilename.byteLength > LINUX_ARGUMENTS_MAXIMUM) return -(<i64>Errno.E2BIG);

  // The program, its frames and the account.
  const process = thread.process;
  const loaded = execProgram(fileSystem, node!, nameOf(execFilename), process.program.policy, state.head, <u64>headLength);
  if (loaded.interpreter.length > 0) return interpreterRefused(thread, linux, namespace, loaded.interpreter);
  if (loaded.program === null) {
    logLine(LogLevel.Info).text("linux: process ").decimal(process.id).text(": execve of a file refused (").text(kernelErrorName(loaded.error))
      .text("): ").text(loaded.reason);
    logEnd();
    return loaded.error == KernelError.OutOfMemory ? -(<i64>Errno.ENOMEM) : -(<i64>Errno.ENOEXEC);
  }
  const program = loaded.program!;
  const privatePages = loaded.cached ? 0 : execProgramSharedPages(program);
  const frames = spawnFramesNeeded(program) + privatePages;
  if (framesFree() < frames || process.account.kernelFits(spawnBytesNeeded(program), frames) != KernelError.None) {
    if (!loaded.cached) execProgramRelease(program);
    return -(<i64>Errno.ENOMEM);
  }
  const space = AddressSpace.create();
  if (space === null) {
    if (!loaded.cached) execProgramRelease(program);
    return -(<i64>Errno.ENOMEM);
  }
  generatorFill(state.random, 16);
  const image = linuxImageMap(space!, program, process.account, arguments, envp.list, state.random, execFilename);
  if (!loaded.cached) execProgramRelease(program);   // the new space holds its pages now
  linux.writeBackToVforkParent();   // the old memory goes now: what a vfork child wrote, its parent keeps
  linuxEndOtherThreads(thread, linux);   // Linux's de_thread: the caller goes on alone
  if (processReplaceSpace(process, space!) != KernelError.None) {
    space!.destroy();
    return -(<i64>Errno.ENOMEM);
  }

  // The point of no return: the new program's thread, and the personality as execve leaves it.
  const context = thread.context;
  contextForget(context);
  memory.fill(<usize>context, 0, CONTEXT_SIZE);
  contextInitialise(<usize>context, image.entry, image.stackPointer);
  for (let fd = 0; fd < LINUX_DESCRIPTORS; fd++) {
    if (linux.descriptors[fd] != 0 && (linux.descriptorFlags[fd] & FD_CLOEXEC) != 0) closeDescriptor(thread, linux, fd);
  }
  const own = linux.threadOf(thread);
  linuxSignalsExec(linux, own);   // caught signals to SIG_DFL, ignored ones kept, the mask and pending kept
  process.accountUncharge(0, linux.imagePages);
  process.accountCharge(0, privatePages);
  linux.imagePages = privatePages;
  linux.breakStart = image.breakStart;
  linux.breakCurrent = image.breakStart;
  linux.breakMapped = image.breakStart;
  linux.argumentsStart = image.argumentsStart;
  linux.argumentsEnd = image.argumentsEnd;
  own.tid = process.id;   // the thread that execs takes the process's id, as on Linux
  own.clearChildTid = 0;
  own.robustList = 0;
  own.sleepDeadline = 0;
  own.sleepAt = 0;
  own.writeAt = 0;
  own.writeDone = 0;
  own.readAt = 0;
  own.readDone = 0;
  linux.name = program.name;
  linux.setExe(fileSystem, node!);
  process.program = program;
  linux.releaseVforkParent();
  return 0;
}

/** A dynamically linked program: ENOENT when its interpreter is not in the namespace (Linux's
 * answer); when it is, ENOEXEC, since Capsid does not load interpreters yet (logged). */
function interpreterRefused(thread: Thread, linux: LinuxProcess, namespace: NamespaceObject, interpreter: string): i64 {
  const path = String.UTF8.encode(interpreter, true);
  const found = findFile(thread, linux, namespace, <u64><i64>AT_FDCWD, path, true);
  if (found.node === null) return -(<i64>Errno.ENOENT);
  logLine(LogLevel.Info).text("linux: process ").decimal(thread.process.id).text(": execve of a dynamically linked program (interpreter ")
    .text(interpreter).text("): not supported, ENOEXEC");
  logEnd();
  return -(<i64>Errno.ENOEXEC);
}
