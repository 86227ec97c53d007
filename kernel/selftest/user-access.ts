// SMAP and SMEP, checked by breaking them on purpose (test=smap, test=smep under -cpu max): with
// the first process's address space loaded, the kernel reads, or jumps to, that process's code
// page directly instead of through the checked copy module. The CPU must refuse with a page fault
// (a kernel panic report whose error code says protection violation); reaching the end is a
// failure.

import { kernelTouchUser, readControlRegister } from "../arch/hw";
import { USER_IMAGE_START } from "../../abi/layout";
import { logEnd, logLine } from "../log/log";
import { processesStarted } from "../syscall/start";
import { userHalfShow } from "../vm/user-half";

const CR4_SMEP: u64 = 1 << 20;
const CR4_SMAP: u64 = 1 << 21;

/** `execute`: SMEP (kernel runs user code); otherwise SMAP (kernel reads user data). Returns
 * false when the kernel got through, or nothing could be tried. */
export function userAccessProbe(execute: bool): bool {
  const process = processesStarted();
  const bit = execute ? CR4_SMEP : CR4_SMAP;
  if (process === null || (readControlRegister(4) & bit) == 0) {
    logLine().text("selftest: ").text(execute ? "SMEP" : "SMAP").text(" is off on this CPU, or no process exists");
    logEnd();
    return false;
  }
  userHalfShow(process.space);
  logLine().text("selftest: kernel ").text(execute ? "jumps to" : "reads").text(" user address ").hex(USER_IMAGE_START);
  logEnd();
  kernelTouchUser(USER_IMAGE_START, execute ? 1 : 0);
  logLine().text("selftest: the kernel got through to user memory");
  logEnd();
  return false;
}
