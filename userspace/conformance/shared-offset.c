/* shared-offset: dup'd descriptors and a forked child share one offset; a second open has its
 * own. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("shared-offset");
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  CHECK("write 10", write(fd, "0123456789", 10));
  int copy = CHECK("dup", dup(fd));
  CHECK("lseek the copy to 2", lseek(copy, 2, SEEK_SET));
  CHECK("the original's offset", lseek(fd, 0, SEEK_CUR));
  int other = CHECK("open again", open("file", O_RDONLY));
  CHECK("its own offset", lseek(other, 0, SEEK_CUR));
  pid_t child = fork();
  if (child == 0) {
    char c;
    read(fd, &c, 1);
    read(fd, &c, 1);
    _exit(c == '3' ? 0 : 1);
  }
  wait_report("child read two bytes", child);
  CHECK("the offset after the child", lseek(fd, 0, SEEK_CUR));
  char c = 0;
  CHECK("read", read(copy, &c, 1));
  printf("byte: %c\n", c);
  return 0;
}
