// The kernel's one closed error enum: every operation that can fail on input (a structure from
// firmware, a request from a process, an exhausted pool) returns one of these, never aborts.
// Documented per value; errno mapping, when the POSIX personality arrives, starts from here.
// Add values at the end, with a comment; never renumber.

export enum KernelError {
  /** Success. */
  None = 0,
  /** A structure from outside the kernel (boot information, ACPI table, ELF image, ring entry)
   * failed validation: bad length, bad field, out of its own bounds. */
  Malformed = 1,
  /** A structure is shorter than its header or its declared length. */
  Truncated = 2,
  /** A table's checksum does not sum to zero. */
  ChecksumMismatch = 3,
  /** A lookup found nothing (an absent tag, table or entry). */
  NotFound = 4,
  /** No free physical frame (or pool slot) is left. */
  OutOfMemory = 5,
  /** An address or size that must be page-aligned is not. */
  Unaligned = 6,
  /** An address lies outside the range the operation manages. */
  OutOfRange = 7,
  /** A frame (or object) was freed that is not currently allocated. */
  NotAllocated = 8,
  /** A virtual page is already mapped. */
  AlreadyMapped = 9,
  /** An argument is invalid for the operation (zero count, reversed range, unknown kind). */
  InvalidArgument = 10,
}

/** A short lowercase name for log lines. */
export function kernelErrorName(error: KernelError): string {
  switch (error) {
    case KernelError.None: return "none";
    case KernelError.Malformed: return "malformed";
    case KernelError.Truncated: return "truncated";
    case KernelError.ChecksumMismatch: return "checksum mismatch";
    case KernelError.NotFound: return "not found";
    case KernelError.OutOfMemory: return "out of memory";
    case KernelError.Unaligned: return "unaligned";
    case KernelError.OutOfRange: return "out of range";
    case KernelError.NotAllocated: return "not allocated";
    case KernelError.AlreadyMapped: return "already mapped";
    case KernelError.InvalidArgument: return "invalid argument";
  }
  return "unknown error";
}
