/* mremap-fixed: MREMAP_FIXED moves a mapping onto another (what was there is gone), keeping its
 * bytes and leaving the old range unmapped; a moved page a forked child shares stays the
 * child's; EINVAL for FIXED without MAYMOVE, an unaligned or overlapping destination; a shrink
 * of an unmapped range succeeds (Linux unmaps the tail); a file mapping grown with MAYMOVE reads
 * the file in its new pages; a MAP_SHARED mapping moved stays shared with a child. */
#include "report.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

int main(void) {
  scratch("mremap-fixed");
  long page = sysconf(_SC_PAGESIZE);
  char *a = CHECK_PTR("mmap a, 3 pages", mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  char *b = CHECK_PTR("mmap b, 4 pages", mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  if (a == MAP_FAILED || b == MAP_FAILED) return 1;
  memset(a, 'a', 3 * page);
  memset(b, 'b', 4 * page);
  CHECK_PTR("FIXED without MAYMOVE", mremap(a, page, page, MREMAP_FIXED, b), MAP_FAILED);
  CHECK_PTR("FIXED to an unaligned address", mremap(a, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, b + 1), MAP_FAILED);
  CHECK_PTR("FIXED onto itself, overlapping", mremap(a, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, a + page), MAP_FAILED);
  /* Destinations and ranges in (or wrapping into) the kernel's half of the address space. */
  void *high = (void *)0xffffffff80100000UL;
  CHECK_PTR("FIXED into the kernel half", mremap(a, page, 0x80000000UL, MREMAP_MAYMOVE | MREMAP_FIXED, high), MAP_FAILED);
  CHECK_PTR("FIXED to the last page", mremap(a, page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)-4096L), MAP_FAILED);
  CHECK_PTR("mmap MAP_FIXED in the kernel half", mmap(high, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), MAP_FAILED);
  CHECK_PTR("mmap MAP_FIXED at the last page, wrapping", mmap((void *)-4096L, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), MAP_FAILED);
  CHECK("munmap wrapping past the top", munmap((void *)-4096L, 2 * page));
  CHECK("mprotect wrapping past the top", mprotect((void *)-4096L, 2 * page, PROT_READ));
  pid_t child = fork();
  if (child == 0) {   /* the child keeps a's pages as they were, whatever the parent moves */
    usleep(100000);
    _exit(a[0] == 'a' && a[2 * page] == 'a' ? 0 : 1);
  }
  char *moved = CHECK_PTR("FIXED a onto b, growing to 4 pages", mremap(a, 3 * page, 4 * page, MREMAP_MAYMOVE | MREMAP_FIXED, b), MAP_FAILED);
  EXPECT("at b", moved == b);
  if (moved != MAP_FAILED) {
    EXPECT("a's bytes moved", moved[0] == 'a' && moved[3 * page - 1] == 'a');
    EXPECT("the new page is zero", moved[3 * page] == 0);
    moved[0] = 'm';
  }
  wait_report("a child holding a's pages", child);
  EXPECT("a is unmapped", msync(a, page, MS_ASYNC) == -1 && errno == ENOMEM);
  CHECK_PTR("shrink an unmapped range", mremap(a, 2 * page, page, 0), MAP_FAILED);

  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  char text[3 * 4096];
  for (int i = 0; i < (int)sizeof text; i++) text[i] = 'A' + (i / 4096);
  CHECK("write 3 pages", write(fd, text, sizeof text));
  char *f = CHECK_PTR("mmap the file's first page", mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0), MAP_FAILED);
  char *blocker = mmap(f + page, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  EXPECT("the next page is taken", blocker == f + page);
  char *grown = CHECK_PTR("grow it to 3 pages with MAYMOVE", mremap(f, page, 3 * page, MREMAP_MAYMOVE), MAP_FAILED);
  if (grown != MAP_FAILED) printf("its pages: %c %c %c\n", grown[0], grown[page], grown[2 * page]);
  close(fd);
  unlink("file");
  if (grown != MAP_FAILED) printf("after close and unlink: %c\n", grown[2 * page + 5]);

  int *shared = CHECK_PTR("mmap shared, 2 pages", mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  if (shared == MAP_FAILED) return 1;
  int *target = mmap(NULL, 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int *sharedMoved = CHECK_PTR("move the shared mapping", mremap(shared, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, target), MAP_FAILED);
  if (sharedMoved != MAP_FAILED) {
    child = fork();
    if (child == 0) { sharedMoved[page / sizeof(int)] = 77; _exit(0); }
    wait_report("a child writing it", child);
    printf("the parent reads: %d\n", sharedMoved[page / sizeof(int)]);
  }
  return 0;
}
