// Linux x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl) that the personality
// answers or names in its logs; any other number is ENOSYS (syscall.ts).

export enum Sys {
  read = 0, write = 1, open = 2, close = 3, stat = 4, fstat = 5, lstat = 6, poll = 7, lseek = 8, mmap = 9, mprotect = 10,
  munmap = 11, brk = 12, rt_sigaction = 13, rt_sigprocmask = 14, rt_sigreturn = 15, ioctl = 16, pread64 = 17, pwrite64 = 18,
  readv = 19, writev = 20, access = 21, pipe = 22, select = 23, sched_yield = 24, mremap = 25, msync = 26, mincore = 27,
  madvise = 28, dup = 32, dup2 = 33, pause = 34, nanosleep = 35, getitimer = 36, alarm = 37, setitimer = 38, getpid = 39,
  sendfile = 40, socket = 41, connect = 42, accept = 43, sendto = 44, recvfrom = 45, sendmsg = 46, recvmsg = 47, shutdown = 48,
  bind = 49, listen = 50, getsockname = 51, getpeername = 52, socketpair = 53, setsockopt = 54, getsockopt = 55, clone = 56, fork = 57, vfork = 58, execve = 59, exit = 60, wait4 = 61,
  kill = 62, uname = 63, fcntl = 72, flock = 73, fsync = 74, fdatasync = 75, truncate = 76, ftruncate = 77,
  getdents = 78, getcwd = 79, chdir = 80, fchdir = 81, rename = 82, mkdir = 83, rmdir = 84, creat = 85, link = 86,
  unlink = 87, symlink = 88, readlink = 89, chmod = 90, fchmod = 91, chown = 92, fchown = 93, lchown = 94, umask = 95,
  gettimeofday = 96, getrlimit = 97, getrusage = 98, sysinfo = 99, times = 100, getuid = 102, getgid = 104,
  setuid = 105, setgid = 106, geteuid = 107, getegid = 108, setpgid = 109, getppid = 110, getpgrp = 111, setsid = 112,
  setreuid = 113, setregid = 114, getgroups = 115, setgroups = 116, setresuid = 117, getresuid = 118,
  setresgid = 119, getresgid = 120, getpgid = 121, setfsuid = 122, setfsgid = 123, getsid = 124, rt_sigpending = 127, rt_sigtimedwait = 128, rt_sigqueueinfo = 129,
  rt_sigsuspend = 130, sigaltstack = 131, statfs = 137, fstatfs = 138, prctl = 157, arch_prctl = 158, setrlimit = 160,
  sync = 162, gettid = 186, tkill = 200, time = 201, futex = 202, sched_setaffinity = 203, sched_getaffinity = 204,
  epoll_create = 213, getdents64 = 217, set_tid_address = 218, clock_gettime = 228, clock_getres = 229, clock_nanosleep = 230,
  exit_group = 231, epoll_wait = 232, epoll_ctl = 233, tgkill = 234, utimes = 235, waitid = 247, openat = 257, mkdirat = 258, fchownat = 260, futimesat = 261, newfstatat = 262,
  unlinkat = 263, renameat = 264, linkat = 265, symlinkat = 266, readlinkat = 267, fchmodat = 268, faccessat = 269,
  pselect6 = 270, ppoll = 271, set_robust_list = 273, rt_tgsigqueueinfo = 297, get_robust_list = 274, utimensat = 280, epoll_pwait = 281,
  timerfd_create = 283, eventfd = 284, timerfd_settime = 286, timerfd_gettime = 287, accept4 = 288, eventfd2 = 290, epoll_create1 = 291, dup3 = 292, pipe2 = 293, recvmmsg = 299, prlimit64 = 302, syncfs = 306, sendmmsg = 307, getcpu = 309, renameat2 = 316,
  getrandom = 318, memfd_create = 319, execveat = 322, statx = 332, rseq = 334, clone3 = 435, faccessat2 = 439,
}

