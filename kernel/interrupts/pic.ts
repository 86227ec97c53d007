// The legacy 8259A PIC pair: remapped away from the exception vectors and fully masked; the
// APICs deliver every interrupt. Its spurious IRQ 7 and 15 can still arrive and are ignored
// (dispatch.ts). Initialisation words: Intel 8259A datasheet; ports are the PC standard.

import { portOut8 } from "../arch/hw";
import { VECTOR_PIC_BASE } from "./vectors";

const MASTER_COMMAND: u16 = 0x20;
const MASTER_DATA: u16 = 0x21;
const SLAVE_COMMAND: u16 = 0xa0;
const SLAVE_DATA: u16 = 0xa1;
const ICW1_INIT_WITH_ICW4: u8 = 0x11;
const ICW4_8086: u8 = 0x01;

export function picInit(): void {
  portOut8(MASTER_COMMAND, ICW1_INIT_WITH_ICW4);
  portOut8(SLAVE_COMMAND, ICW1_INIT_WITH_ICW4);
  portOut8(MASTER_DATA, <u8>VECTOR_PIC_BASE);        // ICW2: vector offsets
  portOut8(SLAVE_DATA, <u8>(VECTOR_PIC_BASE + 8));
  portOut8(MASTER_DATA, 0x04);                        // ICW3: slave on IRQ 2
  portOut8(SLAVE_DATA, 0x02);                         //       slave identity 2
  portOut8(MASTER_DATA, ICW4_8086);
  portOut8(SLAVE_DATA, ICW4_8086);
  portOut8(MASTER_DATA, 0xff);                        // mask everything
  portOut8(SLAVE_DATA, 0xff);
}
