/* Memory plan (see memory_plan.h). Firmware maps may list ranges in any order, overlap and be
 * unaligned, so the map is first cut into elementary intervals at every range boundary; each
 * interval takes the most restrictive type that covers it (reserved and bad beat ACPI NVS,
 * which beats ACPI reclaimable, which beats available). Intervals are then walked once, in
 * order, to mark 2 MiB chunks: linear in the number of ranges plus chunks, which matters under
 * TCG where this runs on every boot.
 */
#include "memory_plan.h"

#define PAGE_SIZE       0x1000ull
#define CHUNK_SIZE      0x200000ull
#define FOUR_GIB        0x100000000ull
#define SIZE_LIMIT      0xffff0000u   /* wasm_rt_memory_t.size is 32-bit: 4 GiB - 64 KiB at most */

enum { CLASS_NONE = 0, CLASS_AVAILABLE = 1, CLASS_ACPI = 2, CLASS_NVS = 3, CLASS_FORBIDDEN = 4 };

static int classify(uint32_t type) {
  switch (type) {
    case MEMORY_AVAILABLE: return CLASS_AVAILABLE;
    case MEMORY_ACPI_RECLAIMABLE: return CLASS_ACPI;
    case MEMORY_ACPI_NVS: return CLASS_NVS;
    default: return CLASS_FORBIDDEN; /* reserved, bad, and every type this kernel does not know */
  }
}

/* Zeroes `length` bytes, eight at a time while it can: the plan is 20 KiB, built twice per boot,
 * and byte stores made it most of the boot's C part under TCG (PERFORMANCE.md, "Boot and init"). */
static void clear(void* pointer, uint64_t length) {
  uint8_t* bytes = pointer;
  uint64_t i = 0;
  if (((uint64_t)bytes & 7) == 0)
    for (; i + 8 <= length; i += 8) *(uint64_t*)(bytes + i) = 0;
  for (; i < length; i++) bytes[i] = 0;
}

static uint64_t align_up(uint64_t value, uint64_t alignment) {
  uint64_t aligned = (value + alignment - 1) & ~(alignment - 1);
  return aligned < value ? ~(alignment - 1) : aligned;  /* saturate instead of wrapping */
}

static uint64_t align_down(uint64_t value, uint64_t alignment) { return value & ~(alignment - 1); }

/* Marks [start, end) (4 KiB aligned, below 4 GiB) as mapped. */
static void mark_mappable(struct memory_plan* plan, uint64_t start, uint64_t end) {
  while (start < end) {
    uint64_t chunk = start / CHUNK_SIZE;
    uint64_t chunk_start = chunk * CHUNK_SIZE, chunk_end = chunk_start + CHUNK_SIZE;
    uint64_t piece_end = end < chunk_end ? end : chunk_end;
    if (start == chunk_start && piece_end == chunk_end) {
      plan->chunk[chunk] = CHUNK_HUGE;
    } else if (plan->chunk[chunk] != CHUNK_HUGE) {
      uint32_t slot = 0;
      while (slot < plan->edge_count && plan->edge_chunk_index[slot] != chunk) slot++;
      if (slot == plan->edge_count) {
        if (plan->edge_count == MEMORY_PLAN_MAX_EDGE_CHUNKS) {
          plan->edge_chunks_dropped++;
          start = piece_end;
          continue;
        }
        plan->edge_count++;
        plan->edge_chunk_index[slot] = (uint32_t)chunk;
        plan->chunk[chunk] = CHUNK_EDGE;
      }
      for (uint64_t page = start; page < piece_end; page += PAGE_SIZE)
        plan->edge_page_mapped[slot][(page - chunk_start) / PAGE_SIZE] = 1;
    }
    start = piece_end;
  }
}

/* An edge chunk whose 512 pages all ended up mapped (two adjacent mappable intervals of
 * different types) becomes a 2 MiB page; its table slot is compacted away. */
static void promote_full_edges(struct memory_plan* plan) {
  uint32_t kept = 0;
  for (uint32_t slot = 0; slot < plan->edge_count; slot++) {
    uint32_t mapped = 0;
    for (uint32_t page = 0; page < 512; page++) mapped += plan->edge_page_mapped[slot][page];
    uint32_t chunk = plan->edge_chunk_index[slot];
    if (mapped == 512 && chunk != 0) {
      plan->chunk[chunk] = CHUNK_HUGE;
      continue;
    }
    if (kept != slot) {
      plan->edge_chunk_index[kept] = chunk;
      for (uint32_t page = 0; page < 512; page++)
        plan->edge_page_mapped[kept][page] = plan->edge_page_mapped[slot][page];
    }
    kept++;
  }
  for (uint32_t slot = kept; slot < plan->edge_count; slot++) clear(plan->edge_page_mapped[slot], 512);
  plan->edge_count = kept;
}

