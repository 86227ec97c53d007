// How a process switch changes address spaces on this CPU, and whether user code runs on page
// tables of its own (page-table isolation): chosen once at boot from what CPUID and
// IA32_ARCH_CAPABILITIES say and from two command-line words, with the reason for each choice
// for the boot log. The strategies themselves are kernel/vm/user-half.ts; why each is chosen
// where it is, docs/ARCHITECTURE.md, "Switching address spaces". switchChoose is pure (host
// tests give it every kind of CPU). Called by kernel/memory/kernel-space.ts before it builds the
// kernel's page tables (their global bits depend on isolation).

import { cpuid, readMsr } from "./hw";

export enum SwitchStrategy {
  /** CR3 stays on one PML4 whose user half shows the running space; a switch INVLPGs the pages
   * of the previous space whose accessed bit is set. Only under QEMU's TCG (where it wins) with
   * one CPU running user code (where it is sound), unless forced. */
  AccessedBits = 0,
  /** CR3 per address space; kernel pages global (CR4.PGE) when isolation is off. */
  Cr3 = 1,
  /** CR3 per address space, tagged with PCIDs so a switch keeps the TLB. Only when forced. */
  Pcid = 2,
}

export enum CpuVendor {
  Intel = 0,
  Amd = 1,   // AuthenticAMD and its Hygon sibling
  Other = 2,
}

/** What the choice depends on, as CPUID and the MSRs tell it. */
export class CpuFacts {
  vendor: CpuVendor = CpuVendor.Other;
  /** QEMU's TCG: CPUID leaf 0x40000000 says "TCGTCGTCGTCG". */
  tcg: bool = false;
  /** CPUID.1:EDX.PGE: global pages (CR4.PGE). */
  globalPages: bool = false;
  /** CPUID.1:ECX.PCID: process-context identifiers (CR4.PCIDE). */
  pcid: bool = false;
  /** IA32_ARCH_CAPABILITIES.RDCL_NO: not affected by Meltdown (rogue data cache load). */
  rdclNo: bool = false;
}

export class SwitchChoice {
  strategy: SwitchStrategy = SwitchStrategy.Cr3;
  strategyReason: string = "";
  /** Page-table isolation: user code runs on page tables that map only the user half and the
   * entry area. */
  isolation: bool = false;
  isolationReason: string = "";
  /** CR4.PGE goes on (the CPU has it); kernel pages are global unless isolation is on (then only
   * the entry area's are, being mapped alike in both page tables). */
  globalPages: bool = false;
}

class AddressSwitchState {
  choice: SwitchChoice | null = null;
}
const state = new AddressSwitchState();

const CPUID_VENDOR: u32 = 0;
const CPUID_FEATURES: u32 = 1;
const CPUID_STRUCTURED_FEATURES: u32 = 7;
const CPUID_HYPERVISOR: u32 = 0x4000_0000;
const FEATURES_EDX_GLOBAL_PAGES: u32 = 1 << 13;   // Intel SDM vol. 2A, CPUID, table 3-11
const FEATURES_ECX_PCID: u32 = 1 << 17;           // table 3-10
const STRUCTURED_EDX_ARCH_CAPABILITIES: u32 = 1 << 29;
const IA32_ARCH_CAPABILITIES: u32 = 0x10a;        // Intel SDM vol. 4, table 2-2
const ARCH_CAPABILITIES_RDCL_NO: u64 = 1 << 0;

/** Reads the CPU facts the choice depends on (CPUID; IA32_ARCH_CAPABILITIES where CPUID says it
 * exists). */
export function cpuFactsRead(): CpuFacts {
  const facts = new CpuFacts();
  const registers = memory.data(16, 4);
  cpuid(CPUID_VENDOR, 0, registers);
  const maximumLeaf = load<u32>(registers);
  if (signatureIs(registers + 4, "GenuineIntel", true)) facts.vendor = CpuVendor.Intel;
  else if (signatureIs(registers + 4, "AuthenticAMD", true) || signatureIs(registers + 4, "HygonGenuine", true)) facts.vendor = CpuVendor.Amd;
  cpuid(CPUID_FEATURES, 0, registers);
  facts.pcid = (load<u32>(registers, 8) & FEATURES_ECX_PCID) != 0;
  facts.globalPages = (load<u32>(registers, 12) & FEATURES_EDX_GLOBAL_PAGES) != 0;
  if (maximumLeaf >= CPUID_STRUCTURED_FEATURES) {
    cpuid(CPUID_STRUCTURED_FEATURES, 0, registers);
    if (load<u32>(registers, 12) & STRUCTURED_EDX_ARCH_CAPABILITIES) {
      facts.rdclNo = (readMsr(IA32_ARCH_CAPABILITIES) & ARCH_CAPABILITIES_RDCL_NO) != 0;
    }
  }
  cpuid(CPUID_HYPERVISOR, 0, registers);
  facts.tcg = signatureIs(registers + 4, "TCGTCGTCGTCG", false);   // EBX, ECX, EDX
  return facts;
}

/** Whether EBX, ECX, EDX (at `at`, as hw.cpuid writes them) spell `text`: in that order, or in
 * the order EBX, EDX, ECX when `vendorOrder` (leaf 0's vendor string). */
