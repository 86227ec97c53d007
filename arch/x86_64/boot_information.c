/* Memory map from the multiboot2 boot information (multiboot2 specification 2.0, sections 3.6.1
 * "basic tags structure" and 3.6.8 "memory map"). See boot_information.h. */
#include "boot_information.h"

#define TAG_END        0
#define TAG_MODULE     3
#define TAG_MEMORY_MAP 6

static uint32_t read32(const uint8_t* p) { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }
static void write32(uint8_t* p, uint32_t v) { __builtin_memcpy(p, &v, 4); }
static uint64_t read64(const uint8_t* p) { uint64_t v; __builtin_memcpy(&v, p, 8); return v; }

int64_t boot_information_memory_map(const uint8_t* information, struct memory_range* ranges,
                                    uint32_t capacity, const char** error) {
  uint32_t total = read32(information);
  if (total < 16 || total > BOOT_INFORMATION_MAX_SIZE) {
    *error = "boot information total size out of range";
    return -1;
  }
  uint32_t offset = 8;
  while (offset + 8 <= total) {
    uint32_t type = read32(information + offset);
    uint32_t size = read32(information + offset + 4);
    if (size < 8 || size > total - offset) {
      *error = "boot information tag overruns the structure";
      return -1;
    }
    if (type == TAG_END) break;
    if (type == TAG_MEMORY_MAP) {
      if (size < 16) {
        *error = "memory map tag too short";
        return -1;
      }
      uint32_t entry_size = read32(information + offset + 8);
      if (entry_size < 24 || entry_size % 8) {
        *error = "memory map entry size invalid";
        return -1;
      }
      uint32_t count = (size - 16) / entry_size;
      for (uint32_t i = 0; i < count && i < capacity; i++) {
        const uint8_t* entry = information + offset + 16 + i * entry_size;
        ranges[i] = (struct memory_range){read64(entry), read64(entry + 8), read32(entry + 16)};
      }
      return count;
    }
    offset += (size + 7) & ~7u;
  }
  *error = "no memory map in the boot information";
  return -1;
}

uint64_t boot_information_modules_above(const uint8_t* information, uint64_t floor, int* straddles) {
  uint32_t total = read32(information);
  uint64_t lowest = ~0ull;
  *straddles = 0;
  if (total < 16 || total > BOOT_INFORMATION_MAX_SIZE) return lowest;
  uint32_t offset = 8;
  while (offset + 8 <= total) {
    uint32_t type = read32(information + offset);
    uint32_t size = read32(information + offset + 4);
    if (size < 8 || size > total - offset || type == TAG_END) break;
    if (type == TAG_MODULE && size >= 16) {
      uint64_t start = read32(information + offset + 8), end = read32(information + offset + 12);
      if (end > floor) {
        if (start < floor) *straddles = 1;
        else if (start < lowest) lowest = start;
      }
    }
    offset += (size + 7) & ~7u;
  }
  return lowest;
}

static int overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end) { return a < b_end && b < a_end; }

/* Whether [start, end) overlaps a module other than the one at tag `skip`, or the structure. */
static int clashes(const uint8_t* information, uint32_t skip, uint64_t start, uint64_t end) {
  uint32_t total = read32(information);
  uint64_t self = (uint64_t)information;
  if (overlaps(start, end, self, self + total)) return 1;
  uint32_t offset = 8;
  while (offset + 8 <= total) {
    uint32_t type = read32(information + offset), size = read32(information + offset + 4);
    if (size < 8 || size > total - offset || type == TAG_END) break;
    if (type == TAG_MODULE && size >= 16 && offset != skip &&
        overlaps(start, end, read32(information + offset + 8), read32(information + offset + 12))) return 1;
    offset += (size + 7) & ~7u;
  }
  return 0;
}

uint32_t boot_information_move_modules(uint8_t* information, uint64_t start, uint64_t end,
                                       const struct memory_range* ranges, uint32_t count) {
  uint32_t total = read32(information), moved = 0;
  if (total < 16 || total > BOOT_INFORMATION_MAX_SIZE) return 0;
  /* Where they go: down from the top of the highest usable RAM range below 4 GiB. */
  uint64_t top = 0, bottom = 0;
  for (uint32_t i = 0; i < count && i < MEMORY_PLAN_MAX_RANGES; i++) {
    if (ranges[i].type != 1) continue;
    uint64_t range_end = ranges[i].start + ranges[i].length;
    if (range_end > 0x100000000ull) range_end = 0x100000000ull;
    if (range_end > top && ranges[i].start < range_end) { top = range_end & ~0xfffull; bottom = ranges[i].start; }
  }
  uint32_t offset = 8;
  while (offset + 8 <= total) {
    uint32_t type = read32(information + offset), size = read32(information + offset + 4);
    if (size < 8 || size > total - offset || type == TAG_END) break;
    if (type == TAG_MODULE && size >= 16) {
      uint64_t module_start = read32(information + offset + 8), module_end = read32(information + offset + 12);
      if (module_end > module_start && overlaps(module_start, module_end, start, end)) {
        uint64_t length = module_end - module_start;
        uint64_t destination = (top - length) & ~0xfffull;
        if (length > top || destination < bottom || overlaps(destination, destination + length, start, end) ||
            clashes(information, offset, destination, destination + length)) return moved;
        __builtin_memmove((void*)destination, (const void*)module_start, length);
        write32(information + offset + 8, (uint32_t)destination);
        write32(information + offset + 12, (uint32_t)(destination + length));
        top = destination;
        moved++;
      }
    }
    offset += (size + 7) & ~7u;
  }
  return moved;
}
