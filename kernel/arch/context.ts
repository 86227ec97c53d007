// A user thread's saved registers: the layout of arch/x86_64/user_context.h (the entry paths
// write it, context_resume reads it), in a frame of its own. tests/host/layout.test.ts checks
// the offsets against the C header. Called by thread.ts and the syscall layer.

export const CONTEXT_FXSAVE: u32 = 0x000;
export const CONTEXT_RAX: u32 = 0x200;
export const CONTEXT_RBX: u32 = 0x208;
export const CONTEXT_RCX: u32 = 0x210;
export const CONTEXT_RDX: u32 = 0x218;
export const CONTEXT_RSI: u32 = 0x220;
export const CONTEXT_RDI: u32 = 0x228;
export const CONTEXT_RBP: u32 = 0x230;
export const CONTEXT_R8: u32 = 0x238;
export const CONTEXT_R9: u32 = 0x240;
export const CONTEXT_R10: u32 = 0x248;
export const CONTEXT_R11: u32 = 0x250;
export const CONTEXT_R12: u32 = 0x258;
export const CONTEXT_R13: u32 = 0x260;
export const CONTEXT_R14: u32 = 0x268;
export const CONTEXT_R15: u32 = 0x270;
export const CONTEXT_RIP: u32 = 0x278;
export const CONTEXT_RSP: u32 = 0x280;
export const CONTEXT_RFLAGS: u32 = 0x288;
export const CONTEXT_FS_BASE: u32 = 0x298;
export const CONTEXT_FROM_SYSCALL: u32 = 0x2a0;
export const CONTEXT_SIZE: u32 = 0x2b0;

const FXSAVE_FCW: u32 = 0;          // x87 control word
const FXSAVE_MXCSR: u32 = 24;
const FCW_DEFAULT: u16 = 0x037f;    // all x87 exceptions masked, 64-bit precision (FNINIT)
const MXCSR_DEFAULT: u32 = 0x1f80;  // all SSE exceptions masked, round to nearest
const RFLAGS_INITIAL: u64 = 0x202;  // IF and the always-one bit

/** Fills a zeroed frame as a thread that starts at `entry` with `stack`: every general register
 * zero, a clean FPU/SSE state. */
export function contextInitialise(context: usize, entry: u64, stack: u64): void {
  store<u16>(context + CONTEXT_FXSAVE + FXSAVE_FCW, FCW_DEFAULT);
  store<u32>(context + CONTEXT_FXSAVE + FXSAVE_MXCSR, MXCSR_DEFAULT);
  store<u64>(context + CONTEXT_RIP, entry);
  store<u64>(context + CONTEXT_RSP, stack);
  store<u64>(context + CONTEXT_RFLAGS, RFLAGS_INITIAL);
}

@inline export function contextRead(context: usize, offset: u32): u64 {
  return load<u64>(context + offset);
}

@inline export function contextWrite(context: usize, offset: u32, value: u64): void {
  store<u64>(context + offset, value);
}
