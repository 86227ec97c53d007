// The screen and the keyboard on the real ISO: the console drawn on QEMU's standard VGA through
// the multiboot2 framebuffer under SeaBIOS (VBE, 1024x768) and OVMF (GOP, 800x600), compared
// pixel for pixel with the expected rendering of known text from the same font file (colours,
// cursor movement, erasing, scrolling, UTF-8 and the replacement glyph); keys pressed through
// QMP reach the console's input and their echo shows on the screen and on serial; the mapping
// is write-combining (the page entries' PAT bits as QEMU walks them, and the PAT itself).
// Without a framebuffer (GRUB's text mode) the console is drawn in VGA text mode, checked in
// video memory; and a q35 machine without an i8042 boots and says it has no PS/2 keyboard.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { withQemu, type Firmware, type QemuSession } from "../qemu-runner/runner";
import { consoleFont, difference, expectedScreen, readPpm, renderGrid, savePng, vgaCells } from "./screen";

const DRAWN_MESSAGE = "capsid: selftest: screen: drawn; type a line";
/** The scenario's escape sequences precede the log line on the same serial line. */
const DRAWN = /capsid: selftest: screen: drawn; type a line$/;
const TYPED = /^capsid: selftest: screen: line typed: /;
const FRAMEBUFFER = /^capsid: display: framebuffer (\d+)x(\d+), 32 bits per pixel, pitch (\d+), at 0x[0-9a-f]+, mapped write-combining at (0x[0-9a-f]+) \(PAT (0x[0-9a-f]{16})\); console (\d+)x(\d+) characters, font 8x16 Uni2-VGA16\.psf\.gz$/;

/** The log line (timestamp included, as the screen shows it) whose message is `message`. */
function rawLine(qemu: QemuSession, message: string): string {
  const line = qemu.serial.split("\n").find((candidate) => candidate.endsWith(message));
  assert.ok(line, `serial line ending ${JSON.stringify(message)}`);
  return /\[\s*\d+\.\d{3}\] capsid: .*$/.exec(line!)![0];
}

/** The page entries QEMU's monitor shows for [virtual, virtual + bytes): each must select PAT
 * entry 1 (PWT set, PCD and PAT clear), which the kernel made write-combining. */
async function assertWriteCombining(qemu: QemuSession, virtual: bigint, bytes: number, pat: bigint): Promise<void> {
  assert.is((pat >> 8n) & 0xffn, 1n, `PAT entry 1 is write-combining (01) in ${pat.toString(16)}`);
  assert.is(pat & 0xffn, 6n, "PAT entry 0 stays write-back");
  const tlb = await (await qemu.qmp()).monitor("info tlb");
  const pages = new Map<bigint, string>();
  for (const match of tlb.matchAll(/^([0-9a-f]{16}): [0-9a-f]{16} ([-A-Z]{9})\s*$/gm)) pages.set(BigInt(`0x${match[1]}`), match[2]);
  let checked = 0;
  for (let page = virtual & ~0xfffn; page < virtual + BigInt(bytes); page += 0x1000n) {
    const flags = pages.get(page);
    assert.ok(flags, `page ${page.toString(16)} of the framebuffer is mapped`);
    // info tlb's columns: X(no-execute) G P(PAT for 4 KiB pages) D A C(PCD) T(PWT) U W
    assert.is(flags![2], "-", `PAT bit clear at ${page.toString(16)} (${flags})`);
    assert.is(flags![5], "-", `PCD clear at ${page.toString(16)} (${flags})`);
    assert.is(flags![6], "T", `PWT set at ${page.toString(16)} (${flags})`);
    checked++;
  }
  assert.ok(checked >= bytes / 4096);
}

const screen = suite("screen and keyboard");

