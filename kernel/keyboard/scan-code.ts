// PS/2 scan codes to the bytes a terminal sends: the keyboard decoder. Pure (no imports):
// host-tested (tests/host/keyboard.test.ts). It reads scan code set 1, which is what the i8042
// delivers either way: a keyboard in set 2 with the controller translating (i8042.ts turns
// translation on), or a keyboard in set 1. IBM PC AT Technical Reference, "Keyboard scan codes";
// set 1 as in the Linux kernel's drivers/input/keyboard/atkbd.c tables.
//
// US layout; shift, caps lock, ctrl and alt (alt sends ESC before the key, as xterm's
// metaSendsEscape and the Linux console do); num lock for the keypad. A key held down repeats
// as more make codes with no break between them (typematic repeat): a character key gives its
// character again each time, while a lock key toggles only on its first make, and a modifier
// simply stays down. Cursor and editing keys give the sequences the Linux console sends:
// arrows ESC [ A-D, Home ESC [ 1 ~, Insert 2, Delete 3, End 4, Page Up 5, Page Down 6;
// F1-F4 ESC O P-S, F5-F12 ESC [ 15 ~ to 24 ~. Enter is CR and Backspace DEL, as from a terminal.

export const SCAN_CODE_OUTPUT_CAPACITY: i32 = 8;

// Set 1 make codes 0x00-0x39 (index = code), unshifted and shifted; "\0": not a character key.
const UNSHIFTED = "\0\x1b1234567890-=\x7f\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
const SHIFTED = "\0\x1b!@#$%^&*()_+\x7f\tQWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";
const CHARACTER_KEYS: u32 = 0x3a;

const PREFIX_EXTENDED: u8 = 0xe0;
const PREFIX_PAUSE: u8 = 0xe1;
const PAUSE_LENGTH: i32 = 5; // E1 then 1D 45 E1 9D C5
const BREAK: u8 = 0x80;

const LEFT_SHIFT: u8 = 0x2a;
const RIGHT_SHIFT: u8 = 0x36;
const CONTROL: u8 = 0x1d;
const ALT: u8 = 0x38;
const CAPS_LOCK: u8 = 0x3a;
const NUM_LOCK: u8 = 0x45;
const KEYPAD_FIRST: u8 = 0x47;
const KEYPAD_LAST: u8 = 0x53;
const KEYPAD_MINUS: u8 = 0x4a;
const KEYPAD_PLUS: u8 = 0x4e;
/** Keypad 0x47-0x53 with num lock on. */
const KEYPAD_DIGITS = "789-456+1230.";

const SHIFT_LEFT_DOWN: u32 = 1;
const SHIFT_RIGHT_DOWN: u32 = 2;
const CONTROL_DOWN: u32 = 4;
const ALT_DOWN: u32 = 8;
const CAPS_DOWN: u32 = 16;
const NUM_DOWN: u32 = 32;

export class ScanCodeDecoder {
  /** The bytes the last feed produced (`feed`'s result says how many). */
  readonly output: StaticArray<u8> = new StaticArray<u8>(SCAN_CODE_OUTPUT_CAPACITY);
  capsLock: bool = false;
  numLock: bool = false;
  private held: u32 = 0;
  private extended: bool = false;
  private pauseRemaining: i32 = 0;
  private length: i32 = 0;

  /** Takes one byte from the controller; returns how many bytes of `output` it produced. */
  feed(code: u8): i32 {
    this.length = 0;
    if (this.pauseRemaining > 0) {
      this.pauseRemaining--;
      return 0;
    }
    if (code == PREFIX_EXTENDED) {
      this.extended = true;
      return 0;
    }
    if (code == PREFIX_PAUSE) {
      this.pauseRemaining = PAUSE_LENGTH;
      this.extended = false;
      return 0;
    }
    const extended = this.extended;
    this.extended = false;
    const released = (code & BREAK) != 0;
    const key = code & ~BREAK;
    if (this.modifier(key, extended, released) || released) return 0;
    if (extended) this.extendedKey(key);
    else if (key == KEYPAD_MINUS || key == KEYPAD_PLUS) this.keypadSign(key);
    else if (key >= KEYPAD_FIRST && key <= KEYPAD_LAST) this.keypadKey(key);
    else if (key < CHARACTER_KEYS) this.characterKey(key);
    else this.functionKey(key);
    return this.length;
  }

