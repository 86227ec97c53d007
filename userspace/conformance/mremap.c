/* mremap: shrinking in place, growing with MREMAP_MAYMOVE (contents kept), growing in place
 * without it when the next page is taken (ENOMEM); EINVAL for unknown flags and an unaligned
 * address; EFAULT for an unmapped old range. */
#include "report.h"
#include <sys/mman.h>

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  char *p = CHECK_PTR("mmap 2 pages", mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  strcpy(p, "kept across mremap");
  char *blocker = mmap(p + 2 * page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  EXPECT("the next page is taken", blocker == p + 2 * page);
  CHECK_PTR("grow in place without MAYMOVE", mremap(p, 2 * page, 4 * page, 0), MAP_FAILED);
  char *moved = CHECK_PTR("grow with MREMAP_MAYMOVE", mremap(p, 2 * page, 8 * page, MREMAP_MAYMOVE), MAP_FAILED);
  if (moved != MAP_FAILED) {
    printf("contents: %s\n", moved);
    moved[8 * page - 1] = 1;
    EXPECT("the new part is zero", moved[7 * page] == 0);
    char *same = CHECK_PTR("shrink to 1 page", mremap(moved, 8 * page, page, 0), MAP_FAILED);
    EXPECT("in place", same == moved);
    pid_t child = fork();
    if (child == 0) { moved[2 * page] = 1; _exit(0); }
    wait_report("a child writes past the shrunk end", child);
  } else {   /* the same lines, so that the ones after still pair up with the reference's */
    printf("contents: not moved\nthe new part is zero: not moved\nshrink to 1 page: not moved\nin place: not moved\n"
           "a child writes past the shrunk end: not moved\n");
  }
  CHECK_PTR("unknown flags", mremap(blocker, page, page, 0x80), MAP_FAILED);
  CHECK_PTR("unaligned address", mremap(blocker + 1, page, page, 0), MAP_FAILED);
  munmap(blocker, page);
  CHECK_PTR("an unmapped range", mremap(blocker, page, 2 * page, MREMAP_MAYMOVE), MAP_FAILED);
  CHECK_PTR("new size 0", mremap(p, page, 0, MREMAP_MAYMOVE), MAP_FAILED);
  return 0;
}
