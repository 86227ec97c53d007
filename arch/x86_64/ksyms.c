/* Symbol lookup for panic reports (see ksyms.h): binary search over the sorted table. */
#include "ksyms.h"

extern const struct ksyms_table ksyms_table;
extern const char kernel_text_start[], kernel_text_end[];

const char* ksyms_lookup(uint64_t address, uint64_t* offset) {
  uint32_t count = ksyms_table.header.count;
  if (ksyms_table.header.magic != KSYMS_MAGIC || count == 0) return 0;
  if (address < (uint64_t)kernel_text_start || address >= (uint64_t)kernel_text_end) return 0;
  const struct ksym* entries = ksyms_table.entries;
  const char* names = (const char*)(entries + count);
  uint32_t low = 0, high = count;   /* find the last entry with address <= target */
  while (high - low > 1) {
    uint32_t middle = low + (high - low) / 2;
    if (entries[middle].address <= address) low = middle;
    else high = middle;
  }
  const struct ksym* found = &entries[low];
  if (found->address > address) return 0;
  if (found->size && address >= found->address + found->size) return 0;
  *offset = address - found->address;
  return names + found->name;
}
