// /proc/cpuinfo (docs/linux.md, "procfs"): one block, as Linux's show_cpuinfo
// (arch/x86/kernel/cpu/proc.c) prints it, for the one CPU the kernel runs on, from CPUID: vendor,
// family, model, its name, the feature flags by Linux's names, address sizes; MHz and bogomips
// from the TSC's calibrated rate. Caller: proc-contents.ts.

import { cpuid } from "../arch/hw";
import { clockTscHz } from "../time/clock";
import { ProcText } from "./proc-text";


/** CPUID leaf `number`: EAX, EBX, ECX, EDX at `registers`. */
function leaf(registers: usize, number: u32): usize {
  cpuid(number, 0, registers);
  return registers;
}

/** Linux's names of CPUID feature bits (arch/x86/include/asm/cpufeatures.h), 32 per word: "" for
 * a bit Linux does not show. */
const LEAF1_EDX = "fpu,vme,de,pse,tsc,msr,pae,mce,cx8,apic,,sep,mtrr,pge,mca,cmov,pat,pse36,pn,clflush,,dts,acpi,mmx,fxsr,sse,sse2,ss,ht,tm,ia64,pbe";
const EXTENDED_EDX = ",,,,,,,,,,,syscall,,,,,,,,mp,nx,,mmxext,,,fxsr_opt,pdpe1gb,rdtscp,,lm,3dnowext,3dnow";
const LEAF1_ECX = "pni,pclmulqdq,dtes64,monitor,ds_cpl,vmx,smx,est,tm2,ssse3,cid,sdbg,fma,cx16,xtpr,pdcm,,pcid,dca,sse4_1,sse4_2,x2apic,movbe,popcnt,tsc_deadline_timer,aes,xsave,,avx,f16c,rdrand,hypervisor";
const EXTENDED_ECX = "lahf_lm,cmp_legacy,svm,extapic,cr8_legacy,abm,sse4a,misalignsse,3dnowprefetch,osvw,ibs,xop,skinit,wdt,,lwp,fma4,tce,,nodeid_msr,,tbm,topoext,perfctr_core,perfctr_nb,,bpext,ptsc,perfctr_llc,mwaitx,,";
const LEAF7_EBX = "fsgsbase,tsc_adjust,sgx,bmi1,hle,avx2,,smep,bmi2,erms,invpcid,rtm,cqm,,mpx,rdt_a,avx512f,avx512dq,rdseed,adx,smap,avx512ifma,,clflushopt,clwb,intel_pt,avx512pf,avx512er,avx512cd,sha_ni,avx512bw,avx512vl";

function flags(out: ProcText, names: string, bits: u32): void {
  const list = names.split(",");
  for (let bit = 0; bit < 32 && bit < list.length; bit++) {
    if ((bits & (<u32>1 << <u32>bit)) != 0 && list[bit].length > 0) out.byte(0x20).text(list[bit]);
  }
}

function register(at: usize, index: i32): u32 {
  return load<u32>(at + <usize>(index * 4));
}

/** /proc/cpuinfo's block for the one CPU the kernel runs on; `registers` (16 bytes) and `scratch`
 * (64 bytes, apart from the text) are static storage the caller owns. */
