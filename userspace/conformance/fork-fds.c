/* fork-fds: a child gets copies of its parent's descriptors (same files, same offsets, same
 * close-on-exec flags); closing one in the child leaves the parent's open; a pipe's end of file
 * needs every copy of its write end closed; a process with 200 descriptors open (100 pipes) forks,
 * and its child writes through every one. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("fork-fds");
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  CHECK("F_SETFD FD_CLOEXEC", fcntl(fd, F_SETFD, FD_CLOEXEC));
  int ends[2];
  CHECK("pipe", pipe(ends));
  pid_t child = fork();
  if (child == 0) {
    int ok = fcntl(fd, F_GETFD) == FD_CLOEXEC;
    ok = ok && write(fd, "child", 5) == 5;
    ok = ok && close(fd) == 0;
    ok = ok && close(ends[0]) == 0;
    _exit(ok ? 0 : 1);
  }
  wait_report("child used and closed its copies", child);
  CHECK("the parent's descriptor is open", fcntl(fd, F_GETFD));
  CHECK("offset moved by the child", lseek(fd, 0, SEEK_CUR));
  CHECK("write the pipe (the read end still open here)", write(ends[1], "x", 1));
  child = fork();
  if (child == 0) {
    close(ends[1]);
    char buffer[4];
    long n = read(ends[0], buffer, sizeof buffer);
    long end = read(ends[0], buffer, sizeof buffer);
    _exit(n == 1 && end == 0 ? 0 : 1);
  }
  CHECK("close the parent's write end", close(ends[1]));
  wait_report("the reader saw 1 byte then end of file", child);

  static int many[100][2];
  int made = 0;
  for (int i = 0; i < 100; i++) made += pipe(many[i]) == 0;
  printf("pipes made: %d\n", made);
  child = fork();
  if (child == 0) {
    int ok = 1;
    for (int i = 0; i < 100; i++) ok = ok && write(many[i][1], &i, 1) == 1;
    _exit(ok ? 0 : 1);
  }
  wait_report("a child with 200 descriptors wrote through each", child);
  int right = 0;
  for (int i = 0; i < 100; i++) {
    unsigned char byte = 0xff;
    right += read(many[i][0], &byte, 1) == 1 && byte == i;
  }
  printf("bytes read back in order: %d\n", right);
  return 0;
}
