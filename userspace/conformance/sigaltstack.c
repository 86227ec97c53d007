/* sigaltstack: an alternate stack installed, a SA_ONSTACK handler runs on it (SS_ONSTACK seen
 * from inside), the old stack read back; ENOMEM for a small one, EINVAL for bad flags, and
 * EPERM changing it while on it. */
#include "report.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>

static char *stack_base;
static volatile int on_alternate, flags_inside, change_inside, change_errno;
static void handler(int signal) {
  (void)signal;
  char local;
  on_alternate = &local >= stack_base && &local < stack_base + 65536;
  stack_t now;
  sigaltstack(NULL, &now);
  flags_inside = now.ss_flags;
  stack_t other = { .ss_sp = stack_base, .ss_size = 65536, .ss_flags = 0 };
  change_inside = sigaltstack(&other, NULL);
  change_errno = errno;
}

int main(void) {
  stack_t old;
  CHECK("read the initial stack", sigaltstack(NULL, &old));
  printf("initial flags: %s\n", old.ss_flags == SS_DISABLE ? "SS_DISABLE" : "other");
  stack_base = malloc(65536);
  stack_t small = { .ss_sp = stack_base, .ss_size = 512, .ss_flags = 0 };
  CHECK("a 512-byte stack", sigaltstack(&small, NULL));
  stack_t bad = { .ss_sp = stack_base, .ss_size = 65536, .ss_flags = 0x4 };
  CHECK("flags 4", sigaltstack(&bad, NULL));
  stack_t good = { .ss_sp = stack_base, .ss_size = 65536, .ss_flags = 0 };
  CHECK("a 64 KiB stack", sigaltstack(&good, NULL));
  CHECK("read it back", sigaltstack(NULL, &old));
  printf("same base: %s, size %zu, flags %d\n", old.ss_sp == stack_base ? "yes" : "no", old.ss_size, old.ss_flags);
  struct sigaction action = { 0 };
  action.sa_handler = handler;
  action.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR1, &action, NULL);
  raise(SIGUSR1);
  printf("on the alternate stack: %d, SS_ONSTACK inside: %d\n", on_alternate, (flags_inside & SS_ONSTACK) != 0);
  printf("change while on it: %d %s\n", change_inside, change_inside ? errno_name(change_errno) : "");
  stack_t off = { .ss_flags = SS_DISABLE };
  CHECK("SS_DISABLE", sigaltstack(&off, NULL));
  CHECK("read it back", sigaltstack(NULL, &old));
  printf("flags: %s\n", old.ss_flags == SS_DISABLE ? "SS_DISABLE" : "other");
  CHECK("a bad pointer", syscall(SYS_sigaltstack, bad_pointer, NULL));
  return 0;
}
