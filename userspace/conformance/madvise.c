/* madvise: MADV_DONTNEED empties private anonymous pages (zeros after), MADV_NORMAL,
 * MADV_WILLNEED and MADV_SEQUENTIAL succeed; EINVAL for an unaligned address and an unknown
 * advice, ENOMEM for an unmapped range. */
#include "report.h"
#include <sys/mman.h>

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  char *p = CHECK_PTR("mmap 4 pages", mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  memset(p, 7, 4 * page);
  CHECK("MADV_DONTNEED pages 1-2", madvise(p + page, 2 * page, MADV_DONTNEED));
  printf("bytes: %d %d %d %d\n", p[0], p[page], p[2 * page], p[3 * page]);
  CHECK("MADV_NORMAL", madvise(p, 4 * page, MADV_NORMAL));
  CHECK("MADV_WILLNEED", madvise(p, 4 * page, MADV_WILLNEED));
  CHECK("MADV_SEQUENTIAL", madvise(p, 4 * page, MADV_SEQUENTIAL));
  CHECK("MADV_RANDOM", madvise(p, 4 * page, MADV_RANDOM));
  CHECK("unaligned", madvise(p + 1, page, MADV_NORMAL));
  CHECK("advice 999", madvise(p, page, 999));
  CHECK("length 0", madvise(p, 0, MADV_NORMAL));
  munmap(p, 4 * page);
  CHECK("MADV_NORMAL unmapped", madvise(p, page, MADV_NORMAL));
  return 0;
}
