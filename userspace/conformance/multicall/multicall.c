/* The conformance programs' shared image (Makefile, "conformance programs"): each program of
 * userspace/conformance/ is linked in with its main renamed conformance_NAME, and this main runs
 * the one argv[0] names (its last path component): /conformance/glibc/dup3 is a symbolic link to
 * /conformance/glibc.bin, so `execve("/conformance/glibc/dup3", ...)` runs dup3.c's main. stdout
 * is unbuffered, so that a program's lines come out in order with its children's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM(symbol, name) int symbol(void);
#include "programs.h"
#undef PROGRAM

static const struct { const char *name; int (*main)(void); } programs[] = {
#define PROGRAM(symbol, name) { name, symbol },
#include "programs.h"
#undef PROGRAM
};

int main(int argc, char **argv) {
  const char *name = argc > 0 && argv[0] ? argv[0] : "";
  const char *slash = strrchr(name, '/');
  if (slash) name = slash + 1;
  setvbuf(stdout, NULL, _IONBF, 0);
  for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
    if (strcmp(programs[i].name, name) == 0) exit(programs[i].main());
  }
  printf("conformance: no program named '%s'\n", name);
  return 127;
}
