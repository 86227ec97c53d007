// The boot manifest parser: the trust boundary for the multiboot2 module that names the user
// programs of the boot package and the capabilities each may hold (docs/abi/manifest.md; built
// from userspace/manifest.json by tools/manifest.ts). Layer: kernel/proc. Process bootstrap calls
// manifestParse once on the module GRUB loaded, then find and grantAllowed when starting init and
// when a spawner passes capabilities. Pure (no log, no hardware imports), so host tests run it
// under Node (tests/host/manifest.test.ts).

import { KernelError } from "../../abi/errors";
import { INTERFACE_COUNT, Interface } from "../../abi/interfaces";
import { NETWORK_PEER_RULES_MAXIMUM } from "../../abi/methods";
import { NetworkPolicy } from "../net/socket/policy";

// The module, all little-endian; nothing past totalLength exists:
//
//   offset ┌─────────────────────────────┐
//        0 │ u32 magic 0x464d5043 "CPMF" │
//        4 │ u16 version = 2             │
//        6 │ u16 programCount            │ 1..128
//        8 │ u32 totalLength             │ = 16 + 104 × programCount = the module's length
//       12 │ u32 reserved = 0            │
//       16 ├─────────────────────────────┤ programs[programCount], 104 bytes each:
//       +0 │ name: 32 bytes              │ [a-z0-9-], 1..31 characters, then NUL bytes only
//      +32 │ u32 memoryQuotaPages        │ 1..262144 (4 KiB pages: 1 GiB)
//      +36 │ u32 grantMask               │ bit (1 << Interface)
//      +40 │ u32 flags                   │ bit 0: start at boot; bit 1: a Linux program; bit 2: the
//          │                             │ namespace grant is writable (needs its grant bit); others 0
//      +44 │ u32 reserved = 0            │
//      +48 │ u16 portLow, u16 portHigh   │ the network grant's local ports (all of +48..+104
//      +52 │ u32 peerRuleCount           │ zero without the network grant bit); rules 0..4
//      +56 │ peer rules[4], 12 bytes:    │ u32 address, u8 prefix length, u8 0, u16 0,
//          │                             │ u16 peer port low, u16 high; unused rules all zero
//      +104├─────────────────────────────┤ the next program
//          └─────────────────────────────┘ totalLength
//
// Policy for bad input: the first broken rule refuses the whole module (no manifest, no partial
// result): Truncated when the module is shorter than the header or than its declared length,
// Malformed for everything else, with a one-line reason. Never an abort, never a read outside
// [address, address + length); at most 16 + 104 × 128 bytes are read and at most 128 programs kept.

@inline const MAGIC: u32 = 0x464d5043; // "CPMF" read as a little-endian u32
@inline const VERSION: u32 = 2;
@inline const HEADER_SIZE: u32 = 16;
@inline const PROGRAM_SIZE: u32 = 104;
@inline const MAXIMUM_PROGRAMS: u32 = 128;
@inline const MAXIMUM_MEMORY_QUOTA_PAGES: u32 = 262144;
@inline const ADDRESS_SPACE_END: u64 = <u64>1 << 32; // wasm32 linear memory

@inline const HEADER_MAGIC: usize = 0;
@inline const HEADER_VERSION: usize = 4;
@inline const HEADER_PROGRAM_COUNT: usize = 6;
@inline const HEADER_TOTAL_LENGTH: usize = 8;
@inline const HEADER_RESERVED: usize = 12;

@inline const PROGRAM_NAME: usize = 0;
@inline const NAME_SIZE: u32 = 32; // the last byte is always NUL: at most 31 characters
@inline const PROGRAM_MEMORY_QUOTA_PAGES: usize = 32;
@inline const PROGRAM_GRANT_MASK: usize = 36;
@inline const PROGRAM_FLAGS: usize = 40;
@inline const PROGRAM_RESERVED: usize = 44;
@inline const PROGRAM_PORT_LOW: usize = 48;
@inline const PROGRAM_PORT_HIGH: usize = 50;
@inline const PROGRAM_RULE_COUNT: usize = 52;
@inline const PROGRAM_RULES: usize = 56;
@inline const RULE_SIZE: usize = 12;

