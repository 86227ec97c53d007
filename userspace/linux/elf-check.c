/* elf-check: malformed ELF images given to execve: each variant of a real program's first bytes
 * is written to /tmp with an execute bit and run; the errno (or how the child ended) is printed.
 * The output is compared with the same binary's as /init on Debian's kernel (tests/qemu/
 * linux.test.ts): a malformed image is refused, never a crash. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static unsigned char original[4096];
static unsigned char image[8192];

static const char *name(int error) {
  switch (error) {
    case ENOEXEC: return "ENOEXEC"; case EIO: return "EIO"; case EACCES: return "EACCES"; case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL"; case ENOENT: return "ENOENT"; case EFAULT: return "EFAULT"; case ELIBBAD: return "ELIBBAD";
    default: return "other";
  }
}

/* Writes `length` bytes of `image` as /tmp/bad and execs it in a child. */
static void try(const char *what, size_t length) {
  int fd = open("/tmp/bad", O_WRONLY | O_CREAT | O_TRUNC, 0755);
  if (fd < 0 || write(fd, image, length) != (ssize_t)length) { printf("%s: could not write /tmp/bad (%s)\n", what, name(errno)); return; }
  close(fd);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    char *argv[] = { "bad", 0 }, *envp[] = { 0 };
    syscall(SYS_execve, "/tmp/bad", argv, envp);
    printf("%s: execve -1 %s\n", what, name(errno));
    fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (WIFSIGNALED(status)) printf("%s: the program ran and died of signal %d\n", what, WTERMSIG(status));
  else if (WEXITSTATUS(status) != 0) printf("%s: the program ran and exited %d\n", what, WEXITSTATUS(status));
}

static void reset(void) { memcpy(image, original, sizeof original); }
static void put16(size_t at, uint16_t value) { memcpy(image + at, &value, 2); }
static void put32(size_t at, uint32_t value) { memcpy(image + at, &value, 4); }
static void put64(size_t at, uint64_t value) { memcpy(image + at, &value, 8); }

int main(void) {
  printf("elf-check: started\n");
  int fd = open("/bin/busybox", O_RDONLY);
  if (fd < 0 || read(fd, original, sizeof original) != sizeof original) { printf("elf-check: cannot read /bin/busybox\n"); return 1; }
  close(fd);
  reset(); try("an empty file", 0);
  reset(); try("ten bytes of a header", 10);
  reset(); image[1] = 'X'; try("bad magic", sizeof original);
  reset(); image[4] = 1; try("32-bit class", sizeof original);
  reset(); image[5] = 2; try("big-endian", sizeof original);
  reset(); put16(18, 3); try("another machine", sizeof original);
  reset(); put16(16, 1); try("a relocatable object", sizeof original);
  reset(); put16(16, 4); try("a core file", sizeof original);
  reset(); put16(54, 32); try("program headers of the wrong size", sizeof original);
  reset(); put16(56, 0); try("no program headers", sizeof original);
  reset(); put16(56, 65535); try("65535 program headers", sizeof original);
  reset(); put64(32, 1 << 20); try("program headers past the end", sizeof original);
  reset(); put64(32, UINT64_MAX - 8); try("program header offset wrapping", sizeof original);
  reset(); put32(64, 0x6474e551); put32(68, 7); try("an executable stack", sizeof original);   /* the first header as PT_GNU_STACK RWX */
  reset(); memset(image + 64, 0xff, 56 * 2); try("garbage program headers", sizeof original);
  reset(); memcpy(image, "#!", 2); try("#! in place of an ELF header", sizeof original);
  unlink("/tmp/bad");
  printf("elf-check: done\n");
  fflush(stdout);
  tcdrain(1);
  return 0;
}
