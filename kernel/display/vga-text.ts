// The VGA text mode display: what the console draws on when GRUB left the machine in text mode
// (a multiboot2 framebuffer tag of type EGA text, 80x25 at 0xb8000). Each cell is a code page 437
// byte and an attribute byte (background << 4 | foreground, in the VGA's colour order); a row is
// written with one hw.mmioCopy, never read back. The card draws the cursor (CRTC registers 0x0e
// and 0x0f: its position, 0x0a bit 5: off). Without a VGA the memory does not keep what is
// written: create() checks that and gives up.

import { mmioCopy, mmioRead32, mmioWrite32, portOut8 } from "../arch/hw";
import { Framebuffer } from "../boot/multiboot2";
import { mmioMap } from "../memory/mmio";
import { Display, DisplayKind } from "./display";
import { ANSI_TO_VGA } from "./palette";

const CRTC_INDEX: u16 = 0x3d4;
const CRTC_DATA: u16 = 0x3d5;
const CRTC_CURSOR_START: u8 = 0x0a;
const CRTC_CURSOR_HIGH: u8 = 0x0e;
const CRTC_CURSOR_LOW: u8 = 0x0f;
const CURSOR_OFF: u8 = 0x20;
const CURSOR_LINES: u8 = 0x0d; // underline cursor: scan lines 13-14 (start 13, the card's end)
const MAXIMUM_CELLS: u32 = 16384;
const PROBE_PATTERN: u32 = 0x5aa5_0f70;

export class VgaTextDisplay extends Display {
  /** Maps the text buffer uncached and checks that it keeps what is written; null if not. */
  static create(framebuffer: Framebuffer): VgaTextDisplay | null {
    const columns = framebuffer.width, rows = framebuffer.height;
    if (columns == 0 || rows == 0 || columns * rows > MAXIMUM_CELLS || framebuffer.pitch != columns * 2) return null;
    const virtual = mmioMap(framebuffer.address, <u64>columns * rows * 2);
    if (virtual == 0) return null;
    mmioWrite32(virtual, PROBE_PATTERN);
    const first = mmioRead32(virtual);
    mmioWrite32(virtual, ~PROBE_PATTERN);
    if (first != PROBE_PATTERN || mmioRead32(virtual) != ~PROBE_PATTERN) return null;
    return new VgaTextDisplay(<i32>columns, <i32>rows, virtual);
  }

  private readonly virtual: u64;
  private readonly row: StaticArray<u16>;
  private cursorShown: bool = true;

  private constructor(columns: i32, rows: i32, virtual: u64) {
    super(DisplayKind.VgaText, columns, rows);
    this.virtual = virtual;
    this.row = new StaticArray<u16>(columns);
  }

  drawRow(row: i32, cells: usize, cursorColumn: i32): void {
    if (row < 0 || row >= this.rows) return;
    const buffer = changetype<usize>(this.row);
    for (let column = 0; column < this.columns; column++) {
      const cell = load<u32>(cells + (<usize>column << 2));
      const foreground = unchecked(ANSI_TO_VGA[(cell >> 16) & 15]);
      const background = unchecked(ANSI_TO_VGA[(cell >> 20) & 15]);
      store<u16>(buffer + (<usize>column << 1), <u16>(cell & 0xff) | (<u16>(background << 4 | foreground) << 8));
    }
    mmioCopy(this.virtual + <u64>row * <u64>this.columns * 2, buffer, <usize>this.columns << 1);
  }

  cursorAt(row: i32, column: i32, visible: bool): void {
    if (visible != this.cursorShown) {
      this.cursorShown = visible;
      portOut8(CRTC_INDEX, CRTC_CURSOR_START);
      portOut8(CRTC_DATA, visible ? CURSOR_LINES : CURSOR_OFF);
    }
    const position = <u32>(row * this.columns + column);
    portOut8(CRTC_INDEX, CRTC_CURSOR_HIGH);
    portOut8(CRTC_DATA, <u8>(position >> 8));
    portOut8(CRTC_INDEX, CRTC_CURSOR_LOW);
    portOut8(CRTC_DATA, <u8>position);
  }
}
