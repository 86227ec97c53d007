/* The C library functions that gcc and wasm2c output call even when freestanding: memcpy,
 * memmove, memset, memcmp. `rep movsb`/`rep stosb` keep gcc from turning these loops back into
 * calls to themselves, and are fast under TCG. */
#include <stddef.h>
#include <stdint.h>

void* memcpy(void* destination, const void* source, size_t length) {
  void* result = destination;
  __asm__ volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(length) : : "memory");
  return result;
}

void* memmove(void* destination, const void* source, size_t length) {
  if ((uintptr_t)destination <= (uintptr_t)source || (uintptr_t)destination >= (uintptr_t)source + length)
    return memcpy(destination, source, length);
  void* result = destination;
  destination = (uint8_t*)destination + length - 1;
  source = (const uint8_t*)source + length - 1;
  __asm__ volatile("std; rep movsb; cld" : "+D"(destination), "+S"(source), "+c"(length) : : "memory");
  return result;
}

void* memset(void* destination, int value, size_t length) {
  void* result = destination;
  __asm__ volatile("rep stosb" : "+D"(destination), "+c"(length) : "a"(value) : "memory");
  return result;
}

int memcmp(const void* left, const void* right, size_t length) {
  const uint8_t *a = left, *b = right;
  for (size_t i = 0; i < length; i++)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
