// The signal frame (docs/linux.md, "Signals"): Linux's x86-64 rt_sigframe, written on the user
// stack when a handler runs (signal-deliver.ts) and read back by rt_sigreturn, which treats it as
// hostile input: every field is checked or sanitised before it reaches the thread's context.
//
//   frame (RSP at the handler's entry, 16n - 8)            fpstate (64-byte aligned, above)
//   +0    return address = sa_restorer                     +0   FXSAVE image, 512 bytes
//   +8    ucontext: uc_flags, uc_link, uc_stack (24)             (bytes 464..511 zero: no xsave)
//   +48   uc_mcontext: struct sigcontext (256)
//   +304  uc_sigmask (8)
//   +312  siginfo (128)
//   +440  end
//
// sigcontext (uapi/asm/sigcontext.h): r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip,
// eflags, cs/gs/fs/ss (u16 each), err, trapno, oldmask, cr2, fpstate, 8 reserved words.

import { KernelError } from "../../abi/errors";
import { USER_HALF_END } from "../../abi/layout";
import {
  CONTEXT_FROM_SYSCALL, CONTEXT_FXSAVE, CONTEXT_R10, CONTEXT_R11, CONTEXT_R12, CONTEXT_R13, CONTEXT_R14, CONTEXT_R15, CONTEXT_R8,
  CONTEXT_R9, CONTEXT_RAX, CONTEXT_RBP, CONTEXT_RBX, CONTEXT_RCX, CONTEXT_RDI, CONTEXT_RDX, CONTEXT_RFLAGS, CONTEXT_RIP, CONTEXT_RSI,
  CONTEXT_RSP, contextRead, contextWrite,
} from "../arch/context";
import { contextForget, contextSaveFpu } from "../arch/hw";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { LinuxProcess } from "./linux-process";
import { SA_ONSTACK, SA_RESTORER, SIGCHLD, UNBLOCKABLE } from "./signal";
import { alternateStackSet, onAlternateStack, SS_DISABLE, SS_ONSTACK } from "./signal-stack";

const FRAME_SIZE: u64 = 440;
const FPSTATE_SIZE: u64 = 512;
const UCONTEXT: usize = 8, UC_FLAGS: usize = 8, UC_STACK: usize = 24, MCONTEXT: usize = 48, UC_SIGMASK: usize = 304, SIGINFO: usize = 312;
/** uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS, as Linux sets them for a 64-bit frame without xsave. */
const UC_FLAGS_VALUE: u64 = 2 | 4;
/** sigcontext word offsets, in Linux's order. */
const SC_CS: usize = 144, SC_ERR: usize = 152, SC_TRAPNO: usize = 160, SC_OLDMASK: usize = 168, SC_CR2: usize = 176, SC_FPSTATE: usize = 184;
/** Linux's __USER_CS and __USER_DS, what the frame reports (rt_sigreturn ignores them: the
 * thread returns to user mode with Capsid's own selectors whatever the frame says). */
const USER_CS: u16 = 0x33, USER_SS: u16 = 0x2b;
/** The context registers in sigcontext's order, r8 to rip (17 words). */
const REGISTERS: u32[] = [CONTEXT_R8, CONTEXT_R9, CONTEXT_R10, CONTEXT_R11, CONTEXT_R12, CONTEXT_R13, CONTEXT_R14, CONTEXT_R15,
  CONTEXT_RDI, CONTEXT_RSI, CONTEXT_RBP, CONTEXT_RBX, CONTEXT_RDX, CONTEXT_RAX, CONTEXT_RCX, CONTEXT_RSP, CONTEXT_RIP];
/** The RFLAGS bits a frame may set (Linux's FIX_EFLAGS): CF, PF, AF, ZF, SF, TF, DF, OF, AC, RF. */
const FIX_EFLAGS: u64 = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 | 0x10000;
/** The flags a handler starts without: TF, DF, RF. */
const HANDLER_CLEARED_FLAGS: u64 = 0x100 | 0x400 | 0x10000;
const FXSAVE_FCW: usize = 0, FXSAVE_MXCSR: usize = 24, FXSAVE_MXCSR_MASK: usize = 28, FXSAVE_SOFTWARE: usize = 464;
/** MXCSR's writable bits when the CPU reports no mask (every SSE CPU has these but DAZ). */
const MXCSR_MASK_DEFAULT: u32 = 0xffbf;

class FrameState {
  readonly frame: usize = memory.data(<i32>FRAME_SIZE, 16);
  readonly fpstate: usize = memory.data(<i32>FPSTATE_SIZE, 16);
}
const state = new FrameState();