function signatureIs(at: usize, text: string, vendorOrder: bool): bool {
  const second = vendorOrder ? at + 8 : at + 4, third = vendorOrder ? at + 4 : at + 8;
  for (let i = 0; i < 12; i++) {
    const register = i < 4 ? at : i < 8 ? second : third;
    if (<i32>load<u8>(register + <usize>(i & 3)) != text.charCodeAt(i)) return false;
  }
  return true;
}

/** The choice for a CPU with `facts`, `userCpus` of which run user code, given the command-line
 * words `switch=` (accessed, cr3 or pcid) and `isolation=` (on or off), null when absent. A
 * forced strategy the CPU cannot run safely falls back to CR3 per address space, and says why. */
export function switchChoose(facts: CpuFacts, switchWord: string | null, isolationWord: string | null, userCpus: u32): SwitchChoice {
  const choice = new SwitchChoice();
  choice.globalPages = facts.globalPages;

  // Isolation: Meltdown lets user code read whatever the page tables map, so it is on wherever
  // that may apply: off under TCG (it does not speculate), on AMD (not affected) and on Intel
  // CPUs that say RDCL_NO; on every other CPU.
  if (isolationWord !== null && (isolationWord == "on" || isolationWord == "off")) {
    choice.isolation = isolationWord == "on";
    choice.isolationReason = "isolation=" + isolationWord;
  } else {
    const ignored = isolationWord !== null ? "isolation=" + isolationWord + " ignored; " : "";
    if (facts.tcg) {
      choice.isolationReason = ignored + "QEMU's TCG: nothing speculates";
    } else if (facts.vendor == CpuVendor.Amd) {
      choice.isolationReason = ignored + "an AMD CPU: Meltdown does not apply";
    } else if (facts.rdclNo) {
      choice.isolationReason = ignored + "the CPU says RDCL_NO: Meltdown does not apply";
    } else {
      choice.isolation = true;
      choice.isolationReason = ignored + (facts.vendor == CpuVendor.Intel ? "an Intel CPU without RDCL_NO" : "a CPU neither Intel nor AMD, without RDCL_NO") + ": Meltdown may apply";
    }
  }

  // The strategy: CR3 per address space on hardware. The accessed-bit shortcut only where the
  // TLB is promised to behave as it needs (Intel SDM vol. 3A, 4.10.2.3, 4.10.4.1; QEMU's TCG
  // behaves so) and one CPU runs user code (accessed bits are shared between CPUs); by default
  // only under TCG, where a CR3 load empties the whole software TLB. PCID only when forced, and
  // only on a CPU that has it.
  const sound = (facts.tcg || facts.vendor == CpuVendor.Intel) && userCpus == 1;
  const unsound = userCpus != 1 ? userCpus.toString() + " CPUs run user code and share accessed bits"
    : "neither QEMU's TCG nor an Intel CPU";
  if (switchWord !== null && switchWord == "accessed") {
    if (sound) {
      choice.strategy = SwitchStrategy.AccessedBits;
      choice.strategyReason = "switch=accessed";
    } else {
      choice.strategyReason = "switch=accessed refused: " + unsound;
    }
  } else if (switchWord !== null && switchWord == "pcid") {
    if (facts.pcid) {
      choice.strategy = SwitchStrategy.Pcid;
      choice.strategyReason = "switch=pcid";
    } else {
      choice.strategyReason = "switch=pcid, but this CPU has no PCID";
    }
  } else if (switchWord !== null && switchWord == "cr3") {
    choice.strategyReason = "switch=cr3";
  } else {
    const ignored = switchWord !== null ? "switch=" + switchWord + " ignored; " : "";
    if (facts.tcg && sound) {
      choice.strategy = SwitchStrategy.AccessedBits;
      choice.strategyReason = ignored + "QEMU's TCG, where a CR3 load empties the whole TLB; one CPU runs user code";
    } else if (facts.tcg) {
      choice.strategyReason = ignored + "QEMU's TCG, but " + unsound;
    } else {
      choice.strategyReason = ignored + "the hardware default; PCID stays off until it has run on real hardware";
    }
  }
  return choice;
}

/** What a choice's strategy does, for the boot log. */
export function switchStrategyName(choice: SwitchChoice): string {
  if (choice.strategy == SwitchStrategy.AccessedBits) return "INVLPG of the previous space's accessed pages in one PML4's user half";
  const global = choice.globalPages && !choice.isolation ? ", global kernel pages" : "";
  if (choice.strategy == SwitchStrategy.Pcid) return "CR3 per address space with PCIDs" + global;
  return "CR3 per address space" + global;
}

/** Makes the choice for this machine, once, before the kernel's page tables are built; one CPU
 * runs user code (the other processors stay parked: kernel/interrupts/processors.ts). */
export function addressSwitchInit(switchWord: string | null, isolationWord: string | null): SwitchChoice {
  const choice = switchChoose(cpuFactsRead(), switchWord, isolationWord, 1);
  state.choice = choice;
  return choice;
}

/** The choice addressSwitchInit made (a panic before it). */
export function addressSwitch(): SwitchChoice {
  const choice = state.choice;
  if (choice === null) abort("addressSwitch: no choice made yet");
  return choice!;
}
