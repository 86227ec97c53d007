/* The platform contract: the C side of every wasm import the AssemblyScript kernel declares in
 * kernel/arch/hw.ts (one function each, same order). The prototypes come from the wasm2c
 * header, so a signature mismatch between the two files is a compile error. Addresses from the
 * kernel are linear-memory (physical) addresses; they are checked against the memory bounds so
 * a kernel bug becomes a panic report, not a stray access.
 */
#include "kernel.h"
#include "boot_clock.h"
#include "cpu.h"
#include "layout.h"
#include "panic.h"
#include "hw_instance.h"
#include "kernel_module.h"
#include "serial.h"
#include "user_context.h"

struct Z_hw_instance_t hw_instance;

static const char* linear(u32 address, u32 length, const char* what) {
  wasm_rt_memory_t* memory = hw_instance.memory;
  if (address == 0 || (uint64_t)address + length > memory->size) {
    panic_begin();
    serial_print(what);
    serial_print(": buffer outside kernel linear memory at ");
    serial_print_hex(address);
    serial_print("\n");
    panic_end();
  }
  return (const char*)memory->data + address;
}

void Z_hwZ_serialWrite(struct Z_hw_instance_t* hw, u32 address, u32 length) {
  (void)hw;
  serial_write(linear(address, length, "hw.serialWrite"), length);
}

void Z_hwZ_portOut8(struct Z_hw_instance_t* hw, u32 port, u32 value) {
  (void)hw;
  port_out8((uint16_t)port, (uint8_t)value);
}

u32 Z_hwZ_portIn8(struct Z_hw_instance_t* hw, u32 port) {
  (void)hw;
  return port_in8((uint16_t)port);
}

void Z_hwZ_portOut32(struct Z_hw_instance_t* hw, u32 port, u32 value) {
  (void)hw;
  port_out32((uint16_t)port, value);
}

u32 Z_hwZ_portIn32(struct Z_hw_instance_t* hw, u32 port) {
  (void)hw;
  return port_in32((uint16_t)port);
}

u64 Z_hwZ_bootClockNanos(struct Z_hw_instance_t* hw) {
  (void)hw;
  return boot_clock_nanos();
}

void Z_hwZ_panicExitArm(struct Z_hw_instance_t* hw, u32 enabled) {
  (void)hw;
  panic_exit_arm(enabled);
}

void Z_hwZ_debugExit(struct Z_hw_instance_t* hw, u32 code) {
  (void)hw;
  debug_exit(code);
}

void Z_hwZ_panic(struct Z_hw_instance_t* hw, u32 address, u32 length) {
  (void)hw;
  const char* message = linear(address, length, "hw.panic");
  panic_begin();
  serial_write(message, length);
  serial_print("\n");
  panic_end();
}

void Z_hwZ_cpuid(struct Z_hw_instance_t* hw, u32 leaf, u32 subleaf, u32 output) {
  (void)hw;
  uint32_t registers[4];
  __asm__ volatile("cpuid" : "=a"(registers[0]), "=b"(registers[1]), "=c"(registers[2]), "=d"(registers[3])
                   : "a"(leaf), "c"(subleaf));
  __builtin_memcpy((void*)linear(output, sizeof registers, "hw.cpuid"), registers, sizeof registers);
}

u64 Z_hwZ_readMsr(struct Z_hw_instance_t* hw, u32 msr) {
  (void)hw;
  return read_msr(msr);
}

void Z_hwZ_writeMsr(struct Z_hw_instance_t* hw, u32 msr, u64 value) {
  (void)hw;
  write_msr(msr, value);
}

u64 Z_hwZ_readControlRegister(struct Z_hw_instance_t* hw, u32 number) {
  (void)hw;
  uint64_t value = 0;
  switch (number) {
    case 0: __asm__ volatile("mov %%cr0, %0" : "=r"(value)); break;
    case 2: __asm__ volatile("mov %%cr2, %0" : "=r"(value)); break;
    case 3: __asm__ volatile("mov %%cr3, %0" : "=r"(value)); break;
    case 4: __asm__ volatile("mov %%cr4, %0" : "=r"(value)); break;
    default: panic_message("hw.readControlRegister: no such control register");
  }
  return value;
}

