/* mmap-anon: private anonymous mappings: zero-filled, writable, gone after munmap (a child that
 * touches one dies of SIGSEGV); MAP_FIXED at a page of its own; and EINVAL (length 0, neither
 * MAP_PRIVATE nor MAP_SHARED, an unaligned MAP_FIXED address or offset), EBADF. */
#include "report.h"
#include <sys/mman.h>
#include <sys/syscall.h>

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  printf("page size: %ld\n", page);
  char *p = CHECK_PTR("mmap 4 pages", mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  EXPECT("page aligned", ((unsigned long)p & (page - 1)) == 0);
  int zeros = 1;
  for (long i = 0; i < 4 * page; i++) if (p[i] != 0) zeros = 0;
  EXPECT("all zero", zeros);
  memset(p, 0x5a, 4 * page);
  EXPECT("written", p[4 * page - 1] == 0x5a);
  CHECK("munmap the second page", munmap(p + page, page));
  pid_t child = fork();
  if (child == 0) { p[page] = 1; _exit(0); }
  wait_report("a child writes the unmapped page", child);
  EXPECT("the third page is still there", p[2 * page] == 0x5a);
  char *fixed = CHECK_PTR("MAP_FIXED onto the hole", mmap(p + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), MAP_FAILED);
  EXPECT("at the address asked", fixed == p + page);
  EXPECT("zero again", fixed[0] == 0);
  CHECK("munmap all 4", munmap(p, 4 * page));
  CHECK("munmap them again", munmap(p, 4 * page));
  CHECK_PTR("mmap length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  CHECK_PTR("mmap neither private nor shared", mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  CHECK_PTR("mmap MAP_FIXED unaligned", mmap((char *)p + 1, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), MAP_FAILED);
  CHECK_PTR("mmap a closed descriptor", mmap(NULL, page, PROT_READ, MAP_PRIVATE, 40, 0), MAP_FAILED);
  CHECK_PTR("mmap an unaligned offset", mmap(NULL, page, PROT_READ, MAP_PRIVATE, 0, 1), MAP_FAILED);
  CHECK("munmap unaligned", munmap((char *)p + 1, page));
  CHECK("munmap length 0", munmap(p, 0));
  CHECK_PTR("mmap 1 TiB", mmap(NULL, 1UL << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0), MAP_FAILED);
  char *none = CHECK_PTR("mmap PROT_NONE", mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  child = fork();
  if (child == 0) { _exit(none[0]); }
  wait_report("a child reads PROT_NONE", child);
  return 0;
}
