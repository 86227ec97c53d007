/* The user-side wasm runtime (docs/DESIGN.md #6): the functions wasm2c output calls, for one program
 * in ring 3. Linear memory is the fixed range at USER_LINEAR_BASE; its pages come from the
 * program's Memory capability through the ring (the only way to get memory), so growing can be
 * refused. A trap is reported to the kernel by touching USER_TRAP_REPORT_BASE + trap in the
 * never-mapped page 0: the kernel names the trap and ends the process. Only C code that no wasm
 * frame is waiting on uses the ring here (see ring_call), so it never sees another's completion. */
#include "wasm-rt.h"
#include "layout.h"
#include "ring.h"
#include "runtime.h"
#include "syscall.h"

#define WASM_PAGE        65536u
#define PAGE             4096u

static struct {
  uint32_t initialized;
  uint64_t next_user_data;
  /* Every instance's view of the one linear memory (the first thread's and each thread's copy):
   * a grow updates them all. */
  wasm_rt_memory_t* memories[16];
  uint32_t memory_count;
  /* The end of linear memory the kernel has mapped (bytes): ahead of the wasm memory's size
   * when a growth was refused part-way. 0 until the first growth. */
  uint64_t mapped_end;
} runtime;

void capsid_memory_register(wasm_rt_memory_t* memory) {
  for (uint32_t i = 0; i < runtime.memory_count; i++) if (runtime.memories[i] == memory) return;
  if (runtime.memory_count == sizeof runtime.memories / sizeof runtime.memories[0]) capsid_report(CAPSID_REPORT_RUNTIME_LIMIT);
  runtime.memories[runtime.memory_count++] = memory;
}

__attribute__((noreturn)) void capsid_report(uint32_t code) {
  /* In asm: a store gcc can see is to page 0 is one it may drop. Page 0 is never mapped. */
  for (;;) __asm__ volatile("movb $0, (%0)" : : "r"((uint64_t)USER_TRAP_REPORT_BASE + code) : "memory");
}

void wasm_rt_init(void) { runtime.initialized = 1; }
bool wasm_rt_is_initialized(void) { return runtime.initialized; }

/* func_types.c (shared with the kernel) interns function types; a full table ends the process. */
void wasm_rt_limit_reached(const char* what) {
  (void)what;
  capsid_report(CAPSID_REPORT_RUNTIME_LIMIT);
}

static uint8_t* ring(void) { return (uint8_t*)(uintptr_t)(USER_LINEAR_BASE + USER_RING_LINEAR); }
static volatile uint32_t* ring_word(uint32_t offset) { return (volatile uint32_t*)(ring() + offset); }
static volatile uint64_t* ring_quad(uint32_t offset) { return (volatile uint64_t*)(ring() + offset); }

/* The handle of the first granted capability of `interface`, or 0 (never a handle). Each grant
 * entry is RING_GRANT_SIZE bytes: u64 handle, u32 interface, u32 0. */
static uint64_t granted(uint32_t interface) {
  uint32_t count = *ring_word(RING_GRANT_COUNT);
  for (uint32_t i = 0; i < count && i < RING_GRANTS_MAXIMUM; i++) {
    uint32_t entry = RING_GRANTS + i * RING_GRANT_SIZE;
    if (*ring_word(entry + GRANT_INTERFACE) == interface) return *ring_quad(entry + GRANT_HANDLE);
  }
  return 0;
}

/* One CALL, submitted and waited for; its result (negative: a kernel error, or -1 when the
 * submission queue is full). Called only when
 * no AssemblyScript ring operation is half-done (the rt's ring client never allocates between
 * writing an entry and reaping its completion, and growth happens only inside allocation). */
