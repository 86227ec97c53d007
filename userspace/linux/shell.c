/* shell: what `make run` starts (the ISO's default command line, iso/grub.cfg): busybox's sh on
 * the console as a login shell, confined to the grants of its manifest entry (the console, its
 * memory, the root file system). It only replaces itself with /bin/sh; when the shell exits, the
 * process ends and the kernel says so. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  char *argv[] = { "-sh", 0 };   /* a leading '-': a login shell, which reads /etc/profile */
  char *envp[] = { "HOME=/", "TERM=linux", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SHELL=/bin/sh", "USER=root", 0 };
  execve("/bin/sh", argv, envp);
  perror("shell: /bin/sh");
  return 127;
}
