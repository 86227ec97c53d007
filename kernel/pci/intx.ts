// INTx through the I/O APIC: the fallback for a PCI function without usable MSI-X (it has none,
// its table is unusable, or `pci=nomsi`). A driver attaches a handler (pciIntxAttach); the
// function's pin is routed to a vector from the registry, level-triggered, and functions whose
// lines meet at one GSI share it. On each interrupt every handler on the line is asked whether its
// device raised it (reading the device's status, which deasserts the line), then the local APIC
// gets its end-of-interrupt. pci.ts hands over the MADT (pciIntxInit).
//
// Limits. Capsid interprets no AML, so there is no _PRT: the route is the Interrupt Line register
// (configuration offset 0x3C) that firmware left (SeaBIOS and OVMF fill it from their PIRQ
// routing on QEMU's pc and q35), mapped through the MADT's ISA overrides (Madt.pciLineToGsi).
// QEMU delivers the steered IRQ to that I/O APIC input on both machines; a real chipset may send
// it to the 8259 only (Intel's ICH wires PIRQs to inputs 16-23, which only _PRT names), and then
// the interrupt never comes. A function whose line is unknown (0 or 255), past the I/O APIC, or
// taken by an ISA device is refused with the reason, and its driver polls on the tick. A stuck
// line (asserted by a device no driver here drives) cannot hold the kernel: after
// UNCLAIMED_LIMIT interrupts in a row that no handler claims, the line is masked (logged) and its
// devices are polled on the tick from then on.

import { KernelError, kernelErrorName } from "../../abi/errors";
import { Madt, Polarity, TriggerMode } from "../acpi/madt";
import { ioApicCovers, ioApicMask, ioApicRoute, ioApicVector } from "../interrupts/io-apic";
import { localApicEndOfInterrupt, localApicId } from "../interrupts/local-apic";
import { interruptAllocate } from "../interrupts/registry";
import { logEnd, LogLevel, logLine } from "../log/log";
import { ConfigSpace } from "./config";
import { PciFunction } from "./function";
import { pciAddressText } from "./pci";

/** Whether `found`'s device raised its line; the handler must also make it deassert it. A
 * driver on INTx must poll its device on the tick as well: a line masked for storming (or one the
 * chipset never delivers) brings nothing. */
export type IntxHandler = (found: PciFunction) => bool;

const OFFSET_COMMAND: u32 = 0x04;
/** Command register bit 10: the function may not assert INTx (PCI Local Bus 3.0, 6.2.2). */
const COMMAND_INTERRUPT_DISABLE: u32 = 1 << 10;
/** Unclaimed interrupts in a row after which a line is masked. */
const UNCLAIMED_LIMIT: u32 = 1000;

/** One I/O APIC input with the functions attached to it. */
class IntxLine {
  readonly functions: PciFunction[] = [];
  readonly handlers: IntxHandler[] = [];
  /** Interrupts in a row that no handler claimed. */
  unclaimed: u32 = 0;
  masked: bool = false;
  constructor(readonly gsi: u32, readonly vector: u32) {}
}

/** What pciIntxAttach did: the route, or the error that left the function without one. */
export class IntxRoute {
  error: KernelError = KernelError.None;
  /** Why, in words, when error is not None. */
  reason: string = "";
  gsi: u32 = 0;
  /** The vector the line delivers; 0 when refused. */
  vector: u32 = 0;
  level: bool = true;
  activeLow: bool = true;
}

class IntxState {
  madt: Madt | null = null;
  readonly lines: IntxLine[] = [];
}
const state = new IntxState();

/** The MADT whose overrides route the lines (null: none, the identity with PCI's signalling). */
export function pciIntxInit(madt: Madt | null): void {
  state.madt = madt;
}

/** Routes `found`'s INTx pin to a vector (a new one, or the one its GSI already has) and lets the
 * function assert it; `handler` is asked at each interrupt on the line. The route's error:
 * NotFound when the function has no pin or firmware gave no line; OutOfRange when the GSI is
 * past the I/O APIC; AlreadyMapped when an ISA device holds the GSI; TableFull when no vector is
 * free. Logs the route or the refusal. */
