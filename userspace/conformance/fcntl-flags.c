/* fcntl-flags: F_GETFL (the access mode and status flags), F_SETFL (O_APPEND and O_NONBLOCK
 * change, the access mode does not), F_GETFD and F_SETFD; unknown commands EINVAL; EBADF. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("fcntl-flags");
  int fd = CHECK("open O_WRONLY|O_CREAT", open("file", O_WRONLY | O_CREAT, 0644));
  long flags = CHECK("F_GETFL", fcntl(fd, F_GETFL));
  printf("access mode %ld, O_APPEND %d, O_NONBLOCK %d\n", flags & O_ACCMODE, (flags & O_APPEND) != 0, (flags & O_NONBLOCK) != 0);
  CHECK("F_SETFL O_APPEND|O_NONBLOCK|O_RDWR", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDWR));
  flags = CHECK("F_GETFL", fcntl(fd, F_GETFL));
  printf("access mode %ld, O_APPEND %d, O_NONBLOCK %d\n", flags & O_ACCMODE, (flags & O_APPEND) != 0, (flags & O_NONBLOCK) != 0);
  CHECK("write", write(fd, "ab", 2));
  CHECK("lseek 0", lseek(fd, 0, SEEK_SET));
  CHECK("write appends", write(fd, "cd", 2));
  CHECK("offset", lseek(fd, 0, SEEK_CUR));
  CHECK("F_SETFL 0", fcntl(fd, F_SETFL, 0));
  flags = CHECK("F_GETFL", fcntl(fd, F_GETFL));
  printf("O_APPEND %d\n", (flags & O_APPEND) != 0);
  CHECK("F_GETFD", fcntl(fd, F_GETFD));
  CHECK("F_SETFD FD_CLOEXEC", fcntl(fd, F_SETFD, FD_CLOEXEC));
  CHECK("F_GETFD", fcntl(fd, F_GETFD));
  CHECK("F_SETFD 0", fcntl(fd, F_SETFD, 0));
  CHECK("F_GETFD", fcntl(fd, F_GETFD));
  CHECK("command 9999", fcntl(fd, 9999));
  CHECK("F_GETFL a closed descriptor", fcntl(40, F_GETFL));
  int ends[2];
  CHECK("pipe", pipe(ends));
  flags = CHECK("F_GETFL of a read end", fcntl(ends[0], F_GETFL));
  CHECK("F_SETFL O_NONBLOCK", fcntl(ends[0], F_SETFL, O_NONBLOCK));
  char c;
  CHECK("read an empty pipe", read(ends[0], &c, 1));
  return 0;
}