/* Page 0 is never mapped: an AssemblyScript null dereference must fault. */
static void unmap_page_zero(struct memory_plan* plan) {
  if (plan->chunk[0] == CHUNK_HUGE) {
    plan->chunk[0] = CHUNK_UNMAPPED;
    mark_mappable(plan, PAGE_SIZE, CHUNK_SIZE);
  }
  for (uint32_t slot = 0; slot < plan->edge_count; slot++)
    if (plan->edge_chunk_index[slot] == 0) plan->edge_page_mapped[slot][0] = 0;
}

/* Every range boundary, plus 4 GiB, sorted (equal values may repeat) into `boundary`, which
 * has room for 2 * count + 1; returns how many. */
static uint32_t sorted_boundaries(const struct memory_range* ranges, uint32_t count, uint64_t* boundary) {
  uint32_t boundaries = 0;
  boundary[boundaries++] = FOUR_GIB;
  for (uint32_t i = 0; i < count; i++) {
    if (ranges[i].length == 0) continue;
    uint64_t end = ranges[i].start + ranges[i].length;
    if (end < ranges[i].start) end = ~0ull;  /* a range that wraps ends at the top */
    boundary[boundaries++] = ranges[i].start;
    boundary[boundaries++] = end;
  }
  for (uint32_t i = 1; i < boundaries; i++) {
    uint64_t value = boundary[i];
    uint32_t j = i;
    for (; j > 0 && boundary[j - 1] > value; j--) boundary[j] = boundary[j - 1];
    boundary[j] = value;
  }
  return boundaries;
}

/* The most restrictive class of the ranges covering the interval [start, end) between two
 * adjacent boundaries (CLASS_NONE when none does). */
static int interval_class(const struct memory_range* ranges, uint32_t count, uint64_t start, uint64_t end) {
  int strongest = CLASS_NONE;
  for (uint32_t i = 0; i < count; i++) {
    if (ranges[i].length == 0) continue;
    uint64_t range_end = ranges[i].start + ranges[i].length;
    if (range_end < ranges[i].start) range_end = ~0ull;
    if (ranges[i].start <= start && end <= range_end) {
      int class = classify(ranges[i].type);
      if (class > strongest) strongest = class;
    }
  }
  return strongest;
}

uint64_t memory_plan_ram_below_4g(const struct memory_range* ranges, uint32_t count) {
  if (count > MEMORY_PLAN_MAX_RANGES) count = MEMORY_PLAN_MAX_RANGES;
  uint64_t boundary[2 * MEMORY_PLAN_MAX_RANGES + 1];
  uint32_t boundaries = sorted_boundaries(ranges, count, boundary);
  uint64_t ram = 0;
  for (uint32_t b = 0; b + 1 < boundaries; b++) {
    uint64_t start = boundary[b], end = boundary[b + 1];
    if (start != end && end <= FOUR_GIB && interval_class(ranges, count, start, end) == CLASS_AVAILABLE) ram += end - start;
  }
  return ram;
}

enum memory_plan_result memory_plan_build(const struct memory_range* ranges, uint32_t count,
                                          uint64_t heap_start, uint64_t heap_end,
                                          struct memory_plan* plan) {
  clear(plan, sizeof *plan);
  if (count > MEMORY_PLAN_MAX_RANGES) {
    plan->ranges_dropped = count - MEMORY_PLAN_MAX_RANGES;
    count = MEMORY_PLAN_MAX_RANGES;
  }

  uint64_t boundary[2 * MEMORY_PLAN_MAX_RANGES + 1];
  uint32_t boundaries = sorted_boundaries(ranges, count, boundary);

  uint64_t mappable_start = 0, mappable_end = 0;  /* the run of mappable intervals being merged */
  uint64_t top_mappable = 0;
  uint64_t heap_covered = 0;
  for (uint32_t b = 0; b + 1 < boundaries; b++) {
    uint64_t start = boundary[b], end = boundary[b + 1];
    if (start == end) continue;
    int strongest = interval_class(ranges, count, start, end);
    if (strongest == CLASS_AVAILABLE) {
      if (end <= FOUR_GIB) plan->ram_below_4g += end - start;
      else plan->ram_above_4g += end - start;
      uint64_t overlap_start = start > heap_start ? start : heap_start;
      uint64_t overlap_end = end < heap_end ? end : heap_end;
      if (overlap_start < overlap_end) heap_covered += overlap_end - overlap_start;
    }
    int mappable = strongest >= CLASS_AVAILABLE && strongest <= CLASS_NVS && end <= FOUR_GIB;
    if (mappable && start == mappable_end && mappable_end != 0) {
      mappable_end = end;               /* extends the current run */
    } else if (mappable) {
      if (mappable_end > mappable_start)
        mark_mappable(plan, align_up(mappable_start, PAGE_SIZE), align_down(mappable_end, PAGE_SIZE));
      mappable_start = start;
      mappable_end = end;
    }
    if (mappable && end > top_mappable) top_mappable = end;
  }
  if (mappable_end > mappable_start) {
    uint64_t start = align_up(mappable_start, PAGE_SIZE), end = align_down(mappable_end, PAGE_SIZE);
    if (start < end) mark_mappable(plan, start, end);
  }
  promote_full_edges(plan);
  unmap_page_zero(plan);

  plan->pages = (uint32_t)(heap_end >> 16);
  top_mappable = align_down(top_mappable, PAGE_SIZE);
  plan->size = top_mappable > SIZE_LIMIT ? SIZE_LIMIT : (uint32_t)top_mappable;

  if (plan->ram_below_4g == 0) return MEMORY_PLAN_NO_RAM_BELOW_4G;
  if (heap_end <= heap_start || heap_covered != heap_end - heap_start) return MEMORY_PLAN_HEAP_NOT_IN_RAM;
  if (plan->edge_chunks_dropped) return MEMORY_PLAN_TOO_MANY_EDGE_CHUNKS;
  return MEMORY_PLAN_OK;
}

