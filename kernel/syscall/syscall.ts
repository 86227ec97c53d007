// The two system calls (docs/DESIGN.md #6), from arch/x86_64/user.c with the caller's registers in
// its context: rax = number, rdi and rsi the arguments, the result back in rax. Any other number
// ends the process: a native program that makes one is broken or hostile. A Linux process's
// calls all go to the Linux personality (linux/syscall.ts), which has its own numbers.

import { ExitKind } from "../../abi/methods";
import { SYSCALL_CAP_ENTER, SYSCALL_EXIT } from "../../abi/ring";
import { logEnd, LogLevel, logLine } from "../log/log";
import { capEnter } from "./cap-enter";
import { CONTEXT_RAX, CONTEXT_RDI, CONTEXT_RSI, contextRead } from "../arch/context";
import { processEnd } from "../sched/process";
import { currentThread } from "../sched/scheduler";
import { linuxSyscall } from "../linux/syscall";

export function syscallDispatch(): void {
  const thread = currentThread();
  if (thread === null) abort("syscallDispatch: no current thread");
  if (thread!.process.personality !== null) {
    linuxSyscall(thread!);
    return;
  }
  const context = <usize>thread!.context;
  const number = contextRead(context, CONTEXT_RAX);
  const first = contextRead(context, CONTEXT_RDI), second = contextRead(context, CONTEXT_RSI);
  if (number == SYSCALL_CAP_ENTER) {
    capEnter(thread!, first, second);
  } else if (number == SYSCALL_EXIT) {
    processEnd(thread!.process, ExitKind.Exited, <i32>first);
  } else {
    logLine(LogLevel.Warning).text("process ").decimal(thread!.process.id).text(" (").text(thread!.process.program.name)
      .text("): unknown system call ").hex(number).text(", ended");
    logEnd();
    processEnd(thread!.process, ExitKind.Faulted, -1);
  }
}
