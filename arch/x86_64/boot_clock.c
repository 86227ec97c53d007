/* The boot stopwatch (see boot_clock.h). PIT ports and modes: Intel 8254 datasheet; the
 * channel 2 gate and output are bits 0 and 5 of port 0x61 on PC-compatible machines. */
#include "boot_clock.h"
#include "cpu.h"

#define PIT_CHANNEL2       0x42
#define PIT_COMMAND        0x43
#define PC_SYSTEM_CONTROL  0x61
#define PIT_HZ             1193182u
#define PIT_MODE0_CHANNEL2 0xb0  /* channel 2, low then high byte, mode 0, binary */
#define PIT_LATCH_CHANNEL2 0x80
#define GATE2              0x01
#define SPEAKER            0x02
#define OUT2               0x20

static struct {
  uint64_t start_tsc;
  uint64_t tsc_per_millisecond;   /* 0 until the fallback has measured it */
} boot_clock;

static void pit_one_shot(uint16_t count) {
  uint8_t control = port_in8(PC_SYSTEM_CONTROL) & (uint8_t)~(GATE2 | SPEAKER);
  port_out8(PC_SYSTEM_CONTROL, control);
  port_out8(PIT_COMMAND, PIT_MODE0_CHANNEL2);
  port_out8(PIT_CHANNEL2, (uint8_t)count);
  port_out8(PIT_CHANNEL2, (uint8_t)(count >> 8));
  port_out8(PC_SYSTEM_CONTROL, control | GATE2);
}

static uint16_t pit_read(void) {
  port_out8(PIT_COMMAND, PIT_LATCH_CHANNEL2);
  uint8_t low = port_in8(PIT_CHANNEL2);
  uint8_t high = port_in8(PIT_CHANNEL2);
  return (uint16_t)(low | (high << 8));
}

static int pit_expired(void) { return (port_in8(PC_SYSTEM_CONTROL) & OUT2) != 0; }

void boot_clock_start(void) {
  boot_clock.start_tsc = read_tsc();
  pit_one_shot(0xffff);
}

uint64_t boot_clock_nanos(void) {
  if (!pit_expired()) {
    uint64_t ticks = 0xffffu - pit_read();
    return ticks * 1000000000ull / PIT_HZ;
  }
  if (boot_clock.tsc_per_millisecond == 0) {
    /* 10 ms window: 11932 ticks. Bounded: a PIT that never expires ends the wait. */
    uint64_t before = read_tsc();
    pit_one_shot(11932);
    for (uint32_t spins = 0; !pit_expired() && spins < 100000000u; spins++) {}
    uint64_t cycles = read_tsc() - before;
    boot_clock.tsc_per_millisecond = cycles / 10 ? cycles / 10 : 1;
  }
  return (read_tsc() - boot_clock.start_tsc) * 1000000ull / boot_clock.tsc_per_millisecond;
}
