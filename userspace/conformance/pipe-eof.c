/* pipe-eof: data written before the last writer closes is read, then end of file (0); a reader
 * with a writer still open in a forked child waits for it. */
#include "report.h"

int main(void) {
  int ends[2];
  CHECK("pipe", pipe(ends));
  CHECK("write 5", write(ends[1], "hello", 5));
  CHECK("close the write end", close(ends[1]));
  char buffer[16] = { 0 };
  CHECK("read 16 (5 there)", read(ends[0], buffer, sizeof buffer));
  printf("bytes: %s\n", buffer);
  CHECK("read at the end", read(ends[0], buffer, sizeof buffer));
  CHECK("read at the end again", read(ends[0], buffer, sizeof buffer));
  CHECK("close", close(ends[0]));
  CHECK("pipe", pipe(ends));
  pid_t child = fork();
  if (child == 0) {
    close(ends[0]);
    for (int i = 0; i < 3; i++) {
      write(ends[1], "abc", 3);
      usleep(20000);
    }
    _exit(0);
  }
  CHECK("parent closes its write end", close(ends[1]));
  int total = 0;
  long n;
  while ((n = read(ends[0], buffer, sizeof buffer)) > 0) total += n;
  printf("read in all: %d, then %ld\n", total, n);
  wait_report("writer", child);
  return 0;
}
