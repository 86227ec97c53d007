/* The boot stopwatch: nanoseconds since kernel_entry, for the "capsid: ready in ..." line,
 * before the kernel has a calibrated clock. PIT channel 2 runs as a one-shot from its maximum
 * count (54.9 ms at 1.193182 MHz); within that window its count is the elapsed time exactly.
 * Past it, the TSC delta is converted with a rate measured once against a fresh PIT window.
 */
#ifndef CAPSID_BOOT_CLOCK_H
#define CAPSID_BOOT_CLOCK_H

#include <stdint.h>

void boot_clock_start(void);
uint64_t boot_clock_nanos(void);

#endif
