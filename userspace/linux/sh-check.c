/* sh-check: busybox sh scripts (userspace/root/usr/share/capsid/sh/, the .sh files in name order), each run
 * by /bin/sh in a child this program waits for, printing the script's exit status. The whole
 * output, the scripts' included, is compared with the same binary's as /init on Debian's kernel
 * with the same root file system and the same busybox (tests/qemu/linux.test.ts). */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define FOLDER "/usr/share/capsid/sh"

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
  printf("sh-check: started\n");
  char *names[64];
  int count = 0;
  DIR *folder = opendir(FOLDER);
  if (!folder) { printf("sh-check: no %s\n", FOLDER); return 1; }
  struct dirent *entry;
  while ((entry = readdir(folder)) && count < 64) {
    size_t length = strlen(entry->d_name);
    if (length > 3 && strcmp(entry->d_name + length - 3, ".sh") == 0) names[count++] = strdup(entry->d_name);
  }
  closedir(folder);
  qsort(names, count, sizeof names[0], by_name);
  char *envp[] = { "HOME=/", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", 0 };
  for (int i = 0; i < count; i++) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", FOLDER, names[i]);
    printf("sh-check: %s\n", names[i]);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
      char *argv[] = { "sh", path, 0 };
      execve("/bin/sh", argv, envp);
      _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFEXITED(status)) printf("sh-check: %s exited %d\n", names[i], WEXITSTATUS(status));
    else printf("sh-check: %s killed by signal %d\n", names[i], WTERMSIG(status));
  }
  printf("sh-check: done\n");
  fflush(stdout);
  tcdrain(1);
  return 0;
}
