// Host-test entry for kernel/loader/manifest.ts: exposes manifestParse, Manifest.find,
// grantAllowed and each program's network policy to tests/host/manifest.test.ts through flat
// getters, and the kernel's
// interfaceName so the test can pin the compiler's grant names to it. `reserveTop` sets aside the
// top of linear memory, outside the heap, so a module can lie flush against the end of memory:
// any read past its length is then an out-of-bounds trap, not a silent read of other bytes.

import { Interface, interfaceName } from "../../../abi/interfaces";
import { Manifest, ManifestParseResult, grantAllowed, manifestParse } from "../../../kernel/loader/manifest";
import { NetworkPolicy } from "../../../kernel/net/socket/policy";

let parsed = new ManifestParseResult();

export { memoryEnd, reserveTop } from "./top-of-memory";

export function parse(address: usize, length: u64): void {
  parsed = manifestParse(address, length);
}

export function error(): i32 { return parsed.error; }
export function reason(): string { return parsed.reason; }
export function hasManifest(): bool { return parsed.manifest != null; }

function manifest(): Manifest { return parsed.manifest!; }

export function programCount(): i32 { return manifest().programs.length; }
export function programName(index: i32): string { return manifest().programs[index].name; }
export function programMemoryQuotaPages(index: i32): u32 { return manifest().programs[index].memoryQuotaPages; }
export function programGrantMask(index: i32): u32 { return manifest().programs[index].grantMask; }
export function programStartAtBoot(index: i32): bool { return manifest().programs[index].startAtBoot; }
export function programLinux(index: i32): bool { return manifest().programs[index].linux; }
export function programNamespaceWritable(index: i32): bool { return manifest().programs[index].namespaceWritable; }

// The network policy of program `index` (set exactly with the network grant); the other getters
// require programHasNetwork(index), and `rule` below programNetworkRuleCount(index).
export function programHasNetwork(index: i32): bool { return manifest().programs[index].network != null; }
function network(index: i32): NetworkPolicy { return manifest().programs[index].network!; }
export function programNetworkPortLow(index: i32): u32 { return network(index).portLow; }
export function programNetworkPortHigh(index: i32): u32 { return network(index).portHigh; }
export function programNetworkRuleCount(index: i32): i32 { return network(index).rules; }
export function programNetworkRuleAddress(index: i32, rule: i32): u32 { return network(index).addresses[rule]; }
export function programNetworkRulePrefix(index: i32, rule: i32): u32 { return network(index).prefixes[rule]; }
export function programNetworkRulePortLow(index: i32, rule: i32): u32 { return network(index).peerPortLows[rule]; }
export function programNetworkRulePortHigh(index: i32, rule: i32): u32 { return network(index).peerPortHighs[rule]; }

/** The index of the program Manifest.find returns for `name`, or -1 for null. */
export function findIndex(name: string): i32 {
  const found = manifest().find(name);
  return found == null ? -1 : manifest().programs.indexOf(found);
}

export function programGrantAllowed(index: i32, iface: i32): bool {
  return grantAllowed(manifest().programs[index], <Interface>iface);
}

export function interfaceNameOf(value: i32): string { return interfaceName(<Interface>value); }

/** A plain one-byte load, so a test can show that a read past the end of memory does trap. */
export function peek(address: usize): u8 { return load<u8>(address); }
