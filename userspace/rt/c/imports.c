/* The "capsid" import module: what an AssemblyScript program may call besides its own code (the
 * declarations are in userspace/rt/syscalls.ts). The two system calls and the TSC; atomics come
 * with threads. */
#include <stdint.h>
#include "syscall.h"

struct Z_capsid_instance_t;

int32_t Z_capsidZ_capEnter(struct Z_capsid_instance_t* instance, uint32_t min_complete, uint64_t timeout_ns) {
  (void)instance;
  return (int32_t)capsid_cap_enter(min_complete, timeout_ns);
}

void Z_capsidZ_exit(struct Z_capsid_instance_t* instance, uint32_t code) {
  (void)instance;
  capsid_exit((int32_t)code);
}

uint64_t Z_capsidZ_readTsc(struct Z_capsid_instance_t* instance) {
  (void)instance;
  uint32_t low, high;
  __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
  return ((uint64_t)high << 32) | low;
}
