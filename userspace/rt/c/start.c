/* The program's C entry (crt0.S calls capsid_start): instantiates the program's wasm2c module
 * (compiled per program, with its generated header program.h), runs its AssemblyScript start
 * code and `main`, and exits with main's result. Programs that import the isolation probes
 * (probes.c) are built with PROGRAM_USES_PROBE. */
#include "program.h"
#include "layout.h"
#include "runtime.h"
#include "syscall.h"

struct Z_capsid_instance_t { uint32_t unused; };
struct Z_probe_instance_t { uint32_t unused; };

static Z_program_instance_t instance;
static struct Z_capsid_instance_t capsid_instance;
#ifdef PROGRAM_USES_PROBE
static struct Z_probe_instance_t probe_instance;
#define IMPORT_INSTANCES &capsid_instance, &probe_instance
#else
#define IMPORT_INSTANCES &capsid_instance
#endif

#ifdef PROGRAM_USES_THREADS
/* Each thread runs its own instance of the module over the one linear memory: a copy of the
 * first instance's state (the same code, table and memory; its own globals: the AssemblyScript
 * shadow stack pointer, the ring address) made when it starts. userspace/rt/thread.ts states
 * what a thread may do with it. */
static Z_program_instance_t thread_instances[15];
/* wasm2c's funcref table entries name the instance a function runs on, so each thread's copy of
 * the table names its own instance: call_indirect in a thread must not run on the first's. */
#define THREAD_TABLE_CAPACITY 512
static wasm_rt_funcref_t thread_tables[15][THREAD_TABLE_CAPACITY];

__attribute__((noreturn)) void capsid_thread_start(uint64_t block, uint64_t ring) {
  uint32_t index = (uint32_t)(ring / 4096) - 1;
  if (index >= 15) capsid_report(CAPSID_REPORT_RUNTIME_LIMIT);
  Z_program_instance_t* thread = &thread_instances[index];
  __builtin_memcpy(thread, &instance, sizeof *thread);
  if (instance.w2c__.size > THREAD_TABLE_CAPACITY) capsid_report(CAPSID_REPORT_RUNTIME_LIMIT);
  for (uint32_t i = 0; i < instance.w2c__.size; i++) {
    thread_tables[index][i] = instance.w2c__.data[i];
    if (thread_tables[index][i].module_instance == &instance) thread_tables[index][i].module_instance = thread;
  }
  thread->w2c__.data = thread_tables[index];
  capsid_memory_register(&thread->w2c_memory);
  thread->w2c__lib_memory___stack_pointer = *(volatile uint32_t*)(uintptr_t)(USER_LINEAR_BASE + block + 8);
  Z_programZ_threadEnter(thread, (u32)block, (u32)ring);
  capsid_report(CAPSID_REPORT_RUNTIME_LIMIT);   /* threadEnter ends the thread; never here */
}
#endif

__attribute__((noreturn)) void capsid_start(void) {
  wasm_rt_init();
  Z_program_init_module();
  Z_program_instantiate(&instance, IMPORT_INSTANCES);
  Z_programZ__initialize(&instance);
  capsid_exit((int32_t)Z_programZ_main(&instance));
}
