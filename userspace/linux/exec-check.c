/* exec-check: execve, unmodified (glibc and musl, static): busybox and its applets through their
 * links, `#!` scripts with and without an interpreter argument, argv and envp as the new program
 * sees them, the pid kept, close-on-exec, and every error execve gives. Each exec runs in a
 * forked child the parent waits for; the output is compared with the same binary's as /init on
 * Debian's kernel with the same root file system (tests/qemu/linux.test.ts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *name(int error) {
  switch (error) {
    case ENOENT: return "ENOENT"; case EACCES: return "EACCES"; case ENOEXEC: return "ENOEXEC"; case ELOOP: return "ELOOP";
    case E2BIG: return "E2BIG"; case EFAULT: return "EFAULT"; case ENOTDIR: return "ENOTDIR"; case EINVAL: return "EINVAL";
    case ENAMETOOLONG: return "ENAMETOOLONG"; case EBADF: return "EBADF";
    default: return "other";
  }
}

static void status_line(const char *what, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", what, WTERMSIG(status));
  else printf("%s: status 0x%x\n", what, status);
}

/* Runs execve(path, argv, envp) in a child; a failed exec prints its errno. */
static void run(const char *what, const char *path, char *const *argv, char *const *envp) {
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    long result = syscall(SYS_execve, path, argv, envp);
    printf("%s: execve: %ld %s\n", what, result, name(errno));
    fflush(stdout);
    _exit(127);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child) printf("%s: waitpid failed\n", what);
  status_line(what, status);
}

static char *const no_environment[] = { 0 };
/* An address nothing is mapped at (a variable, so the compiler does not reason about it). */
static volatile unsigned long bad_address = 8;

int main(void) {
  printf("exec-check: started\n");
  char *const environment[] = { "ALPHA=1", "BETA=two words", 0 };

  run("busybox echo", "/bin/busybox", (char *const[]){ "busybox", "echo", "hello", "from busybox", 0 }, no_environment);
  run("applet through its link", "/bin/echo", (char *const[]){ "echo", "-n", "no newline;", 0 }, no_environment);
  printf("\n");
  run("environment", "/usr/bin/env", (char *const[]){ "env", 0 }, environment);
  run("empty environment", "/usr/bin/env", (char *const[]){ "env", 0 }, no_environment);
  run("sh -c", "/bin/sh", (char *const[]){ "sh", "-c", "echo \"sh: [$0] [$1] [$#]\"; exit 7", "zero", "one", 0 }, no_environment);
  run("relative path", "bin/busybox", (char *const[]){ "true", 0 }, no_environment);
  run("script", "/usr/share/capsid/exec/args.sh", (char *const[]){ "args.sh", "a", "b c", 0 }, no_environment);
  run("script with an interpreter argument", "/usr/share/capsid/exec/echo-script", (char *const[]){ "ignored", "x", "y", 0 }, no_environment);
  run("argv empty", "/bin/busybox", (char *const[]){ 0 }, no_environment);
  run("argv NULL", "/usr/share/capsid/exec/args.sh", 0, 0);

  /* The pid stays the same across execve; sh reports it through a pipe. */
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) printf("pipe failed\n");
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    dup2(pipe_ends[1], 1);
    close(pipe_ends[0]);
    close(pipe_ends[1]);
    execve("/bin/sh", (char *const[]){ "sh", "-c", "echo $$", 0 }, no_environment);
    _exit(127);
  }
  close(pipe_ends[1]);
  char buffer[64] = { 0 };
  long got = read(pipe_ends[0], buffer, sizeof buffer - 1);
  close(pipe_ends[0]);
  int status = 0;
  waitpid(child, &status, 0);
  printf("pid kept across execve: %s\n", got > 0 && atoi(buffer) == child ? "yes" : "no");

  /* Close-on-exec: descriptor 5 stays open in the new program, 6 is closed. */
  int kept = open("/usr/share/capsid/exec/data.txt", O_RDONLY), closed = open("/usr/share/capsid/exec/data.txt", O_RDONLY | O_CLOEXEC);
  dup2(kept, 5);
  dup3(closed, 6, O_CLOEXEC);
  run("descriptor kept", "/bin/sh", (char *const[]){ "sh", "-c", "read line <&5 && echo \"fd 5: $line\"", 0 }, no_environment);
  run("descriptor closed on exec", "/bin/sh", (char *const[]){ "sh", "-c", "read line <&6 2>&1; echo \"fd 6: $?\"", 0 }, no_environment);
  close(5);
  close(6);
  close(kept);
  close(closed);

  /* Errors. */
  run("missing file", "/usr/share/capsid/exec/missing", (char *const[]){ "missing", 0 }, no_environment);
  run("not executable", "/usr/share/capsid/exec/data.txt", (char *const[]){ "data", 0 }, no_environment);
  run("a directory", "/usr/share/capsid", (char *const[]){ "dir", 0 }, no_environment);
  run("through a file", "/usr/share/capsid/exec/data.txt/x", (char *const[]){ "x", 0 }, no_environment);
  run("empty path", "", (char *const[]){ "x", 0 }, no_environment);
  run("not a program", "/usr/share/capsid/exec/not-elf", (char *const[]){ "not-elf", 0 }, no_environment);
  run("#! without an interpreter", "/usr/share/capsid/exec/empty-interpreter", (char *const[]){ "e", 0 }, no_environment);
  run("#! naming a missing interpreter", "/usr/share/capsid/exec/missing-interpreter", (char *const[]){ "m", 0 }, no_environment);
  run("#! loop", "/usr/share/capsid/exec/loop", (char *const[]){ "loop", 0 }, no_environment);
  run("bad path pointer", (const char *)8, (char *const[]){ "x", 0 }, no_environment);
  run("bad argv pointer", "/bin/busybox", (char *const *)(unsigned long)bad_address, no_environment);
  run("bad argv string", "/bin/busybox", (char *const[]){ "busybox", (char *)8, 0 }, no_environment);
  run("bad envp pointer", "/bin/busybox", (char *const[]){ "true", 0 }, (char *const *)(unsigned long)bad_address);
  static char huge[300 * 1024];
  memset(huge, 'x', sizeof huge - 1);
  run("an argument too long", "/bin/busybox", (char *const[]){ "true", huge, 0 }, no_environment);
  char long_path[5000];
  memset(long_path, 'a', sizeof long_path - 1);
  long_path[sizeof long_path - 1] = 0;
  run("a path too long", long_path, (char *const[]){ "x", 0 }, no_environment);

  printf("exec-check: done\n");
  fflush(stdout);
  tcdrain(1);
  return 0;
}
