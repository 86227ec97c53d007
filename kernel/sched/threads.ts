// Making a thread of a process: its ring page (linear page 1 + index) and native stack (the
// index-th below USER_STACK_TOP) are mapped the first time the index is used and kept for the
// next thread of that index; a fresh context frame starts it at `entry` with rdi = argument and
// rsi = its ring's linear address. Its startup block lists the process's startup grants and its
// own ThreadControl. threadFramesNeeded is the decode-side bound.

import { Interface } from "../../abi/interfaces";
import { Ring } from "../cap/ring";
import {
  GRANT_HANDLE, GRANT_INTERFACE, RING_ARGUMENT, RING_GRANT_COUNT, RING_GRANT_SIZE, RING_GRANTS, RING_PROCESS_ID, RING_SIZE,
} from "../../abi/ring";
import { USER_LINEAR_BASE, USER_RING_LINEAR, USER_STACK_SIZE, USER_STACK_SPACING, USER_STACK_TOP } from "../../abi/layout";
import { frameAllocateZeroed } from "../memory/frames";
import { PAGE_ADDRESS_MASK, PAGE_SIZE } from "../memory/page-table";
import { KernelErrorCell, UserAccess } from "../vm/address-space";
import { CONTEXT_RDI, CONTEXT_RSI, contextInitialise, contextWrite } from "../arch/context";
import { Process, processSettleSpace } from "./process";
import { Backing } from "../vm/regions";
import { schedulerReady } from "./scheduler";
import { Thread } from "./thread";

/** The linear address of thread `index`'s ring. */
export function threadRingLinear(index: i32): u32 {
  return USER_RING_LINEAR + <u32>index * <u32>PAGE_SIZE;
}

/** Frames a new thread may need: its context, ring and stack, and their page tables. */
export function threadFramesNeeded(): u64 {
  return 1 + 1 + USER_STACK_SIZE / PAGE_SIZE + 6;
}

/** Maps `virtual` (a fresh zeroed page) unless it is mapped; its frame either way. */
function mapOnce(process: Process, virtual: u64, error: KernelErrorCell): u64 {
  const leaf = process.space.leaf(virtual);
  if (leaf != 0) return leaf & PAGE_ADDRESS_MASK;
  const frame = process.space.mapNew(virtual, UserAccess.ReadWrite, error);
  if (frame == 0) abort("threadCreate: a page decode promised was not mapped");
  return frame;
}

/** Makes thread `index` of `process` and makes it runnable. `control` is its ThreadControl's
 * handle (already in the process's table, or 0 to list none). The process's account pays
 * `bytes` for the thread while it lives (objects/costs.ts), its context frame, and what its stack
 * and ring add to the space. Cannot fail after the checks. */
export function threadCreate(process: Process, index: i32, entry: u64, argument: u64, startArgument: u32, control: u64, bytes: u64,
  linuxStack: u64 = 0): Thread {
  const error = new KernelErrorCell();
  const native = linuxStack == 0;
  const stackTop = native ? USER_STACK_TOP - <u64>index * USER_STACK_SPACING : linuxStack;
  const space = process.space;
  // A thread index used before keeps its stack and ring pages (and their regions). A Linux
  // thread starts on the stack its loader wrote (`linuxStack`: argc there), with no native one.
  if (native) {
    if (space.regions.find(stackTop - USER_STACK_SIZE) === null) space.addRegion(stackTop - USER_STACK_SIZE, stackTop, UserAccess.ReadWrite, Backing.Fixed);
    for (let page = stackTop - USER_STACK_SIZE; page < stackTop; page += PAGE_SIZE) mapOnce(process, page, error);
  }
  const ringLinear = threadRingLinear(index);
  const ringVirtual = USER_LINEAR_BASE + <u64>ringLinear;
  if (space.regions.find(ringVirtual) === null) space.addRegion(ringVirtual, ringVirtual + PAGE_SIZE, UserAccess.ReadWrite, Backing.Pinned);
  const ringPage = mapOnce(process, ringVirtual, error);
  memory.fill(<usize>ringPage, 0, RING_SIZE);   // a ring used before starts clean
  const context = frameAllocateZeroed();
  if (context == 0) abort("threadCreate: no frame for the context");

  const grants = process.startupGrants;
  let count: u32 = 0;
  for (let i = 0; i + 1 < grants.length; i += 2, count++) {
    const grant = <usize>ringPage + RING_GRANTS + <usize>count * RING_GRANT_SIZE;
    store<u64>(grant + GRANT_HANDLE, grants[i]);
    store<u32>(grant + GRANT_INTERFACE, <u32>grants[i + 1]);
  }
  if (control != 0) {
    const grant = <usize>ringPage + RING_GRANTS + <usize>count * RING_GRANT_SIZE;
    store<u64>(grant + GRANT_HANDLE, control);
    store<u32>(grant + GRANT_INTERFACE, Interface.ThreadControl);
    count++;
  }
  store<u32>(<usize>ringPage + RING_PROCESS_ID, process.id);
  store<u32>(<usize>ringPage + RING_GRANT_COUNT, count);
  store<u32>(<usize>ringPage + RING_ARGUMENT, startArgument);

  contextInitialise(<usize>context, entry, stackTop);
  if (native) {
    contextWrite(<usize>context, CONTEXT_RDI, argument);
    contextWrite(<usize>context, CONTEXT_RSI, <u64>ringLinear);
  }
  const thread = new Thread(process, index, context, new Ring(ringPage));
  thread.chargedBytes = bytes;
  thread.chargedPages = 1;
  process.accountCharge(bytes, 1);
  processSettleSpace(process);
  process.threads[index] = thread;
  schedulerReady(thread);
  return thread;
}
