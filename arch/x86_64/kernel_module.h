/* The one instance of the AssemblyScript kernel module (wasm2c), for the C entry points that
 * call into it: boot (entry.c) and interrupts (interrupts.c). */
#ifndef CAPSID_KERNEL_MODULE_H
#define CAPSID_KERNEL_MODULE_H

#include "kernel.h"

Z_kernel_instance_t* kernel_module(void);

#endif
