/* Isolation probes (the "probe" import module), for test programs: native accesses and
 * instructions a process may attempt but must not get away with. They grant nothing native code
 * could not do anyway; the MMU and the CPU's privilege checks are what the tests exercise. */
#include <stdint.h>

struct Z_probe_instance_t;

/** Reads 8 bytes at any virtual address (a page fault ends the process if not allowed). */
uint64_t Z_probeZ_read64(struct Z_probe_instance_t* instance, uint64_t address) {
  (void)instance;
  return *(volatile uint64_t*)(uintptr_t)address;
}

/** Writes 8 bytes at any virtual address. */
void Z_probeZ_write64(struct Z_probe_instance_t* instance, uint64_t address, uint64_t value) {
  (void)instance;
  *(volatile uint64_t*)(uintptr_t)address = value;
}

/** Runs a privileged instruction: 0 cli, 1 in (COM1), 2 int 0x30 (a DPL-0 gate), 3 hlt. */
void Z_probeZ_privileged(struct Z_probe_instance_t* instance, uint32_t kind) {
  (void)instance;
  switch (kind) {
    case 0: __asm__ volatile("cli"); break;
    case 1: { uint8_t value; __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"((uint16_t)0x3f8)); break; }
    case 2: __asm__ volatile("int $0x30"); break;
    case 3: __asm__ volatile("hlt"); break;
  }
}
