// The step lines of test programs: each check prints exactly one line, "PROGRAM: PASS step" or
// "PROGRAM: FAIL step: what was seen", decided by the program's own comparison; the QEMU tests
// assert every PASS in order (tests/qemu/steps.ts). Counts the steps and the failures, so a
// program's exit code says whether all passed.

import { Console } from "./console";

export class Steps {
  total: i32 = 0;
  failures: i32 = 0;

  constructor(readonly console: Console, readonly program: string) {}

  /** Prints the step's one line: PASS when `problem` is empty, else FAIL with it. */
  step(name: string, problem: string): void {
    this.total++;
    if (problem.length == 0) this.console.line(this.program + ": PASS " + name);
    else {
      this.console.line(this.program + ": FAIL " + name + ": " + problem);
      this.failures++;
    }
  }
}
