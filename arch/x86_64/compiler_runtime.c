/* The libgcc helpers gcc emits calls to for the generated code (not linking libgcc: it is built
 * for the small code model and carries tables the kernel model cannot reach). popcount comes
 * from wasm's i32.popcnt/i64.popcnt when the CPU baseline has no POPCNT instruction. */
#include <stdint.h>

int __popcountdi2(uint64_t value);
int __popcountsi2(uint32_t value);

int __popcountdi2(uint64_t value) {
  value = value - ((value >> 1) & 0x5555555555555555ull);
  value = (value & 0x3333333333333333ull) + ((value >> 2) & 0x3333333333333333ull);
  value = (value + (value >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return (int)((value * 0x0101010101010101ull) >> 56);
}

int __popcountsi2(uint32_t value) { return __popcountdi2(value); }
