// One PCI function as the enumeration found it (enumerate.ts): its identity, class, base
// address registers (sized), capability list and MSI-X, and what it could not make sense of.
// Field layouts: PCI Local Bus 3.0, 6.1-6.8; MSI-X: 6.8.2.

export enum BarKind {
  /** Not implemented (reads back as 0), or the upper half of a 64-bit BAR. */
  None = 0,
  Io = 1,
  Memory32 = 2,
  Memory64 = 3,
}

export class Bar {
  constructor(readonly index: u32, readonly kind: BarKind, readonly address: u64, readonly size: u64, readonly prefetchable: bool) {}
}

export class Capability {
  constructor(readonly id: u32, readonly offset: u32) {}
}

/** The MSI-X capability: the table of `tableSize` vectors at `tableOffset` in BAR `tableBar`,
 * the pending-bit array at `pbaOffset` in BAR `pbaBar`. */
export class Msix {
  constructor(readonly offset: u32, readonly tableSize: u32, readonly tableBar: u32, readonly tableOffset: u32,
    readonly pbaBar: u32, readonly pbaOffset: u32) {}
}

export class PciFunction {
  /** Base class << 16 | subclass << 8 | programming interface. */
  classCode: u32 = 0;
  revision: u32 = 0;
  /** The header layout (0 device, 1 PCI-to-PCI bridge, 2 CardBus), without the multifunction bit. */
  headerType: u32 = 0;
  /** Header type 1: the bus behind the bridge. */
  secondaryBus: u32 = 0;
  /** INTx pin (1 = INTA# .. 4 = INTD#, 0 none) and the line firmware wrote. */
  interruptPin: u32 = 0;
  interruptLine: u32 = 0;
  readonly bars: Bar[] = [];
  readonly capabilities: Capability[] = [];
  msix: Msix | null = null;
  /** What was malformed, for the log: a capability loop, a BAR that does not fit, ... */
  readonly problems: string[] = [];

  constructor(readonly address: u32, readonly vendor: u32, readonly device: u32) {}

  get bus(): u32 { return this.address >> 8; }
  get deviceNumber(): u32 { return (this.address >> 3) & 31; }
  get functionNumber(): u32 { return this.address & 7; }

  /** The BAR with `index`, or null when it is not implemented. */
  bar(index: u32): Bar | null {
    for (let i = 0; i < this.bars.length; i++) if (this.bars[i].index == index) return this.bars[i];
    return null;
  }

  /** The first capability with `id`, or null. */
  capability(id: u32): Capability | null {
    for (let i = 0; i < this.capabilities.length; i++) if (this.capabilities[i].id == id) return this.capabilities[i];
    return null;
  }
}