/** The signal a handler is run for, with its siginfo as signal.ts keeps it. */
export class Delivery {
  signal: i32 = 0;
  code: i32 = 0;
  pid: u32 = 0;
  value: u64 = 0;
  handler: u64 = 0;
  flags: u64 = 0;
  restorer: u64 = 0;
}

/** Writes a siginfo (128 bytes, zeroed first) at `information`: si_signo, si_code, then a
 * fault's si_addr (`value`; a kernel code, > 0) or the sender's si_pid (si_uid 0) and for SIGCHLD
 * si_status (`value`), for others si_value (`value`: rt_sigqueueinfo's; 0 for kill). */
export function siginfoWrite(information: usize, signal: i32, code: i32, pid: u32, value: u64): void {
  memory.fill(information, 0, 128);
  store<i32>(information, signal);
  store<i32>(information + 8, code);
  if (code > 0 && signal != SIGCHLD) {
    store<u64>(information + 16, value);   // si_addr (a fault's), 0 for SI_KERNEL
  } else {
    store<u32>(information + 16, pid);     // si_pid, si_uid 0
    if (signal == SIGCHLD) store<i32>(information + 24, <i32>value);   // si_status
    else store<u64>(information + 24, value);                            // si_value
  }
}

/** Writes the frame for `delivery` on `thread`'s stack (the alternate one with SA_ONSTACK when it
 * has one and is not on it), with `savedMask` as the mask rt_sigreturn puts back, and points the
 * thread at the handler: rdi the signal, rsi the siginfo, rdx the ucontext, a clean FPU state.
 * False when the stack cannot hold it, there is no restorer or the handler is outside the user half (the caller then kills with
 * SIGSEGV, as Linux does). */
export function signalFrameWrite(thread: Thread, linux: LinuxProcess, delivery: Delivery, savedMask: u64): bool {
  const context = <usize>thread.context, space = thread.process.space, alternate = linux.threadOf(thread);
  if ((delivery.flags & SA_RESTORER) == 0) return false;   // x86-64 has no other way back
  const userStack = contextRead(context, CONTEXT_RSP);
  let top = userStack - 128;   // the red zone
  if ((delivery.flags & SA_ONSTACK) != 0 && !alternate.alternateDisabled && !onAlternateStack(alternate, userStack)) {
    top = alternate.alternateBase + alternate.alternateSize;
  }
  const fpstate = (top - FPSTATE_SIZE) & ~(<u64>63);
  const frame = ((fpstate - FRAME_SIZE) & ~(<u64>15)) - 8;
  if (frame >= top || frame >= USER_HALF_END) return false;
  if (delivery.handler >= USER_HALF_END) return false;   // IRET and SYSRET would fault in the kernel on a non-canonical RIP

  contextSaveFpu(<u64>context);
  memory.copy(state.fpstate, context + CONTEXT_FXSAVE, <usize>FPSTATE_SIZE);
  memory.fill(state.fpstate + FXSAVE_SOFTWARE, 0, <usize>(FPSTATE_SIZE - <u64>FXSAVE_SOFTWARE));

  const f = state.frame;
  memory.fill(f, 0, <usize>FRAME_SIZE);
  store<u64>(f, delivery.restorer);
  store<u64>(f + UC_FLAGS, UC_FLAGS_VALUE);
  store<u64>(f + UC_STACK, alternate.alternateBase);
  store<i32>(f + UC_STACK + 8, alternate.alternateDisabled ? SS_DISABLE : onAlternateStack(alternate, userStack) ? SS_ONSTACK : 0);
  store<u64>(f + UC_STACK + 16, alternate.alternateSize);
  const mcontext = f + MCONTEXT;
  for (let i = 0; i < REGISTERS.length; i++) store<u64>(mcontext + <usize>i * 8, contextRead(context, unchecked(REGISTERS[i])));
  store<u64>(mcontext + 136, contextRead(context, CONTEXT_RFLAGS));
  store<u16>(mcontext + SC_CS, USER_CS);
  store<u16>(mcontext + SC_CS + 6, USER_SS);
  store<u64>(mcontext + SC_ERR, alternate.errorCode);
  store<u64>(mcontext + SC_TRAPNO, alternate.trapNumber);
  store<u64>(mcontext + SC_OLDMASK, savedMask);
  store<u64>(mcontext + SC_CR2, alternate.faultAddress);
  store<u64>(mcontext + SC_FPSTATE, fpstate);
  store<u64>(f + UC_SIGMASK, savedMask);
  siginfoWrite(f + SIGINFO, delivery.signal, delivery.code, delivery.pid, delivery.value);
  if (copyOut(space, fpstate, state.fpstate, FPSTATE_SIZE, FPSTATE_SIZE) != KernelError.None) return false;
  if (copyOut(space, frame, f, FRAME_SIZE, FRAME_SIZE) != KernelError.None) return false;

  contextWrite(context, CONTEXT_RDI, <u64>delivery.signal);
  contextWrite(context, CONTEXT_RSI, frame + <u64>SIGINFO);
  contextWrite(context, CONTEXT_RDX, frame + <u64>UCONTEXT);
  contextWrite(context, CONTEXT_RAX, 0);
  contextWrite(context, CONTEXT_RSP, frame);
  contextWrite(context, CONTEXT_RIP, delivery.handler);
  contextWrite(context, CONTEXT_RFLAGS, contextRead(context, CONTEXT_RFLAGS) & ~HANDLER_CLEARED_FLAGS);
  fpuReset(context);
  alternate.trapNumber = 0;
  alternate.errorCode = 0;
  alternate.faultAddress = 0;
  return true;
}

