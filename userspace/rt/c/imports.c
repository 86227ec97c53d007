/* The "capsid" import module: what an AssemblyScript program may call besides its own code (the
 * declarations are in userspace/rt/syscalls.ts): the two system calls, the TSC and atomics. */
#include <stdint.h>
#include "layout.h"
#include "runtime.h"
#include "syscall.h"
#include "wasm-rt.h"

struct Z_capsid_instance_t;

int32_t Z_capsidZ_capEnter(struct Z_capsid_instance_t* instance, uint32_t min_complete, uint64_t timeout_ns) {
  (void)instance;
  return (int32_t)capsid_cap_enter(min_complete, timeout_ns);
}

void Z_capsidZ_exit(struct Z_capsid_instance_t* instance, uint32_t code) {
  (void)instance;
  capsid_exit((int32_t)code);
}

/* The native address threads start at (crt0.S), for ThreadSpawner.spawn. */
uint64_t Z_capsidZ_threadEntry(struct Z_capsid_instance_t* instance) {
  extern char capsid_thread_entry[];
  (void)instance;
  return (uint64_t)(uintptr_t)capsid_thread_entry;
}

uint64_t Z_capsidZ_readTsc(struct Z_capsid_instance_t* instance) {
  (void)instance;
  uint32_t low, high;
  __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
  return ((uint64_t)high << 32) | low;
}

/* Atomics on linear memory (wasm2c 1.0.32 rejects wasm's own atomic instructions): sequentially
 * consistent, on 4-byte-aligned u32 words; an unaligned address is a trap, as in wasm. */
static volatile uint32_t* atomic_word(uint32_t address) {
  if (address & 3) capsid_report(WASM_RT_TRAP_OOB);
  return (volatile uint32_t*)(uintptr_t)(USER_LINEAR_BASE + address);
}

uint32_t Z_capsidZ_atomicLoad32(struct Z_capsid_instance_t* instance, uint32_t address) {
  (void)instance;
  return __atomic_load_n(atomic_word(address), __ATOMIC_SEQ_CST);
}

void Z_capsidZ_atomicStore32(struct Z_capsid_instance_t* instance, uint32_t address, uint32_t value) {
  (void)instance;
  __atomic_store_n(atomic_word(address), value, __ATOMIC_SEQ_CST);
}

uint32_t Z_capsidZ_atomicAdd32(struct Z_capsid_instance_t* instance, uint32_t address, uint32_t value) {
  (void)instance;
  return __atomic_fetch_add(atomic_word(address), value, __ATOMIC_SEQ_CST);
}

uint32_t Z_capsidZ_atomicCompareExchange32(struct Z_capsid_instance_t* instance, uint32_t address, uint32_t expected,
                                           uint32_t replacement) {
  (void)instance;
  __atomic_compare_exchange_n(atomic_word(address), &expected, replacement, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected;   /* the value found: equal to `expected` when the exchange happened */
}
