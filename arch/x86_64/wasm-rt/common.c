/* The part of the wasm runtime the kernel's (wasm_rt.c) and the user runtime
 * (userspace/rt/c/runtime.c) share: function-type interning for call_indirect (wasm2c registers
 * each signature at instantiation and compares indices at every indirect call) and funcref tables
 * from a static pool. Each runtime supplies wasm_rt_limit_reached, which must not return: a panic
 * in the kernel, a report that ends the process in user space. */
#include <stdarg.h>
#include "wasm-rt.h"

#define MAX_FUNC_TYPES   256
#define MAX_TYPE_ARITY   16
#define FUNCREF_POOL     1024

__attribute__((noreturn)) void wasm_rt_limit_reached(const char* what);

static struct {
  uint32_t count;
  struct { uint8_t params, results; uint8_t types[MAX_TYPE_ARITY]; } entries[MAX_FUNC_TYPES];
} interned;

static struct {
  uint32_t used;
  wasm_rt_funcref_t pool[FUNCREF_POOL];
} funcrefs;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  if (params + results > MAX_TYPE_ARITY) wasm_rt_limit_reached("wasm runtime: function type with too many parameters");
  uint8_t types[MAX_TYPE_ARITY];
  va_list arguments;
  va_start(arguments, results);
  for (uint32_t i = 0; i < params + results; i++) types[i] = (uint8_t)va_arg(arguments, int);
  va_end(arguments);
  for (uint32_t index = 0; index < interned.count; index++) {
    if (interned.entries[index].params != params || interned.entries[index].results != results) continue;
    uint32_t i = 0;
    while (i < params + results && interned.entries[index].types[i] == types[i]) i++;
    if (i == params + results) return index;
  }
  if (interned.count == MAX_FUNC_TYPES) wasm_rt_limit_reached("wasm runtime: too many function types");
  uint32_t index = interned.count++;
  interned.entries[index].params = (uint8_t)params;
  interned.entries[index].results = (uint8_t)results;
  for (uint32_t i = 0; i < params + results; i++) interned.entries[index].types[i] = types[i];
  return index;
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements, uint32_t max_elements) {
  (void)max_elements;
  if (elements > FUNCREF_POOL - funcrefs.used) wasm_rt_limit_reached("wasm runtime: funcref table pool exhausted");
  table->data = &funcrefs.pool[funcrefs.used];
  table->size = elements;
  table->max_size = elements;
  funcrefs.used += elements;
  for (uint32_t i = 0; i < elements; i++) table->data[i] = wasm_rt_funcref_null_value;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table) { (void)table; }

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements, uint32_t max_elements) {
  (void)table; (void)elements; (void)max_elements;
  wasm_rt_limit_reached("wasm runtime: externref tables are not supported");
}

void wasm_rt_free_externref_table(wasm_rt_externref_table_t* table) { (void)table; }