export function pciIntxAttach(config: ConfigSpace, found: PciFunction, name: string, handler: IntxHandler): IntxRoute {
  const route = new IntxRoute();
  if (found.interruptPin == 0) return refuse(found, route, KernelError.NotFound, "it has no INTx pin");
  const madt = state.madt;
  if (madt !== null) {
    const irq = madt.pciLineToGsi(found.interruptLine);
    route.gsi = irq.gsi;
    route.level = irq.trigger == TriggerMode.Level;
    route.activeLow = irq.polarity == Polarity.ActiveLow;
    if (irq.error != KernelError.None) return refuse(found, route, irq.error, "firmware gave its pin no interrupt line");
  } else {
    if (found.interruptLine == 0 || found.interruptLine >= 255) return refuse(found, route, KernelError.NotFound, "firmware gave its pin no interrupt line");
    route.gsi = found.interruptLine;
  }
  let line = lineOfGsi(route.gsi);
  if (line === null) {
    if (!ioApicCovers(route.gsi)) return refuse(found, route, KernelError.OutOfRange, "the I/O APIC has no input for its GSI");
    if (ioApicVector(route.gsi) != 0) return refuse(found, route, KernelError.AlreadyMapped, "an ISA device holds its GSI");
    const vector = interruptAllocate(name, intxInterrupt);
    if (vector == 0) return refuse(found, route, KernelError.TableFull, "no interrupt vector is free");
    if (ioApicRoute(route.gsi, vector, localApicId(), route.activeLow, route.level) != KernelError.None) abort("pciIntxAttach: a covered GSI was refused");
    line = new IntxLine(route.gsi, vector);
    state.lines.push(line);
  }
  line.functions.push(found);
  line.handlers.push(handler);
  route.vector = line.vector;
  const command = config.read16(found.address, OFFSET_COMMAND);
  config.write16(found.address, OFFSET_COMMAND, command & ~COMMAND_INTERRUPT_DISABLE);
  logLine().text("pci: ").text(pciAddressText(found)).text(" INT").text(String.fromCharCode(0x40 + <i32>found.interruptPin))
    .text(" line ").decimal(found.interruptLine).text(" -> GSI ").decimal(route.gsi).text(route.level ? ", level" : ", edge")
    .text(route.activeLow ? ", active low" : ", active high").text(", vector ").decimal(line.vector).text(" (").text(name)
    .text(line.functions.length > 1 ? ", shared" : "").text(")");
  logEnd();
  return route;
}

function refuse(found: PciFunction, route: IntxRoute, error: KernelError, reason: string): IntxRoute {
  route.error = error;
  route.reason = reason;
  logLine(LogLevel.Warning).text("pci: ").text(pciAddressText(found)).text(" INTx not routed (line ").decimal(found.interruptLine)
    .text("): ").text(reason).text(" (").text(kernelErrorName(error)).text(")");
  logEnd();
  return route;
}

function lineOfGsi(gsi: u32): IntxLine | null {
  for (let i = 0; i < state.lines.length; i++) if (unchecked(state.lines[i]).gsi == gsi) return unchecked(state.lines[i]);
  return null;
}

/** The registry's handler for every INTx vector: every handler on the line is asked (each
 * reads its device's status, which deasserts the line), then the end-of-interrupt, which lets
 * the I/O APIC deliver again if the line is still asserted. */
function intxInterrupt(vector: u32): void {
  for (let i = 0; i < state.lines.length; i++) {
    const line = unchecked(state.lines[i]);
    if (line.vector != vector) continue;
    let claimed = false;
    for (let j = 0; j < line.handlers.length; j++) {
      if (line.handlers[j](line.functions[j])) claimed = true;
    }
    if (claimed) line.unclaimed = 0;
    else if (++line.unclaimed >= UNCLAIMED_LIMIT && !line.masked) {
      ioApicMask(line.gsi);
      line.masked = true;
      logLine(LogLevel.Warning).text("pci: GSI ").decimal(line.gsi).text(": ").decimal(UNCLAIMED_LIMIT)
        .text(" interrupts in a row no driver claimed; masked, its devices are polled on the tick");
      logEnd();
    }
    break;
  }
  localApicEndOfInterrupt();
}
