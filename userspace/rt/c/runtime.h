/* The user runtime's report codes: besides the wasm_rt_trap_t values (0-8), reasons a program
 * cannot go on. Each is reported by touching USER_TRAP_REPORT_BASE + code; the kernel's names
 * for them are in kernel/syscall/fault.ts. */
#ifndef CAPSID_USER_RUNTIME_H
#define CAPSID_USER_RUNTIME_H

#include <stdint.h>
#include "wasm-rt.h"

#define CAPSID_REPORT_NO_MEMORY       16  /* the initial linear memory was refused */
#define CAPSID_REPORT_RUNTIME_LIMIT   17  /* a fixed runtime table (types, funcrefs) is full */
#define CAPSID_REPORT_RING_CONFUSED   18  /* a completion that is not the one awaited */

__attribute__((noreturn)) void capsid_report(uint32_t code);
/* Adds an instance's view of linear memory to those a grow keeps current (thread instances). */
void capsid_memory_register(wasm_rt_memory_t* memory);

#endif
