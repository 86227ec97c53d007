// Interrupt dispatch: arch/x86_64/interrupts.c calls kernelInterrupt(vector) for every vector
// from 32 up, with interrupts masked; this runs to completion and returns. Spurious interrupts
// (the APIC's, the masked PIC's IRQ 7 and 15) are counted and get no end-of-interrupt, as the
// SDM and the 8259A datasheet require.

import { serialInputInterrupt } from "../console/serial-input";
import { logEnd, LogLevel, logLine } from "../log/log";
import { schedulerTick } from "../sched/scheduler";
import { timeoutsExpire } from "../sched/timeouts";
import { tickInterrupt } from "../time/tick";
import { localApicEndOfInterrupt } from "./local-apic";
import { VECTOR_APIC_SPURIOUS, VECTOR_PIC_MASTER_SPURIOUS, VECTOR_PIC_SLAVE_SPURIOUS, VECTOR_SERIAL, VECTOR_TIMER } from "./vectors";

class DispatchState {
  spurious: u64 = 0;
  unexpected: u64 = 0;
}
const state = new DispatchState();

export function interruptDispatch(vector: u32): void {
  if (vector == VECTOR_TIMER) {
    tickInterrupt();
    schedulerTick();     // the running thread's turn is over
    timeoutsExpire();    // sleeps and cap_enter timeouts that are due
  } else if (vector == VECTOR_SERIAL) {
    serialInputInterrupt();
  } else if (vector == VECTOR_APIC_SPURIOUS || vector == VECTOR_PIC_MASTER_SPURIOUS || vector == VECTOR_PIC_SLAVE_SPURIOUS) {
    state.spurious++;
  } else {
    if (state.unexpected++ < 8) {
      logLine(LogLevel.Warning).text("interrupts: unexpected vector ").decimal(vector);
      logEnd();
    }
    localApicEndOfInterrupt();
  }
}

export function spuriousInterrupts(): u64 {
  return state.spurious;
}
