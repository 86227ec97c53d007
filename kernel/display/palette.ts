// The console's 16 colours (ANSI 0-7, bright 8-15) as a framebuffer stores them. Pure: host-
// tested. The RGB values are the IBM VGA's text palette (VGA BIOS default DAC values, 6 bits
// each, scaled to 8: 0x2a -> 0xaa, 0x15 -> 0x55), in ANSI order (red is 1, blue 4), which the
// tests render expected screens with (tests/qemu/screen.ts).

export const PALETTE_COLOURS: i32 = 16;

/** 0xRRGGBB of each ANSI colour. */
export const PALETTE_RGB: StaticArray<u32> = [
  0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
  0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
];

/** ANSI colour to VGA attribute colour (the VGA's order is blue 1, red 4, ...). */
export const ANSI_TO_VGA: StaticArray<u8> = [0, 4, 2, 6, 1, 5, 3, 7, 8, 12, 10, 14, 9, 13, 11, 15];

/** `rgb` (0xRRGGBB) as a pixel whose colour fields lie at the given bit positions and sizes
 * (multiboot2 RGB colour information). Sizes above 8 are treated as 8. */
export function pixelOf(rgb: u32, redPosition: u32, redSize: u32, greenPosition: u32, greenSize: u32,
                        bluePosition: u32, blueSize: u32): u32 {
  return field((rgb >> 16) & 0xff, redPosition, redSize) | field((rgb >> 8) & 0xff, greenPosition, greenSize)
    | field(rgb & 0xff, bluePosition, blueSize);
}

function field(value: u32, position: u32, size: u32): u32 {
  if (size == 0 || position >= 32) return 0;
  const bits = size > 8 ? 8 : size;
  return (value >> (8 - bits)) << position;
}
