/* The C panic path: every fault, wasm trap and kernel abort ends here. Reports are written by
 * C alone, polling COM1, and start with "capsid: panic: ". When the kernel has armed the test
 * exit (hw.panicExitArm, a test= run), the report ends QEMU through isa-debug-exit with
 * DEBUG_EXIT_PANIC; otherwise the CPU halts with interrupts off.
 */
#ifndef CAPSID_PANIC_H
#define CAPSID_PANIC_H

#include <stdint.h>

/* Prints "capsid: panic: " and returns; a nested panic (a fault while reporting) halts at once. */
void panic_begin(void);
__attribute__((noreturn)) void panic_end(void);
__attribute__((noreturn)) void panic_message(const char* message);

/* Prints "<symbol>+0x<offset>" for a kernel text address, or "?" when none contains it. */
void panic_print_symbol(uint64_t address);

void panic_exit_arm(uint32_t enabled);
__attribute__((noreturn)) void debug_exit(uint32_t code);

#endif
