// Names for the log: a function's class (PCI Code and ID Assignment 1.11, chapter 1) and, for the
// virtio devices Capsid drives, which device (virtio 1.2, 4.1.2: modern ids are 0x1040 + the
// device type; transitional ones 0x1000-0x103f).

import { PciFunction } from "./function";

const VENDOR_VIRTIO: u32 = 0x1af4;

export function pciFunctionName(found: PciFunction): string {
  const name = className(found.classCode >>> 8);
  if (found.vendor != VENDOR_VIRTIO) return name;
  const device = found.device;
  if (device == 0x1000 || device == 0x1041) return name + ", virtio-net (" + (device == 0x1041 ? "modern" : "transitional") + ")";
  if (device >= 0x1040 && device < 0x1080) return name + ", virtio device type " + (device - 0x1040).toString();
  if (device >= 0x1000 && device < 0x1040) return name + ", virtio (transitional)";
  return name;
}

function className(code: u32): string {
  switch (code) {
    case 0x0100: return "SCSI controller";
    case 0x0101: return "IDE controller";
    case 0x0106: return "SATA controller";
    case 0x0108: return "NVMe controller";
    case 0x0200: return "Ethernet controller";
    case 0x0280: return "network controller";
    case 0x0300: return "VGA controller";
    case 0x0380: return "display controller";
    case 0x0403: return "audio device";
    case 0x0600: return "host bridge";
    case 0x0601: return "ISA bridge";
    case 0x0604: return "PCI bridge";
    case 0x0680: return "bridge";
    case 0x0700: return "serial controller";
    case 0x0780: return "communication controller";
    case 0x0c03: return "USB controller";
    case 0x0c05: return "SMBus controller";
    case 0x00ff: return "unclassified device";
  }
  const text = code.toString(16);
  return "class " + (text.length < 4 ? "0".repeat(4 - text.length) + text : text);
}
