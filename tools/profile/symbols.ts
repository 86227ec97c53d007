// An ELF's function symbols, as `nm -n` lists them, and the one an address falls in: what the
// profiling tools (round-trip.ts, tcp-transfer.ts) name instructions by.

import { execFileSync } from "node:child_process";

export type Symbols = { addresses: bigint[]; names: string[] };

/** The text symbols of `elf` (kinds t, T, w, W), sorted by address. */
export function symbols(elf: string): Symbols {
  const addresses: bigint[] = [], names: string[] = [];
  for (const line of execFileSync("nm", ["-n", "--defined-only", elf], { encoding: "utf8", maxBuffer: 1 << 28 }).split("\n")) {
    const [address, kind, name] = line.split(" ");
    if (!name || !"tTwW".includes(kind)) continue;
    addresses.push(BigInt("0x" + address));
    names.push(name);
  }
  return { addresses, names };
}

/** The symbol at or below `pc`, or "?" below the first. */
export function symbolAt(table: Symbols, pc: bigint): string {
  let low = 0, high = table.addresses.length - 1, found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (table.addresses[middle] <= pc) { found = middle; low = middle + 1; } else high = middle - 1;
  }
  return found < 0 ? "?" : table.names[found];
}
