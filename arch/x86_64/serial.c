/* COM1 (16550 UART) by polling: see serial.h. Lines end in CR LF for terminals. */
#include "serial.h"
#include "cpu.h"
#include "layout.h"

#define UART_DATA          0
#define UART_INTERRUPTS    1
#define UART_FIFO          2
#define UART_LINE_CONTROL  3
#define UART_MODEM_CONTROL 4
#define UART_LINE_STATUS   5
#define LINE_STATUS_TRANSMIT_EMPTY 0x20

void serial_init(void) {
  port_out8(COM1_PORT + UART_INTERRUPTS, 0x00);
  port_out8(COM1_PORT + UART_LINE_CONTROL, 0x80);  /* divisor latch: 115200 baud */
  port_out8(COM1_PORT + UART_DATA, 0x01);
  port_out8(COM1_PORT + UART_INTERRUPTS, 0x00);
  port_out8(COM1_PORT + UART_LINE_CONTROL, 0x03);  /* 8 data bits, no parity, 1 stop bit */
  port_out8(COM1_PORT + UART_FIFO, 0xc7);          /* FIFOs on and cleared */
  port_out8(COM1_PORT + UART_MODEM_CONTROL, 0x03);
}

/* A missing UART reads 0xff from every port: nothing is written to it then. */
static int absent = -1;

static void put(char byte) {
  if (absent < 0) absent = port_in8(COM1_PORT + UART_LINE_STATUS) == 0xff;
  if (absent) return;
  /* The transmitter empties at the line's pace, or at the host's under QEMU, which stalls while
   * the host side of the serial port is not read (a loaded machine): a short bound dropped bytes
   * mid-line then. Bounded still (a UART that never empties must not hang a panic report), but
   * by seconds, not a fraction of one. */
  for (uint32_t spins = 0; spins < 50000000; spins++)
    if (port_in8(COM1_PORT + UART_LINE_STATUS) & LINE_STATUS_TRANSMIT_EMPTY) break;
  port_out8(COM1_PORT + UART_DATA, (uint8_t)byte);
}

void serial_write(const char* bytes, uint64_t length) {
  for (uint64_t i = 0; i < length; i++) {
    if (bytes[i] == '\n') put('\r');
    put(bytes[i]);
  }
}

void serial_print(const char* text) {
  while (*text) {
    if (*text == '\n') put('\r');
    put(*text++);
  }
}

void serial_print_hex(uint64_t value) {
  char digits[18] = {'0', 'x'};
  for (int i = 0; i < 16; i++) digits[17 - i] = "0123456789abcdef"[(value >> (4 * i)) & 15];
  serial_write(digits, sizeof digits);
}

void serial_print_decimal(uint64_t value) {
  char digits[20];
  int count = 0;
  do {
    digits[19 - count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  serial_write(digits + 20 - count, (uint64_t)count);
}
