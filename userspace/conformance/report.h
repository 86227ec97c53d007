/* report.h: what every conformance program (docs/linux.md, "Conformance") prints with. Each line
 * is `label: VALUE`, where VALUE is a call's return value, or `-1 ENAME` when it failed, so that
 * the output on Debian's kernel and on Capsid can be compared line for line. Values that may
 * differ between kernels (addresses, times, pids, inode numbers) are never printed: a program
 * prints a comparison instead (EXPECT). */
#ifndef CONFORMANCE_REPORT_H
#define CONFORMANCE_REPORT_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNUSED __attribute__((unused))

/** The symbolic name of errno value `error` (`E<number>` for one not listed). */
static UNUSED const char *errno_name(int error) {
  static char other[16];
  switch (error) {
    case 0: return "0";
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case ESRCH: return "ESRCH"; case EINTR: return "EINTR";
    case EIO: return "EIO"; case ENXIO: return "ENXIO"; case E2BIG: return "E2BIG"; case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF"; case ECHILD: return "ECHILD"; case EAGAIN: return "EAGAIN"; case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES"; case EFAULT: return "EFAULT"; case EBUSY: return "EBUSY"; case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV"; case ENODEV: return "ENODEV"; case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL"; case ENFILE: return "ENFILE"; case EMFILE: return "EMFILE"; case ENOTTY: return "ENOTTY";
    case EFBIG: return "EFBIG"; case ENOSPC: return "ENOSPC"; case ESPIPE: return "ESPIPE"; case EROFS: return "EROFS";
    case EMLINK: return "EMLINK"; case EPIPE: return "EPIPE"; case EDOM: return "EDOM"; case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG"; case ENOSYS: return "ENOSYS"; case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP"; case EOVERFLOW: return "EOVERFLOW"; case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETIMEDOUT: return "ETIMEDOUT"; case ENOTSOCK: return "ENOTSOCK"; case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE"; case EADDRNOTAVAIL: return "EADDRNOTAVAIL"; case ECONNREFUSED: return "ECONNREFUSED";
    case EISCONN: return "EISCONN"; case ENOTCONN: return "ENOTCONN"; case EINPROGRESS: return "EINPROGRESS"; case EALREADY: return "EALREADY";
    case EDESTADDRREQ: return "EDESTADDRREQ"; case EMSGSIZE: return "EMSGSIZE"; case ENOPROTOOPT: return "ENOPROTOOPT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT"; case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT"; case ENETUNREACH: return "ENETUNREACH";
    case ECONNRESET: return "ECONNRESET"; case EPROTOTYPE: return "EPROTOTYPE";
    default: snprintf(other, sizeof other, "E%d", error); return other;
  }
}

/** Prints `label: VALUE` or `label: -1 ENAME` and gives `value` back. */
static UNUSED long report(const char *label, long value, int error) {
  if (value == -1) printf("%s: -1 %s\n", label, errno_name(error));
  else printf("%s: %ld\n", label, value);
  return value;
}

/** `label: VALUE`: a call's result and, when it failed, its errno. */
#define CHECK(label, expression) ({ errno = 0; long value_ = (long)(expression); report((label), value_, errno); })

/** Like CHECK for a result that may differ between kernels (a pid, an address): `label: ok` when
 * it succeeded, else `label: -1 ENAME`. */
static UNUSED long report_ok(const char *label, long value, int error) {
  if (value == -1) printf("%s: -1 %s\n", label, errno_name(error));
  else printf("%s: ok\n", label);
  return value;
}
#define CHECK_OK(label, expression) ({ errno = 0; long value_ = (long)(expression); report_ok((label), value_, errno); })

/** A pointer result (mmap, sbrk): `label: ok` or `label: failed ENAME`. */
#define CHECK_PTR(label, expression, failed) ({ errno = 0; void *value_ = (void *)(expression); \
  if (value_ == (void *)(failed)) printf("%s: failed %s\n", (label), errno_name(errno)); else printf("%s: ok\n", (label)); value_; })

/** `label: yes` or `label: no`: a fact both kernels must agree on. */
#define EXPECT(label, condition) printf("%s: %s\n", (label), (condition) ? "yes" : "no")

/** How a waited-for child ended: `label: exit N`, `label: signal N`, `label: stopped N`. */
static UNUSED void report_status(const char *label, int status) {
  if (WIFEXITED(status)) printf("%s: exit %d\n", label, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: signal %d%s\n", label, WTERMSIG(status), WCOREDUMP(status) ? " core" : "");
  else if (WIFSTOPPED(status)) printf("%s: stopped %d\n", label, WSTOPSIG(status));
  else printf("%s: status 0x%x\n", label, status);
}

/** Waits for `child` and prints how it ended. */
static UNUSED void wait_report(const char *label, pid_t child) {
  int status = 0;
  pid_t got = waitpid(child, &status, 0);
  if (got != child) printf("%s: waitpid -1 %s\n", label, errno_name(errno));
  else report_status(label, status);
}

/** A fresh folder /tmp/NAME as the working directory, for the files a program makes. */
static UNUSED void scratch(const char *name) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/%s", name);
  mkdir(path, 0755);
  if (chdir(path) != 0) printf("scratch %s: chdir -1 %s\n", path, errno_name(errno));
}

/** An address no program maps (volatile: the compiler must not see through it). */
static UNUSED void *volatile bad_pointer = (void *)16;

#endif
