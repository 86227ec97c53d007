// The virtio PCI transport (virtio 1.2, 4.1): the device's vendor-specific capabilities say in
// which BAR, at which offset, its common configuration, notification area, ISR status and device
// configuration lie (4.1.4); each is mapped uncached into the MMIO window and reached only
// through the MMIO imports at its fields' own widths. Device-independent: the net driver
// (net.ts) and the virtqueues (virtqueue.ts) use it. A device whose capabilities do not make
// sense is refused with the reason, never trusted.

import { memoryBarrier, mmioRead16, mmioRead32, mmioRead8, mmioWrite16, mmioWrite32, mmioWrite8 } from "../../arch/hw";
import { mmioMap } from "../../memory/mmio";
import { ConfigSpace } from "../../pci/config";
import { BarKind, PciFunction } from "../../pci/function";

/** Capability cfg_type values (4.1.4). */
const CAP_COMMON: u32 = 1;
const CAP_NOTIFY: u32 = 2;
const CAP_ISR: u32 = 3;
const CAP_DEVICE: u32 = 4;
const CAPABILITY_VENDOR: u32 = 0x09;

/** Common configuration fields (4.1.4.3). */
const DEVICE_FEATURE_SELECT: u64 = 0x00;
const DEVICE_FEATURE: u64 = 0x04;
const DRIVER_FEATURE_SELECT: u64 = 0x08;
const DRIVER_FEATURE: u64 = 0x0c;
const CONFIG_MSIX_VECTOR: u64 = 0x10;
const NUM_QUEUES: u64 = 0x12;
const DEVICE_STATUS: u64 = 0x14;
const CONFIG_GENERATION: u64 = 0x15;
const QUEUE_SELECT: u64 = 0x16;
const QUEUE_SIZE: u64 = 0x18;
const QUEUE_MSIX_VECTOR: u64 = 0x1a;
const QUEUE_ENABLE: u64 = 0x1c;
const QUEUE_NOTIFY_OFF: u64 = 0x1e;
const QUEUE_DESC: u64 = 0x20;
const QUEUE_DRIVER: u64 = 0x28;
const QUEUE_DEVICE: u64 = 0x30;
const COMMON_LENGTH: u32 = 0x38;

/** Device status bits (2.1). */
export const STATUS_ACKNOWLEDGE: u32 = 1;
export const STATUS_DRIVER: u32 = 2;
export const STATUS_DRIVER_OK: u32 = 4;
export const STATUS_FEATURES_OK: u32 = 8;
export const STATUS_NEEDS_RESET: u32 = 64;
export const STATUS_FAILED: u32 = 128;
/** The value a queue's MSI-X vector register reads when none is assigned (4.1.5.1.2). */
export const NO_VECTOR: u32 = 0xffff;

class Region {
  constructor(readonly virtual: u64, readonly length: u32) {}
}

export class VirtioPciTransport {
  common: Region | null = null;
  notify: Region | null = null;
  notifyMultiplier: u32 = 0;
  isr: Region | null = null;
  device: Region | null = null;
  /** Why the device was refused ("" when it was not). */
  problem: string = "";

  /** Finds and maps the device's regions (its vendor capabilities). */
  constructor(config: ConfigSpace, readonly found: PciFunction) {
    const caps = found.capabilities;
    for (let i = 0; i < caps.length && this.problem.length == 0; i++) {
      if (caps[i].id != CAPABILITY_VENDOR) continue;
      const at = caps[i].offset, address = found.address;
      const type = config.read8(address, at + 3), barIndex = config.read8(address, at + 4);
      const offset = config.read32(address, at + 8), length = config.read32(address, at + 12);
      if (type < CAP_COMMON || type > CAP_DEVICE) continue;   // PCI configuration access, shared memory: not used
      // The first capability of each type is the one to use (4.1.4.1).
      if ((type == CAP_COMMON && this.common !== null) || (type == CAP_NOTIFY && this.notify !== null)
        || (type == CAP_ISR && this.isr !== null) || (type == CAP_DEVICE && this.device !== null)) continue;
      const bar = found.bar(barIndex);
      if (bar === null || bar.kind == BarKind.Io || bar.address == 0) { this.problem = "a capability names BAR" + barIndex.toString() + ", which is not a memory BAR"; break; }
      if (length == 0 || <u64>offset + <u64>length > bar.size) { this.problem = "a capability's region lies outside BAR" + barIndex.toString(); break; }
      if (type == CAP_COMMON && length < COMMON_LENGTH) { this.problem = "the common configuration is too short"; break; }
      const virtual = mmioMap(bar.address + <u64>offset, <u64>length);
      if (virtual == 0) { this.problem = "its registers could not be mapped"; break; }
      const region = new Region(virtual, length);
      if (type == CAP_COMMON) this.common = region;
      else if (type == CAP_NOTIFY) {
        this.notify = region;
        this.notifyMultiplier = config.read32(address, at + 16);
      } else if (type == CAP_ISR) this.isr = region;
      else this.device = region;
    }
    if (this.problem.length == 0 && (this.common === null || this.notify === null || this.isr === null)) {
      this.problem = "no common configuration, notification area or ISR status (not a virtio 1.x device)";
    }
  }

