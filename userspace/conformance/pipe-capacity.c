/* pipe-capacity: a non-blocking write end takes bytes until EAGAIN; a write of at most 4096
 * bytes (PIPE_BUF) is all or nothing; reading makes room again. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  int ends[2];
  CHECK("pipe2 O_NONBLOCK", pipe2(ends, O_NONBLOCK));
  static char block[4096];
  long total = 0, n;
  while ((n = write(ends[1], block, 1000)) > 0) total += n;
  printf("took %s bytes before %s\n", total >= 4096 ? "at least 4096" : "fewer than 4096", errno_name(errno));
  CHECK("write 1 more", write(ends[1], block, 1));
  char buffer[4096];
  CHECK("read 4096", read(ends[0], buffer, 4096));
  CHECK("write 4096 (fits now)", write(ends[1], block, 4096));
  CHECK("write 4096 again (no room)", write(ends[1], block, 4096));
  long drained = 0;
  while ((n = read(ends[0], buffer, sizeof buffer)) > 0) drained += n;
  EXPECT("drained all that was written", drained == total);
  printf("then: %s\n", errno_name(errno));
  return 0;
}
