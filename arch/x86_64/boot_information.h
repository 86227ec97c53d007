/* What the C glue needs from the multiboot2 boot information before the kernel module exists:
 * the memory map (to build the direct map) and where the boot modules lie (to keep the kernel
 * heap range clear of them). The AssemblyScript kernel
 * parses the whole structure itself, through the direct map. Every length is checked against
 * the structure's total size; a malformed structure yields an error, never a read past it.
 */
#ifndef CAPSID_BOOT_INFORMATION_H
#define CAPSID_BOOT_INFORMATION_H

#include <stdint.h>
#include "memory_plan.h"

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u
#define BOOT_INFORMATION_MAX_SIZE   0x100000u  /* larger is treated as corrupt */

/* Copies up to `capacity` memory map entries into `ranges`; returns how many the map holds
 * (may exceed capacity), or -1 with `*error` set when the structure is malformed. */
int64_t boot_information_memory_map(const uint8_t* information, struct memory_range* ranges,
                                    uint32_t capacity, const char** error);

/* The lowest start of a boot module that ends above `floor`, or ~0 when there is none; sets
 * `*straddles` when a module starts below `floor` and ends above it. -1 never: a malformed
 * structure was refused by boot_information_memory_map first (it gives ~0 then). */
uint64_t boot_information_modules_above(const uint8_t* information, uint64_t floor, int* straddles);

/* Moves every boot module that overlaps [start, end) (the kernel heap's range) to the top of the
 * highest usable RAM range below 4 GiB, packed downward, and rewrites its tag: GRUB places
 * modules upward from the kernel image, and a large boot package reaches past 16 MiB. A module
 * that has nowhere to go (the space would overlap the range, another module or the structure)
 * stays where it is, and so do the ones after it. Returns how many moved. Runs while the
 * identity map covers the first 4 GiB. */
uint32_t boot_information_move_modules(uint8_t* information, uint64_t start, uint64_t end,
                                       const struct memory_range* ranges, uint32_t count);

#endif