  get usable(): bool { return this.problem.length == 0; }

  private get base(): u64 { return this.common!.virtual; }

  status(): u32 { return mmioRead8(this.base + DEVICE_STATUS); }
  setStatus(status: u32): void { mmioWrite8(this.base + DEVICE_STATUS, status); }

  /** Resets the device and waits (a bounded number of reads) until it reads back 0 (4.1.4.3.2). */
  reset(): bool {
    this.setStatus(0);
    for (let i = 0; i < 100_000; i++) if (this.status() == 0) return true;
    return false;
  }

  /** The 64 feature bits the device offers. */
  deviceFeatures(): u64 {
    mmioWrite32(this.base + DEVICE_FEATURE_SELECT, 0);
    const low = mmioRead32(this.base + DEVICE_FEATURE);
    mmioWrite32(this.base + DEVICE_FEATURE_SELECT, 1);
    return (<u64>mmioRead32(this.base + DEVICE_FEATURE) << 32) | <u64>low;
  }

  setDriverFeatures(features: u64): void {
    mmioWrite32(this.base + DRIVER_FEATURE_SELECT, 0);
    mmioWrite32(this.base + DRIVER_FEATURE, <u32>features);
    mmioWrite32(this.base + DRIVER_FEATURE_SELECT, 1);
    mmioWrite32(this.base + DRIVER_FEATURE, <u32>(features >> 32));
  }

  queueCount(): u32 { return mmioRead16(this.base + NUM_QUEUES); }
  configGeneration(): u32 { return mmioRead8(this.base + CONFIG_GENERATION); }
  setConfigVector(vector: u32): u32 {
    mmioWrite16(this.base + CONFIG_MSIX_VECTOR, vector);
    return mmioRead16(this.base + CONFIG_MSIX_VECTOR);
  }

  /** The size the device offers for queue `index` (0: no such queue). */
  queueSize(index: u32): u32 {
    mmioWrite16(this.base + QUEUE_SELECT, index);
    return mmioRead16(this.base + QUEUE_SIZE);
  }

  /** Gives queue `index` its size, rings and MSI-X vector, and enables it; returns the vector the
   * device took (NO_VECTOR when it refused it). */
  queueSetUp(index: u32, size: u32, descriptors: u64, driver: u64, device: u64, vector: u32): u32 {
    const base = this.base;
    mmioWrite16(base + QUEUE_SELECT, index);
    mmioWrite16(base + QUEUE_SIZE, size);
    writeAddress(base + QUEUE_DESC, descriptors);
    writeAddress(base + QUEUE_DRIVER, driver);
    writeAddress(base + QUEUE_DEVICE, device);
    mmioWrite16(base + QUEUE_MSIX_VECTOR, vector);
    const taken = mmioRead16(base + QUEUE_MSIX_VECTOR);
    memoryBarrier();
    mmioWrite16(base + QUEUE_ENABLE, 1);
    return taken;
  }

  /** Where to write queue `index`'s notification (4.1.4.4); 0 when it lies outside the area. */
  notifyAddress(index: u32): u64 {
    mmioWrite16(this.base + QUEUE_SELECT, index);
    const offset = <u64>mmioRead16(this.base + QUEUE_NOTIFY_OFF) * <u64>this.notifyMultiplier;
    const notify = this.notify!;
    return offset + 2 <= <u64>notify.length ? notify.virtual + offset : 0;
  }

  /** Reads (and so clears) the ISR status: bit 0 a queue, bit 1 a configuration change. */
  isrStatus(): u32 { return mmioRead8(this.isr!.virtual); }

  /** A byte of the device-specific configuration (0 past its end or without one). */
  deviceConfig8(offset: u32): u32 {
    const device = this.device;
    return device !== null && offset < device.length ? mmioRead8(device.virtual + <u64>offset) : 0;
  }
  deviceConfig16(offset: u32): u32 {
    const device = this.device;
    return device !== null && offset + 2 <= device.length && (offset & 1) == 0 ? mmioRead16(device.virtual + <u64>offset) : 0;
  }
}

/** A 64-bit common-configuration field, as two 32-bit writes (low first). */
function writeAddress(address: u64, value: u64): void {
  mmioWrite32(address, <u32>value);
  mmioWrite32(address + 4, <u32>(value >> 32));
}
