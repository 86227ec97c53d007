/* Kernel-mode exceptions: the IDT's 32 exception gates and the report (see exceptions.c). */
#ifndef CAPSID_EXCEPTIONS_H
#define CAPSID_EXCEPTIONS_H

#include <stdint.h>

void exceptions_install(void);
/* Points IDT gate `vector` at `handler` (an interrupt gate, DPL 0) with IST slot `ist` (0: none). */
void idt_set_gate(int vector, uint64_t handler, uint8_t ist);

#endif
