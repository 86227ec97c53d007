/* Device interrupts (vectors 32-255): IDT gates to interrupt_stubs.S and the dispatch into the
 * AssemblyScript kernel. Interrupts are enabled only in user mode and in the idle wait (user.c). */
#ifndef CAPSID_INTERRUPTS_H
#define CAPSID_INTERRUPTS_H

#include <stdint.h>

#define INTERRUPT_STUB_SIZE 16  /* each stub is 16-byte aligned (interrupt_stubs.S) */

void interrupts_install(void);

#endif
