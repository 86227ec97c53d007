/* The C panic path (see panic.h). */
#include "panic.h"
#include "cpu.h"
#include "ksyms.h"
#include "layout.h"
#include "serial.h"

static struct {
  uint32_t exit_armed;   /* set by the kernel for test= runs */
  uint32_t depth;        /* panics in progress: 2 means a fault while reporting */
} panic_state;

void panic_exit_arm(uint32_t enabled) { panic_state.exit_armed = enabled; }

void debug_exit(uint32_t code) {
  port_out8(DEBUG_EXIT_PORT, (uint8_t)code);
  halt_forever();  /* no isa-debug-exit device: stay halted */
  __builtin_unreachable();
}

void panic_begin(void) {
  if (++panic_state.depth > 1) {
    serial_print("\ncapsid: panic: nested fault while reporting a panic\n");
    panic_end();
  }
  serial_print("capsid: panic: ");
}

void panic_end(void) {
  if (panic_state.exit_armed) debug_exit(DEBUG_EXIT_PANIC);
  halt_forever();
  __builtin_unreachable();
}

void panic_message(const char* message) {
  panic_begin();
  serial_print(message);
  serial_print("\n");
  panic_end();
}

void panic_print_symbol(uint64_t address) {
  uint64_t offset = 0;
  const char* name = ksyms_lookup(address, &offset);
  if (!name) {
    serial_print("?");
    return;
  }
  serial_print(name);
  serial_print("+");
  serial_print_hex(offset);
}
