// PCI on the real ISO (issue 16, its first part): with QEMU's virtio-net-pci, the kernel finds
// configuration space through the legacy ports on the pc machine (no MCFG) and through ECAM on
// q35 (its MCFG), enumerates every function, sizes the virtio device's BARs (its 64-bit one
// above 4 GiB under OVMF) and finds its MSI-X table, for the modern-only and the transitional
// device. The network device has a user-mode backend restricted to nothing (restrict=on).

import { suite } from "uvu";
import { withQemu, type BootOptions } from "../qemu-runner/runner";

const pci = suite("pci");
const NETWORK = (device: string) => ["-device", `${device},netdev=n0`, "-netdev", "user,id=n0,restrict=on"];

async function expectPci(options: BootOptions, access: string, lines: (string | RegExp)[]): Promise<void> {
  await withQemu({ commandLine: "test=none log=debug", ...options }, async (qemu) => {
    await qemu.expectLine(new RegExp(`^capsid: pci: \\d+ function\\(s\\) through ${access}; 00:0\\d\\.0 Ethernet controller, virtio-net \\((modern|transitional)\\)$`), 60_000);
    for (const line of lines) await qemu.expectLine(line);
  });
}

pci("pc: the legacy ports; a modern-only virtio-net with its BARs and MSI-X", async () => {
  await expectPci({ machine: "pc", extraArguments: NETWORK("virtio-net-pci,disable-legacy=on") }, "ports 0xCF8/0xCFC", [
    "capsid: pci: 00:00.0 8086:1237 host bridge",
    /^capsid: pci: 00:0(\d)\.0 1af4:1041 Ethernet controller, virtio-net \(modern\); MSI-X 4 vectors \(table BAR1\+0x0\); 5 vendor capabilities; INTA line \d+$/,
    /^capsid: pci: 00:0\d\.0 BARs: 1 memory 0x[0-9a-f]+ 4 KiB; 4 64-bit memory 0x[0-9a-f]+ 16 KiB prefetchable$/,
  ]);
});

pci("q35: ECAM from the MCFG; a transitional virtio-net with its I/O BAR too", async () => {
  await expectPci({ machine: "q35", extraArguments: NETWORK("virtio-net-pci") }, "ECAM", [
    "capsid: pci: 00:00.0 8086:29c0 host bridge",
    /^capsid: pci: 00:0\d\.0 1af4:1000 Ethernet controller, virtio-net \(transitional\); MSI-X 4 vectors \(table BAR1\+0x0\); 5 vendor capabilities; INTA line \d+$/,
    /^capsid: pci: 00:0\d\.0 BARs: 0 I\/O 0x[0-9a-f]+ 32 bytes; 1 memory 0x[0-9a-f]+ 4 KiB; 4 64-bit memory 0x[0-9a-f]+ 16 KiB prefetchable$/,
    "capsid: pci: 00:1f.2 8086:2922 SATA controller; MSI; INTA line 10",
  ]);
});

pci("q35 under OVMF: the 64-bit BAR above 4 GiB, read whole", async () => {
  await expectPci({ machine: "q35", firmware: "ovmf", extraArguments: NETWORK("virtio-net-pci,disable-legacy=on") }, "ECAM", [
    /^capsid: pci: 00:0\d\.0 BARs: 1 memory 0x[0-9a-f]{8} 4 KiB; 4 64-bit memory 0x[0-9a-f]{9,} 16 KiB prefetchable$/,
  ]);
});

pci.run();
