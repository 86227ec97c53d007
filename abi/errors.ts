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
  /** A capability handle names no live capability: never issued, released, or its slot reused
   * (the generation differs). */
  InvalidHandle = 11,
  /** The capability exists but is not of the interface the operation needs. */
  WrongInterface = 12,
  /** The capability table (or another per-process pool) has no free slot. */
  TableFull = 13,
  /** A user buffer is not entirely in the caller's own mapped user memory (unmapped, kernel
   * half, wrapping past the end of the address space, or read-only where it must be written). */
  BadAddress = 14,
  /** A ring entry's opcode is not one the kernel knows. */
  UnknownOpcode = 15,
  /** A CALL's method number is not one the capability's interface defines. */
  UnknownMethod = 16,
  /** A memory quota (or another budget) would be exceeded. */
  QuotaExceeded = 17,
  /** The operation would hand out more authority than the caller holds or policy allows. */
  NotPermitted = 18,
  /** Reserved bits or fields that must be zero are not. */
  ReservedNonZero = 19,
  /** A bounded queue (an endpoint's pending calls) is full. */
  QueueFull = 20,
  /** The other side ended: a call whose endpoint closed, or whose receiver ended before it
   * returned. */
  PeerEnded = 21,
  /** A timed wait (ParkSpace.park) ran out. */
  TimedOut = 22,
  /** A network port is bound already (a UdpSocket holds it). */
  AddressInUse = 23,
  /** The network cannot reach the peer: the interface has no address, or the peer is off the
   * local subnet and no gateway is configured. */
  Unreachable = 24,
  /** The peer answered a TCP connect with a reset: nothing listens on that port. */
  ConnectionRefused = 25,
  /** The peer reset an established TCP connection. */
  ConnectionReset = 26,
  /** A TCP connection was given up: retransmissions or keep-alive probes went unanswered. */
  ConnectionLost = 27,
  /** A TCP socket's sending side is shut down (shutdown, or the socket was aborted). */
  ShutDown = 28,
  /** A path names something that is not a directory where a directory is needed (a component in
   * the middle of a path, a trailing slash, rmdir, readdir). */
  NotADirectory = 29,
  /** A directory where something else is needed (unlink, a hard link to it, a write to it, renaming
   * a non-directory over it). */
  IsADirectory = 30,
  /** A directory to be removed or replaced by a rename still holds entries. */
  NotEmpty = 31,
  /** A file name component is longer than 255 bytes, or a path longer than 4095. */
  NameTooLong = 32,
  /** A path resolution followed more than 40 symbolic links (a loop, most likely). */
  TooManyLinks = 33,
  /** The name to be created exists already. */
  Exists = 34,
  /** A file would grow past the file system's largest file size. */
  FileTooBig = 35,
  /** A link or rename between two different file systems. */
  CrossDevice = 36,
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
    case KernelError.InvalidHandle: return "invalid handle";
    case KernelError.WrongInterface: return "wrong interface";
    case KernelError.TableFull: return "table full";
    case KernelError.BadAddress: return "bad address";
    case KernelError.UnknownOpcode: return "unknown opcode";
    case KernelError.UnknownMethod: return "unknown method";
    case KernelError.QuotaExceeded: return "quota exceeded";
    case KernelError.NotPermitted: return "not permitted";
    case KernelError.ReservedNonZero: return "reserved field not zero";
    case KernelError.QueueFull: return "queue full";
    case KernelError.PeerEnded: return "peer ended";
    case KernelError.TimedOut: return "timed out";
    case KernelError.AddressInUse: return "address in use";
    case KernelError.Unreachable: return "unreachable";
    case KernelError.ConnectionRefused: return "connection refused";
    case KernelError.ConnectionReset: return "connection reset";
    case KernelError.ConnectionLost: return "connection lost";
    case KernelError.ShutDown: return "shut down";
    case KernelError.NotADirectory: return "not a directory";
    case KernelError.IsADirectory: return "is a directory";
    case KernelError.NotEmpty: return "directory not empty";
    case KernelError.NameTooLong: return "name too long";
    case KernelError.TooManyLinks: return "too many symbolic links";
    case KernelError.Exists: return "exists";
    case KernelError.FileTooBig: return "file too big";
    case KernelError.CrossDevice: return "cross-device link";
  }
  return "unknown error";
}
