// COM1 receive through its interrupt: the UART raises "received data available", the I/O APIC
// routes ISA IRQ 4 (through the MADT's overrides) to VECTOR_SERIAL, registered with the
// interrupt registry, and each byte read goes to the console's input (input.ts), which the PS/2
// keyboard feeds too. 16550 registers:
// IER bit 0 enables the receive interrupt; MCR OUT2 gates the IRQ line on PC hardware.

import { portIn8, portOut8 } from "../arch/hw";
import { Madt, Polarity, TriggerMode } from "../acpi/madt";
import { KernelError, kernelErrorName } from "../../abi/errors";
import { ioApicRoute } from "../interrupts/io-apic";
import { localApicEndOfInterrupt, localApicId } from "../interrupts/local-apic";
import { interruptRegister } from "../interrupts/registry";
import { VECTOR_SERIAL } from "../interrupts/vectors";
import { logEnd, LogLevel, logLine } from "../log/log";
import { consoleInput } from "./input";

const COM1: u16 = 0x3f8;
const INTERRUPT_ENABLE: u16 = COM1 + 1;
const MODEM_CONTROL: u16 = COM1 + 4;
const LINE_STATUS: u16 = COM1 + 5;
const RECEIVE_INTERRUPT: u8 = 0x01;
const MODEM_DTR_RTS_OUT2: u8 = 0x0b;
const LINE_STATUS_DATA_READY: u8 = 0x01;
const SERIAL_ISA_IRQ: u32 = 4;

/** Routes COM1's IRQ (through the MADT's overrides) and enables its receive interrupt. */
export function serialInputInit(madt: Madt | null): void {
  let gsi = SERIAL_ISA_IRQ;
  let activeLow = false, level = false;
  if (madt !== null) {
    const route = madt.isaIrqToGsi(SERIAL_ISA_IRQ);
    if (route.error == KernelError.None) {
      gsi = route.gsi;
      activeLow = route.polarity == Polarity.ActiveLow;
      level = route.trigger == TriggerMode.Level;
    }
  }
  let error = interruptRegister(VECTOR_SERIAL, "serial", serialInputInterrupt);
  if (error == KernelError.None) error = ioApicRoute(gsi, VECTOR_SERIAL, localApicId(), activeLow, level);
  if (error != KernelError.None) {
    logLine(LogLevel.Error).text("serial: COM1 input not routed (GSI ").decimal(gsi).text("): ").text(kernelErrorName(error));
    logEnd();
    return;
  }
  portOut8(MODEM_CONTROL, MODEM_DTR_RTS_OUT2);
  portOut8(INTERRUPT_ENABLE, RECEIVE_INTERRUPT);
  while (portIn8(LINE_STATUS) & LINE_STATUS_DATA_READY) portIn8(COM1); // drop bytes typed before boot
}

/** Drains the receive FIFO (bounded: a stuck "data ready" cannot hold the kernel). */
function serialInputInterrupt(vector: u32): void {
  for (let i = 0; i < 64 && (portIn8(LINE_STATUS) & LINE_STATUS_DATA_READY); i++) {
    consoleInput(portIn8(COM1));
  }
  localApicEndOfInterrupt();
}
