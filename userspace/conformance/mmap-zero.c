/* mmap-zero: /dev/zero mapped private is zeroed private memory; mapped MAP_SHARED it is one
 * memory for a parent and its child; /dev/null and a directory cannot be mapped (ENODEV); an
 * O_PATH descriptor is EBADF; a length that wraps the offset is refused. */
#include "report.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(void) {
  scratch("mmap-zero");
  long page = sysconf(_SC_PAGESIZE);
  int zero = CHECK("open /dev/zero", open("/dev/zero", O_RDWR));
  char *p = CHECK_PTR("mmap /dev/zero private", mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0), MAP_FAILED);
  if (p != MAP_FAILED) {
    EXPECT("zeros", p[0] == 0 && p[2 * page - 1] == 0);
    p[5] = 9;
    printf("written: %d\n", p[5]);
  }
  volatile int *s = CHECK_PTR("mmap /dev/zero shared", mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0), MAP_FAILED);
  if (s != MAP_FAILED) {
    pid_t child = fork();
    if (child == 0) { s[3] = 1234; _exit(0); }
    wait_report("a child writes", child);
    printf("the parent reads: %d\n", s[3]);
  }
  int null = CHECK("open /dev/null", open("/dev/null", O_RDWR));
  CHECK_PTR("mmap /dev/null", mmap(NULL, page, PROT_READ, MAP_PRIVATE, null, 0), MAP_FAILED);
  CHECK("mkdir", mkdir("dir", 0755));
  int dir = CHECK("open a directory", open("dir", O_RDONLY | O_DIRECTORY));
  CHECK_PTR("mmap a directory", mmap(NULL, page, PROT_READ, MAP_PRIVATE, dir, 0), MAP_FAILED);
  int file = CHECK("open a file", open("file", O_CREAT | O_RDWR, 0644));
  CHECK("write", write(file, "x", 1));
  int path = CHECK("open O_PATH", open("file", O_PATH));
  CHECK_PTR("mmap an O_PATH descriptor", mmap(NULL, page, PROT_READ, MAP_PRIVATE, path, 0), MAP_FAILED);
  CHECK_PTR("mmap past the largest offset", mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE, file, (off_t)0x7ffffffffffff000), MAP_FAILED);
  return 0;
}