void Z_hwZ_writeControlRegister(struct Z_hw_instance_t* hw, u32 number, u64 value) {
  (void)hw;
  switch (number) {
    case 0: __asm__ volatile("mov %0, %%cr0" : : "r"(value) : "memory"); break;
    case 3: __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory"); break;
    case 4: __asm__ volatile("mov %0, %%cr4" : : "r"(value) : "memory"); break;
    default: panic_message("hw.writeControlRegister: no such writable control register");
  }
}

void Z_hwZ_invalidatePage(struct Z_hw_instance_t* hw, u64 virtual_address) {
  (void)hw;
  __asm__ volatile("invlpg (%0)" : : "r"(virtual_address) : "memory");
}

/* Only the bootstrap CPU runs user code: no other CPU shows an address space, so a shootdown
 * never signals one (kernel/vm/user-half.ts). An IPI and its answer come with SMP. */
void Z_hwZ_shootdownSignal(struct Z_hw_instance_t* hw, u32 cpu) {
  (void)hw;
  (void)cpu;
  panic_message("hw.shootdownSignal: no other CPU runs user code");
}

/* Device registers are reached only inside the MMIO window, and only through volatile accesses
 * of the register's own width, naturally aligned (virtio 1.2, 4.1.3.1). */
static uintptr_t mmio_checked(u64 virtual_address, u64 width) {
  if (virtual_address < MMIO_WINDOW_BASE || virtual_address - MMIO_WINDOW_BASE >= MMIO_WINDOW_SIZE || (virtual_address & (width - 1))) {
    panic_begin();
    serial_print("hw.mmio: address outside the MMIO window or unaligned: ");
    serial_print_hex(virtual_address);
    serial_print("\n");
    panic_end();
  }
  return (uintptr_t)virtual_address;
}

u32 Z_hwZ_mmioRead32(struct Z_hw_instance_t* hw, u64 virtual_address) {
  (void)hw;
  return *(volatile uint32_t*)mmio_checked(virtual_address, 4);
}

void Z_hwZ_mmioWrite32(struct Z_hw_instance_t* hw, u64 virtual_address, u32 value) {
  (void)hw;
  *(volatile uint32_t*)mmio_checked(virtual_address, 4) = value;
}

u32 Z_hwZ_mmioRead16(struct Z_hw_instance_t* hw, u64 virtual_address) {
  (void)hw;
  return *(volatile uint16_t*)mmio_checked(virtual_address, 2);
}

void Z_hwZ_mmioWrite16(struct Z_hw_instance_t* hw, u64 virtual_address, u32 value) {
  (void)hw;
  *(volatile uint16_t*)mmio_checked(virtual_address, 2) = (uint16_t)value;
}

u32 Z_hwZ_mmioRead8(struct Z_hw_instance_t* hw, u64 virtual_address) {
  (void)hw;
  return *(volatile uint8_t*)mmio_checked(virtual_address, 1);
}

void Z_hwZ_mmioWrite8(struct Z_hw_instance_t* hw, u64 virtual_address, u32 value) {
  (void)hw;
  *(volatile uint8_t*)mmio_checked(virtual_address, 1) = (uint8_t)value;
}

/* Orders the kernel's stores to memory a device reads (a virtqueue's descriptors before its
 * index; virtio 1.2, 2.7.13): x86 keeps stores in order, so the compiler is what must not move
 * them, and an MFENCE orders them against the MMIO notification after. */
void Z_hwZ_memoryBarrier(struct Z_hw_instance_t* hw) {
  (void)hw;
  __asm__ volatile("mfence" ::: "memory");
}

void Z_hwZ_mmioCopy(struct Z_hw_instance_t* hw, u64 virtual_address, u32 source, u32 length) {
  (void)hw;
  const char* from = linear(source, length, "hw.mmioCopy");
  if (length == 0) return;
  if (virtual_address < MMIO_WINDOW_BASE || virtual_address - MMIO_WINDOW_BASE >= MMIO_WINDOW_SIZE
      || MMIO_WINDOW_BASE + MMIO_WINDOW_SIZE - virtual_address < length) {
    panic_begin();
    serial_print("hw.mmioCopy: destination outside the MMIO window: ");
    serial_print_hex(virtual_address);
    serial_print("\n");
    panic_end();
  }
  /* String moves: whole words, then the bytes left; the asm cannot be elided or merged. */
  uint64_t words = length / 8, bytes = length % 8;
  void* to = (void*)virtual_address;
  __asm__ volatile("rep movsq" : "+D"(to), "+S"(from), "+c"(words) : : "memory");
  __asm__ volatile("rep movsb" : "+D"(to), "+S"(from), "+c"(bytes) : : "memory");
}

