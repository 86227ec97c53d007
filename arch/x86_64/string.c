/* The C library functions that gcc and wasm2c output call even when freestanding: memcpy,
 * memmove, memset, memcmp. String instructions keep gcc from turning these loops back into calls
 * to themselves. Under TCG each iteration of a `rep` instruction costs about the same whatever
 * its width, so the bulk goes 8 bytes at a time (zeroing a page-table frame is 512 iterations,
 * not 4096). */
#include <stddef.h>
#include <stdint.h>

/* Below this size a plain word loop beats `rep` under TCG (which runs each iteration of a string
 * instruction separately); gcc must not turn those loops back into calls to these very functions. */
#define SMALL_COPY 128
#define NO_LOOP_TO_CALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LOOP_TO_CALL void* memcpy(void* destination, const void* source, size_t length) {
  void* result = destination;
  if (length < SMALL_COPY) {
    uint8_t* to = destination;
    const uint8_t* from = source;
    for (; length >= 8; length -= 8, to += 8, from += 8) *(uint64_t*)to = *(const uint64_t*)from;
    /* The last 0-7 bytes in at most three moves (a 12-byte epoll event's tail is one). */
    if (length & 4) { *(uint32_t*)to = *(const uint32_t*)from; to += 4; from += 4; }
    if (length & 2) { *(uint16_t*)to = *(const uint16_t*)from; to += 2; from += 2; }
    if (length & 1) *to = *from;
    return result;
  }
  size_t words = length >> 3, bytes = length & 7;
  __asm__ volatile("rep movsq" : "+D"(destination), "+S"(source), "+c"(words) : : "memory");
  __asm__ volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(bytes) : : "memory");
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

NO_LOOP_TO_CALL void* memset(void* destination, int value, size_t length) {
  void* result = destination;
  uint64_t pattern = 0x0101010101010101ull * (uint8_t)value;
  if (length < SMALL_COPY) {
    uint8_t* to = destination;
    for (; length >= 8; length -= 8, to += 8) *(uint64_t*)to = pattern;
    for (; length; length--) *to++ = (uint8_t)value;
    return result;
  }
  size_t words = length >> 3, bytes = length & 7;
  __asm__ volatile("rep stosq" : "+D"(destination), "+c"(words) : "a"(pattern) : "memory");
  __asm__ volatile("rep stosb" : "+D"(destination), "+c"(bytes) : "a"(pattern) : "memory");
  return result;
}

int memcmp(const void* left, const void* right, size_t length) {
  const uint8_t *a = left, *b = right;
  for (size_t i = 0; i < length; i++)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
