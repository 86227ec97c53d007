/* The IDT (every gate DPL 0 but #BP's, DPL 3 so that a user int3 is a breakpoint, as on Linux, not
 * a #GP; interrupts.c fills 32-255) and the kernel-mode exception
 * report. A report names the
 * vector, prints the error code, RIP with its symbol (the AssemblyScript function when RIP is
 * in wasm2c code), RSP, RFLAGS, CR2 (with the kernel linear-memory address it stands for when
 * it falls in the direct map) and the general registers, then takes the panic path.
 */
#include "exceptions.h"
#include "cpu.h"
#include "gdt.h"
#include "layout.h"
#include "panic.h"
#include "serial.h"
#include "user_context.h"

struct exception_frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error_code;
  uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

struct idt_gate {
  uint16_t offset_low, selector;
  uint8_t ist, type_attributes;
  uint16_t offset_middle;
  uint32_t offset_high, reserved;
} __attribute__((packed));

/* In the entry area (.bss.entry): the CPU reads it on every entry, user-mode page tables too. */
static struct idt_gate idt[256] __attribute__((aligned(16), section(".bss.entry.descriptors")));
extern const uint64_t exception_stubs[32];

#define KERNEL_CODE_SELECTOR 0x08
#define GATE_INTERRUPT_DPL0  0x8e  /* present, DPL 0, 64-bit interrupt gate */
#define GATE_INTERRUPT_DPL3  0xee  /* present, DPL 3: reachable by INT n from ring 3 */
#define VECTOR_BREAKPOINT    3

static const char* const exception_names[32] = {
  "divide error (#DE)", "debug (#DB)", "non-maskable interrupt (NMI)", "breakpoint (#BP)",
  "overflow (#OF)", "bound range exceeded (#BR)", "invalid opcode (#UD)",
  "device not available (#NM)", "double fault (#DF)", "coprocessor segment overrun",
  "invalid TSS (#TS)", "segment not present (#NP)", "stack-segment fault (#SS)",
  "general protection fault (#GP)", "page fault (#PF)", "reserved vector 15",
  "x87 floating-point error (#MF)", "alignment check (#AC)", "machine check (#MC)",
  "SIMD floating-point error (#XM)", "virtualization exception (#VE)",
  "control protection exception (#CP)", "reserved vector 22", "reserved vector 23",
  "reserved vector 24", "reserved vector 25", "reserved vector 26", "reserved vector 27",
  "hypervisor injection exception (#HV)", "VMM communication exception (#VC)",
  "security exception (#SX)", "reserved vector 31",
};

void idt_set_gate(int vector, uint64_t handler, uint8_t ist) {
  idt[vector] = (struct idt_gate){
    .offset_low = (uint16_t)handler,
    .selector = KERNEL_CODE_SELECTOR,
    .ist = ist,
    .type_attributes = GATE_INTERRUPT_DPL0,
    .offset_middle = (uint16_t)(handler >> 16),
    .offset_high = (uint32_t)(handler >> 32),
  };
}