u64 Z_hwZ_readTsc(struct Z_hw_instance_t* hw) {
  (void)hw;
  return read_tsc();
}

extern char kernel_text_start[], kernel_text_end[], kernel_rodata_start[], kernel_rodata_end[],
    kernel_data_start[], kernel_symbols_start[], kernel_image_end[], kernel_stack_guard[], double_fault_stack_guard[],
    nmi_stack_guard[], page_fault_stack_guard[], kernel_entry_text_start[], kernel_entry_text_end[],
    kernel_entry_data_start[], kernel_entry_data_end[], entry_stack_guard[];

/* Layout for kernel/memory/kernel-image.ts: virtual addresses, in this order. */
void Z_hwZ_kernelImageLayout(struct Z_hw_instance_t* hw, u32 output) {
  (void)hw;
  const uint64_t layout[] = {
      KERNEL_VIRT_OFFSET,
      (uint64_t)kernel_text_start, (uint64_t)kernel_text_end,
      (uint64_t)kernel_rodata_start, (uint64_t)kernel_rodata_end,
      (uint64_t)kernel_data_start, (uint64_t)kernel_symbols_start, (uint64_t)kernel_image_end,
      (uint64_t)kernel_stack_guard, (uint64_t)double_fault_stack_guard,
      (uint64_t)nmi_stack_guard, (uint64_t)page_fault_stack_guard,
      (uint64_t)kernel_entry_text_start, (uint64_t)kernel_entry_text_end,
      (uint64_t)kernel_entry_data_start, (uint64_t)kernel_entry_data_end, (uint64_t)entry_stack_guard,
  };
  __builtin_memcpy((void*)linear(output, sizeof layout, "hw.kernelImageLayout"), layout, sizeof layout);
}

/* The entry variables (user_entry.S), read by every way into and out of user mode; SYSCALL's way
 * in is syscall_entry_isolated while isolation is on (MSR_LSTAR, rewritten only when that changes). */
extern uint64_t entry_kernel_cr3, entry_user_cr3, entry_user_cr3_after;
extern char syscall_entry[], syscall_entry_isolated[];
#define MSR_LSTAR 0xc0000082

u64 Z_hwZ_userModeCr3Set(struct Z_hw_instance_t* hw, u64 kernel, u64 user, u64 user_after) {
  (void)hw;
  uint64_t previous = entry_user_cr3;
  entry_kernel_cr3 = kernel;
  entry_user_cr3_after = user_after;
  entry_user_cr3 = user;
  if ((previous != 0) != (user != 0)) write_msr(MSR_LSTAR, (uint64_t)(user != 0 ? syscall_entry_isolated : syscall_entry));
  return previous;
}

void Z_hwZ_contextForget(struct Z_hw_instance_t* hw, u64 context) {
  (void)hw;
  context_forget(context);
}

void Z_hwZ_contextSaveFpu(struct Z_hw_instance_t* hw, u64 context) {
  (void)hw;
  context_save_fpu(context);
}

u64 Z_hwZ_kernelTouchUser(struct Z_hw_instance_t* hw, u64 virtual_address, u32 kind) {
  (void)hw;
  if (virtual_address >= USER_HALF_END) panic_message("hw.kernelTouchUser: not a user address");
  if (kind == 1) {
    ((void (*)(void))(uintptr_t)virtual_address)();
    return 0;
  }
  return *(volatile uint64_t*)(uintptr_t)virtual_address;
}

u32 Z_hwZ_hardwareRandom(struct Z_hw_instance_t* hw, u32 instruction, u32 output) {
  (void)hw;
  uint64_t value = 0;
  uint8_t ok = 0;
  if (instruction == 1) __asm__ volatile("rdseed %0; setc %1" : "=r"(value), "=qm"(ok) : : "cc");
  else __asm__ volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok) : : "cc");
  __builtin_memcpy((void*)linear(output, sizeof value, "hw.hardwareRandom"), &value, sizeof value);
  return ok;
}

u32 Z_hwZ_kernelHeapBytes(struct Z_hw_instance_t* hw) {
  (void)hw;
  /* The minimal runtime's collector byte count, a wasm global wasm2c names after its
   * AssemblyScript path (a rename is a compile error here, not a silent miss). */
  return kernel_module()->w2c__lib_rt_tcms_total;
}
