/* conformance: the runner of the conformance programs (docs/linux.md, "Conformance"). As init
 * (on Debian's kernel and on Capsid alike) it runs every program of /conformance/LIBC/ (glibc's
 * with the glibc build of this runner, musl's with the musl build), in name order: fork, execve,
 * wait, then `== NAME exit N` or `== NAME signal N`; the program's own lines come before that
 * line. A program gets 60 seconds (an alarm, kept across execve) before SIGALRM ends it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifdef __GLIBC__
#define FOLDER "/conformance/glibc"
#else
#define FOLDER "/conformance/musl"
#endif

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  static char *names[512];
  int count = 0;
  printf("conformance: started\n");
  DIR *folder = opendir(FOLDER);
  if (!folder) {
    printf("conformance: opendir %s failed (errno %d)\n", FOLDER, errno);
    return 1;
  }
  struct dirent *entry;
  while ((entry = readdir(folder)) != NULL && count < 512) {
    if (entry->d_name[0] == '.') continue;
    names[count++] = strdup(entry->d_name);
  }
  closedir(folder);
  qsort(names, count, sizeof names[0], by_name);
  int failed = 0;
  for (int i = 0; i < count; i++) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", FOLDER, names[i]);
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
      printf("== %s fork failed (errno %d)\n", names[i], errno);
      failed++;
      continue;
    }
    if (child == 0) {
      char *argv[] = { names[i], NULL };
      char *envp[] = { "PATH=/bin:/usr/bin:/sbin:/usr/sbin", "HOME=/", NULL };
      if (chdir("/") != 0) _exit(126);
      alarm(60);
      execve(path, argv, envp);
      printf("%s: execve failed (errno %d)\n", names[i], errno);
      fflush(stdout);
      _exit(127);
    }
    int status = 0;
    pid_t got;
    while ((got = waitpid(child, &status, 0)) < 0 && errno == EINTR) {}
    /* Orphans the program left behind are init's: reap them so that none is left. */
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    if (got != child) printf("== %s waitpid failed (errno %d)\n", names[i], errno);
    else if (WIFEXITED(status)) printf("== %s exit %d\n", names[i], WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) printf("== %s signal %d\n", names[i], WTERMSIG(status));
    else printf("== %s status 0x%x\n", names[i], status);
    if (got != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
  }
  /* Orphans still running are init's to wait for (none runs for long). */
  while (waitpid(-1, NULL, 0) > 0) {}
  printf("conformance: done, %d programs, %d not exit 0\n", count, failed);
  fflush(stdout);
  /* Linux panics when init exits, and its message can overtake output still queued for the
   * serial port: wait until that has been sent. */
  tcdrain(1);
  return 0;
}
