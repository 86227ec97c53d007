// A 16550 UART for output only, by polling (kernel/drivers/): the second serial port, COM2, on
// which the packet capture (net/phy/capture.ts) writes. Set up as arch/x86_64/serial.c sets up
// COM1 (115200 baud, 8 data bits, no parity, one stop bit, FIFOs on), with no interrupt. COM1
// stays the C side's and the console's (console/serial-input.ts).
//
// Registers (offsets from the base port): 0 data (divisor low with DLAB), 1 interrupt enable
// (divisor high with DLAB), 2 FIFO control, 3 line control (bit 7 DLAB), 4 modem control,
// 5 line status (bit 5: the transmit FIFO is empty), 7 scratch.

import { portIn8, portOut8 } from "../../arch/hw";

export const COM2: u16 = 0x2f8;
const DATA: u16 = 0;
const INTERRUPT_ENABLE: u16 = 1;
const FIFO_CONTROL: u16 = 2;
const LINE_CONTROL: u16 = 3;
const MODEM_CONTROL: u16 = 4;
const LINE_STATUS: u16 = 5;
const SCRATCH: u16 = 7;
const LINE_STATUS_TRANSMIT_EMPTY: u8 = 0x20;
/** The 16550's transmit FIFO: this many bytes may follow one "empty" reading. */
const FIFO_BYTES: u32 = 16;
/** Status reads before a write goes ahead anyway (a UART that never says empty must not hang
 * the kernel; serial.c bounds its wait the same way). */
const SPINS: u32 = 100_000;

export class Uart {
  private constructor(readonly port: u16) {}

  /** The UART at `port`, set up; null when none answers (its scratch register does not keep a
   * value: a missing port reads 0xff). */
  static create(port: u16): Uart | null {
    portOut8(port + SCRATCH, 0x5a);
    if (portIn8(port + SCRATCH) != 0x5a) return null;
    portOut8(port + SCRATCH, 0xa5);
    if (portIn8(port + SCRATCH) != 0xa5) return null;
    portOut8(port + INTERRUPT_ENABLE, 0x00);
    portOut8(port + LINE_CONTROL, 0x80);    // divisor latch: 115200 baud
    portOut8(port + DATA, 0x01);
    portOut8(port + INTERRUPT_ENABLE, 0x00);
    portOut8(port + LINE_CONTROL, 0x03);    // 8 data bits, no parity, 1 stop bit
    portOut8(port + FIFO_CONTROL, 0xc7);    // FIFOs on and cleared
    portOut8(port + MODEM_CONTROL, 0x03);
    return new Uart(port);
  }

  /** Writes `length` bytes at `address` as they are (no newline translation: binary data), a
   * FIFO's worth after each "transmit empty". */
  write(address: usize, length: u32): void {
    for (let done: u32 = 0; done < length; ) {
      for (let spins: u32 = 0; spins < SPINS; spins++) if ((portIn8(this.port + LINE_STATUS) & LINE_STATUS_TRANSMIT_EMPTY) != 0) break;
      const end = min(done + FIFO_BYTES, length);
      for (; done < end; done++) portOut8(this.port + DATA, load<u8>(address + <usize>done));
    }
  }
}
