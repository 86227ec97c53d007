/* Direct map page tables (see direct_map.h): one PDPT, four page directories (0-4 GiB), and a
 * page table per edge chunk, all in .bss. 2 MiB pages where a whole chunk is RAM or ACPI. */
#include "direct_map.h"
#include "cpu.h"
#include "layout.h"

#define PAGE_PRESENT  0x1ull
#define PAGE_WRITABLE 0x2ull
#define PAGE_HUGE     0x80ull

extern uint64_t boot_pml4[512];  /* boot/entry.S, identity-addressed */

static struct {
  uint64_t pdpt[512];
  uint64_t directory[4][512];
  uint64_t table[MEMORY_PLAN_MAX_EDGE_CHUNKS][512];
} direct_map __attribute__((aligned(4096)));

void direct_map_install(const struct memory_plan* plan) {
  for (uint32_t slot = 0; slot < plan->edge_count; slot++) {
    uint64_t chunk_base = (uint64_t)plan->edge_chunk_index[slot] << 21;
    for (uint32_t page = 0; page < 512; page++)
      direct_map.table[slot][page] = plan->edge_page_mapped[slot][page]
          ? (chunk_base + ((uint64_t)page << 12)) | PAGE_PRESENT | PAGE_WRITABLE : 0;
  }
  for (uint32_t chunk = 0; chunk < MEMORY_PLAN_CHUNKS; chunk++) {
    uint64_t entry = 0;
    if (plan->chunk[chunk] == CHUNK_HUGE) {
      entry = ((uint64_t)chunk << 21) | PAGE_PRESENT | PAGE_WRITABLE | PAGE_HUGE;
    } else if (plan->chunk[chunk] == CHUNK_EDGE) {
      uint32_t slot = 0;
      while (slot + 1 < plan->edge_count && plan->edge_chunk_index[slot] != chunk) slot++;
      entry = PHYSICAL_OF_KERNEL(direct_map.table[slot]) | PAGE_PRESENT | PAGE_WRITABLE;
    }
    direct_map.directory[chunk / 512][chunk % 512] = entry;
  }
  for (uint32_t gib = 0; gib < 4; gib++)
    direct_map.pdpt[gib] = PHYSICAL_OF_KERNEL(direct_map.directory[gib]) | PAGE_PRESENT | PAGE_WRITABLE;

  uint64_t* pml4 = (uint64_t*)((uint64_t)boot_pml4 + KERNEL_VIRT_OFFSET);
  pml4[(DIRECT_MAP_BASE >> 39) & 511] = PHYSICAL_OF_KERNEL(direct_map.pdpt) | PAGE_PRESENT | PAGE_WRITABLE;
  pml4[0] = 0;
  write_cr3(read_cr3());
}
