// The PS/2 keyboard through the i8042 controller: probed at boot with a time limit, then read on
// its interrupt (ISA IRQ 1, routed through the MADT's overrides to VECTOR_KEYBOARD), each byte
// decoded (scan-code.ts) and the resulting bytes handed to the console's input, the same input
// COM1 feeds. There may be no controller at all (QEMU's q35 with i8042=off, many recent PCs):
// ACPI's FADT could say so (IAPC_BOOT_ARCH bit 1), but QEMU's pc machine leaves that bit clear
// although it has one, so the probe decides, and the log says what it found.
//
// The probe (IBM PS/2 Hardware Interface Technical Reference, "Keyboard/Auxiliary Device
// Controller"; the sequence the Linux i8042 driver uses): a status of 0xff means nothing
// answers at port 0x64; disable both ports, flush, self-test (0xaa answers 0x55), set the
// configuration byte (translation on, so a keyboard in scan code set 2 arrives as set 1; the
// auxiliary port off), enable the keyboard port, ask the keyboard for set 2 (0xf0 0x02) and to
// scan (0xf4), each answered by 0xfa. Every wait is bounded by WAIT_NANOSECONDS.

import { portIn8, portOut8 } from "../arch/hw";
import { Madt, Polarity, TriggerMode } from "../acpi/madt";
import { KernelError, kernelErrorName } from "../../abi/errors";
import { ioApicRoute } from "../interrupts/io-apic";
import { localApicEndOfInterrupt, localApicId } from "../interrupts/local-apic";
import { interruptRegister } from "../interrupts/registry";
import { VECTOR_KEYBOARD } from "../interrupts/vectors";
import { logEnd, LogLevel, logLine } from "../log/log";
import { monotonicNanos } from "../time/clock";
import { ScanCodeDecoder } from "./scan-code";

const DATA: u16 = 0x60;
const STATUS: u16 = 0x64;
const COMMAND: u16 = 0x64;
const STATUS_OUTPUT_FULL: u8 = 0x01;
const STATUS_INPUT_FULL: u8 = 0x02;
const STATUS_AUXILIARY_DATA: u8 = 0x20;
const NOTHING_ANSWERS: u8 = 0xff;

const READ_CONFIGURATION: u8 = 0x20;
const WRITE_CONFIGURATION: u8 = 0x60;
const DISABLE_AUXILIARY: u8 = 0xa7;
const SELF_TEST: u8 = 0xaa;
const SELF_TEST_PASSED: u8 = 0x55;
const DISABLE_KEYBOARD: u8 = 0xad;
const ENABLE_KEYBOARD: u8 = 0xae;

const CONFIGURATION_KEYBOARD_INTERRUPT: u8 = 0x01;
const CONFIGURATION_AUXILIARY_INTERRUPT: u8 = 0x02;
const CONFIGURATION_KEYBOARD_CLOCK_OFF: u8 = 0x10;
const CONFIGURATION_TRANSLATE: u8 = 0x40;

const KEYBOARD_SCAN_CODE_SET: u8 = 0xf0;
const KEYBOARD_ENABLE_SCANNING: u8 = 0xf4;
const KEYBOARD_ACKNOWLEDGE: u8 = 0xfa;

const KEYBOARD_ISA_IRQ: u32 = 1;
/** How long one step of the probe may wait for the controller. */
const WAIT_NANOSECONDS: u64 = 10_000_000;
/** Bytes read per interrupt at most: a stuck "output full" cannot hold the kernel. */
const BYTES_PER_INTERRUPT: i32 = 16;
const FLUSH_MAXIMUM: i32 = 32;

class I8042State {
  decoder: ScanCodeDecoder = new ScanCodeDecoder();
  consumer: ((byte: u8) => void) | null = null;
  /** What the probe found wrong, for the log. */
  problem: string = "";
  /** False when the keyboard did not acknowledge scan code set 2 (it keeps its own set). */
  setTwo: bool = true;
}
const state = new I8042State();

/** Probes the controller and, when a keyboard is there, routes its interrupt; the bytes its keys
 * make go to `consumer`. Logs what it found either way. */
export function keyboardInit(madt: Madt | null, consumer: (byte: u8) => void): void {
  if (!probe()) {
    logLine().text("keyboard: no PS/2 controller (i8042) answered: ").text(state.problem)
      .text("; keys come from the serial port only (a USB keyboard needs the firmware's PS/2 emulation)");
    logEnd();
    return;
  }
  let gsi = KEYBOARD_ISA_IRQ;
  let activeLow = false, level = false;
  if (madt !== null) {
    const route = madt.isaIrqToGsi(KEYBOARD_ISA_IRQ);
    if (route.error == KernelError.None) {
      gsi = route.gsi;
      activeLow = route.polarity == Polarity.ActiveLow;
      level = route.trigger == TriggerMode.Level;
    }
  }
  let error = interruptRegister(VECTOR_KEYBOARD, "keyboard", keyboardInterrupt);
  if (error == KernelError.None) error = ioApicRoute(gsi, VECTOR_KEYBOARD, localApicId(), activeLow, level);
  if (error == KernelError.None && !enableInterrupt()) error = KernelError.TimedOut;
  if (error != KernelError.None) {
    logLine(LogLevel.Error).text("keyboard: PS/2 keyboard found but its interrupt not routed (GSI ").decimal(gsi).text("): ")
      .text(kernelErrorName(error));
    logEnd();
    return;
  }
  state.consumer = consumer;
  logLine().text("keyboard: PS/2 keyboard on the i8042, scan code ").text(state.setTwo ? "set 2 translated to set 1" : "set 1 (set 2 refused)")
    .text(", US layout, IRQ 1 at GSI ").decimal(gsi);
  logEnd();
}

