/* The two system calls, as inline SYSCALL instructions: rax = number, rdi and rsi the
 * arguments, rax the result; the CPU clobbers rcx and r11. */
#ifndef CAPSID_USER_SYSCALL_H
#define CAPSID_USER_SYSCALL_H

#include <stdint.h>
#include "ring.h"

static inline int64_t capsid_cap_enter(uint32_t min_complete, uint64_t timeout_ns) {
  int64_t result;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"((uint64_t)SYSCALL_CAP_ENTER), "D"((uint64_t)min_complete), "S"(timeout_ns)
                   : "rcx", "r11", "memory");
  return result;
}

__attribute__((noreturn)) static inline void capsid_exit(int32_t code) {
  __asm__ volatile("syscall" : : "a"((uint64_t)SYSCALL_EXIT), "D"((uint64_t)(int64_t)code) : "rcx", "r11", "memory");
  __builtin_unreachable();
}

#endif
