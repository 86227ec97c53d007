// Reads the multiboot2 boot information through the direct map (its physical address is its
// linear-memory address). For now: the command line. Every tag is checked against the
// structure's total size; a malformed structure reads as "no command line", with a log line.
// multiboot2 specification 2.0, sections 3.6.1 (tags) and 3.6.2 (boot command line).

import { log } from "../log/log";

const TAG_END: u32 = 0;
const TAG_COMMAND_LINE: u32 = 1;
const MAXIMUM_TOTAL_SIZE: u32 = 0x10_0000;

/** The boot command line, or "" when there is none or the structure is malformed. */
export function bootCommandLine(information: usize): string {
  const total = load<u32>(information);
  if (total < 16 || total > MAXIMUM_TOTAL_SIZE) {
    log("boot information: total size out of range; ignoring it");
    return "";
  }
  let offset: u32 = 8;
  while (offset + 8 <= total) {
    const type = load<u32>(information + offset);
    const size = load<u32>(information + offset + 4);
    if (size < 8 || size > total - offset) {
      log("boot information: a tag overruns the structure; ignoring the rest");
      return "";
    }
    if (type == TAG_END) break;
    if (type == TAG_COMMAND_LINE) {
      // The string is NUL-terminated inside the tag; never read past the tag.
      let length: u32 = 0;
      while (<u32>8 + length < size && load<u8>(information + offset + 8 + length) != 0) length++;
      return String.UTF8.decodeUnsafe(information + offset + 8, length, false);
    }
    offset += (size + 7) & ~7;
  }
  return "";
}
