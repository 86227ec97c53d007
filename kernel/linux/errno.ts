// Linux error numbers (asm-generic/errno-base.h, errno.h): what a Linux system call returns,
// negated, in rax. Only the personality speaks them; the rest of the kernel speaks KernelError
// (abi/errors.ts), and linuxErrno is the one translation, documented in docs/linux.md.

import { KernelError } from "../../abi/errors";

export enum Errno {
  EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8, EBADF = 9, ECHILD = 10,
  EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20,
  EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30,
  EMLINK = 31, EPIPE = 32, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
  EOPNOTSUPP = 95, ETIMEDOUT = 110,
}

/** What a handler returns for a call it does not support (never a real result: results are at
 * most 2^63 - 1 or -errno down to -4095); syscall.ts answers ENOSYS and logs it once. */
export const UNSUPPORTED: i64 = i64.MIN_VALUE;

/** The errno a KernelError stands for when a capability operation behind a call fails. */
export function linuxErrno(error: KernelError): Errno {
  switch (error) {
    case KernelError.BadAddress: return Errno.EFAULT;
    case KernelError.OutOfMemory: case KernelError.QuotaExceeded: return Errno.ENOMEM;
    case KernelError.NotPermitted: return Errno.EACCES;
    case KernelError.NotFound: return Errno.ENOENT;
    case KernelError.InvalidHandle: return Errno.EBADF;
    case KernelError.TimedOut: return Errno.ETIMEDOUT;
    case KernelError.AlreadyMapped: return Errno.EEXIST;
    case KernelError.TableFull: return Errno.ENOMEM;
    case KernelError.Unaligned: case KernelError.InvalidArgument: case KernelError.OutOfRange: return Errno.EINVAL;
    default: return Errno.EINVAL;
  }
}
