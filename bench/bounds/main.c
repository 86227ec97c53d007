/* The bounds benchmark's driver: sets up one variant of the loop (the wasm2c build of loop.ts,
 * or plain C from loop.c when BOUNDS_PLAIN_C is defined), runs two warm-up passes, then times
 * the given number of passes. Usage: bounds-<variant> <passes>
 * Prints one line: "checksum 0x<hex> nanoseconds_per_pass <float>". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <stdint.h>

#define SEED 0x2545f491u
#define WARM_UP_PASSES 2

#ifdef BOUNDS_PLAIN_C
void plain_setup(uint32_t seed);
uint32_t plain_pass(void);
static void variant_setup(uint32_t seed) { plain_setup(seed); }
static uint32_t variant_pass(void) { return plain_pass(); }
#else
#include "bounds_wasm.h"
static Z_bounds_instance_t instance;
static void variant_setup(uint32_t seed) {
  wasm_rt_init();
  Z_bounds_init_module();
  Z_bounds_instantiate(&instance);
  Z_boundsZ_setup(&instance, seed);
}
static uint32_t variant_pass(void) { return Z_boundsZ_pass(&instance); }
#endif

static double now_nanoseconds(void) {
  struct timespec time;
  clock_gettime(CLOCK_MONOTONIC, &time);
  return (double)time.tv_sec * 1e9 + (double)time.tv_nsec;
}

int main(int argc, char** argv) {
  long passes = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
  if (passes <= 0) {
    fprintf(stderr, "usage: %s <passes>\n", argv[0]);
    return 2;
  }
  variant_setup(SEED);
  uint32_t checksum = 0;
  for (int pass = 0; pass < WARM_UP_PASSES; pass++) checksum = variant_pass();
  double start = now_nanoseconds();
  for (long pass = 0; pass < passes; pass++) checksum = variant_pass();
  double elapsed = now_nanoseconds() - start;
  printf("checksum 0x%08x nanoseconds_per_pass %.1f\n", checksum, elapsed / (double)passes);
  return 0;
}
