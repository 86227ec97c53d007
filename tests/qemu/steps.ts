// The step lines of the test programs (userspace/programs/): each step a program runs prints one
// line, "PROGRAM: PASS step" or "PROGRAM: FAIL step: what was seen", decided by the program's own
// comparison. A QEMU test names the steps it expects of a program, in order; expectPass fails at
// the first step line that is not the next expected PASS and quotes it, so a FAIL fails the test
// at its step. Each program has its own cursor: programs that run at once interleave their lines.
// The session's own cursor (QemuSession.expectLine, for kernel lines) is left alone.

import { logMessage, type QemuSession } from "../qemu-runner/runner";

const POLL_MS = 20;
/** Lines of the serial log quoted when a step is wrong. */
const CONTEXT_LINES = 60;

export class ProgramSteps {
  /** Step lines of this program already checked. */
  private checked = 0;

  constructor(private readonly qemu: QemuSession, readonly program: string) {}

  /** This program's step lines so far, complete lines only. */
  private lines(): string[] {
    const serial = this.qemu.serial;
    const complete = serial.slice(0, serial.lastIndexOf("\n") + 1);
    return complete.split("\n").map(logMessage)
      .filter((line) => line.startsWith(`${this.program}: PASS `) || line.startsWith(`${this.program}: FAIL `));
  }

  private fail(message: string): never {
    const context = this.qemu.serial.split("\n").slice(-CONTEXT_LINES).join("\n");
    throw new Error(`${message}\n--- last ${CONTEXT_LINES} lines of the serial log ---\n${context}\n--- end ---`);
  }

  /** Waits for this program's next step line and requires it to be "PROGRAM: PASS step". */
  async expectPass(step: string, timeoutMs = 10_000): Promise<void> {
    const expected = `${this.program}: PASS ${step}`;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const lines = this.lines();
      if (lines.length > this.checked) {
        const line = lines[this.checked++];
        if (line === expected) return;
        if (line.startsWith(`${this.program}: FAIL ${step}: `)) this.fail(`${this.program}: step "${step}" failed: ${line}`);
        this.fail(`${this.program}: expected the step line "${expected}", the next one was "${line}"`);
      }
      if (this.qemu.exitStatus) this.fail(`${this.program}: QEMU exited before the step "${step}" printed its line`);
      if (performance.now() > deadline) this.fail(`${this.program}: no line for the step "${step}" after ${timeoutMs} ms`);
      await new Promise((resolveWait) => setTimeout(resolveWait, POLL_MS));
    }
  }

  /** Every step of `steps` in order, each within `timeoutMs` of the previous one. */
  async expectPasses(steps: readonly string[], timeoutMs = 10_000): Promise<void> {
    for (const step of steps) await this.expectPass(step, timeoutMs);
  }

  /** After the last expected step (QEMU has exited): no further step line, of any outcome. */
  expectNoMore(): void {
    const extra = this.lines().slice(this.checked);
    if (extra.length > 0) this.fail(`${this.program}: step lines after the last expected step: ${extra.join(" | ")}`);
  }
}