@inline const FLAG_START_AT_BOOT: u32 = 1;
@inline const FLAG_LINUX: u32 = 2;
@inline const FLAG_NAMESPACE_WRITABLE: u32 = 4;
/** Bits of the interfaces a capability can have: every Interface value but None. */
@inline const GRANT_MASK_KNOWN: u32 = ((<u32>1 << INTERFACE_COUNT) - 1) & ~(<u32>1 << Interface.None);
/** The one program that may, and must, start at boot. */
const START_PROGRAM_NAME = "init";

/** One program of the boot package, as the manifest describes it. */
export class ManifestProgram {
  /** [a-z0-9-], 1..31 characters, unique in the manifest. */
  name: string = "";
  /** 1..262144. For init the quota of the memory capability it gets at boot; for any other
   * program the cap on the pages it may map in total. */
  memoryQuotaPages: u32 = 0;
  /** Bit (1 << Interface) for each interface in its grants; bit 0 (None) is never set. For init
   * the capabilities created at boot; for any other program the ceiling of what a spawner may
   * pass it. */
  grantMask: u32 = 0;
  /** True for exactly one program, the one named "init". */
  startAtBoot: bool = false;
  /** A static Linux x86-64 program, run by the Linux personality (kernel/linux/). */
  linux: bool = false;
  /** The namespace grant is writable (`namespace-rw`): init's Namespace is made writable, and a
   * spawner may pass a writable one (without it, only a read-only one). */
  namespaceWritable: bool = false;
  /** With the network grant: for init what its grant allows; for any other program the ceiling
   * of the grants a spawner may pass it. */
  network: NetworkPolicy | null = null;
}

/** A manifest that passed every rule: 1..128 programs, in the module's order. */
export class Manifest {
  programs: ManifestProgram[] = [];

  /** The program called `name`, or null when the manifest has none. */
  find(name: string): ManifestProgram | null {
    const programs = this.programs;
    for (let index = 0; index < programs.length; index++) {
      if (programs[index].name == name) return programs[index];
    }
    return null;
  }
}

/** What manifestParse returns: `manifest` is set exactly when `error` is None; otherwise
 * `reason` is one line for the log naming the first broken rule. */
export class ManifestParseResult {
  error: KernelError = KernelError.None;
  reason: string = "";
  manifest: Manifest | null = null;
}

/** Parses the module at [address, address + length), which the caller guarantees readable.
 * Never aborts and reads nothing outside that range; see the policy above. */
