/* COM1 output by polling, for the C glue: early boot messages and every panic report (a fault
 * or trap never re-enters AssemblyScript). The kernel's log goes through the same writer via
 * the hw.serialWrite import.
 */
#ifndef CAPSID_SERIAL_H
#define CAPSID_SERIAL_H

#include <stdint.h>

void serial_init(void);
void serial_write(const char* bytes, uint64_t length);
void serial_print(const char* text);
void serial_print_hex(uint64_t value);      /* 0x followed by 16 digits */
void serial_print_decimal(uint64_t value);

#endif
