/* The program's C entry (crt0.S calls capsid_start): instantiates the program's wasm2c module
 * (compiled per program, with its generated header program.h), runs its AssemblyScript start
 * code and `main`, and exits with main's result. Programs that import the isolation probes
 * (probes.c) are built with PROGRAM_USES_PROBE. */
#include "program.h"
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

__attribute__((noreturn)) void capsid_start(void) {
  wasm_rt_init();
  Z_program_init_module();
  Z_program_instantiate(&instance, IMPORT_INSTANCES);
  Z_programZ__initialize(&instance);
  capsid_exit((int32_t)Z_programZ_main(&instance));
}
