/* Device interrupts (see interrupts.h). */
#include "interrupts.h"
#include "exceptions.h"
#include "kernel_module.h"

extern const char interrupt_stubs_start[];

void interrupts_install(void) {
  for (int vector = 32; vector < 256; vector++)
    idt_set_gate(vector, (uint64_t)interrupt_stubs_start + (uint64_t)(vector - 32) * INTERRUPT_STUB_SIZE, 0);
}

void interrupt_dispatch(uint64_t vector) {
  Z_kernelZ_kernelInterrupt(kernel_module(), (u32)vector);
}