/** Reads what the controller holds (bounded), decodes it and hands the bytes on. */
function keyboardInterrupt(vector: u32): void {
  for (let i = 0; i < BYTES_PER_INTERRUPT; i++) {
    const status = portIn8(STATUS);
    if ((status & STATUS_OUTPUT_FULL) == 0) break;
    const code = portIn8(DATA);
    if (status & STATUS_AUXILIARY_DATA) continue; // a mouse byte: no mouse here
    const count = state.decoder.feed(code);
    const consumer = state.consumer;
    if (consumer === null) continue;
    for (let j = 0; j < count; j++) consumer(unchecked(state.decoder.output[j]));
  }
  localApicEndOfInterrupt();
}

/** The probe; false with state.problem set when there is no usable keyboard. */
function probe(): bool {
  if (portIn8(STATUS) == NOTHING_ANSWERS) return fail("port 0x64 reads 0xff (no controller)");
  if (!command(DISABLE_KEYBOARD) || !command(DISABLE_AUXILIARY)) return fail("it took no command within 10 ms");
  flush();
  if (!command(SELF_TEST)) return fail("it took no self-test command");
  const test = read();
  if (test != SELF_TEST_PASSED) return fail(test < 0 ? "no self-test answer within 10 ms" : "its self-test failed");
  if (!command(READ_CONFIGURATION)) return fail("it took no command");
  const configuration = read();
  if (configuration < 0) return fail("no configuration byte within 10 ms");
  let value = <u8>configuration;
  value &= ~(CONFIGURATION_KEYBOARD_INTERRUPT | CONFIGURATION_AUXILIARY_INTERRUPT | CONFIGURATION_KEYBOARD_CLOCK_OFF);
  value |= CONFIGURATION_TRANSLATE;
  if (!command(WRITE_CONFIGURATION) || !write(value)) return fail("it took no configuration byte");
  if (!command(ENABLE_KEYBOARD)) return fail("it did not enable the keyboard port");
  flush();
  if (!keyboardCommand(KEYBOARD_ENABLE_SCANNING)) return fail("no keyboard acknowledged on the keyboard port");
  state.setTwo = keyboardCommand(KEYBOARD_SCAN_CODE_SET) && keyboardCommand(2);
  flush();
  return true;
}

/** Turns the keyboard port's interrupt on in the configuration byte. */
function enableInterrupt(): bool {
  if (!command(READ_CONFIGURATION)) return false;
  const configuration = read();
  if (configuration < 0) return false;
  return command(WRITE_CONFIGURATION) && write(<u8>configuration | CONFIGURATION_KEYBOARD_INTERRUPT);
}

function fail(problem: string): bool {
  state.problem = problem;
  return false;
}

/** Sends `byte` to the keyboard and waits for its acknowledgement. */
function keyboardCommand(byte: u8): bool {
  if (!write(byte)) return false;
  return read() == KEYBOARD_ACKNOWLEDGE;
}

/** Writes a controller command once the input buffer is empty. */
function command(byte: u8): bool {
  if (!waitFor(STATUS_INPUT_FULL, 0)) return false;
  portOut8(COMMAND, byte);
  return true;
}

/** Writes a data byte (to the keyboard, or a command's argument) once the input buffer is empty. */
function write(byte: u8): bool {
  if (!waitFor(STATUS_INPUT_FULL, 0)) return false;
  portOut8(DATA, byte);
  return true;
}

/** The next byte from the controller, or -1 when none came in time. */
function read(): i32 {
  return waitFor(STATUS_OUTPUT_FULL, STATUS_OUTPUT_FULL) ? <i32>portIn8(DATA) : -1;
}

/** Drops whatever the controller holds. */
function flush(): void {
  for (let i = 0; i < FLUSH_MAXIMUM && (portIn8(STATUS) & STATUS_OUTPUT_FULL); i++) portIn8(DATA);
}

/** Waits until the status bits `mask` equal `value`, for WAIT_NANOSECONDS at most. */
function waitFor(mask: u8, value: u8): bool {
  const start = monotonicNanos();
  do {
    const status = portIn8(STATUS);
    if (status == NOTHING_ANSWERS) return false;
    if ((status & mask) == value) return true;
  } while (monotonicNanos() - start <= WAIT_NANOSECONDS);
  return false;
}
