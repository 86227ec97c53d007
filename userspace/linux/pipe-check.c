/* pipe-check: pipes between a process and its children, unmodified (glibc and musl, static); its
 * output is compared with the same binary's as /init on Debian's kernel (tests/qemu/linux.test.ts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *name(int error) {
  switch (error) {
    case EBADF: return "EBADF"; case EPIPE: return "EPIPE"; case EAGAIN: return "EAGAIN"; case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL"; case EMFILE: return "EMFILE"; case ESPIPE: return "ESPIPE";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

/* A checksum of `length` bytes of the stream a child writes: byte i is (i * 7 + i / 251) & 0xff. */
static unsigned char stream_byte(uint64_t i) { return (unsigned char)((i * 7 + i / 251) & 0xff); }

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);   /* EPIPE instead of the signal, on both kernels */
  printf("pipe-check: started\n");
  int fds[2];
  result("pipe", pipe(fds));
  printf("descriptors: %d %d\n", fds[0], fds[1]);
  result("write 5", write(fds[1], "hello", 5));
  int available = -1;
  result("FIONREAD", ioctl(fds[0], FIONREAD, &available));
  printf("available: %d\n", available);
  char buffer[64] = { 0 };
  result("read up to 64", read(fds[0], buffer, sizeof buffer));
  printf("read: %s\n", buffer);
  result("read on the write end", read(fds[1], buffer, 1));
  result("write on the read end", write(fds[0], "x", 1));
  result("lseek", lseek(fds[0], 0, SEEK_SET));
  struct stat status;
  result("fstat", fstat(fds[0], &status));
  printf("fstat: FIFO %d, mode %o\n", S_ISFIFO(status.st_mode), status.st_mode & 0777);
  printf("F_GETFL: read end %d, write end %d\n", fcntl(fds[0], F_GETFL) & O_ACCMODE, fcntl(fds[1], F_GETFL) & O_ACCMODE);
  result("close the write end", close(fds[1]));
  result("read at the end of the stream", read(fds[0], buffer, 8));
  result("close the read end", close(fds[0]));

  /* No reader: EPIPE (SIGPIPE ignored). */
  result("pipe", pipe(fds));
  close(fds[0]);
  result("write without a reader", write(fds[1], "x", 1));
  close(fds[1]);

  /* O_NONBLOCK: EAGAIN on an empty pipe and on a full one; the pipe holds 64 KiB. */
  result("pipe2 O_NONBLOCK|O_CLOEXEC", pipe2(fds, O_NONBLOCK | O_CLOEXEC));
  printf("FD_CLOEXEC: %d, O_NONBLOCK: %d\n", fcntl(fds[0], F_GETFD), (fcntl(fds[1], F_GETFL) & O_NONBLOCK) != 0);
  result("read an empty pipe", read(fds[0], buffer, 1));
  static char block[4096];
  long total = 0;
  for (;;) { long n = write(fds[1], block, sizeof block); if (n < 0) break; total += n; }
  printf("filled with %ld bytes, then %s\n", total, name(errno));
  result("one more byte", write(fds[1], "x", 1));
  close(fds[0]);
  close(fds[1]);
  result("pipe2 bad flags", pipe2(fds, 0x10));
  result("pipe to a bad address", syscall(SYS_pipe, (void *)16));

  /* A child writes 1 MiB in uneven pieces; the parent reads it all and checks every byte. */
  pipe(fds);
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    static unsigned char piece[10007];
    uint64_t sent = 0;
    while (sent < (1 << 20)) {
      size_t n = sizeof piece;
      if (n > (1 << 20) - sent) n = (1 << 20) - sent;
      for (size_t i = 0; i < n; i++) piece[i] = stream_byte(sent + i);
      if (write(fds[1], piece, n) != (ssize_t)n) _exit(1);
      sent += n;
    }
    _exit(0);
  }
  close(fds[1]);
  uint64_t received = 0;
  int intact = 1;
  static unsigned char chunk[3000];
  for (;;) {
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) intact &= chunk[i] == stream_byte(received + i);
    received += n;
  }
  close(fds[0]);
  int code = -1;
  waitpid(child, &code, 0);
  printf("1 MiB through a pipe: received %llu, intact %d, writer exited %d\n", (unsigned long long)received, intact, WEXITSTATUS(code));

  /* Ping-pong: 200 round trips of one byte with a child. */
  int there[2], back[2];
  pipe(there);
  pipe(back);
  child = fork();
  if (child == 0) {
    close(there[1]);   /* else its own copy keeps the stream open */
    close(back[0]);
    char c;
    while (read(there[0], &c, 1) == 1) { c++; if (write(back[1], &c, 1) != 1) _exit(1); }
    _exit(0);
  }
  close(there[0]);
  close(back[1]);
  char c = 0;
  int ok = 1;
  for (int i = 0; i < 200; i++) {
    char sent = (char)i;
    if (write(there[1], &sent, 1) != 1 || read(back[0], &c, 1) != 1 || c != (char)(i + 1)) { ok = 0; break; }
  }
  close(there[1]);
  waitpid(child, &code, 0);
  printf("ping-pong: 200 round trips %d, echo exited %d\n", ok, WEXITSTATUS(code));
  result("the echo's end after it exited", read(back[0], &c, 1));
  close(back[0]);

  /* writev and readv. */
  pipe(fds);
  struct iovec out[2] = { { "ab", 2 }, { "cdef", 4 } };
  result("writev", writev(fds[1], out, 2));
  char first[3] = { 0 }, second[8] = { 0 };
  struct iovec in[2] = { { first, 2 }, { second, 7 } };
  result("readv", readv(fds[0], in, 2));
  printf("readv: %s %s\n", first, second);
  close(fds[0]);
  close(fds[1]);
  printf("pipe-check: done\n");
  tcdrain(1);   /* on the wire before init exits: Linux panics when init exits, and would cut the tty's output */
  return 0;
}
