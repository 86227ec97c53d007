// Configuration space through the legacy ports (configuration mechanism #1, PCI Local Bus 3.0,
// 3.2.2.3.2): the address of a register goes to 0xCF8 with bit 31 set, its value comes and goes
// through 0xCFC. Every PC has it; it reaches the first 256 bytes of a function only.

import { portIn32, portOut32 } from "../arch/hw";
import { ConfigSpace } from "./config";

const ADDRESS_PORT: u16 = 0xcf8;
const DATA_PORT: u16 = 0xcfc;
const ENABLE: u32 = 1 << 31;

export class PortConfigSpace extends ConfigSpace {
  get size(): u32 { return 256; }
  get name(): string { return "ports 0xCF8/0xCFC"; }

  read32(address: u32, offset: u32): u32 {
    portOut32(ADDRESS_PORT, ENABLE | (address << 8) | (offset & 0xfc));
    return portIn32(DATA_PORT);
  }

  write32(address: u32, offset: u32, value: u32): void {
    portOut32(ADDRESS_PORT, ENABLE | (address << 8) | (offset & 0xfc));
    portOut32(DATA_PORT, value);
  }
}
