// Linux error numbers (asm-generic/errno-base.h, errno.h): what a Linux system call returns,
// negated, in rax. Only the personality speaks them; the rest of the kernel speaks KernelError
// (abi/errors.ts), and linuxErrno is the one translation, documented in docs/linux.md.

import { KernelError } from "../../abi/errors";

export enum Errno {
  EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8, EBADF = 9, ECHILD = 10,
  EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20,
  EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30,
  EMLINK = 31, EPIPE = 32, EDOM = 33, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
  EOVERFLOW = 75, ENOTSOCK = 88, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93, ESOCKTNOSUPPORT = 94, EOPNOTSUPP = 95,
  EMSGSIZE = 90, EAFNOSUPPORT = 97, ENOBUFS = 105, EISCONN = 106, ETOOMANYREFS = 109, ETIMEDOUT = 110, ECONNREFUSED = 111,
  EDESTADDRREQ = 89, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101, ECONNABORTED = 103, ECONNRESET = 104,
  ENOTCONN = 107, EHOSTUNREACH = 113, EALREADY = 114, EINPROGRESS = 115, EPROTOTYPE = 91,
  ENONET = 64, EPROTO = 71, EHOSTDOWN = 112,
}

/** What a handler returns for a call it does not support (never a real result: results are at
 * most 2^63 - 1 or -errno down to -4095); syscall.ts answers ENOSYS and logs it once. */
export const UNSUPPORTED: i64 = i64.MIN_VALUE;

/** What a handler returns when it blocked its thread (block.ts): the call runs again on waking,
 * so nothing is written to rax now. */
export const BLOCKED: i64 = i64.MIN_VALUE + 1;

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
    case KernelError.NotADirectory: return Errno.ENOTDIR;
    case KernelError.IsADirectory: return Errno.EISDIR;
    case KernelError.NotEmpty: return Errno.ENOTEMPTY;
    case KernelError.NameTooLong: return Errno.ENAMETOOLONG;
    case KernelError.TooManyLinks: return Errno.ELOOP;
    case KernelError.Exists: return Errno.EEXIST;
    case KernelError.FileTooBig: return Errno.EFBIG;
    case KernelError.CrossDevice: return Errno.EXDEV;
    case KernelError.Unaligned: case KernelError.InvalidArgument: case KernelError.OutOfRange: return Errno.EINVAL;
    default: return Errno.EINVAL;
  }
}

/** The errno a KernelError of the file system (kernel/fs/) stands for at a file call: as
 * linuxErrno, but running out of the file system's quota, of the heap or of nodes is ENOSPC (a
 * full file system, as tmpfs says) and NotPermitted is EPERM (a hard link to a directory). */
export function linuxFsErrno(error: KernelError): Errno {
  switch (error) {
    case KernelError.OutOfMemory: case KernelError.QuotaExceeded: case KernelError.TableFull: return Errno.ENOSPC;
    case KernelError.NotPermitted: return Errno.EPERM;
    default: return linuxErrno(error);
  }
}

/** The errno's name, as strace prints it ("E" and a number for one not listed). */
export function errnoName(errno: i32): string {
  switch (errno) {
    case Errno.EPERM: return "EPERM"; case Errno.ENOENT: return "ENOENT"; case Errno.ESRCH: return "ESRCH"; case Errno.EINTR: return "EINTR";
    case Errno.EIO: return "EIO"; case Errno.ENXIO: return "ENXIO"; case Errno.E2BIG: return "E2BIG"; case Errno.ENOEXEC: return "ENOEXEC";
    case Errno.EBADF: return "EBADF"; case Errno.ECHILD: return "ECHILD"; case Errno.EAGAIN: return "EAGAIN"; case Errno.ENOMEM: return "ENOMEM";
    case Errno.EACCES: return "EACCES"; case Errno.EFAULT: return "EFAULT"; case Errno.EBUSY: return "EBUSY"; case Errno.EEXIST: return "EEXIST";
    case Errno.EXDEV: return "EXDEV"; case Errno.ENODEV: return "ENODEV"; case Errno.ENOTDIR: return "ENOTDIR"; case Errno.EISDIR: return "EISDIR";
    case Errno.EINVAL: return "EINVAL"; case Errno.ENFILE: return "ENFILE"; case Errno.EMFILE: return "EMFILE"; case Errno.ENOTTY: return "ENOTTY";
    case Errno.EFBIG: return "EFBIG"; case Errno.ENOSPC: return "ENOSPC"; case Errno.ESPIPE: return "ESPIPE"; case Errno.EROFS: return "EROFS";
    case Errno.EMLINK: return "EMLINK"; case Errno.EPIPE: return "EPIPE"; case Errno.EDOM: return "EDOM"; case Errno.ERANGE: return "ERANGE";
    case Errno.ENAMETOOLONG: return "ENAMETOOLONG"; case Errno.ENOSYS: return "ENOSYS"; case Errno.ENOTEMPTY: return "ENOTEMPTY";
    case Errno.ELOOP: return "ELOOP"; case Errno.EOVERFLOW: return "EOVERFLOW"; case Errno.EOPNOTSUPP: return "EOPNOTSUPP"; case Errno.ETIMEDOUT: return "ETIMEDOUT";
    case Errno.ENOTSOCK: return "ENOTSOCK"; case Errno.ENOPROTOOPT: return "ENOPROTOOPT"; case Errno.EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case Errno.ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT"; case Errno.EAFNOSUPPORT: return "EAFNOSUPPORT"; case Errno.EISCONN: return "EISCONN";
    case Errno.ENOBUFS: return "ENOBUFS"; case Errno.ETOOMANYREFS: return "ETOOMANYREFS"; case Errno.EMSGSIZE: return "EMSGSIZE";
    case Errno.ECONNREFUSED: return "ECONNREFUSED"; case Errno.EDESTADDRREQ: return "EDESTADDRREQ"; case Errno.EADDRINUSE: return "EADDRINUSE";
    case Errno.EADDRNOTAVAIL: return "EADDRNOTAVAIL"; case Errno.ENETDOWN: return "ENETDOWN"; case Errno.ENETUNREACH: return "ENETUNREACH";
    case Errno.ECONNABORTED: return "ECONNABORTED"; case Errno.ECONNRESET: return "ECONNRESET"; case Errno.ENOTCONN: return "ENOTCONN";
    case Errno.EHOSTUNREACH: return "EHOSTUNREACH"; case Errno.EALREADY: return "EALREADY"; case Errno.EINPROGRESS: return "EINPROGRESS"; case Errno.EPROTOTYPE: return "EPROTOTYPE";
    case Errno.ENONET: return "ENONET"; case Errno.EPROTO: return "EPROTO"; case Errno.EHOSTDOWN: return "EHOSTDOWN";
    default: return "E" + errno.toString();
  }
}
