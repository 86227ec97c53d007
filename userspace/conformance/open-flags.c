/* open-flags: open's flags: O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, the
 * access modes, and its errors (EEXIST, ENOENT, ENOTDIR, EISDIR, ELOOP, EFAULT). */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("open-flags");
  CHECK("open O_CREAT|O_EXCL new", open("file", O_CREAT | O_EXCL | O_WRONLY, 0644));
  CHECK("write 5", write(3, "hello", 5));
  CHECK("close", close(3));
  CHECK("open O_CREAT|O_EXCL on existing", open("file", O_CREAT | O_EXCL | O_WRONLY, 0644));
  CHECK("open missing", open("missing", O_RDONLY));
  CHECK("open missing/inner", open("missing/inner", O_RDONLY | O_CREAT, 0644));
  CHECK("open file/inner", open("file/inner", O_RDONLY));
  CHECK("open O_DIRECTORY on a file", open("file", O_RDONLY | O_DIRECTORY));
  CHECK("open O_DIRECTORY on a folder", open(".", O_RDONLY | O_DIRECTORY));
  CHECK("close", close(3));
  CHECK("open a folder O_WRONLY", open(".", O_WRONLY));
  CHECK("open a folder O_RDWR", open(".", O_RDWR));
  CHECK("open a folder O_CREAT", open(".", O_RDONLY | O_CREAT, 0644));
  CHECK("symlink", symlink("file", "link"));
  CHECK("open O_NOFOLLOW on a link", open("link", O_RDONLY | O_NOFOLLOW));
  CHECK("open O_NOFOLLOW on a file", open("file", O_RDONLY | O_NOFOLLOW));
  CHECK("close", close(3));
  CHECK("open through the link", open("link", O_RDONLY));
  char buffer[16] = { 0 };
  CHECK("read", read(3, buffer, sizeof buffer));
  printf("content: %s\n", buffer);
  CHECK("close", close(3));
  CHECK("open O_APPEND", open("file", O_WRONLY | O_APPEND));
  CHECK("lseek 0", lseek(3, 0, SEEK_SET));
  CHECK("write appends", write(3, "!", 1));
  CHECK("lseek SEEK_CUR", lseek(3, 0, SEEK_CUR));
  CHECK("close", close(3));
  CHECK("open O_TRUNC", open("file", O_WRONLY | O_TRUNC));
  struct stat status;
  CHECK("fstat", fstat(3, &status));
  printf("size after O_TRUNC: %lld\n", (long long)status.st_size);
  CHECK("close", close(3));
  CHECK("open O_RDONLY then write", open("file", O_RDONLY));
  CHECK("write to O_RDONLY", write(3, "x", 1));
  CHECK("close", close(3));
  CHECK("open O_WRONLY then read", open("file", O_WRONLY));
  CHECK("read from O_WRONLY", read(3, buffer, 1));
  CHECK("close", close(3));
  CHECK("open empty path", open("", O_RDONLY));
  CHECK("open a bad pointer", open((const char *)bad_pointer, O_RDONLY));
  CHECK("open O_CREAT mode 0600", open("private", O_CREAT | O_WRONLY, 0600));
  CHECK("fstat", fstat(3, &status));
  printf("mode: %o\n", status.st_mode & 07777);
  CHECK("close", close(3));
  return 0;
}
