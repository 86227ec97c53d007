/* shell: what `make run` starts (the ISO's default command line, iso/grub.cfg): busybox's sh on
 * the console as a login shell, confined to the grants of its manifest entry (the console, its
 * memory, the root file system). It makes a session whose controlling tty is the console and
 * replaces itself with /bin/sh; when the shell exits, the process ends and the kernel says so. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void) {
  char *argv[] = { "-sh", 0 };   /* a leading '-': a login shell, which reads /etc/profile */
  char *envp[] = { "HOME=/", "TERM=linux", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SHELL=/bin/sh", "USER=root", 0 };
  /* A session of its own with the console as its controlling tty, as Debian's initramfs does
   * (setsid cttyhack sh): ^C then reaches the foreground job, and sh turns job control on. */
  if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) != 0) perror("shell: the console as controlling tty");
  execve("/bin/sh", argv, envp);
  perror("shell: /bin/sh");
  return 127;
}
