// The framebuffer display: the console drawn in pixels with the console font. The framebuffer
// is mapped write-combining (PAT entry 1, memory/pat.ts) and only ever written: each text row is
// rendered into a RAM buffer as wide as the framebuffer's pitch (glyph-renderer.ts) and copied
// out with one hw.mmioCopy, so scrolling redraws rows from the text in RAM instead of reading
// video memory back (slow enough on a real PC to take seconds a screen). RGB framebuffers of 32,
// 24, 16 or 15 bits a pixel; an indexed one is refused.

import { mmioCopy } from "../arch/hw";
import { Framebuffer, FramebufferType } from "../boot/multiboot2";
import { logEnd, logLine } from "../log/log";
import { Caching, mmioLastError, mmioMap } from "../memory/mmio";
import { patRegister, patWriteCombining } from "../memory/pat";
import { kernelErrorName } from "../../abi/errors";
import { Display, DisplayKind } from "./display";
import { FONT_HEIGHT, FONT_NAME, FONT_WIDTH } from "./font";
import { renderRow32, renderRowBytes } from "./glyph-renderer";
import { PALETTE_COLOURS, PALETTE_RGB, pixelOf } from "./palette";

/** The largest framebuffer mapped (the MMIO window maps at most 64 MiB at once). */
const MAXIMUM_BYTES: u64 = 64 << 20;

class FramebufferState {
  problem: string = "";
}
const state = new FramebufferState();

export class FramebufferDisplay extends Display {
  /** Why the last create() returned null. */
  static lastProblem(): string {
    return state.problem;
  }

  /** Maps and clears `framebuffer`, and logs it; null (lastProblem says why) when it cannot be used. */
  static create(framebuffer: Framebuffer): FramebufferDisplay | null {
    const bitsPerPixel = <u32>framebuffer.bitsPerPixel;
    const bytesPerPixel = (bitsPerPixel + 7) / 8;
    const size = <u64>framebuffer.pitch * <u64>framebuffer.height;
    if (framebuffer.type != FramebufferType.Rgb) return refuse("not an RGB framebuffer");
    if (bitsPerPixel != 32 && bitsPerPixel != 24 && bitsPerPixel != 16 && bitsPerPixel != 15) return refuse("pixel size not supported");
    if (framebuffer.width < <u32>FONT_WIDTH || framebuffer.height < <u32>FONT_HEIGHT) return refuse("smaller than one character");
    if (<u64>framebuffer.pitch < <u64>framebuffer.width * bytesPerPixel || size > MAXIMUM_BYTES) return refuse("pitch or size out of range");
    const virtual = mmioMap(framebuffer.address, size, Caching.WriteCombining);
    if (virtual == 0) return refuse(kernelErrorName(mmioLastError()));
    const display = new FramebufferDisplay(framebuffer, virtual, bytesPerPixel);
    display.clear();
    logLine().text("display: framebuffer ").decimal(framebuffer.width).text("x").decimal(framebuffer.height).text(", ")
      .decimal(bitsPerPixel).text(" bits per pixel, pitch ").decimal(framebuffer.pitch).text(", at ").hex(framebuffer.address)
      .text(", mapped ").text(patWriteCombining() ? "write-combining" : "uncached (no PAT)").text(" at ").hex(virtual)
      .text(" (PAT ").hex(patRegister(), 16).text("); console ").decimal(display.columns).text("x").decimal(display.rows)
      .text(" characters, font ").decimal(FONT_WIDTH).text("x").decimal(FONT_HEIGHT).text(" ").text(FONT_NAME);
    logEnd();
    return display;
  }

  /** Where the framebuffer is mapped (its first byte). */
  readonly virtual: u64;
  private readonly pitch: u32;
  private readonly height: u32;
  private readonly bytesPerPixel: u32;
  /** One text row of pixels, FONT_HEIGHT lines of `pitch` bytes: what one mmioCopy writes. */
  private readonly rowPixels: StaticArray<u8>;
  /** The 16 colours as this framebuffer stores them. */
  private readonly pixels: StaticArray<u32> = new StaticArray<u32>(PALETTE_COLOURS);

  private constructor(framebuffer: Framebuffer, virtual: u64, bytesPerPixel: u32) {
    super(DisplayKind.Framebuffer, <i32>(framebuffer.width / <u32>FONT_WIDTH), <i32>(framebuffer.height / <u32>FONT_HEIGHT));
    this.virtual = virtual;
    this.pitch = framebuffer.pitch;
    this.height = framebuffer.height;
    this.bytesPerPixel = bytesPerPixel;
    this.rowPixels = new StaticArray<u8>(<i32>framebuffer.pitch * FONT_HEIGHT);
    for (let i = 0; i < PALETTE_COLOURS; i++) {
      unchecked(this.pixels[i] = pixelOf(unchecked(PALETTE_RGB[i]), framebuffer.redPosition, framebuffer.redSize,
        framebuffer.greenPosition, framebuffer.greenSize, framebuffer.bluePosition, framebuffer.blueSize));
    }
  }

  drawRow(row: i32, cells: usize, cursorColumn: i32): void {
    if (row < 0 || row >= this.rows) return;
    const buffer = changetype<usize>(this.rowPixels);
    const pixels = changetype<usize>(this.pixels);
    if (this.bytesPerPixel == 4) renderRow32(buffer, this.pitch, cells, this.columns, cursorColumn, pixels);
    else renderRowBytes(buffer, this.pitch, cells, this.columns, cursorColumn, pixels, this.bytesPerPixel);
    const bytes = <usize>this.pitch * <usize>FONT_HEIGHT;
    mmioCopy(this.virtual + <u64>row * <u64>bytes, buffer, bytes);
  }

  /** Blacks out the whole framebuffer (the buffer is still all zeros). */
  private clear(): void {
    const bandBytes = <u64>this.pitch * <u64>FONT_HEIGHT;
    const total = <u64>this.pitch * <u64>this.height;
    const buffer = changetype<usize>(this.rowPixels);
    for (let offset: u64 = 0; offset < total; offset += bandBytes) {
      const length = total - offset < bandBytes ? total - offset : bandBytes;
      mmioCopy(this.virtual + offset, buffer, <usize>length);
    }
  }
}

function refuse(problem: string): FramebufferDisplay | null {
  state.problem = problem;
  return null;
}
