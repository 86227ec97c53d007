// A screen of character cells, as the console (console/screen.ts) draws on it: the framebuffer
// (framebuffer.ts) or the VGA text mode (vga-text.ts). display-init.ts picks one at boot.

export enum DisplayKind {
  /** Pixels: glyphs come from the console font (cells hold font glyph numbers). */
  Framebuffer = 0,
  /** The VGA text mode: the card draws from its own code page 437 ROM (cells hold CP437 bytes). */
  VgaText = 1,
}

/** A screen of `columns` x `rows` character cells. */
export abstract class Display {
  constructor(readonly kind: DisplayKind, readonly columns: i32, readonly rows: i32) {}

  /** Draws text row `row` from `columns` cells (console/terminal.ts's format) at `cells`, the
   * cell at `cursorColumn` (-1: none) as the cursor; the screen is written, never read. */
  abstract drawRow(row: i32, cells: usize, cursorColumn: i32): void;

  /** Where the cursor is, for a display that draws its own (the VGA's); no-op by default. */
  cursorAt(row: i32, column: i32, visible: bool): void {}
}

