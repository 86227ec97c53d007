/* mmap-file: a file mapped MAP_PRIVATE reads its bytes (zeros past its end in the last page);
 * writes to the mapping do not reach the file; EACCES for a write-only descriptor, ENODEV or
 * EACCES for a pipe, EBADF. */
#include "report.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(void) {
  scratch("mmap-file");
  long page = sysconf(_SC_PAGESIZE);
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  char text[6000];
  for (int i = 0; i < 6000; i++) text[i] = 'a' + i % 26;
  CHECK("write 6000", write(fd, text, 6000));
  char *p = CHECK_PTR("mmap MAP_PRIVATE 2 pages", mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), MAP_FAILED);
  if (p != MAP_FAILED) {
    EXPECT("the file's bytes", memcmp(p, text, 6000) == 0);
    EXPECT("zeros past the end", p[6000] == 0 && p[2 * page - 1] == 0);
    p[0] = 'Z';
    char first = 0;
    pread(fd, &first, 1, 0);
    printf("the file's first byte after a private write: %c\n", first);
    CHECK("munmap", munmap(p, 2 * page));
  } else {   /* the same lines, so that the ones after still pair up with the reference's */
    printf("the file's bytes: no mapping\nzeros past the end: no mapping\nthe file's first byte after a private write: no mapping\nmunmap: no mapping\n");
  }
  char *second = CHECK_PTR("mmap at offset 4096", mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, page), MAP_FAILED);
  if (second != MAP_FAILED) printf("byte at 4096: %c\n", second[0]);
  else printf("byte at 4096: no mapping\n");
  int writeonly = CHECK("open O_WRONLY", open("file", O_WRONLY));
  CHECK_PTR("mmap a write-only descriptor", mmap(NULL, page, PROT_READ, MAP_PRIVATE, writeonly, 0), MAP_FAILED);
  int ends[2];
  pipe(ends);
  CHECK_PTR("mmap a pipe", mmap(NULL, page, PROT_READ, MAP_PRIVATE, ends[0], 0), MAP_FAILED);
  CHECK_PTR("mmap a closed descriptor", mmap(NULL, page, PROT_READ, MAP_PRIVATE, 40, 0), MAP_FAILED);
  int readonly = CHECK("open O_RDONLY", open("file", O_RDONLY));
  CHECK_PTR("mmap MAP_PRIVATE read-write of a read-only descriptor", mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, readonly, 0), MAP_FAILED);
  return 0;
}
