// The console's input: one stream of bytes from every keyboard the kernel has, the serial port
// (serial-input.ts) and the PS/2 keyboard (keyboard/i8042.ts) alike, and from the terminal's own
// answers (a cursor position report, screen.ts), handed to one consumer (the echo self-tests
// and, when none is set, the console's tty for Linux programs). Bytes arrive in interrupt handlers.

import { Madt } from "../acpi/madt";
import { keyboardInit } from "../keyboard/i8042";
import { serialInputInit } from "./serial-input";

class ConsoleInputState {
  consumer: ((byte: u8) => void) | null = null;
  /** Where bytes go when no consumer took them (the console's tty, kernel/linux/tty.ts). */
  fallback: ((byte: u8) => void) | null = null;
}
const state = new ConsoleInputState();

/** Starts every input: COM1's receive interrupt and the PS/2 keyboard, if there is one. */
export function consoleInputInit(madt: Madt | null): void {
  serialInputInit(madt);
  keyboardInit(madt, consoleInput);
}

/** From now on the console's input bytes go to `consumer` (null: dropped). */
export function consoleInputConsume(consumer: ((byte: u8) => void) | null): void {
  state.consumer = consumer;
}

/** Where bytes go while no consumer is set (null: dropped). */
export function consoleInputFallback(consumer: ((byte: u8) => void) | null): void {
  state.fallback = consumer;
}

/** One byte of input, from any source. */
export function consoleInput(byte: u8): void {
  const consumer = state.consumer !== null ? state.consumer : state.fallback;
  if (consumer !== null) consumer(byte);
}
