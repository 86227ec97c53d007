// The CMOS real-time clock (MC146818 registers, as every PC and QEMU's `-rtc` provide them), read
// once at boot for the wall clock (wall-clock.ts). Index port 0x70, data port 0x71; registers:
// 0x00 seconds, 0x02 minutes, 0x04 hours, 0x07 day, 0x08 month, 0x09 year, 0x0a status A (bit 7:
// update in progress), 0x0b status B (bit 2: binary, not BCD; bit 1: 24-hour), 0x32 century
// (the register ACPI's FADT names on QEMU and most PCs). A read is taken twice, outside an
// update, until both agree. civilToUnixSeconds is pure (tests/host/rtc.test.ts).

import { portIn8, portOut8 } from "../arch/hw";

const INDEX_PORT: u16 = 0x70;
const DATA_PORT: u16 = 0x71;
const REGISTER_SECONDS: u8 = 0x00;
const REGISTER_MINUTES: u8 = 0x02;
const REGISTER_HOURS: u8 = 0x04;
const REGISTER_DAY: u8 = 0x07;
const REGISTER_MONTH: u8 = 0x08;
const REGISTER_YEAR: u8 = 0x09;
const REGISTER_STATUS_A: u8 = 0x0a;
const REGISTER_STATUS_B: u8 = 0x0b;
const REGISTER_CENTURY: u8 = 0x32;
const STATUS_A_UPDATE_IN_PROGRESS: u8 = 0x80;
const STATUS_B_BINARY: u8 = 0x04;
const STATUS_B_24_HOUR: u8 = 0x02;
const HOUR_PM: u8 = 0x80;
/** Bounds on waiting: an update lasts under 2 ms; a clock that never settles is reported. */
const UPDATE_POLLS: i32 = 100_000;
const READ_ATTEMPTS: i32 = 8;

/** Seconds since 1970-01-01 00:00:00 UTC of a civil date and time, or -1 when a field is out of
 * range (month 1-12, day 1 to the month's length, hour 0-23, minute and second 0-59, year
 * 1970-9999). Howard Hinnant's days-from-civil, in integers. */
export function civilToUnixSeconds(year: i32, month: i32, day: i32, hour: i32, minute: i32, second: i32): i64 {
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || hour < 0 || hour > 23 || minute < 0 || minute > 59
      || second < 0 || second > 59 || day < 1 || day > daysInMonth(year, month)) return -1;
  const y = month <= 2 ? year - 1 : year;
  const era = y / 400;
  const yearOfEra = y - era * 400;
  const dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  const days = <i64>era * 146097 + <i64>dayOfEra - 719468;
  return days * 86400 + <i64>hour * 3600 + <i64>minute * 60 + <i64>second;
}

/** A civil date and time (UTC). */
export class CivilTime {
  year: i32 = 1970;
  month: i32 = 1;
  day: i32 = 1;
  hour: i32 = 0;
  minute: i32 = 0;
  second: i32 = 0;
}

/** The civil date and time of `seconds` (>= 0) since 1970, written into `into`: the inverse of
 * civilToUnixSeconds (Hinnant's civil-from-days). */
export function unixSecondsToCivil(seconds: i64, into: CivilTime): CivilTime {
  const days = seconds / 86400, rest = <i32>(seconds % 86400);
  const z = days + 719468;
  const era = z / 146097;
  const dayOfEra = <i32>(z - era * 146097);
  const yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const monthIndex = (5 * dayOfYear + 2) / 153;
  into.day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
  into.month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  into.year = yearOfEra + <i32>era * 400 + (into.month <= 2 ? 1 : 0);
  into.hour = rest / 3600;
  into.minute = rest / 60 % 60;
  into.second = rest % 60;
  return into;
}

function daysInMonth(year: i32, month: i32): i32 {
  if (month == 2) return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

function read(register: u8): u8 {
  portOut8(INDEX_PORT, register);
  return portIn8(DATA_PORT);
}

/** A register's value: binary, or two BCD digits. */
function decode(value: u8, binary: bool): i32 {
  return binary ? <i32>value : <i32>(value >> 4) * 10 + <i32>(value & 0x0f);
}

/** The RTC's time as Unix seconds, or -1 when it never settled or holds an impossible date. */
export function rtcReadUnixSeconds(): i64 {
  let previous: i64 = -2;
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    let polls = 0;
    while ((read(REGISTER_STATUS_A) & STATUS_A_UPDATE_IN_PROGRESS) != 0) if (++polls == UPDATE_POLLS) return -1;
    const seconds = read(REGISTER_SECONDS), minutes = read(REGISTER_MINUTES), hours = read(REGISTER_HOURS);
    const day = read(REGISTER_DAY), month = read(REGISTER_MONTH), year = read(REGISTER_YEAR);
    const century = read(REGISTER_CENTURY), status = read(REGISTER_STATUS_B);
    const binary = (status & STATUS_B_BINARY) != 0;
    let hour = decode(hours & ~HOUR_PM, binary);
    if ((status & STATUS_B_24_HOUR) == 0) {   // 12-hour: 12 AM is 0, 12 PM is 12
      hour = hour % 12;
      if ((hours & HOUR_PM) != 0) hour += 12;
    }
    let fullYear = decode(year, binary);
    const centuryValue = decode(century, binary);
    fullYear += centuryValue >= 19 && centuryValue <= 99 ? centuryValue * 100 : 2000;
    const now = civilToUnixSeconds(fullYear, decode(month, binary), decode(day, binary), hour, decode(minutes, binary), decode(seconds, binary));
    if (now == previous) return now;
    previous = now;
  }
  return -1;
}
