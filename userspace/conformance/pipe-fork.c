/* pipe-fork: two pipes between a parent and a child: the child upper-cases what it reads and
 * writes it back; the parent sees each line and the child's end of file. */
#include "report.h"
#include <ctype.h>

int main(void) {
  int down[2], up[2];
  CHECK("pipe down", pipe(down));
  CHECK("pipe up", pipe(up));
  pid_t child = fork();
  if (child == 0) {
    close(down[1]);
    close(up[0]);
    char buffer[64];
    long n;
    while ((n = read(down[0], buffer, sizeof buffer)) > 0) {
      for (long i = 0; i < n; i++) buffer[i] = toupper((unsigned char)buffer[i]);
      write(up[1], buffer, n);
    }
    _exit(n == 0 ? 0 : 1);
  }
  close(down[0]);
  close(up[1]);
  const char *words[] = { "alpha", "beta", "gamma" };
  for (int i = 0; i < 3; i++) {
    char buffer[64] = { 0 };
    write(down[1], words[i], strlen(words[i]));
    long n = read(up[0], buffer, sizeof buffer - 1);
    printf("sent %s, got %ld: %s\n", words[i], n, buffer);
  }
  CHECK("close down", close(down[1]));
  char c;
  CHECK("read up after the child's end", read(up[0], &c, 1));
  wait_report("child", child);
  return 0;
}
