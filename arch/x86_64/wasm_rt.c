/* Capsid's freestanding wasm runtime for the kernel module (see wasm-rt/wasm-rt.h): its linear
 * memory over the direct map, and traps as panic reports that name the trap and the
 * AssemblyScript function (the symbol containing the return address into generated code).
 * Function types and funcref tables are wasm-rt/common.c, shared with the user runtime. */
#include "wasm-rt.h"
#include "layout.h"
#include "panic.h"
#include "serial.h"
#include "wasm_memory.h"


static struct {
  uint32_t initialized;
  struct memory_plan_limits limits;  /* set by wasm_memory_configure before instantiation */
} runtime;

void wasm_rt_init(void) { runtime.initialized = 1; }
bool wasm_rt_is_initialized(void) { return runtime.initialized; }

/* func_types.c interns function types; a full table there is a kernel panic. */
void wasm_rt_limit_reached(const char* what) { panic_message(what); }

void wasm_memory_configure(struct memory_plan_limits limits) { runtime.limits = limits; }

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages) {
  (void)max_pages;
  if (runtime.limits.pages == 0) panic_message("wasm runtime: linear memory allocated before it was configured");
  if (initial_pages > runtime.limits.pages)
    panic_message("wasm runtime: the kernel module's static data does not fit below KERNEL_HEAP_END");
  memory->data = (uint8_t*)DIRECT_MAP_BASE;
  memory->pages = runtime.limits.pages;
  memory->max_pages = runtime.limits.pages;
  memory->size = runtime.limits.size;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  /* The heap range is fixed (layout.h); AssemblyScript traps right after this refusal. */
  serial_print("capsid: kernel heap exhausted: memory.grow by ");
  serial_print_decimal(delta);
  serial_print(" pages refused at ");
  serial_print_decimal(memory->pages);
  serial_print(" pages\n");
  return (uint32_t)-1;
}

void wasm_rt_free_memory(wasm_rt_memory_t* memory) { (void)memory; }

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no trap";
    case WASM_RT_TRAP_OOB: return "out-of-bounds memory or table access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable";
    case WASM_RT_TRAP_CALL_INDIRECT: return "indirect call type mismatch or null";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
  }
  return "unknown trap";
}

__attribute__((noinline)) void wasm_rt_trap(wasm_rt_trap_t trap) {
  uint64_t caller = (uint64_t)__builtin_return_address(0);
  panic_begin();
  serial_print("wasm trap: ");
  serial_print(wasm_rt_strerror(trap));
  serial_print(" in ");
  panic_print_symbol(caller - 1);  /* the call instruction itself, inside the trapping function */
  serial_print("\n");
  panic_end();
}
