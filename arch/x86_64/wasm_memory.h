/* Hands the memory plan's linear-memory bounds to the wasm runtime before the kernel module is
 * instantiated (wasm_rt_allocate_memory reads them). */
#ifndef CAPSID_WASM_MEMORY_H
#define CAPSID_WASM_MEMORY_H

#include <stdint.h>

struct memory_plan_limits {
  uint32_t pages;   /* memory.size(): end of the kernel heap range / 64 KiB */
  uint32_t size;    /* bulk-operation limit: top of RAM below 4 GiB */
};

void wasm_memory_configure(struct memory_plan_limits limits);

#endif
