/* kernel_entry: the C side of boot, called by boot/entry.S in long mode on the kernel stack.
 * Order matters: the serial port first (every later step can report), the stopwatch, the
 * exception gates (a fault from here on is a report, not a triple fault), the memory plan and
 * direct map, and only then the kernel module, whose linear memory is that direct map. The
 * AssemblyScript top-level code runs when the exported start function is called, after all of
 * this (asc --exportStart). */
#include "kernel.h"
#include "boot_clock.h"
#include "boot_information.h"
#include "cpu.h"
#include "direct_map.h"
#include "exceptions.h"
#include "gdt.h"
#include "hw_instance.h"
#include "interrupts.h"
#include "kernel_module.h"
#include "layout.h"
#include "memory_plan.h"
#include "panic.h"
#include "serial.h"
#include "user_context.h"
#include "wasm_memory.h"


/* The firmware map, for a report that says why the plan failed. */
static void print_memory_map(const struct memory_range* ranges, uint32_t count) {
  for (uint32_t i = 0; i < count && i < MEMORY_PLAN_MAX_RANGES; i++) {
    serial_print("  ");
    serial_print_hex(ranges[i].start);
    serial_print(" + ");
    serial_print_hex(ranges[i].length);
    serial_print(" type ");
    serial_print_decimal(ranges[i].type);
    serial_print("\n");
  }
}

#define BOOT_INFORMATION_COPY_SIZE 0x8000

static struct {
  uint8_t information_copy[BOOT_INFORMATION_COPY_SIZE] __attribute__((aligned(8)));
  struct memory_range ranges[MEMORY_PLAN_MAX_RANGES];
  struct memory_plan plan;
  Z_kernel_instance_t instance;
} boot;

/* Only the static part of the heap range is a loaded segment (layout.h), so GRUB may have put the
 * boot information in the rest, where the heap will soon write. Moves it into the kernel image
 * then; returns its (possibly new) physical address. Runs while the identity map exists. */
static uint32_t keep_boot_information_out_of_heap(uint32_t information_physical, uint64_t heap_end) {
  uint32_t size = *(const uint32_t*)(uint64_t)information_physical;
  if (!memory_plan_overlaps(information_physical, size, KERNEL_HEAP_START, heap_end))
    return information_physical;
  if (size > BOOT_INFORMATION_COPY_SIZE) panic_message("boot information lies in the kernel heap range and is too large to move");
  __builtin_memcpy(boot.information_copy, (const void*)(uint64_t)information_physical, size);
  return (uint32_t)PHYSICAL_OF_KERNEL(boot.information_copy);
}

Z_kernel_instance_t* kernel_module(void) { return &boot.instance; }

void kernel_entry(uint32_t magic, uint32_t information_physical) {
  serial_init();
  boot_clock_start();
  gdt_install();
  exceptions_install();
  interrupts_install();
  if (magic != MULTIBOOT2_BOOTLOADER_MAGIC) panic_message("not started by a multiboot2 boot loader");

  const uint8_t* information = (const uint8_t*)(uint64_t)information_physical;
  const char* error = 0;
  int64_t count = boot_information_memory_map(information, boot.ranges, MEMORY_PLAN_MAX_RANGES, &error);
  if (count < 0) panic_message(error);
  uint32_t ranges = count > MEMORY_PLAN_MAX_RANGES ? MEMORY_PLAN_MAX_RANGES : (uint32_t)count;
  /* The heap grows with the machine (memory_plan.h): a share of the RAM, stopping short of the
   * boot modules GRUB placed above its start. */
  int straddles = 0;
  uint64_t wanted = memory_plan_heap_end(boot.ranges, ranges, KERNEL_HEAP_START, memory_plan_ram_below_4g(boot.ranges, ranges), ~0ull);
  /* Silent: every kernel log line carries a timestamp, and these come before the log exists. */
  if (wanted != 0) boot_information_move_modules((uint8_t*)information, KERNEL_HEAP_START, wanted, boot.ranges, ranges);
  uint64_t modules = boot_information_modules_above(information, KERNEL_HEAP_START, &straddles);
  if (straddles) panic_message("a boot module overlaps the start of the kernel heap range (layout.h)");
  uint64_t heap_end = memory_plan_heap_end(boot.ranges, ranges, KERNEL_HEAP_START,
                                           memory_plan_ram_below_4g(boot.ranges, ranges), modules);
  if (heap_end == 0) {
    panic_begin();
    serial_print("less than 4 MiB of RAM free for the kernel heap from 16 MiB (a hole, or a boot module); the firmware memory map:\n");
    print_memory_map(boot.ranges, ranges);
    panic_end();
  }
  information_physical = keep_boot_information_out_of_heap(information_physical, heap_end);
  enum memory_plan_result result = memory_plan_build(boot.ranges, (uint32_t)count, KERNEL_HEAP_START,
                                                     heap_end, &boot.plan);
  if (result == MEMORY_PLAN_TOO_MANY_EDGE_CHUNKS) {
    serial_print("capsid: warning: ");
    serial_print(memory_plan_result_name(result));
    serial_print("\n");
  } else if (result != MEMORY_PLAN_OK) {
    panic_begin();
    serial_print(memory_plan_result_name(result));
    serial_print("; the firmware memory map:\n");
    print_memory_map(boot.ranges, (uint32_t)count);
    panic_end();
  }
  direct_map_install(&boot.plan);
  wasm_memory_configure((struct memory_plan_limits){boot.plan.pages, boot.plan.size});

  wasm_rt_init();
  Z_kernel_init_module();
  Z_kernel_instantiate(&boot.instance, &hw_instance);
  hw_instance.memory = Z_kernelZ_memory(&boot.instance);
  /* AssemblyScript's static data ends at __heap_base, the end of what must be zeroed; only
   * KERNEL_STATIC_RESERVE bytes were. */
  if (Z_kernelZ_kernelHeapBase(&boot.instance) > KERNEL_HEAP_START + KERNEL_STATIC_RESERVE)
    panic_message("AssemblyScript static data outgrew KERNEL_STATIC_RESERVE (layout.h)");
  Z_kernelZ__initialize(&boot.instance);
  user_mode_install();
  Z_kernelZ_kernelMain(&boot.instance, information_physical, (u64)boot.plan.size, boot.plan.ram_below_4g);
  schedule_and_resume();
}
