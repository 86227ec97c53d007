/* The kernel's symbol table, for panic reports: a sorted array of text symbols emitted into the
 * .ksyms section by tools/ksyms.ts at the second link. AssemblyScript functions carry their
 * source names (e.g. "kernel/selftest/scenarios/unreachableScenario"), recovered from the wasm
 * name section, not wasm2c's mangled C names.
 */
#ifndef CAPSID_KSYMS_H
#define CAPSID_KSYMS_H

#include <stdint.h>

#define KSYMS_MAGIC 0x4d59534bu  /* "KSYM" */

struct ksyms_header {
  uint32_t magic;
  uint32_t count;
};

struct ksym {
  uint64_t address;
  uint32_t name;   /* offset into the names that follow the entries */
  uint32_t size;   /* 0 when unknown: then the next symbol bounds it */
};

struct ksyms_table {
  struct ksyms_header header;
  struct ksym entries[];   /* then the NUL-terminated names */
};

/* Returns the name of the symbol containing `address` and its offset, or 0 if none does. */
const char* ksyms_lookup(uint64_t address, uint64_t* offset);

#endif