int memory_plan_overlaps(uint64_t start, uint64_t length, uint64_t heap_start, uint64_t heap_end) {
  if (length == 0) return 0;
  uint64_t end = start + length;
  if (end < start) end = ~0ull;
  return start < heap_end && heap_start < end;
}

/* Where the run of available RAM that contains `from` ends: extended by every available range that
 * continues it, cut at the first range of another type that overlaps it (a reserved range inside
 * an available one wins, as in memory_plan_build). `from` itself when it is not available RAM. */
static uint64_t available_run_end(const struct memory_range* ranges, uint32_t count, uint64_t from) {
  uint64_t end = from;
  for (int progress = 1; progress;) {
    progress = 0;
    for (uint32_t i = 0; i < count; i++) {
      if (ranges[i].length == 0 || classify(ranges[i].type) != CLASS_AVAILABLE) continue;
      uint64_t range_end = ranges[i].start + ranges[i].length;
      if (range_end < ranges[i].start) range_end = ~0ull;
      if (ranges[i].start <= end && end < range_end) { end = range_end; progress = 1; }
    }
  }
  for (uint32_t i = 0; i < count; i++) {
    if (ranges[i].length == 0 || classify(ranges[i].type) == CLASS_AVAILABLE) continue;
    uint64_t range_end = ranges[i].start + ranges[i].length;
    if (range_end < ranges[i].start) range_end = ~0ull;
    if (ranges[i].start < end && range_end > from) end = ranges[i].start > from ? ranges[i].start : from;
  }
  return end;
}

uint64_t memory_plan_heap_end(const struct memory_range* ranges, uint32_t count, uint64_t heap_start,
                              uint64_t ram_below_4g, uint64_t limit) {
  if (count > MEMORY_PLAN_MAX_RANGES) count = MEMORY_PLAN_MAX_RANGES;
  uint64_t size = align_down(ram_below_4g / MEMORY_PLAN_HEAP_RAM_SHARE, 2ull << 20);
  if (size < MEMORY_PLAN_HEAP_MINIMUM) size = MEMORY_PLAN_HEAP_MINIMUM;
  if (size > MEMORY_PLAN_HEAP_MAXIMUM) size = MEMORY_PLAN_HEAP_MAXIMUM;
  uint64_t end = heap_start + size;
  uint64_t run = available_run_end(ranges, count, heap_start);
  if (end > run) end = run;
  if (end > limit) end = limit;
  if (end > FOUR_GIB) end = FOUR_GIB;
  end = align_down(end, 1ull << 16);
  return end >= heap_start + MEMORY_PLAN_HEAP_FLOOR ? end : 0;
}

const char* memory_plan_result_name(enum memory_plan_result result) {
  switch (result) {
    case MEMORY_PLAN_OK: return "ok";
    case MEMORY_PLAN_NO_RAM_BELOW_4G: return "no usable RAM below 4 GiB";
    case MEMORY_PLAN_HEAP_NOT_IN_RAM: return "the kernel heap range is not usable RAM";
    case MEMORY_PLAN_TOO_MANY_EDGE_CHUNKS: return "too many partly-RAM 2 MiB chunks; some left unmapped";
  }
  return "unknown";
}