export function manifestParse(address: usize, length: u64): ManifestParseResult {
  if (length < <u64>HEADER_SIZE) {
    return refused(KernelError.Truncated, "module of " + length.toString() + " bytes, shorter than the 16-byte header");
  }
  if (address == 0) return refused(KernelError.Malformed, "module at the null address");
  if (length > ADDRESS_SPACE_END - <u64>address) {
    return refused(KernelError.Malformed, "module of " + length.toString() + " bytes at 0x" + address.toString(16) + " runs past 4 GiB");
  }
  const magic = load<u32>(address + HEADER_MAGIC);
  if (magic != MAGIC) return refused(KernelError.Malformed, "magic 0x" + magic.toString(16) + ", not 0x464d5043 (\"CPMF\")");
  const version = <u32>load<u16>(address + HEADER_VERSION);
  if (version != VERSION) return refused(KernelError.Malformed, "version " + version.toString() + ", only version 2 is known");
  const count = <u32>load<u16>(address + HEADER_PROGRAM_COUNT);
  if (count < 1 || count > MAXIMUM_PROGRAMS) {
    return refused(KernelError.Malformed, "program count " + count.toString() + " outside 1..128");
  }
  const total = load<u32>(address + HEADER_TOTAL_LENGTH);
  const expected = HEADER_SIZE + PROGRAM_SIZE * count; // at most 6672: no overflow
  if (total != expected) {
    return refused(KernelError.Malformed, "total length " + total.toString() + ", not 16 + 104 * " + count.toString() + " = " + expected.toString());
  }
  if (length < <u64>total) {
    return refused(KernelError.Truncated, "module of " + length.toString() + " bytes, shorter than its total length " + total.toString());
  }
  if (length > <u64>total) {
    return refused(KernelError.Malformed, "module of " + length.toString() + " bytes, longer than its total length " + total.toString());
  }
  const reserved = load<u32>(address + HEADER_RESERVED);
  if (reserved != 0) return refused(KernelError.Malformed, "header reserved field 0x" + reserved.toString(16) + ", not 0");

  // From here on every read lies in [address, address + total): total == length.
  const manifest = new Manifest();
  let startIndex: i32 = -1;
  for (let index: u32 = 0; index < count; index++) {
    const record = address + HEADER_SIZE + <usize>index * PROGRAM_SIZE;
    const prefix = "program " + index.toString();
    const nameProblem = checkName(record + PROGRAM_NAME);
    if (nameProblem.length != 0) return refused(KernelError.Malformed, prefix + ": " + nameProblem);
    const program = new ManifestProgram();
    program.name = String.UTF8.decodeUnsafe(record + PROGRAM_NAME, nameLength(record + PROGRAM_NAME), false);
    const named = prefix + " (\"" + program.name + "\")";
    const earlier = manifest.find(program.name);
    if (earlier != null) {
      return refused(KernelError.Malformed, named + ": name already used by program " + manifest.programs.indexOf(earlier).toString());
    }
    program.memoryQuotaPages = load<u32>(record + PROGRAM_MEMORY_QUOTA_PAGES);
    if (program.memoryQuotaPages < 1 || program.memoryQuotaPages > MAXIMUM_MEMORY_QUOTA_PAGES) {
      return refused(KernelError.Malformed, named + ": memory quota of " + program.memoryQuotaPages.toString() + " pages outside 1..262144");
    }
    program.grantMask = load<u32>(record + PROGRAM_GRANT_MASK);
    if ((program.grantMask & ~GRANT_MASK_KNOWN) != 0) {
      return refused(KernelError.Malformed, named + ": grant mask 0x" + program.grantMask.toString(16) + " has bits outside 1.." + (INTERFACE_COUNT - 1).toString());
    }
    const flags = load<u32>(record + PROGRAM_FLAGS);
    if ((flags & ~(FLAG_START_AT_BOOT | FLAG_LINUX | FLAG_NAMESPACE_WRITABLE)) != 0) {
      return refused(KernelError.Malformed, named + ": flags 0x" + flags.toString(16)
        + " has bits other than 0 (start at boot), 1 (Linux) and 2 (writable namespace)");
    }
    if ((flags & FLAG_NAMESPACE_WRITABLE) != 0 && (program.grantMask & (<u32>1 << <u32>Interface.Namespace)) == 0) {
      return refused(KernelError.Malformed, named + ": flag 2 (writable namespace) without the namespace grant");
    }
    const programReserved = load<u32>(record + PROGRAM_RESERVED);
    if (programReserved != 0) {
      return refused(KernelError.Malformed, named + ": reserved field 0x" + programReserved.toString(16) + ", not 0");
    }
    const networkProblem = readNetwork(record, program);
    if (networkProblem.length != 0) return refused(KernelError.Malformed, named + ": " + networkProblem);
    program.startAtBoot = (flags & FLAG_START_AT_BOOT) != 0;
    program.linux = (flags & FLAG_LINUX) != 0;
    program.namespaceWritable = (flags & FLAG_NAMESPACE_WRITABLE) != 0;
    if (program.startAtBoot) {
      if (program.name != START_PROGRAM_NAME) {
        return refused(KernelError.Malformed, named + ": has the start flag, which only \"init\" may have");
      }
      startIndex = <i32>index; // names are unique: only one program can get here
    }
    manifest.programs.push(program);
  }
  if (startIndex < 0) return refused(KernelError.Malformed, "no program has the start flag (\"init\" must)");
  const result = new ManifestParseResult();
  result.manifest = manifest;
  return result;
}