  /** Shift, ctrl, alt and the locks: true when `key` was one. */
  private modifier(key: u8, extended: bool, released: bool): bool {
    let bit: u32 = 0;
    if (key == LEFT_SHIFT) bit = SHIFT_LEFT_DOWN;
    else if (key == RIGHT_SHIFT) bit = SHIFT_RIGHT_DOWN;
    else if (key == CONTROL) bit = CONTROL_DOWN;
    else if (key == ALT) bit = ALT_DOWN;
    else if (key == CAPS_LOCK && !extended) bit = CAPS_DOWN;
    else if (key == NUM_LOCK && !extended) bit = NUM_DOWN;
    else return false;
    // E0 2A and E0 36 are the "fake shifts" around Print Screen and the gray keys: not shift.
    if (extended && (bit == SHIFT_LEFT_DOWN || bit == SHIFT_RIGHT_DOWN)) return true;
    if (released) {
      this.held &= ~bit;
      return true;
    }
    if ((this.held & bit) == 0) { // the first make, not a typematic repeat
      if (bit == CAPS_DOWN) this.capsLock = !this.capsLock;
      if (bit == NUM_DOWN) this.numLock = !this.numLock;
    }
    this.held |= bit;
    return true;
  }

  private characterKey(key: u8): void {
    const shift = (this.held & (SHIFT_LEFT_DOWN | SHIFT_RIGHT_DOWN)) != 0;
    let character = <u32>(shift ? SHIFTED : UNSHIFTED).charCodeAt(key);
    if (character == 0) return;
    const letter = (character | 0x20) >= 0x61 && (character | 0x20) <= 0x7a;
    if (letter && this.capsLock) character ^= 0x20;
    if (this.held & CONTROL_DOWN) character = controlOf(character);
    this.altPrefix();
    this.put(<u8>character);
  }

  private keypadKey(key: u8): void {
    if (this.numLock) {
      this.altPrefix();
      this.put(<u8>KEYPAD_DIGITS.charCodeAt(key - KEYPAD_FIRST));
      return;
    }
    this.navigationKey(key);
  }

  private keypadSign(key: u8): void {
    this.altPrefix();
    this.put(key == KEYPAD_MINUS ? 0x2d : 0x2b);
  }

  private extendedKey(key: u8): void {
    if (key == 0x1c) { // keypad Enter
      this.altPrefix();
      this.put(0x0d);
    } else if (key == 0x35) { // keypad '/'
      this.altPrefix();
      this.put(0x2f);
    } else {
      this.navigationKey(key);
    }
  }

  /** The cursor and editing keys (gray, or keypad without num lock). */
  private navigationKey(key: u8): void {
    switch (key) {
      case 0x48: this.csi(0x41); break;           // up
      case 0x50: this.csi(0x42); break;           // down
      case 0x4d: this.csi(0x43); break;           // right
      case 0x4b: this.csi(0x44); break;           // left
      case 0x47: this.tilde(0x31, 0); break;      // home
      case 0x52: this.tilde(0x32, 0); break;      // insert
      case 0x53: this.tilde(0x33, 0); break;      // delete
      case 0x4f: this.tilde(0x34, 0); break;      // end
      case 0x49: this.tilde(0x35, 0); break;      // page up
      case 0x51: this.tilde(0x36, 0); break;      // page down
    }
  }

  private functionKey(key: u8): void {
    if (key >= 0x3b && key <= 0x3e) { // F1-F4: ESC O P-S
      this.altPrefix();
      this.put(0x1b);
      this.put(0x4f);
      this.put(<u8>(0x50 + key - 0x3b));
      return;
    }
    switch (key) {
      case 0x3f: this.tilde(0x31, 0x35); break;   // F5  ESC [ 15 ~
      case 0x40: this.tilde(0x31, 0x37); break;   // F6  17
      case 0x41: this.tilde(0x31, 0x38); break;   // F7  18
      case 0x42: this.tilde(0x31, 0x39); break;   // F8  19
      case 0x43: this.tilde(0x32, 0x30); break;   // F9  20
      case 0x44: this.tilde(0x32, 0x31); break;   // F10 21
      case 0x57: this.tilde(0x32, 0x33); break;   // F11 23
      case 0x58: this.tilde(0x32, 0x34); break;   // F12 24
    }
  }

  /** ESC [ final. */
  private csi(final: u8): void {
    this.altPrefix();
    this.put(0x1b);
    this.put(0x5b);
    this.put(final);
  }

  /** ESC [ first second ~ (second 0: none). */
  private tilde(first: u8, second: u8): void {
    this.altPrefix();
    this.put(0x1b);
    this.put(0x5b);
    this.put(first);
    if (second != 0) this.put(second);
    this.put(0x7e);
  }

  private altPrefix(): void {
    if (this.held & ALT_DOWN) this.put(0x1b);
  }

  private put(byte: u8): void {
    if (this.length < SCAN_CODE_OUTPUT_CAPACITY) unchecked(this.output[this.length++] = byte);
  }
}

/** What ctrl makes of `character`: letters and @ [ \ ] ^ _ space become C0 controls. */
function controlOf(character: u32): u32 {
  if ((character | 0x20) >= 0x61 && (character | 0x20) <= 0x7a) return character & 0x1f;
  if (character >= 0x40 && character <= 0x5f) return character & 0x1f; // @ [ \ ] ^ _
  if (character == 0x20) return 0;
  if (character == 0x2f || character == 0x2d) return 0x1f;         // ctrl-/ and ctrl-- as ctrl-_
  return character;
}
