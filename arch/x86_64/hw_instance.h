/* The "hw" import module's instance: what the C side of the platform contract needs to know
 * about the kernel module (its linear memory, for bounds checks). Set by entry.c. */
#ifndef CAPSID_HW_INSTANCE_H
#define CAPSID_HW_INSTANCE_H

#include "wasm-rt.h"

struct Z_hw_instance_t {
  wasm_rt_memory_t* memory;
};

extern struct Z_hw_instance_t hw_instance;

#endif
