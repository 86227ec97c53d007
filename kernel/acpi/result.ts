// The common shape of every ACPI parser result (kernel/acpi/*.ts): an error from the kernel's
// closed enum and the problems met on the way (skipped entries, odd fields) as text. The parsers
// are pure and never log, so the kernel's ACPI setup logs `problems` and host tests read them.

import { KernelError, kernelErrorName } from "../../abi/errors";

/** At most this many problems are kept, then one line saying that more were dropped, so a
 * hostile table cannot fill the kernel heap with notes. */
@inline const MAXIMUM_PROBLEMS: i32 = 16;

export class AcpiResult {
  /** None, or why the structure was refused (or, for the MADT, why parsing stopped early). */
  error: KernelError = KernelError.None;
  /** One line per problem, for the caller to log; at most MAXIMUM_PROBLEMS + 1 lines. */
  problems: string[] = [];

  /** Records a problem that does not by itself refuse the structure. */
  note(problem: string): void {
    const count = this.problems.length;
    if (count < MAXIMUM_PROBLEMS) this.problems.push(problem);
    else if (count == MAXIMUM_PROBLEMS) this.problems.push("further problems not recorded");
  }

  /** Records `error` and the problem that explains it. */
  fail(error: KernelError, problem: string): void {
    this.error = error;
    this.note(problem + " (" + kernelErrorName(error) + ")");
  }

  /** Appends another result's problems to this one's (within the same limit). */
  adoptProblems(other: AcpiResult): void {
    const problems = other.problems;
    for (let i = 0; i < problems.length; i++) this.note(problems[i]);
  }
}

/** `0x`-prefixed lowercase hexadecimal, for problem lines. */
export function hexText(value: u64): string {
  return "0x" + value.toString(16);
}
