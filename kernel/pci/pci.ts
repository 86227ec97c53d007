// PCI at boot: chooses how to reach configuration space (ECAM when the ACPI MCFG table gives a
// window for segment 0 and bus 0, as QEMU's q35 and UEFI PCs do; the legacy ports otherwise, as
// on QEMU's pc), enumerates every function (enumerate.ts), and logs a summary naming the network
// controllers, any problem as a warning, and with log=debug each function: address, ids, class,
// BARs, capabilities, MSI-X, INTx pin. Drivers look their devices up here (pciFunctions,
// pciConfig), ask for MSI-X through pciMsix (`pci=nomsi` on the command line withholds it, so
// every driver falls back to INTx: intx.ts, which gets the MADT from here).

import { acpiEcamWindows } from "../acpi/acpi";
import { Madt } from "../acpi/madt";
import { CommandLine } from "../boot/command-line";
import { logEnabled, logEnd, LogLevel, logLine } from "../log/log";
import { ConfigSpace } from "./config";
import { EcamConfigSpace } from "./config-ecam";
import { PortConfigSpace } from "./config-port";
import { CAPABILITY_MSIX, pciEnumerate } from "./enumerate";
import { BarKind, Msix, PciFunction } from "./function";
import { pciIntxInit } from "./intx";
import { pciFunctionName } from "./names";

class PciState {
  config: ConfigSpace | null = null;
  functions: PciFunction[] = [];
  /** False with `pci=nomsi`: drivers get no MSI-X and use INTx. */
  msixAllowed: bool = true;
}
const state = new PciState();

/** Finds the configuration access and every function, and logs them; `madt` routes INTx lines
 * (intx.ts); `pci=nomsi` withholds MSI-X from every driver (logged). */
export function pciInit(madt: Madt | null, commandLine: CommandLine): void {
  pciIntxInit(madt);
  const option = commandLine.get("pci");
  if (option !== null) {
    if (option == "nomsi") state.msixAllowed = false;
    else {
      logLine(LogLevel.Warning).text("pci: pci=").text(option).text(" is not an option (pci=nomsi is); ignored");
      logEnd();
    }
  }
  const config = configSpace();
  state.config = config;
  const functions = pciEnumerate(config);
  state.functions = functions;
  const line = logLine().text("pci: ").decimal(functions.length).text(" function(s) through ").text(config.name);
  for (let i = 0; i < functions.length; i++) {
    const found = functions[i];
    if ((found.classCode >>> 16) == 0x02) line.text("; ").text(pciAddressText(found)).text(" ").text(pciFunctionName(found));
  }
  if (!state.msixAllowed) line.text("; MSI-X withheld (pci=nomsi): drivers use INTx");
  logEnd();
  // Every function in detail with log=debug (formatting them costs boot time otherwise).
  if (logEnabled(LogLevel.Debug)) for (let i = 0; i < functions.length; i++) logFunction(functions[i]);
  for (let i = 0; i < functions.length; i++) logProblems(functions[i]);
}

function logProblems(found: PciFunction): void {
  for (let i = 0; i < found.problems.length; i++) {
    logLine(LogLevel.Warning).text("pci: ").text(pciAddressText(found)).text(": ").text(found.problems[i]);
    logEnd();
  }
}

function configSpace(): ConfigSpace {
  const windows = acpiEcamWindows();
  for (let i = 0; i < windows.length; i++) {
    const window = windows[i];
    if (window.segment == 0 && window.startBus == 0) return new EcamConfigSpace(window.base, window.startBus, window.endBus);
  }
  return new PortConfigSpace();
}

/** Lets `found` decode its memory BARs and master the bus (DMA, and the memory writes MSI and
 * MSI-X are): a driver calls this before it starts the device. */
export function pciEnableBusMaster(config: ConfigSpace, found: PciFunction): void {
  const command = config.read16(found.address, 0x04);
  config.write16(found.address, 0x04, command | 0b110);   // memory space, bus master
}

/** `found`'s MSI-X for a driver to use: null when it has none that is usable, or with
 * `pci=nomsi`. */
export function pciMsix(found: PciFunction): Msix | null {
  return state.msixAllowed ? found.msix : null;
}

/** The functions found at boot. */
export function pciFunctions(): PciFunction[] {
  return state.functions;
}

/** The configuration access chosen at boot (null before pciInit). */
export function pciConfig(): ConfigSpace | null {
  return state.config;
}

function hex2(value: u32): string {
  const text = value.toString(16);
  return text.length < 2 ? "0" + text : text;
}
function hex4(value: u32): string {
  let text = value.toString(16);
  while (text.length < 4) text = "0" + text;
  return text;
}

/** "bb:dd.f", as lspci writes an address. */
export function pciAddressText(found: PciFunction): string {
  return hex2(found.bus) + ":" + hex2(found.deviceNumber) + "." + found.functionNumber.toString();
}

function sizeText(size: u64): string {
  if (size >= (<u64>1 << 30) && (size & ((<u64>1 << 30) - 1)) == 0) return (size >> 30).toString() + " GiB";
  if (size >= (<u64>1 << 20) && (size & ((<u64>1 << 20) - 1)) == 0) return (size >> 20).toString() + " MiB";
  if (size >= 1024 && (size & 1023) == 0) return (size >> 10).toString() + " KiB";
  return size.toString() + " bytes";
}

function logFunction(found: PciFunction): void {
  const address = pciAddressText(found);
  const line = logLine(LogLevel.Debug).text("pci: ").text(address).text(" ").text(hex4(found.vendor)).text(":").text(hex4(found.device))
    .text(" ").text(pciFunctionName(found));
  const msix = found.msix;
  if (msix !== null) line.text("; MSI-X ").decimal(msix.tableSize).text(" vectors (table BAR").decimal(msix.tableBar).text("+").hex(msix.tableOffset).text(")");
  else if (found.capability(CAPABILITY_MSIX) !== null) line.text("; MSI-X unusable");
  if (found.capability(0x05) !== null) line.text("; MSI");
  if (found.capability(0x10) !== null) line.text("; PCI Express");
  let vendorSpecific = 0;
  for (let i = 0; i < found.capabilities.length; i++) if (found.capabilities[i].id == 0x09) vendorSpecific++;
  if (vendorSpecific != 0) line.text("; ").decimal(vendorSpecific).text(" vendor capabilities");
  if (found.interruptPin != 0) line.text("; INT").text(String.fromCharCode(0x40 + <i32>found.interruptPin)).text(" line ").decimal(found.interruptLine);
  logEnd();
  if (found.bars.length != 0) {
    const bars = logLine(LogLevel.Debug).text("pci: ").text(address).text(" BARs:");
    for (let i = 0; i < found.bars.length; i++) {
      const bar = found.bars[i];
      bars.text(i == 0 ? " " : "; ").decimal(bar.index).text(bar.kind == BarKind.Io ? " I/O " : bar.kind == BarKind.Memory64 ? " 64-bit memory " : " memory ")
        .hex(bar.address).text(" ").text(sizeText(bar.size));
      if (bar.prefetchable) bars.text(" prefetchable");
    }
    logEnd();
  }
}