static int64_t ring_call(uint64_t handle, uint32_t method, uint64_t argument0) {
  uint32_t tail = *ring_word(RING_SQ_TAIL);
  if (tail - *ring_word(RING_SQ_HEAD) >= RING_SQ_ENTRIES) return -1;  /* full: the runtime's own refusal */
  uint8_t* entry = ring() + RING_SQ_OFFSET + (tail % RING_SQ_ENTRIES) * RING_SQE_SIZE;
  uint64_t user_data = (1ull << 63) | runtime.next_user_data++;
  __builtin_memset(entry, 0, RING_SQE_SIZE);
  entry[SQE_OPCODE] = OPCODE_CALL;
  *(uint32_t*)(entry + SQE_METHOD) = method;
  *(uint64_t*)(entry + SQE_USER_DATA) = user_data;
  *(uint64_t*)(entry + SQE_HANDLE) = handle;
  *(uint64_t*)(entry + SQE_ARGUMENT0) = argument0;
  __atomic_store_n(ring_word(RING_SQ_TAIL), tail + 1, __ATOMIC_RELEASE);
  for (;;) {
    int64_t available = capsid_cap_enter(1, CAP_ENTER_NO_TIMEOUT);
    if (available < 0) return available;
    uint32_t head = *ring_word(RING_CQ_HEAD);
    if (head == *ring_word(RING_CQ_TAIL)) continue;
    uint8_t* completion = ring() + RING_CQ_OFFSET + (head % RING_CQ_ENTRIES) * RING_CQE_SIZE;
    if (*(uint64_t*)(completion + CQE_USER_DATA) != user_data) capsid_report(CAPSID_REPORT_RING_CONFUSED);
    int64_t result = *(int64_t*)(completion + CQE_RESULT);
    __atomic_store_n(ring_word(RING_CQ_HEAD), head + 1, __ATOMIC_RELEASE);
    return result;
  }
}

/* Maps linear memory up to `end` bytes through the Memory capability, at most
 * GROW_PAGES_MAXIMUM pages a call; the kernel maps from its record of the current end, which
 * starts after the ring pages (USER_LINEAR_START). A refusal part-way keeps what was mapped
 * (runtime.mapped_end), and the next growth starts there. */
static bool linear_memory_extend(uint64_t end) {
  if (runtime.mapped_end == 0) runtime.mapped_end = USER_LINEAR_START;
  uint64_t memory = granted(INTERFACE_MEMORY);
  while (runtime.mapped_end < end) {
    if (memory == 0) return false;
    uint64_t pages = (end - runtime.mapped_end) / PAGE;
    if (pages > GROW_PAGES_MAXIMUM) pages = GROW_PAGES_MAXIMUM;
    int64_t previous = ring_call(memory, MEMORY_METHOD_GROW, pages);
    if (previous < 0) return false;
    if ((uint64_t)previous != runtime.mapped_end) capsid_report(CAPSID_REPORT_RING_CONFUSED);
    runtime.mapped_end += pages * PAGE;
  }
  return true;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages) {
  (void)max_pages;
  if (!linear_memory_extend((uint64_t)initial_pages * WASM_PAGE)) capsid_report(CAPSID_REPORT_NO_MEMORY);
  memory->data = (uint8_t*)(uintptr_t)USER_LINEAR_BASE;
  memory->pages = initial_pages;
  memory->max_pages = 65535;
  memory->size = initial_pages * WASM_PAGE;
  capsid_memory_register(memory);
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  uint32_t previous = memory->pages;
  if (delta == 0) return previous;
  if (delta > memory->max_pages - previous) return (uint32_t)-1;
  if (!linear_memory_extend((uint64_t)(previous + delta) * WASM_PAGE)) return (uint32_t)-1;
  for (uint32_t i = 0; i < runtime.memory_count; i++) {
    runtime.memories[i]->pages = previous + delta;
    runtime.memories[i]->size = (previous + delta) * WASM_PAGE;
  }
  memory->pages = previous + delta;
  memory->size = memory->pages * WASM_PAGE;
  return previous;
}

void wasm_rt_free_memory(wasm_rt_memory_t* memory) { (void)memory; }

void wasm_rt_trap(wasm_rt_trap_t trap) { capsid_report((uint32_t)trap); }

/* A program built without threads (it does not export threadEnter) has no thread start of its
 * own (start.c): a thread of it ends the process with a report. */
__attribute__((weak, noreturn)) void capsid_thread_start(uint64_t block, uint64_t ring) {
  (void)block;
  (void)ring;
  capsid_report(CAPSID_REPORT_RUNTIME_LIMIT);
}