void exceptions_install(void) {
  for (int vector = 0; vector < 32; vector++)
    idt_set_gate(vector, exception_stubs[vector],
                 vector == 8 ? IST_DOUBLE_FAULT : vector == 2 ? IST_NMI : vector == 14 ? IST_PAGE_FAULT : 0);
  idt[VECTOR_BREAKPOINT].type_attributes = GATE_INTERRUPT_DPL3;   /* a Linux program's int3: SIGTRAP */
  struct {
    uint16_t limit;
    uint64_t base;
  } __attribute__((packed)) pointer = {sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" : : "m"(pointer));
}

extern char kernel_stack_guard[], entry_stack_guard[], double_fault_stack_guard[], nmi_stack_guard[], page_fault_stack_guard[];

/* The stack whose guard page contains `address`, or 0. */
static const char* guard_page_owner(uint64_t address) {
  static const struct { const char* guard; const char* name; } stacks[] = {
    {kernel_stack_guard, "the kernel stack"},
    {entry_stack_guard, "the entry stack"},
    {double_fault_stack_guard, "the double-fault stack"},
    {nmi_stack_guard, "the NMI stack"},
    {page_fault_stack_guard, "the page-fault stack"},
  };
  for (unsigned i = 0; i < sizeof stacks / sizeof stacks[0]; i++)
    if (address - (uint64_t)stacks[i].guard < 4096) return stacks[i].name;
  return 0;
}

static void print_register(const char* name, uint64_t value) {
  serial_print(name);
  serial_print(" ");
  serial_print_hex(value);
}

/* An exception in user mode ends that process, not the machine: the thread's state goes to its
 * context (for the kernel's message) and the kernel decides (user.c). NMI, #DF and #MC are
 * about the machine, wherever they land. */
static void exception_from_user(const struct exception_frame* frame, uint64_t cr2) {
  if (!current_context) return;
  uint64_t* context = (uint64_t*)current_context;
  const uint64_t registers[] = {frame->rax, frame->rbx, frame->rcx, frame->rdx, frame->rsi, frame->rdi, frame->rbp,
                                frame->r8, frame->r9, frame->r10, frame->r11, frame->r12, frame->r13, frame->r14, frame->r15};
  for (unsigned i = 0; i < sizeof registers / sizeof registers[0]; i++) context[CONTEXT_RAX / 8 + i] = registers[i];
  context[CONTEXT_RIP / 8] = frame->rip;
  context[CONTEXT_RSP / 8] = frame->rsp;
  context[CONTEXT_RFLAGS / 8] = frame->rflags;
  context[CONTEXT_FROM_SYSCALL / 8] = 0;
  user_exception(frame->vector, frame->error_code, cr2);
}

void exception_report(const struct exception_frame* frame) {
  uint64_t cr2 = read_cr2();
  if ((frame->cs & 3) == 3 && frame->vector != 2 && frame->vector != 8 && frame->vector != 18)
    exception_from_user(frame, cr2);
  panic_begin();
  const char* exhausted = frame->vector == 14 ? guard_page_owner(cr2) : 0;
  if (exhausted) {
    /* Stack exhaustion, most often deep recursion in the kernel module: reported as the wasm
     * trap it stands for, with the function that overflowed. */
    serial_print("wasm trap: call stack exhausted (guard page of ");
    serial_print(exhausted);
    serial_print(" hit) in ");
    panic_print_symbol(frame->rip);
    serial_print("\n  ");
  }
  serial_print(frame->vector < 32 ? exception_names[frame->vector] : "unknown vector");
  serial_print(" in kernel mode, error code ");
  serial_print_hex(frame->error_code);
  serial_print("\n  rip ");
  serial_print_hex(frame->rip);
  serial_print(" in ");
  panic_print_symbol(frame->rip);
  if (frame->vector == 14) {
    serial_print("\n  cr2 ");
    serial_print_hex(cr2);
    if (cr2 >= DIRECT_MAP_BASE && cr2 - DIRECT_MAP_BASE < DIRECT_MAP_RESERVED) {
      serial_print(" = kernel linear memory address ");
      serial_print_hex(cr2 - DIRECT_MAP_BASE);
    }
    serial_print((frame->error_code & 1) ? " (protection violation" : " (not present");
    serial_print((frame->error_code & 16) ? ", instruction fetch)" : (frame->error_code & 2) ? ", write)" : ", read)");
  }
  serial_print("\n  ");
  print_register("rsp", frame->rsp);
  serial_print(" ");
  print_register("rflags", frame->rflags);
  serial_print(" ");
  print_register("cs", frame->cs);
  serial_print("\n  ");
  print_register("rax", frame->rax); serial_print(" "); print_register("rbx", frame->rbx);
  serial_print(" "); print_register("rcx", frame->rcx); serial_print(" "); print_register("rdx", frame->rdx);
  serial_print("\n  ");
  print_register("rsi", frame->rsi); serial_print(" "); print_register("rdi", frame->rdi);
  serial_print(" "); print_register("rbp", frame->rbp); serial_print(" "); print_register("r8 ", frame->r8);
  serial_print("\n  ");
  print_register("r9 ", frame->r9); serial_print(" "); print_register("r10", frame->r10);
  serial_print(" "); print_register("r11", frame->r11); serial_print(" "); print_register("r12", frame->r12);
  serial_print("\n  ");
  print_register("r13", frame->r13); serial_print(" "); print_register("r14", frame->r14);
  serial_print(" "); print_register("r15", frame->r15);
  serial_print("\n");
  panic_end();
}