export function procCpuinfo(out: ProcText, registers: usize, scratch: usize): void {
  const zero = leaf(registers, 0);
  const maximum = register(zero, 0);
  const vendor = new ProcText(scratch, 64);
  for (let i = 0; i < 4; i++) vendor.byte(<u8>(register(zero, 1) >> (<u32>i * 8)));
  for (let i = 0; i < 4; i++) vendor.byte(<u8>(register(zero, 3) >> (<u32>i * 8)));
  for (let i = 0; i < 4; i++) vendor.byte(<u8>(register(zero, 2) >> (<u32>i * 8)));
  const vendorName = String.UTF8.decodeUnsafe(vendor.base, 12);
  const one = leaf(registers, 1);
  const signature = register(one, 0), ebx1 = register(one, 1), ecx1 = register(one, 2), edx1 = register(one, 3);
  let family = (signature >> 8) & 0xf, model = (signature >> 4) & 0xf;
  if (family == 0xf) family += (signature >> 20) & 0xff;
  if (family >= 6) model += ((signature >> 16) & 0xf) << 4;
  let ebx7: u32 = 0;
  if (maximum >= 7) ebx7 = register(leaf(registers, 7), 1);
  const extendedMaximum = register(leaf(registers, 0x8000_0000), 0);
  let ecxExtended: u32 = 0, edxExtended: u32 = 0;
  if (extendedMaximum >= 0x8000_0001) {
    const extended = leaf(registers, 0x8000_0001);
    ecxExtended = register(extended, 2);
    edxExtended = register(extended, 3);
  }
  let modelName = "unknown";
  if (extendedMaximum >= 0x8000_0004) {
    const name = new ProcText(scratch, 64);
    for (let part: u32 = 0; part < 3; part++) {
      const at = leaf(registers, 0x8000_0002 + part);
      for (let i = 0; i < 16; i++) name.byte(load<u8>(at + <usize>i));
    }
    let start: u32 = 0, end: u32 = 0;
    while (end < 48 && load<u8>(name.base + <usize>end) != 0) end++;
    while (start < end && load<u8>(name.base + <usize>start) == 0x20) start++;
    while (end > start && load<u8>(name.base + <usize>(end - 1)) == 0x20) end--;
    modelName = String.UTF8.decodeUnsafe(name.base + <usize>start, <usize>(end - start));
  }
  let physicalBits: u32 = 36, virtualBits: u32 = 48;
  if (extendedMaximum >= 0x8000_0008) {
    const sizes = register(leaf(registers, 0x8000_0008), 0);
    physicalBits = sizes & 0xff;
    virtualBits = (sizes >> 8) & 0xff;
  }
  const kilohertz = clockTscHz() / 1000;
  out.text("processor\t: 0\n");
  out.text("vendor_id\t: ").text(vendorName).byte(0x0a);
  out.text("cpu family\t: ").decimal(<u64>family).byte(0x0a);
  out.text("model\t\t: ").decimal(<u64>model).byte(0x0a);
  out.text("model name\t: ").text(modelName).byte(0x0a);
  out.text("stepping\t: ").decimal(<u64>(signature & 0xf)).byte(0x0a);
  out.text("cpu MHz\t\t: ").decimal(kilohertz / 1000).byte(0x2e).zeroPadded(kilohertz % 1000, 3).byte(0x0a);
  out.text("physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\ninitial apicid\t: 0\n");
  out.text("fpu\t\t: yes\nfpu_exception\t: yes\n");
  out.text("cpuid level\t: ").decimal(<u64>maximum).byte(0x0a);
  out.text("wp\t\t: yes\n");
  out.text("flags\t\t:");
  flags(out, LEAF1_EDX, edx1);
  flags(out, EXTENDED_EDX, edxExtended);
  flags(out, LEAF1_ECX, ecx1);
  flags(out, EXTENDED_ECX, ecxExtended);
  flags(out, LEAF7_EBX, ebx7);
  out.byte(0x0a);
  const bogomips = kilohertz * 2 / 10;   // hundredths, as Linux's two decimals (twice the clock)
  out.text("bogomips\t: ").decimal(bogomips / 100).byte(0x2e).zeroPadded(bogomips % 100, 2).byte(0x0a);
  out.text("clflush size\t: ").decimal(<u64>(((ebx1 >> 8) & 0xff) * 8)).byte(0x0a);
  out.text("cache_alignment\t: ").decimal(<u64>(((ebx1 >> 8) & 0xff) * 8)).byte(0x0a);
  out.text("address sizes\t: ").decimal(<u64>physicalBits).text(" bits physical, ").decimal(<u64>virtualBits).text(" bits virtual\n");
  out.text("power management:\n\n");
}