for (const [firmware, width, height] of [["seabios", 1024, 768], ["ovmf", 800, 600]] as [Firmware, number, number][]) {
  screen(`${firmware}, ${width}x${height}: the console on the framebuffer matches the font's rendering; keys reach the console; the mapping is write-combining`, async () => {
    await withQemu({ firmware, vga: true, qmp: true, gfxpayload: `${width}x${height}x32`, commandLine: "test=screen init=probe" }, async (qemu) => {
      const line = await qemu.expectLine(FRAMEBUFFER, 60_000);
      const [, w, h, pitch, virtual, pat, columns, rows] = FRAMEBUFFER.exec(line)!;
      assert.equal([Number(w), Number(h), Number(columns), Number(rows)], [width, height, width / 8, Math.floor(height / 16)]);
      await qemu.expectLine(DRAWN, 30_000);
      await assertWriteCombining(qemu, BigInt(virtual), Number(pitch) * height, BigInt(pat));

      const qmp = await qemu.qmp();
      await qmp.sendKeys([{ keys: ["h"] }, { keys: ["i"] }, { keys: ["left"] }, { keys: ["shift", "x"] }]);
      await qmp.sendKeys([{ keys: ["ret"] }]);
      await qemu.expectLine("hiX", 10_000); // the echo on serial: "hi", ESC [ D, "X", the new line
      const typed = await qemu.expectLine(TYPED, 10_000);
      assert.is(typed, "capsid: selftest: screen: line typed: hi?[DX", "the left arrow arrives as ESC [ D");

      const dump = join(qemu.directory, "screen.ppm");
      await qmp.execute("screendump", { filename: dump });
      const actual = readPpm(dump);
      const font = consoleFont();
      const grid = expectedScreen(Number(rows), Number(columns), rawLine(qemu, DRAWN_MESSAGE), "hX", rawLine(qemu, typed));
      const expected = renderGrid(grid, font, width, height);
      const { pixels, first } = difference(actual, expected, font.height);
      if (pixels !== 0) {
        const shown = [savePng(actual, `${firmware}-${width}x${height}-actual`), savePng(expected, `${firmware}-${width}x${height}-expected`)];
        assert.unreachable(`${pixels} pixels differ, the first at ${first}; see ${shown.join(" and ")}`);
      }
      qemu.send("q"); // the run ends at once: QMP might not answer a key press in time
      await qemu.expectLine("capsid: selftest: screen: passed");
      await qemu.expectExit("pass");
    });
  });
}

screen("no framebuffer (GRUB's text mode) on a q35 without an i8042: the console in VGA text mode, input from serial, and the log says why", async () => {
  await withQemu({ machine: "q35,i8042=off", vga: true, qmp: true, gfxpayload: "text", commandLine: "test=screen init=probe" }, async (qemu) => {
    await qemu.expectLine("capsid: display: no framebuffer (GRUB left VGA text mode); the console is drawn in VGA text mode, 80x25 characters at 0xb8000", 60_000);
    await qemu.expectLine(/^capsid: keyboard: no PS\/2 controller \(i8042\) answered: port 0x64 reads 0xff \(no controller\); keys come from the serial port only/);
    await qemu.expectLine(DRAWN, 30_000);
    qemu.send("hi\x1b[DX\r");
    await qemu.expectLine("hiX", 10_000);
    const typed = await qemu.expectLine(TYPED, 10_000);
    assert.is(typed, "capsid: selftest: screen: line typed: hi?[DX");
    const memory = await (await qemu.qmp()).monitor("xp /2000hx 0xb8000");
    const actual = [...memory.matchAll(/0x([0-9a-f]{4})\b(?!:)/g)].map((match) => parseInt(match[1], 16));
    const grid = expectedScreen(25, 80, rawLine(qemu, DRAWN_MESSAGE), "hX", rawLine(qemu, typed));
    const expected = vgaCells(grid);
    assert.is(actual.length, expected.length, "cells read from video memory");
    const wrong = actual.flatMap((value, index) => value === expected[index] ? [] :
      [`row ${Math.floor(index / 80)} column ${index % 80}: 0x${value.toString(16)}, expected 0x${expected[index].toString(16)}`]);
    assert.equal(wrong.slice(0, 5), [], `${wrong.length} cells differ`);
    qemu.send("q");
    await qemu.expectLine("capsid: selftest: screen: passed");
    await qemu.expectExit("pass");
  });
});

screen.run();
