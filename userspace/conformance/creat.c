/* creat: creat makes a file or truncates one, write-only; its errors. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("creat");
  CHECK("creat new", creat("file", 0644));
  CHECK("write 4", write(3, "abcd", 4));
  char byte;
  CHECK("read from creat's descriptor", read(3, &byte, 1));
  CHECK("fcntl F_GETFL & O_ACCMODE", fcntl(3, F_GETFL) & O_ACCMODE);
  CHECK("close", close(3));
  CHECK("creat existing", creat("file", 0600));
  struct stat status;
  CHECK("stat", stat("file", &status));
  printf("size: %lld, mode kept: %o\n", (long long)status.st_size, status.st_mode & 0777);
  CHECK("close", close(3));
  CHECK("creat in a missing folder", creat("missing/file", 0644));
  CHECK("creat a folder", creat(".", 0644));
  CHECK("creat through a file", creat("file/x", 0644));
  return 0;
}
