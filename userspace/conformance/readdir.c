/* readdir: the C library's opendir/readdir/rewinddir over a folder of 50 files: each name once,
 * the same count after rewinddir; opendir's ENOENT and ENOTDIR. */
#include "report.h"
#include <dirent.h>
#include <fcntl.h>

int main(void) {
  scratch("readdir");
  CHECK("mkdir d", mkdir("d", 0755));
  char name[32];
  for (int i = 0; i < 50; i++) {
    snprintf(name, sizeof name, "d/file-%02d", i);
    int fd = creat(name, 0644);
    if (fd < 0) printf("creat %s failed\n", name);
    else close(fd);
  }
  DIR *d = opendir("d");
  EXPECT("opendir d", d != NULL);
  if (!d) return 1;
  int seen[50] = { 0 }, dots = 0, total = 0, others = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    total++;
    int n;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) dots++;
    else if (sscanf(e->d_name, "file-%d", &n) == 1 && n >= 0 && n < 50) seen[n]++;
    else others++;
  }
  int once = 0;
  for (int i = 0; i < 50; i++) once += seen[i] == 1;
  printf("entries %d, dots %d, files seen once %d, others %d\n", total, dots, once, others);
  rewinddir(d);
  int again = 0;
  while (readdir(d) != NULL) again++;
  printf("after rewinddir: %d\n", again);
  CHECK("closedir", closedir(d));
  errno = 0;
  d = opendir("missing");
  printf("opendir missing: %s %s\n", d ? "ok" : "NULL", errno_name(errno));
  errno = 0;
  d = opendir("d/file-00");
  printf("opendir a file: %s %s\n", d ? "ok" : "NULL", errno_name(errno));
  return 0;
}
