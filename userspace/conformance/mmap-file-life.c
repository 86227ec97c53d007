/* mmap-file-life: a private file mapping outlives close() and unlink(); MADV_DONTNEED drops a
 * private copy, so the page reads the file again; a page not yet touched shows what the file
 * holds when it is first read; a page read before the file changes (a difference, listed);
 * msync succeeds on it (EINVAL for MS_ASYNC with MS_SYNC, an unaligned address). */
#include "report.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(void) {
  scratch("mmap-file-life");
  long page = sysconf(_SC_PAGESIZE);
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  char text[4 * 4096];
  for (int i = 0; i < (int)sizeof text; i++) text[i] = '0' + (i / 4096);
  CHECK("write 4 pages", write(fd, text, sizeof text));
  char *p = CHECK_PTR("mmap 4 pages private", mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), MAP_FAILED);
  if (p == MAP_FAILED) return 1;
  printf("page 0: %c\n", p[0]);
  p[1] = 'w';
  CHECK("pwrite 'x' at page 2", pwrite(fd, "x", 1, 2 * page));
  printf("page 2, first touched after the file changed: %c\n", p[2 * page]);
  printf("page 1, read: %c\n", p[page]);
  CHECK("pwrite 'z' at page 1", pwrite(fd, "z", 1, page));
  printf("page 1, read before the file changed: %c\n", p[page]);
  CHECK("pwrite 'y' at page 0", pwrite(fd, "y", 1, 0));
  printf("page 0, written before the file changed: %c\n", p[0]);
  CHECK("MADV_DONTNEED page 0", madvise(p, page, MADV_DONTNEED));
  printf("page 0 after MADV_DONTNEED: %c%c\n", p[0], p[1]);
  CHECK("msync MS_SYNC", msync(p, 4 * page, MS_SYNC));
  CHECK("msync MS_ASYNC | MS_SYNC", msync(p, page, MS_ASYNC | MS_SYNC));
  CHECK("msync unaligned", msync(p + 1, page, MS_ASYNC));
  CHECK("close", close(fd));
  CHECK("unlink", unlink("file"));
  printf("page 3 after close and unlink: %c\n", p[3 * page + 9]);
  CHECK("munmap", munmap(p, 4 * page));
  return 0;
}
