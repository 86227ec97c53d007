/* Memory plan: the pure decisions made before the kernel module exists. From the firmware's
 * memory map it decides which physical pages the direct map covers (2 MiB pages where a whole
 * chunk is RAM or ACPI, 4 KiB pages at the edges, page 0 never) and the kernel module's linear
 * memory bounds (`pages` = end of the heap range, `size` = top of RAM below 4 GiB: docs/DESIGN.md,
 * "Traps"). No hardware access: arch/x86_64/direct_map.c applies the plan, and
 * tests/host/memory-plan.test.ts runs this file on the host through tests/host/memory_plan_driver.c.
 */
#ifndef CAPSID_MEMORY_PLAN_H
#define CAPSID_MEMORY_PLAN_H

#include <stdint.h>

#define MEMORY_PLAN_MAX_RANGES     128   /* firmware entries kept; more are dropped and counted */
#define MEMORY_PLAN_MAX_EDGE_CHUNKS 32   /* 2 MiB chunks mapped with 4 KiB pages */
#define MEMORY_PLAN_CHUNKS       2048    /* 2 MiB chunks below 4 GiB */

/* multiboot2 specification 2.0, section 3.6.8: memory map entry types. */
enum memory_type {
  MEMORY_AVAILABLE = 1,
  MEMORY_RESERVED = 2,
  MEMORY_ACPI_RECLAIMABLE = 3,
  MEMORY_ACPI_NVS = 4,
  MEMORY_BAD = 5,
};

struct memory_range {
  uint64_t start;
  uint64_t length;
  uint32_t type;
};

enum memory_plan_result {
  MEMORY_PLAN_OK = 0,
  MEMORY_PLAN_NO_RAM_BELOW_4G = 1,     /* no usable RAM below 4 GiB at all */
  MEMORY_PLAN_HEAP_NOT_IN_RAM = 2,     /* the kernel heap range is not entirely usable RAM */
  MEMORY_PLAN_TOO_MANY_EDGE_CHUNKS = 3 /* not fatal: some edge chunks were left unmapped */
};

enum chunk_mapping { CHUNK_UNMAPPED = 0, CHUNK_HUGE = 1, CHUNK_EDGE = 2 };

struct memory_plan {
  /* The kernel module's linear memory: memory.size() returns `pages`; bulk operations are
   * checked against `size`. */
  uint32_t pages;
  uint32_t size;
  uint64_t ram_below_4g;               /* bytes of available RAM below 4 GiB */
  uint64_t ram_above_4g;               /* bytes of available RAM above 4 GiB (not mapped) */
  uint32_t ranges_dropped;             /* firmware entries beyond MEMORY_PLAN_MAX_RANGES */
  uint32_t edge_chunks_dropped;        /* partly-RAM chunks left unmapped for lack of tables */
  uint8_t chunk[MEMORY_PLAN_CHUNKS];   /* enum chunk_mapping per 2 MiB chunk */
  uint32_t edge_count;
  uint32_t edge_chunk_index[MEMORY_PLAN_MAX_EDGE_CHUNKS];
  uint8_t edge_page_mapped[MEMORY_PLAN_MAX_EDGE_CHUNKS][512]; /* 1 = map this 4 KiB page */
};

/* Fills `plan` from `count` firmware ranges (any order, may overlap or be unaligned).
 * Returns MEMORY_PLAN_OK, or the first problem found; `plan` is complete in every case. */
enum memory_plan_result memory_plan_build(const struct memory_range* ranges, uint32_t count,
                                          uint64_t heap_start, uint64_t heap_end,
                                          struct memory_plan* plan);

/* The bytes of available RAM below 4 GiB (memory_plan_build's ram_below_4g) without building a
 * plan: what the heap's size is chosen from, before the plan that needs it. */
uint64_t memory_plan_ram_below_4g(const struct memory_range* ranges, uint32_t count);

/* Does [start, start + length) overlap [heap_start, heap_end)? A range that wraps past 2^64
 * counts as reaching the top. */
int memory_plan_overlaps(uint64_t start, uint64_t length, uint64_t heap_start, uint64_t heap_end);

/* The kernel heap's size on this machine: a sixteenth of the RAM below 4 GiB, at least
 * MEMORY_PLAN_HEAP_MINIMUM and at most MEMORY_PLAN_HEAP_MAXIMUM, in whole 2 MiB. */
#define MEMORY_PLAN_HEAP_RAM_SHARE 16
#define MEMORY_PLAN_HEAP_MINIMUM   (8ull << 20)
#define MEMORY_PLAN_HEAP_MAXIMUM   (256ull << 20)
/* Below this the kernel does not start: the heap range was cut short by a hole or a module. */
#define MEMORY_PLAN_HEAP_FLOOR     (4ull << 20)

/* The end of the kernel heap range from `heap_start`: heap_start plus the size above, cut short
 * (to a 64 KiB boundary) where available RAM stops or at `limit` (the lowest boot module or other
 * thing GRUB placed above heap_start); 0 when less than MEMORY_PLAN_HEAP_FLOOR remains. */
uint64_t memory_plan_heap_end(const struct memory_range* ranges, uint32_t count, uint64_t heap_start,
                              uint64_t ram_below_4g, uint64_t limit);

const char* memory_plan_result_name(enum memory_plan_result result);

#endif
