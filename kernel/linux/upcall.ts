// The prototype of the other place the translation could run (docs/ARCHITECTURE.md, "Where the
// Linux translation runs"): an adapter inside the process, reached by an upcall. Kept only to
// measure it (`linux-entry=upcall` on the command line; bench/linux.ts); the personality runs in
// the kernel (syscall.ts). With it on, a Linux process gets two more pages above its mmap area:
// the adapter's code (read-execute) and its frame and stack (read-write). A Linux SYSCALL then
// does not run the call: the kernel saves the caller's RIP, RSP and RFLAGS in the frame and
// resumes the thread in the adapter, with every other register as the program left it. The
// adapter answers getpid from the frame (where a real adapter would keep its process's state)
// and sends every other call back to the kernel as LINUX_DIRECT + number, a second SYSCALL that
// runs the call here; then it restores the flags and stack and jumps back to the caller. So a call
// the adapter can answer costs one kernel entry, as the kernel path does, and any call that needs
// the kernel costs two.

import { CONTEXT_RFLAGS, CONTEXT_RIP, CONTEXT_RSP, contextRead, contextWrite } from "../arch/context";
import { PAGE_SIZE } from "../memory/page-table";
import { Process, processSettleSpace } from "../sched/process";
import { Thread } from "../sched/thread";
import { KernelErrorCell, UserAccess } from "../vm/address-space";
import { Backing } from "../vm/regions";
import { LINUX_MMAP_TOP } from "../loader/linux-image";

/** The adapter's code page; its frame page follows. Between the mmap area and the stack's reach. */
export const UPCALL_CODE: u64 = (LINUX_MMAP_TOP + PAGE_SIZE) & ~(PAGE_SIZE - 1);
export const UPCALL_FRAME: u64 = UPCALL_CODE + PAGE_SIZE;
/** What the adapter adds to a call's number to have the kernel run it (never a Linux number). */
export const LINUX_DIRECT: u64 = 0x4c00_0000;
/** Frame words: the caller's RIP, RSP and RFLAGS, and the process id the adapter answers getpid with. */
const FRAME_RIP: usize = 0, FRAME_RSP: usize = 8, FRAME_RFLAGS: usize = 16, FRAME_PID: usize = 24;

/** The adapter, x86-64 machine code at UPCALL_CODE with its frame at +0x1000 (assembled with
 * `gcc -c` and `ld -Ttext=0 --oformat binary` from):
 *     cmpq $39, %rax                        # getpid: answered here
 *     jne 1f
 *     movq entry+0x1000+24(%rip), %rax
 *     jmp 2f
 *  1: addq $0x4c000000, %rax                # anything else: LINUX_DIRECT + number, to the kernel
 *     syscall
 *  2: pushq entry+0x1000+16(%rip)           # the caller's flags, stack and return address
 *     popfq
 *     movq entry+0x1000+8(%rip), %rsp
 *     jmp *entry+0x1000(%rip)                                                                      */
const ADAPTER: u8[] = [
  0x48, 0x83, 0xf8, 0x27, 0x75, 0x09, 0x48, 0x8b, 0x05, 0x0b, 0x10, 0x00, 0x00, 0xeb, 0x08, 0x48, 0x05, 0x00, 0x00, 0x00, 0x4c,
  0x0f, 0x05, 0xff, 0x35, 0xf3, 0x0f, 0x00, 0x00, 0x9d, 0x48, 0x8b, 0x25, 0xe3, 0x0f, 0x00, 0x00, 0xff, 0x25, 0xd5, 0x0f, 0x00, 0x00,
];

class UpcallState {
  enabled: bool = false;
}
const state = new UpcallState();

export function upcallEnable(enabled: bool): void {
  state.enabled = enabled;
}

export function upcallEnabled(): bool {
  return state.enabled;
}

/** Maps the adapter's two pages into `process` (at spawn, before it runs); returns the frame page's
 * physical address, or 0 when a frame was missing (the process then uses the kernel path). */
export function upcallMap(process: Process): u64 {
  const space = process.space, error = new KernelErrorCell();
  const code = space.mapNew(UPCALL_CODE, UserAccess.ReadExecute, error);
  if (code == 0) return 0;
  const frame = space.mapNew(UPCALL_FRAME, UserAccess.ReadWrite, error);
  if (frame == 0) return 0;
  space.addRegion(UPCALL_CODE, UPCALL_CODE + PAGE_SIZE, UserAccess.ReadExecute, Backing.Fixed);
  space.addRegion(UPCALL_FRAME, UPCALL_FRAME + PAGE_SIZE, UserAccess.ReadWrite, Backing.Fixed);
  for (let i = 0; i < ADAPTER.length; i++) store<u8>(<usize>code + <usize>i, ADAPTER[i]);
  store<u64>(<usize>frame + FRAME_PID, <u64>process.id);
  processSettleSpace(process);
  return frame;
}

/** Sends the call `thread` just made to its adapter: the caller's RIP, RSP and RFLAGS into the
 * frame (physical `frame`), the thread resumed at the adapter on the frame page's stack. */
export function upcall(thread: Thread, frame: u64): void {
  const context = <usize>thread.context;
  store<u64>(<usize>frame + FRAME_RIP, contextRead(context, CONTEXT_RIP));
  store<u64>(<usize>frame + FRAME_RSP, contextRead(context, CONTEXT_RSP));
  store<u64>(<usize>frame + FRAME_RFLAGS, contextRead(context, CONTEXT_RFLAGS));
  contextWrite(context, CONTEXT_RIP, UPCALL_CODE);
  contextWrite(context, CONTEXT_RSP, UPCALL_FRAME + PAGE_SIZE - 64);
}
