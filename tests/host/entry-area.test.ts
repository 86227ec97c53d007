// The entry area of the built kernel (build/kernel.elf, which `make test` builds first): under
// page-table isolation these pages are all of the kernel the user-mode page tables map
// (kernel/memory/entry-area.ts copies them; docs/ARCHITECTURE.md, "Switching address spaces"), so
// nothing else may share them. Read from the symbol table: the entry text holds only the entry
// and exit trampolines and the interrupt and exception stubs, the entry data only GDT, IDT, TSS,
// the entry variables and the entry stacks, both on whole pages of their own; the way in and out
// of a system call share the first page.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";

const PAGE = 0x1000n;

function symbols(): { address: bigint; name: string }[] {
  return execFileSync("nm", ["-n", "--defined-only", join(REPOSITORY, "build/kernel.elf")], { encoding: "utf8" }).trim().split("\n")
    .map((line) => line.split(" ")).map(([address, , name]) => ({ address: BigInt("0x" + address), name }));
}

/** The names of the symbols in [start, end) of the named bounds, and the bounds. */
function between(all: { address: bigint; name: string }[], start: string, end: string) {
  const at = (name: string) => all.find((symbol) => symbol.name === name)!.address;
  const low = at(start), high = at(end);
  const names = all.filter((symbol) => symbol.address >= low && symbol.address < high).map((symbol) => symbol.name);
  return { low, high, names: [...new Set(names)].filter((name) => name !== start && !name.startsWith("kernel_")) };
}

const TEXT = ["syscall_entry_isolated", "syscall_entry", "context_sysret", "context_iret", "interrupt_from_user", "interrupt_common", "interrupt_stubs_start",
  ...Array.from({ length: 32 }, (_, i) => `exception_stub_${i}`), "exception_common"];
const STACKS = ["entry_stack", "double_fault_stack", "nmi_stack", "page_fault_stack"].flatMap((stack) => [`${stack}_guard`, `${stack}_bottom`, `${stack}_top`]);
const DATA = ["idt", "gdt", "tss", "entry_kernel_cr3", "entry_user_cr3", "entry_user_cr3_after", "entry_scratch", ...STACKS];

test("the entry text holds only the trampolines and stubs, on pages of their own, the system call's way in and out on the first", () => {
  const all = symbols();
  const text = between(all, "kernel_entry_text_start", "kernel_entry_text_end");
  assert.equal(text.names.sort(), [...TEXT].sort());
  assert.is(text.low % PAGE, 0n);
  assert.is(text.high % PAGE, 0n);
  const address = (name: string) => all.find((symbol) => symbol.name === name)!.address;
  for (const name of ["syscall_entry", "context_sysret"]) assert.is(address(name) / PAGE, text.low / PAGE, `${name} on the first page`);
});

test("the entry data holds only GDT, IDT, TSS, the entry variables and the entry stacks, on pages of their own, the stacks last", () => {
  const all = symbols();
  const data = between(all, "kernel_entry_data_start", "kernel_entry_data_end");
  // The last stack's top is the end of the area.
  assert.equal(data.names.sort(), DATA.filter((name) => name !== "page_fault_stack_top").sort());
  assert.is(data.low % PAGE, 0n);
  assert.is(data.high % PAGE, 0n);
  const address = (name: string) => all.find((symbol) => symbol.name === name)!.address;
  assert.is(address("page_fault_stack_top"), data.high);
  for (const name of ["idt", "gdt", "tss", "entry_scratch"]) assert.ok(address(name) < address("entry_stack_guard"), `${name} before the stacks`);
});

test.run();
