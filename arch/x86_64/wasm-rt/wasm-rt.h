/* Capsid's freestanding wasm runtime interface: the types and entry points that code generated
 * by wasm2c 1.0.32 expects from "wasm-rt.h". No libc, no setjmp, no signals: linear memory is
 * the direct map (guard-page bounds, so WASM_RT_MEMCHECK_SIGNAL_HANDLER is 1 and no per-access
 * check is emitted), and a trap is a kernel panic report (arch/x86_64/wasm_rt.c).
 * Layouts must match what wasm2c 1.0.32 emits; the build pins that version (tools/setup.sh).
 */
#ifndef CAPSID_WASM_RT_H
#define CAPSID_WASM_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define wasm_rt_memcpy __builtin_memcpy
/* -ffreestanding turns off gcc's knowledge of memset/memcpy/memmove, so every memory.fill of an
 * AssemblyScript shadow-stack frame (a constant 8-64 bytes at each function entry) became a call
 * and a `rep stos`, which TCG runs an iteration at a time. As builtins, constant small sizes
 * become plain stores; other sizes still call string.c. */
#define memset(destination, value, length) __builtin_memset(destination, value, length)
#define memcpy(destination, source, length) __builtin_memcpy(destination, source, length)
#define memmove(destination, source, length) __builtin_memmove(destination, source, length)
#define wasm_rt_unreachable __builtin_unreachable
#define WASM_RT_NO_RETURN __attribute__((noreturn))

/* Bounds strategy: accesses are unchecked and land in the direct map; anything outside RAM is
 * unmapped and faults. Stack-depth counting is off; the kernel stack has a guard page. A host
 * build (the bounds benchmark) may set WASM_RT_MEMCHECK_SIGNAL_HANDLER to 0 for explicit checks. */
#ifndef WASM_RT_MEMCHECK_SIGNAL_HANDLER
#define WASM_RT_MEMCHECK_SIGNAL_HANDLER 1
#endif
#define WASM_RT_USE_STACK_DEPTH_COUNT 0
#define WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS 0

typedef enum {
  WASM_RT_TRAP_NONE,
  WASM_RT_TRAP_OOB,                /* out-of-bounds memory or table access */
  WASM_RT_TRAP_INT_OVERFLOW,       /* signed division overflow, float-to-int overflow */
  WASM_RT_TRAP_DIV_BY_ZERO,        /* integer division or remainder by zero */
  WASM_RT_TRAP_INVALID_CONVERSION, /* NaN converted to an integer */
  WASM_RT_TRAP_UNREACHABLE,        /* the unreachable instruction */
  WASM_RT_TRAP_CALL_INDIRECT,      /* null, out-of-range or wrongly typed indirect call */
  WASM_RT_TRAP_UNCAUGHT_EXCEPTION, /* unused: exceptions are not enabled */
  WASM_RT_TRAP_EXHAUSTION,         /* call stack exhausted */
} wasm_rt_trap_t;

typedef enum {
  WASM_RT_I32,
  WASM_RT_I64,
  WASM_RT_F32,
  WASM_RT_F64,
  WASM_RT_FUNCREF,
  WASM_RT_EXTERNREF,
} wasm_rt_type_t;

typedef void (*wasm_rt_function_ptr_t)(void);

typedef struct {
  uint32_t func_type;             /* index returned by wasm_rt_register_func_type */
  wasm_rt_function_ptr_t func;    /* cast to the real signature before calling */
  void* module_instance;          /* passed as the first argument */
} wasm_rt_funcref_t;

static const wasm_rt_funcref_t wasm_rt_funcref_null_value = {0, NULL, NULL};

typedef void* wasm_rt_externref_t;
static const wasm_rt_externref_t wasm_rt_externref_null_value = NULL;

typedef struct {
  uint8_t* data;                  /* DIRECT_MAP_BASE in the kernel */
  uint32_t pages, max_pages;      /* `pages` is what memory.size returns */
  uint32_t size;                  /* the limit memory.fill/copy/init are checked against */
} wasm_rt_memory_t;

typedef struct {
  wasm_rt_funcref_t* data;
  uint32_t max_size;
  uint32_t size;
} wasm_rt_funcref_table_t;

typedef struct {
  wasm_rt_externref_t* data;
  uint32_t max_size;
  uint32_t size;
} wasm_rt_externref_table_t;

void wasm_rt_init(void);
bool wasm_rt_is_initialized(void);
WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t trap);
const char* wasm_rt_strerror(wasm_rt_trap_t trap);
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...);
void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages);
uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta);
void wasm_rt_free_memory(wasm_rt_memory_t* memory);
void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements,
                                    uint32_t max_elements);
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table);
void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements,
                                      uint32_t max_elements);
void wasm_rt_free_externref_table(wasm_rt_externref_table_t* table);

#ifdef __cplusplus
}
#endif

#endif
