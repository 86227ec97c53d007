// The PIT (Intel 8254) channel 2 as a reference for calibration: a one-shot countdown from
// 0xffff, read by latching its count, so elapsed time is known to one PIT tick (838 ns) at both
// ends of a window, whatever the polling latency. Channel 2's gate is bit 0 of port 0x61.

import { portIn8, portOut8 } from "../arch/hw";

export const PIT_HZ: u64 = 1_193_182;
const CHANNEL2: u16 = 0x42;
const COMMAND: u16 = 0x43;
const SYSTEM_CONTROL: u16 = 0x61;
const MODE0_CHANNEL2: u8 = 0xb0;  // channel 2, low then high byte, mode 0, binary
const LATCH_CHANNEL2: u8 = 0x80;
const GATE2: u8 = 0x01;
const SPEAKER: u8 = 0x02;

export function pitStart(): void {
  const control = portIn8(SYSTEM_CONTROL) & ~(GATE2 | SPEAKER);
  portOut8(SYSTEM_CONTROL, control);
  portOut8(COMMAND, MODE0_CHANNEL2);
  portOut8(CHANNEL2, 0xff);
  portOut8(CHANNEL2, 0xff);
  portOut8(SYSTEM_CONTROL, control | GATE2);
}

/** The current count (counting down from 0xffff). */
export function pitCount(): u32 {
  portOut8(COMMAND, LATCH_CHANNEL2);
  const low = <u32>portIn8(CHANNEL2);
  return low | (<u32>portIn8(CHANNEL2) << 8);
}
