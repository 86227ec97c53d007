/* signal-default: what each signal's default action does to a child: SIGUSR1 and SIGTERM end it,
 * SIGCHLD and SIGURG are ignored, SIGSEGV from a bad read, SIGFPE from a division by zero,
 * SIGILL from ud2, SIGABRT; a handler is reset to default in the child of exec. */
#include "report.h"
#include <signal.h>
#include <stdlib.h>

static volatile int zero = 0;

static void in_child(const char *label, int what) {
  pid_t child = fork();
  if (child == 0) {
    switch (what) {
      case 0: raise(SIGUSR1); break;
      case 1: raise(SIGTERM); break;
      case 2: raise(SIGCHLD); break;
      case 3: raise(SIGURG); break;
      case 4: printf("%d\n", *(volatile int *)bad_pointer); break;
      case 5: printf("%d\n", 10 / zero); break;
      case 6: __asm__ volatile("ud2"); break;
      case 7: abort();
      case 8: raise(SIGWINCH); break;
      case 9: raise(SIGHUP); break;
    }
    _exit(50);
  }
  wait_report(label, child);
}

int main(void) {
  in_child("SIGUSR1", 0);
  in_child("SIGTERM", 1);
  in_child("SIGCHLD (ignored)", 2);
  in_child("SIGURG (ignored)", 3);
  in_child("bad read", 4);
  in_child("division by zero", 5);
  in_child("ud2", 6);
  in_child("abort", 7);
  in_child("SIGWINCH (ignored)", 8);
  in_child("SIGHUP", 9);
  return 0;
}