/** The name of system call `number` for logs and traces ("syscall_N" for one not listed). */
export function sysName(number: u64): string {
  switch (<i32>min(number, 1000)) {
    case Sys.read: return "read"; case Sys.write: return "write"; case Sys.open: return "open"; case Sys.close: return "close";
    case Sys.stat: return "stat"; case Sys.fstat: return "fstat"; case Sys.lstat: return "lstat"; case Sys.poll: return "poll";
    case Sys.lseek: return "lseek"; case Sys.mmap: return "mmap"; case Sys.mprotect: return "mprotect"; case Sys.munmap: return "munmap";
    case Sys.brk: return "brk"; case Sys.rt_sigaction: return "rt_sigaction"; case Sys.rt_sigprocmask: return "rt_sigprocmask";
    case Sys.rt_sigreturn: return "rt_sigreturn"; case Sys.ioctl: return "ioctl"; case Sys.pread64: return "pread64";
    case Sys.pwrite64: return "pwrite64"; case Sys.readv: return "readv"; case Sys.writev: return "writev"; case Sys.access: return "access";
    case Sys.pipe: return "pipe"; case Sys.select: return "select"; case Sys.sched_yield: return "sched_yield"; case Sys.mremap: return "mremap";
    case Sys.msync: return "msync"; case Sys.mincore: return "mincore"; case Sys.madvise: return "madvise"; case Sys.dup: return "dup";
    case Sys.dup2: return "dup2"; case Sys.pause: return "pause"; case Sys.nanosleep: return "nanosleep"; case Sys.getitimer: return "getitimer";
    case Sys.alarm: return "alarm"; case Sys.setitimer: return "setitimer"; case Sys.getpid: return "getpid"; case Sys.sendfile: return "sendfile";
    case Sys.socket: return "socket"; case Sys.connect: return "connect"; case Sys.accept: return "accept"; case Sys.accept4: return "accept4";
    case Sys.bind: return "bind"; case Sys.listen: return "listen"; case Sys.getsockname: return "getsockname"; case Sys.getpeername: return "getpeername"; case Sys.setsockopt: return "setsockopt"; case Sys.sendmmsg: return "sendmmsg"; case Sys.recvmmsg: return "recvmmsg"; case Sys.sendto: return "sendto"; case Sys.recvfrom: return "recvfrom"; case Sys.sendmsg: return "sendmsg"; case Sys.recvmsg: return "recvmsg"; case Sys.shutdown: return "shutdown"; case Sys.socketpair: return "socketpair"; case Sys.getsockopt: return "getsockopt"; case Sys.clone: return "clone"; case Sys.fork: return "fork";
    case Sys.vfork: return "vfork"; case Sys.execve: return "execve"; case Sys.execveat: return "execveat"; case Sys.exit: return "exit"; case Sys.wait4: return "wait4";
    case Sys.kill: return "kill"; case Sys.uname: return "uname"; case Sys.fcntl: return "fcntl"; case Sys.flock: return "flock";
    case Sys.fsync: return "fsync"; case Sys.fdatasync: return "fdatasync"; case Sys.truncate: return "truncate"; case Sys.ftruncate: return "ftruncate";
    case Sys.getdents: return "getdents"; case Sys.getcwd: return "getcwd"; case Sys.chdir: return "chdir"; case Sys.fchdir: return "fchdir";
    case Sys.rename: return "rename"; case Sys.mkdir: return "mkdir"; case Sys.rmdir: return "rmdir"; case Sys.creat: return "creat";
    case Sys.link: return "link"; case Sys.unlink: return "unlink"; case Sys.symlink: return "symlink"; case Sys.readlink: return "readlink";
    case Sys.chmod: return "chmod"; case Sys.fchmod: return "fchmod"; case Sys.chown: return "chown"; case Sys.fchown: return "fchown";
    case Sys.lchown: return "lchown"; case Sys.umask: return "umask"; case Sys.gettimeofday: return "gettimeofday";
    case Sys.getrlimit: return "getrlimit"; case Sys.getrusage: return "getrusage"; case Sys.sysinfo: return "sysinfo"; case Sys.times: return "times";
    case Sys.getuid: return "getuid"; case Sys.getgid: return "getgid"; case Sys.setuid: return "setuid"; case Sys.setgid: return "setgid";
    case Sys.geteuid: return "geteuid"; case Sys.getegid: return "getegid"; case Sys.setpgid: return "setpgid"; case Sys.getppid: return "getppid";
    case Sys.getpgrp: return "getpgrp"; case Sys.setsid: return "setsid"; case Sys.getgroups: return "getgroups"; case Sys.setgroups: return "setgroups";
    case Sys.setreuid: return "setreuid"; case Sys.setregid: return "setregid"; case Sys.setresuid: return "setresuid";
    case Sys.getresuid: return "getresuid"; case Sys.setresgid: return "setresgid"; case Sys.getresgid: return "getresgid";
    case Sys.setfsuid: return "setfsuid"; case Sys.setfsgid: return "setfsgid";
    case Sys.getpgid: return "getpgid"; case Sys.getsid: return "getsid"; case Sys.rt_sigpending: return "rt_sigpending";
    case Sys.rt_sigtimedwait: return "rt_sigtimedwait"; case Sys.rt_sigqueueinfo: return "rt_sigqueueinfo";
    case Sys.rt_tgsigqueueinfo: return "rt_tgsigqueueinfo"; case Sys.rt_sigsuspend: return "rt_sigsuspend"; case Sys.sigaltstack: return "sigaltstack";
    case Sys.statfs: return "statfs"; case Sys.fstatfs: return "fstatfs"; case Sys.prctl: return "prctl"; case Sys.arch_prctl: return "arch_prctl";
    case Sys.setrlimit: return "setrlimit"; case Sys.sync: return "sync"; case Sys.gettid: return "gettid"; case Sys.tkill: return "tkill";
    case Sys.time: return "time"; case Sys.futex: return "futex"; case Sys.sched_setaffinity: return "sched_setaffinity";
    case Sys.sched_getaffinity: return "sched_getaffinity"; case Sys.getdents64: return "getdents64"; case Sys.set_tid_address: return "set_tid_address";
    case Sys.clock_gettime: return "clock_gettime"; case Sys.clock_getres: return "clock_getres"; case Sys.clock_nanosleep: return "clock_nanosleep";
    case Sys.exit_group: return "exit_group"; case Sys.tgkill: return "tgkill"; case Sys.waitid: return "waitid"; case Sys.openat: return "openat";
    case Sys.mkdirat: return "mkdirat"; case Sys.fchownat: return "fchownat"; case Sys.newfstatat: return "newfstatat"; case Sys.unlinkat: return "unlinkat";
    case Sys.renameat: return "renameat"; case Sys.linkat: return "linkat"; case Sys.symlinkat: return "symlinkat"; case Sys.readlinkat: return "readlinkat";
    case Sys.fchmodat: return "fchmodat"; case Sys.faccessat: return "faccessat"; case Sys.pselect6: return "pselect6"; case Sys.ppoll: return "ppoll";
    case Sys.set_robust_list: return "set_robust_list"; case Sys.get_robust_list: return "get_robust_list"; case Sys.utimensat: return "utimensat";
    case Sys.epoll_pwait: return "epoll_pwait"; case Sys.epoll_create: return "epoll_create"; case Sys.epoll_wait: return "epoll_wait"; case Sys.epoll_ctl: return "epoll_ctl"; case Sys.eventfd: return "eventfd"; case Sys.timerfd_create: return "timerfd_create"; case Sys.timerfd_settime: return "timerfd_settime"; case Sys.timerfd_gettime: return "timerfd_gettime"; case Sys.eventfd2: return "eventfd2"; case Sys.epoll_create1: return "epoll_create1";
    case Sys.dup3: return "dup3"; case Sys.pipe2: return "pipe2"; case Sys.prlimit64: return "prlimit64"; case Sys.getcpu: return "getcpu";
    case Sys.renameat2: return "renameat2"; case Sys.getrandom: return "getrandom"; case Sys.memfd_create: return "memfd_create";
    case Sys.statx: return "statx"; case Sys.rseq: return "rseq"; case Sys.clone3: return "clone3"; case Sys.faccessat2: return "faccessat2";
    case Sys.utimes: return "utimes"; case Sys.futimesat: return "futimesat"; case Sys.syncfs: return "syncfs";
    default: return "syscall_" + number.toString();
  }
}
