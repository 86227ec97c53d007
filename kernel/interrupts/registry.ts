// The interrupt vector registry: drivers and subsystems register a handler for a fixed vector
// (vectors.ts) or take one from the dynamic range (MSI-X, PCI INTx lines); kernelInterrupt
// (main.ts) dispatches every vector from 32 up here, with interrupts masked. A handler runs to
// completion and sends its own end-of-interrupt. Spurious interrupts (the APIC's, the masked
// PIC's IRQ 7 and 15) are counted and get no EOI, as the SDM and the 8259A datasheet require.

import { KernelError } from "../../abi/errors";
import { logEnd, LogLevel, logLine } from "../log/log";
import { localApicEndOfInterrupt } from "./local-apic";
import {
  VECTOR_APIC_SPURIOUS, VECTOR_DYNAMIC_FIRST, VECTOR_DYNAMIC_LAST, VECTOR_PIC_MASTER_SPURIOUS, VECTOR_PIC_SLAVE_SPURIOUS,
} from "./vectors";

/** Handles one interrupt on `vector`; must send the local APIC its end-of-interrupt. */
export type InterruptHandler = (vector: u32) => void;

const VECTORS: i32 = 256;
/** Unexpected vectors logged, at most: a stuck line must not flood the console. */
const UNEXPECTED_LOGGED: u64 = 8;

class RegistryState {
  handlers: StaticArray<InterruptHandler | null> = new StaticArray<InterruptHandler | null>(VECTORS);
  names: StaticArray<string | null> = new StaticArray<string | null>(VECTORS);
  spurious: u64 = 0;
  unexpected: u64 = 0;
}
const state = new RegistryState();

/** Registers `handler` for the fixed `vector`. InvalidArgument for a CPU exception vector or a
 * spurious one; AlreadyMapped when another handler has it. */
export function interruptRegister(vector: u32, name: string, handler: InterruptHandler): KernelError {
  if (vector < 32 || vector >= <u32>VECTORS || isSpurious(vector)) return KernelError.InvalidArgument;
  if (unchecked(state.handlers[vector]) !== null) return KernelError.AlreadyMapped;
  unchecked(state.handlers[vector] = handler);
  unchecked(state.names[vector] = name);
  return KernelError.None;
}

/** Registers `handler` on a free vector of the dynamic range; returns the vector, or 0 when the
 * range is full. */
export function interruptAllocate(name: string, handler: InterruptHandler): u32 {
  for (let vector = VECTOR_DYNAMIC_FIRST; vector <= VECTOR_DYNAMIC_LAST; vector++) {
    if (interruptRegister(vector, name, handler) == KernelError.None) return vector;
  }
  return 0;
}

/** What is registered on `vector` (for logs), or null. */
export function interruptName(vector: u32): string | null {
  return vector < <u32>VECTORS ? unchecked(state.names[vector]) : null;
}

/** From kernelInterrupt, for every vector from 32 up. */
export function interruptDispatch(vector: u32): void {
  if (isSpurious(vector)) {
    state.spurious++;
    return;
  }
  const handler = vector < <u32>VECTORS ? unchecked(state.handlers[vector]) : null;
  if (handler !== null) {
    handler(vector);
    return;
  }
  if (state.unexpected++ < UNEXPECTED_LOGGED) {
    logLine(LogLevel.Warning).text("interrupts: unexpected vector ").decimal(vector);
    logEnd();
  }
  localApicEndOfInterrupt();
}

export function spuriousInterrupts(): u64 {
  return state.spurious;
}

@inline function isSpurious(vector: u32): bool {
  return vector == VECTOR_APIC_SPURIOUS || vector == VECTOR_PIC_MASTER_SPURIOUS || vector == VECTOR_PIC_SLAVE_SPURIOUS;
}
