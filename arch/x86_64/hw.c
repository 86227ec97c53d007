/* The platform contract: the C side of every wasm import the AssemblyScript kernel declares in
 * kernel/arch/hw.ts (one function each, same order). The prototypes come from the wasm2c
 * header, so a signature mismatch between the two files is a compile error. Addresses from the
 * kernel are linear-memory (physical) addresses; they are checked against the memory bounds so
 * a kernel bug becomes a panic report, not a stray access.
 */
#include "kernel.h"
#include "boot_clock.h"
#include "cpu.h"
#include "panic.h"
#include "hw_instance.h"
#include "serial.h"

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
