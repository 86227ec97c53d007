/* truncate: truncate and ftruncate grow (with zeros) and shrink a file; EINVAL for a negative
 * length or a descriptor not open for writing, EISDIR, ENOENT, EBADF. */
#include "report.h"
#include <fcntl.h>

static long long size_of(const char *path) {
  struct stat s;
  return stat(path, &s) == 0 ? (long long)s.st_size : -1;
}

int main(void) {
  scratch("truncate");
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  CHECK("write 6", write(fd, "abcdef", 6));
  CHECK("truncate to 3", truncate("file", 3));
  printf("size: %lld\n", size_of("file"));
  CHECK("ftruncate to 5000", ftruncate(fd, 5000));
  printf("size: %lld\n", size_of("file"));
  char buffer[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
  CHECK("pread at 2", pread(fd, buffer, 4, 2));
  printf("bytes: %02x %02x %02x %02x\n", buffer[0], buffer[1], buffer[2], buffer[3]);
  CHECK("offset unchanged", lseek(fd, 0, SEEK_CUR));
  CHECK("ftruncate to 0", ftruncate(fd, 0));
  CHECK("read at offset 6 of an empty file", read(fd, buffer, 8));
  CHECK("truncate -1", truncate("file", -1));
  CHECK("ftruncate -1", ftruncate(fd, -1));
  CHECK("truncate a folder", truncate(".", 0));
  CHECK("truncate missing", truncate("missing", 0));
  CHECK("ftruncate a closed descriptor", ftruncate(40, 0));
  int readonly = CHECK("open O_RDONLY", open("file", O_RDONLY));
  CHECK("ftruncate read-only", ftruncate(readonly, 0));
  int ends[2];
  CHECK("pipe", pipe(ends));
  CHECK("ftruncate a pipe", ftruncate(ends[1], 0));
  CHECK("close", close(fd));
  return 0;
}
