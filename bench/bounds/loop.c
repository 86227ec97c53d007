/* The bounds benchmark's kernel-like loop hand-written in plain C: the same algorithm, data
 * layout and checksum as bench/bounds/loop.ts (a ring of 64-byte entries decoded, validated,
 * looked up in an open-addressing handle table, checksummed and partly copied), over static
 * arrays with no bounds checks. main.c calls plain_setup once and plain_pass per iteration. */
#include <stdint.h>
#include <string.h>

#define ENTRY_COUNT 8192 /* a 512 KiB ring */
#define PAYLOAD_CAPACITY 40
#define SLOT_COUNT 4096 /* 64 KiB; at most 2048 handles, so never more than half full */
#define LOG_SIZE 65536

struct entry {
  uint32_t kind; /* low byte: the operation (0 insert, 1 lookup, 2 release, 3 copy) */
  uint32_t handle;
  uint32_t length;
  uint32_t sequence;
  uint64_t cookie;
  uint8_t payload[PAYLOAD_CAPACITY];
};

struct slot {
  uint32_t key; /* a handle, or 0 when empty */
  uint32_t count;
  uint32_t last_sequence;
  uint32_t digest;
};

_Static_assert(sizeof(struct entry) == 64, "entries are 64 bytes");

static struct entry ring[ENTRY_COUNT];
static struct slot table[SLOT_COUNT];
static uint8_t log_area[LOG_SIZE];
static uint32_t random_state = 1;
static uint32_t checksum;
static uint32_t log_position;

static uint32_t next_random(void) {
  uint32_t x = random_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  random_state = x;
  return x;
}

static inline uint32_t rotate_left(uint32_t value, unsigned shift) {
  return (value << shift) | (value >> (32 - shift));
}

void plain_setup(uint32_t seed) {
  random_state = seed | 1;
  checksum = 0;
  log_position = 0;
  for (uint32_t index = 0; index < ENTRY_COUNT; index++) {
    struct entry* entry = &ring[index];
    entry->kind = (next_random() % 5) | (index << 8); /* operation 4 is invalid */
    entry->handle = 1 + (next_random() & 2047);
    entry->length = next_random() % 48; /* above 40 is invalid */
    entry->sequence = index;
    uint64_t high = next_random();
    entry->cookie = (high << 32) | next_random();
    for (uint32_t offset = 0; offset < PAYLOAD_CAPACITY; offset += 4) {
      uint32_t word = next_random();
      memcpy(&entry->payload[offset], &word, sizeof word);
    }
  }
  memset(table, 0, sizeof table);
  memset(log_area, 0, sizeof log_area);
}

uint32_t plain_pass(void) {
  uint32_t running = checksum;
  for (uint32_t index = 0; index < ENTRY_COUNT; index++) {
    struct entry* entry = &ring[index];
    uint32_t kind = entry->kind;
    uint32_t operation = kind & 0xff;
    uint32_t handle = entry->handle;
    uint32_t length = entry->length;
    if (operation > 3 || length > PAYLOAD_CAPACITY || handle == 0) {
      running = rotate_left(running, 3) ^ kind;
      continue;
    }

    /* Fletcher-style checksum of the payload, one byte at a time. */
    uint32_t low = (uint32_t)entry->cookie;
    uint32_t high = 0;
    for (uint32_t offset = 0; offset < length; offset++) {
      low += entry->payload[offset];
      high += low;
    }
    uint32_t digest = (high << 16) ^ low;

    /* Find the handle's slot, or the empty slot where it belongs (linear probing). */
    uint32_t slot_index = (handle * 0x9e3779b1u) >> 20;
    while (table[slot_index].key != handle && table[slot_index].key != 0)
      slot_index = (slot_index + 1) & (SLOT_COUNT - 1);
    struct slot* slot = &table[slot_index];
    int found = slot->key == handle;

    if (operation == 0) {
      slot->key = handle;
      slot->count += 1;
      slot->last_sequence = entry->sequence;
      slot->digest ^= digest;
    } else if (operation == 1) {
      if (found) digest ^= slot->digest + slot->count;
    } else if (operation == 2) {
      if (found) {
        slot->count = 0;
        slot->digest = 0;
      }
    } else {
      memcpy(&log_area[log_position], entry->payload, 8);
      log_position = (log_position + 8) & (LOG_SIZE - 1);
      uint32_t logged;
      memcpy(&logged, &log_area[log_position ^ 0x1000], sizeof logged);
      digest += logged;
    }

    /* Rewrite the entry so that the next pass sees other operations and payloads. */
    entry->kind = (kind & ~0xffu) | ((operation + 1) & 3);
    entry->sequence += 1;
    entry->payload[0] = (uint8_t)digest;
    running = rotate_left(running, 5) ^ digest;
  }
  checksum = running;
  return running;
}
