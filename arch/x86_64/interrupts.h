/* Device interrupts (vectors 32-255): IDT gates to interrupt_stubs.S, the dispatch into the
 * AssemblyScript kernel, and the idle loop, the only code that runs with interrupts enabled. */
#ifndef CAPSID_INTERRUPTS_H
#define CAPSID_INTERRUPTS_H

#include <stdint.h>

#define INTERRUPT_STUB_SIZE 16  /* each stub is 16-byte aligned (interrupt_stubs.S) */

void interrupts_install(void);
__attribute__((noreturn)) void idle_forever(void);

#endif
