// Blocking Linux calls (docs/linux.md, "Blocking"): a call that must wait (nanosleep, wait4, a
// read with nothing to read) blocks its thread and is run again from the start when something
// may have changed, as if the program had made it again: the thread's RIP goes back over the
// two-byte SYSCALL and rax gets the call's number back. So a blocked call keeps no continuation in
// the kernel, only what it must remember across the restart (a sleep's deadline), and a thread
// that ends while blocked leaves nothing behind. The wait is the thread's LinuxWait: woken by its
// deadline (a timer) or by whoever made the awaited change (linuxWake).

import { CONTEXT_RAX, CONTEXT_RIP, contextRead, contextWrite } from "../arch/context";
import { schedulerReady, schedulerRemove } from "../sched/scheduler";
import { Thread, ThreadState } from "../sched/thread";
import { Wait } from "../sched/wait";
import { timerStart } from "../time/timers";

/** SYSCALL's length: the instruction the restart runs again. */
const SYSCALL_LENGTH: u64 = 2;

/** A Linux thread's one wait: its deadline, if any, wakes it. */
export class LinuxWait extends Wait {
  cancel(): void {}

  expire(): void {
    linuxWake(this);
  }

  /** What the call waits on changed (a pipe): it runs again and looks. */
  wake(): void {
    linuxWake(this);
  }
}

/** Blocks `thread` (the current one) in call `number`: the call runs again when it wakes, at
 * `deadline` (monotonic ns; 0: none) or when linuxWake is called for it. */
export function linuxBlock(thread: Thread, wait: LinuxWait, number: u64, deadline: u64): void {
  const context = <usize>thread.context;
  contextWrite(context, CONTEXT_RIP, contextRead(context, CONTEXT_RIP) - SYSCALL_LENGTH);
  contextWrite(context, CONTEXT_RAX, number);
  thread.state = ThreadState.Blocked;
  schedulerRemove(thread);
  wait.begin(thread);
  if (deadline != 0) timerStart(wait, deadline);
}

/** Wakes the thread blocked on `wait`, if one is: its call runs again (once its process is not
 * stopped: Personality.resume). */
export function linuxWake(wait: LinuxWait): void {
  const thread = wait.waiter;
  if (thread === null || thread.state != ThreadState.Blocked) return;
  wait.end();
  linuxResume(thread);
}

/** Puts a woken thread back on the run queue, or leaves it to SIGCONT when its process is stopped. */
export function linuxResume(thread: Thread): void {
  const personality = thread.process.personality;
  if (personality !== null) personality.resume(thread);
  else schedulerReady(thread);
}

/** Blocks `thread` (the current one) after its call answered (rax set): woken by linuxWake, it
 * goes on past the call instead of making it again (a vfork parent waiting for its child). */
export function linuxSuspend(thread: Thread, wait: LinuxWait): void {
  thread.state = ThreadState.Blocked;
  schedulerRemove(thread);
  wait.begin(thread);
}

/** The current call of `thread` runs again when it next returns to user mode, after what is
 * pending for it has been acted on (a tty's SIGTTIN stops it first, or its handler runs): the
 * restart of Linux's ERESTARTSYS. The caller returns BLOCKED (nothing is written to rax). */
export function linuxCallAgain(thread: Thread, number: u64): void {
  const context = <usize>thread.context;
  contextWrite(context, CONTEXT_RIP, contextRead(context, CONTEXT_RIP) - SYSCALL_LENGTH);
  contextWrite(context, CONTEXT_RAX, number);
}