/** Whether `program` may hold a capability of `iface`: for init, whether it got one at boot; for
 * any other program, whether a spawner may pass it one. False for None and unknown values. */
export function grantAllowed(program: ManifestProgram, iface: Interface): bool {
  const value = <u32>iface;
  if (value == <u32>Interface.None || value >= 32) return false;
  return (program.grantMask & (<u32>1 << value)) != 0;
}

/** Reads the network block of `record` into `program.network` (with the grant bit) and returns
 * what is wrong with it, or "". */
function readNetwork(record: usize, program: ManifestProgram): string {
  const granted = grantAllowed(program, Interface.Network);
  if (!granted) {
    for (let at = PROGRAM_PORT_LOW; at < PROGRAM_SIZE; at++) {
      if (load<u8>(record + at) != 0) return "network block byte " + (<u32>at).toString() + " is not 0 without the network grant";
    }
    return "";
  }
  const policy = new NetworkPolicy();
  const low = <u32>load<u16>(record + PROGRAM_PORT_LOW), high = <u32>load<u16>(record + PROGRAM_PORT_HIGH);
  if (!policy.setPorts(low, high)) return "network ports " + low.toString() + ".." + high.toString() + " are not a range within 1..65535";
  const rules = load<u32>(record + PROGRAM_RULE_COUNT);
  if (rules > <u32>NETWORK_PEER_RULES_MAXIMUM) return "network peer rule count " + rules.toString() + " outside 0..4";
  for (let i: u32 = 0; i < <u32>NETWORK_PEER_RULES_MAXIMUM; i++) {
    const rule = record + PROGRAM_RULES + <usize>i * RULE_SIZE;
    const address = load<u32>(rule), prefix = <u32>load<u8>(rule + 4), padding = <u32>load<u8>(rule + 5) | <u32>load<u16>(rule + 6);
    const portLow = <u32>load<u16>(rule + 8), portHigh = <u32>load<u16>(rule + 10);
    if (i >= rules) {
      if (address != 0 || prefix != 0 || padding != 0 || portLow != 0 || portHigh != 0) return "network peer rule " + i.toString() + " is unused but not zero";
      continue;
    }
    if (padding != 0) return "network peer rule " + i.toString() + " has non-zero padding";
    if (!policy.addRule(address, prefix, portLow, portHigh)) {
      return "network peer rule " + i.toString() + " is not a prefix (length 0..32, no address bits past it) with ports within 1..65535";
    }
  }
  program.network = policy;
  return "";
}

/** The bytes before the first NUL in the 32-byte name field at `name` (0..32). */
function nameLength(name: usize): i32 {
  let length: u32 = 0;
  while (length < NAME_SIZE && load<u8>(name + length) != 0) length++;
  return <i32>length;
}

/** What is wrong with the 32-byte name field at `name`, or "" when it is well-formed. */
function checkName(name: usize): string {
  const length = <u32>nameLength(name);
  if (length == 0) return "name is empty";
  if (length == NAME_SIZE) return "name has no NUL in its 32 bytes (at most 31 characters)";
  for (let index: u32 = 0; index < length; index++) {
    const character = <u32>load<u8>(name + index);
    const allowed = (character >= 0x61 && character <= 0x7a) // a-z
      || (character >= 0x30 && character <= 0x39)            // 0-9
      || character == 0x2d;                                   // -
    if (!allowed) {
      return "name has a character outside [a-z0-9-] (0x" + character.toString(16) + " at byte " + index.toString() + ")";
    }
  }
  for (let index = length; index < NAME_SIZE; index++) {
    if (load<u8>(name + index) != 0) return "name has a non-NUL byte after its terminating NUL (at byte " + index.toString() + ")";
  }
  return "";
}

function refused(error: KernelError, reason: string): ManifestParseResult {
  const result = new ManifestParseResult();
  result.error = error;
  result.reason = reason;
  return result;
}
