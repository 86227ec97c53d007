/* mprotect-cow: copy-on-write after fork (a child's write is its own, the parent's too),
 * mprotect to read-only (a write is SIGSEGV, a read fine) and back; a page's read-only state
 * inherited by a child; EINVAL for an unaligned address, ENOMEM for an unmapped range. */
#include "report.h"
#include <sys/mman.h>

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  char *p = CHECK_PTR("mmap 2 pages", mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  strcpy(p, "parent");
  static char global[32] = "global";
  int ends[2];
  pipe(ends);
  pid_t child = fork();
  if (child == 0) {
    strcpy(p, "child");
    strcpy(global, "child's");
    char go;
    read(ends[0], &go, 1);
    _exit(strcmp(p, "child") == 0 && strcmp(global, "child's") == 0 ? 0 : 1);
  }
  usleep(20000);
  printf("parent sees: %s, %s\n", p, global);
  strcpy(p, "parent 2");
  write(ends[1], "g", 1);
  wait_report("the child kept its own copies", child);
  CHECK("mprotect the first page read-only", mprotect(p, page, PROT_READ));
  child = fork();
  if (child == 0) { p[0] = 'x'; _exit(0); }
  wait_report("a child writes the read-only page", child);
  child = fork();
  if (child == 0) { _exit(p[0] == 'p' ? 0 : 1); }
  wait_report("a child reads it", child);
  child = fork();
  if (child == 0) { p[page] = 'x'; _exit(0); }
  wait_report("a child writes the other page", child);
  CHECK("mprotect back to read-write", mprotect(p, page, PROT_READ | PROT_WRITE));
  p[0] = 'P';
  printf("written: %c\n", p[0]);
  CHECK("mprotect unaligned", mprotect(p + 1, page, PROT_READ));
  CHECK("munmap the pages", munmap(p, 2 * page));
  CHECK("mprotect unmapped", mprotect(p, page, PROT_READ));
  CHECK("mprotect length 0", mprotect(p, 0, PROT_READ));
  CHECK("mprotect unknown bits", mprotect(p, page, 0x100));
  return 0;
}
