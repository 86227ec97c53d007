// The screen the console draws on: the multiboot2 framebuffer (VBE on a BIOS boot, GOP on a UEFI
// boot), or the VGA text mode when GRUB left the machine in it, or nothing. displayInit decides
// from the boot information and says which in the log; console/screen.ts then draws rows of text
// through the Display it returns. Called once, after the kernel's page tables exist (the screen
// is mapped into the MMIO window).

import { BootInformation, FramebufferType } from "../boot/multiboot2";
import { logEnd, LogLevel, logLine } from "../log/log";
import { Display } from "./display";
import { FramebufferDisplay } from "./framebuffer";
import { VgaTextDisplay } from "./vga-text";

/** The display the boot information describes, mapped and cleared; null (logged) when there is
 * none the console can use. */
export function displayInit(information: BootInformation): Display | null {
  const framebuffer = information.framebuffer;
  if (framebuffer === null) {
    logLine().text("display: no framebuffer from the boot loader; the console is on the serial port only");
    logEnd();
    return null;
  }
  if (framebuffer.type == FramebufferType.EgaText) {
    const display = VgaTextDisplay.create(framebuffer);
    if (display !== null) {
      logLine().text("display: no framebuffer (GRUB left VGA text mode); the console is drawn in VGA text mode, ")
        .decimal(display.columns).text("x").decimal(display.rows).text(" characters at ").hex(framebuffer.address);
    } else {
      logLine().text("display: no framebuffer and no VGA text memory answering at ").hex(framebuffer.address)
        .text("; the console is on the serial port only");
    }
    logEnd();
    return display;
  }
  const display = FramebufferDisplay.create(framebuffer);
  if (display === null) {
    logLine(LogLevel.Warning).text("display: framebuffer ").decimal(framebuffer.width).text("x").decimal(framebuffer.height)
      .text(" type ").decimal(framebuffer.type).text(", ").decimal(framebuffer.bitsPerPixel).text(" bits per pixel: ")
      .text(FramebufferDisplay.lastProblem()).text("; the console is on the serial port only");
    logEnd();
  }
  return display;
}