/** The handler starts with the FPU as after FNINIT and MXCSR's default (Linux clears it too). */
function fpuReset(context: usize): void {
  const area = context + CONTEXT_FXSAVE;
  const mask = load<u32>(area + FXSAVE_MXCSR_MASK);
  memory.fill(area, 0, <usize>FPSTATE_SIZE);
  store<u16>(area + FXSAVE_FCW, 0x037f);
  store<u32>(area + FXSAVE_MXCSR, 0x1f80);
  store<u32>(area + FXSAVE_MXCSR_MASK, mask);
  contextForget(<u64>context);   // the registers are loaded from the frame again at resume
}

/** rt_sigreturn: the frame at RSP - 8 (the handler's `ret` popped the restorer's address) back
 * into the thread: registers, mask, alternate stack and FPU state. A frame that cannot be read
 * or holds a RIP or RSP outside the user half or an unreadable or misaligned FPU area
 * changes nothing and returns false (the caller forces SIGSEGV); uc_stack's errors are ignored. CS, SS and the RFLAGS bits a
 * program may not set are not taken from it. */
export function signalFrameRestore(thread: Thread, linux: LinuxProcess): bool {
  const context = <usize>thread.context, space = thread.process.space;
  const frame = contextRead(context, CONTEXT_RSP) - 8;
  const f = state.frame;
  if (copyIn(space, f, FRAME_SIZE, frame, FRAME_SIZE) != KernelError.None) return false;
  const mcontext = f + MCONTEXT;
  const rip = load<u64>(mcontext + 128), rsp = load<u64>(mcontext + 120);
  if (rip >= USER_HALF_END || rsp >= USER_HALF_END) return false;   // a non-canonical RIP would fault IRET in the kernel
  const fpstate = load<u64>(mcontext + SC_FPSTATE);
  if (fpstate != 0) {
    if ((fpstate & 15) != 0) return false;
    if (copyIn(space, state.fpstate, FPSTATE_SIZE, fpstate, FPSTATE_SIZE) != KernelError.None) return false;
  }
  for (let i = 0; i < REGISTERS.length; i++) contextWrite(context, unchecked(REGISTERS[i]), load<u64>(mcontext + <usize>i * 8));
  const flags = contextRead(context, CONTEXT_RFLAGS);
  contextWrite(context, CONTEXT_RFLAGS, (flags & ~FIX_EFLAGS) | (load<u64>(mcontext + 136) & FIX_EFLAGS));
  contextWrite(context, CONTEXT_FROM_SYSCALL, 0);   // IRET: rcx and r11 are the frame's too
  // uc_stack as sigaltstack would take it at the restored RSP; its errors are ignored, as
  // Linux's restore_altstack ignores them.
  const own = linux.threadOf(thread);
  alternateStackSet(own, contextRead(context, CONTEXT_RSP), load<u64>(f + UC_STACK), load<i32>(f + UC_STACK + 8),
    load<u64>(f + UC_STACK + 16));
  own.signalMask = load<u64>(f + UC_SIGMASK) & ~UNBLOCKABLE;
  const area = context + CONTEXT_FXSAVE;
  contextSaveFpu(<u64>context);
  let mask = load<u32>(area + FXSAVE_MXCSR_MASK);
  if (mask == 0) mask = MXCSR_MASK_DEFAULT;
  if (fpstate != 0) {
    memory.copy(area, state.fpstate, <usize>FPSTATE_SIZE);
    store<u32>(area + FXSAVE_MXCSR, load<u32>(area + FXSAVE_MXCSR) & mask);   // reserved bits would fault FXRSTOR
    store<u32>(area + FXSAVE_MXCSR_MASK, mask);
    contextForget(<u64>context);
  } else {
    fpuReset(context);
  }
  return true;
}
