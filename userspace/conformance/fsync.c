/* fsync: fsync, fdatasync, syncfs and sync on files (nothing to fail on an in-memory or any
 * file system), and EBADF, EINVAL (a pipe, which cannot be synced). */
#include "report.h"
#include <fcntl.h>
#include <sys/syscall.h>

int main(void) {
  scratch("fsync");
  int fd = CHECK("creat", creat("file", 0644));
  CHECK("write", write(fd, "data", 4));
  CHECK("fsync", fsync(fd));
  CHECK("fdatasync", fdatasync(fd));
  CHECK("syncfs", syscall(SYS_syncfs, fd));
  sync();
  printf("sync: done\n");
  CHECK("fsync a closed descriptor", fsync(40));
  CHECK("fdatasync a closed descriptor", fdatasync(40));
  CHECK("syncfs a closed descriptor", syscall(SYS_syncfs, 40));
  int ends[2];
  CHECK("pipe", pipe(ends));
  CHECK("fsync a pipe", fsync(ends[0]));
  int folder = CHECK("open .", open(".", O_RDONLY));
  CHECK("fsync a folder", fsync(folder));
  CHECK("fsync O_RDONLY file", fsync(open("file", O_RDONLY)));
  return 0;
}
