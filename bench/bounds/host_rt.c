/* A small hosted (Linux userspace) wasm runtime for the bounds benchmark, implementing what
 * wasm2c 1.0.32's output needs from arch/x86_64/wasm-rt/wasm-rt.h. Linear memory is an 8 GiB
 * PROT_NONE reservation with only the used pages read/write, in both bounds modes; with
 * WASM_RT_MEMCHECK_SIGNAL_HANDLER=1 an access past them faults and is reported as a trap. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "wasm-rt.h"

#define PAGE_SIZE 65536ull
#define RESERVATION_SIZE (8ull << 30) /* covers any 32-bit address plus 32-bit offset */
#define MAX_FUNCTION_TYPES 64
#define MAX_TYPE_ARITY 16

static bool initialized;
static uint8_t* reservation;
static uint32_t function_type_count;
static struct { uint32_t params, results; uint8_t types[MAX_TYPE_ARITY]; } function_types[MAX_FUNCTION_TYPES];

static void fail(const char* message) {
  fprintf(stderr, "host_rt: %s\n", message);
  exit(1);
}

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
static void segmentation_fault_handler(int signal_number, siginfo_t* info, void* context) {
  (void)signal_number; (void)context;
  uint8_t* address = info->si_addr;
  static const char message[] = "wasm trap: out-of-bounds memory access (guard page)\n";
  if (reservation && address >= reservation && address < reservation + RESERVATION_SIZE) {
    ssize_t ignored = write(2, message, sizeof message - 1);
    (void)ignored;
    _exit(1);
  }
  signal(SIGSEGV, SIG_DFL); /* not ours: fault again with the default action */
}
#endif

void wasm_rt_init(void) {
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  struct sigaction action = {0};
  action.sa_sigaction = segmentation_fault_handler;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &action, NULL);
#endif
  initialized = true;
}

bool wasm_rt_is_initialized(void) { return initialized; }

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no trap";
    case WASM_RT_TRAP_OOB: return "out-of-bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer division by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "bad indirect call";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
  }
  return "unknown trap";
}

void wasm_rt_trap(wasm_rt_trap_t trap) {
  fprintf(stderr, "wasm trap: %s\n", wasm_rt_strerror(trap));
  exit(1);
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  uint32_t arity = params + results;
  if (arity > MAX_TYPE_ARITY) fail("function type with too many parameters and results");
  uint8_t types[MAX_TYPE_ARITY];
  va_list arguments;
  va_start(arguments, results);
  for (uint32_t i = 0; i < arity; i++) types[i] = (uint8_t)va_arg(arguments, int);
  va_end(arguments);
  for (uint32_t index = 0; index < function_type_count; index++) {
    if (function_types[index].params == params && function_types[index].results == results &&
        memcmp(function_types[index].types, types, arity) == 0)
      return index;
  }
  if (function_type_count == MAX_FUNCTION_TYPES) fail("too many function types");
  function_types[function_type_count].params = params;
  function_types[function_type_count].results = results;
  memcpy(function_types[function_type_count].types, types, arity);
  return function_type_count++;
}

static void make_accessible(wasm_rt_memory_t* memory, uint32_t pages) {
  if (pages > memory->pages && mprotect(memory->data, pages * PAGE_SIZE, PROT_READ | PROT_WRITE) != 0)
    fail("mprotect of linear memory failed");
  memory->pages = pages;
  memory->size = (uint32_t)(pages * PAGE_SIZE);
}

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages) {
  if (reservation) fail("only one linear memory is supported");
  void* base = mmap(NULL, RESERVATION_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) fail("mmap of the 8 GiB linear memory reservation failed");
  reservation = base;
  memory->data = base;
  memory->pages = 0;
  memory->max_pages = max_pages;
  make_accessible(memory, initial_pages);
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  uint32_t old_pages = memory->pages;
  uint64_t new_pages = (uint64_t)old_pages + delta;
  /* `size` is 32 bits in wasm2c 1.0.32, so 4 GiB (65536 pages) cannot be represented. */
  if (new_pages > memory->max_pages || new_pages >= 65536) return (uint32_t)-1;
  make_accessible(memory, (uint32_t)new_pages);
  return old_pages;
}

void wasm_rt_free_memory(wasm_rt_memory_t* memory) {
  munmap(memory->data, RESERVATION_SIZE);
  reservation = NULL;
  memory->data = NULL;
  memory->pages = 0;
  memory->size = 0;
}
