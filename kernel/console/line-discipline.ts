// The console's line discipline (docs/linux.md, "The console as a tty"): what Linux's N_TTY does
// between the keyboard and a reader, under a termios a program may change. In canonical mode
// (ICANON) typed bytes are edited in a line (erase, kill ^U, word erase ^W) that becomes readable
// at a newline or EOF (^D), one line per read; otherwise bytes are readable as they come, per
// VMIN and VTIME. ISIG turns ^C, ^\ and ^Z into signals for the foreground process group; ECHO
// and its kin echo. Input is mapped first (ICRNL, INLCR, IGNCR, ISTRIP). Pure: the echo and the
// signals go through the two callbacks, so the host tests drive it directly.

/** struct termios as the kernel's ioctls carry it (asm-generic/termbits.h): four u32 flag words,
 * c_line, 19 control characters. */
export const TERMIOS_SIZE: i32 = 36;
const C_IFLAG = 0, C_LFLAG = 12, C_CC = 17;
// c_cc indexes.
export const VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSUSP = 10, VEOL = 11, VREPRINT = 12;
export const VWERASE = 14, VLNEXT = 15, VEOL2 = 16;
// c_iflag.
const ISTRIP: u32 = 0x20, INLCR: u32 = 0x40, IGNCR: u32 = 0x80, ICRNL: u32 = 0x100, IUTF8: u32 = 0x4000;
// c_lflag.
export const ISIG: u32 = 0x1, ICANON: u32 = 0x2, ECHO: u32 = 0x8, ECHOE: u32 = 0x10, ECHOK: u32 = 0x20, ECHONL: u32 = 0x40;
export const TOSTOP: u32 = 0x100;
const NOFLSH: u32 = 0x80, ECHOCTL: u32 = 0x200, ECHOKE: u32 = 0x800, IEXTEN: u32 = 0x8000;
/** Signals ISIG sends. */
export const SIGINT: i32 = 2, SIGQUIT: i32 = 3, SIGTSTP: i32 = 20;
/** Bytes the line discipline holds, readable and being edited (Linux's N_TTY_BUF_SIZE). */
export const TTY_BUFFER: i32 = 4096;
const DISABLED: u8 = 0;   // _POSIX_VDISABLE

/** Linux's initial termios for a console: ICRNL|IXON; OPOST|ONLCR; B38400|CS8|CREAD|HUPCL;
 * ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN; the default control characters. */
export const TERMIOS_DEFAULT: u8[] = [
  0x00, 0x05, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0xbf, 0x04, 0x00, 0x00, 0x3b, 0x8a, 0x00, 0x00, 0x00,
  0x03, 0x1c, 0x7f, 0x15, 0x04, 0x00, 0x01, 0x00, 0x11, 0x13, 0x1a, 0x00, 0x12, 0x0f, 0x17, 0x16, 0x00, 0x00, 0x00,
];

export type TtyEcho = (address: usize, length: usize) => void;
export type TtySignal = (signal: i32) => void;

export class LineDiscipline {
  readonly termios: StaticArray<u8> = new StaticArray<u8>(TERMIOS_SIZE);
  /** Bytes held: [0, committed) readable, [committed, length) the line being edited. */
  private readonly data: StaticArray<u8> = new StaticArray<u8>(TTY_BUFFER);
  private length: i32 = 0;
  private committed: i32 = 0;
  /** Canonical mode: where each readable line ends in `data` (an EOF's line may be empty). */
  private readonly ends: i32[] = [];
  /** The next byte is taken literally (VLNEXT). */
  private literal: bool = false;
  private readonly echoBuffer: StaticArray<u8> = new StaticArray<u8>(8);

  constructor(private readonly echo: TtyEcho, private readonly signal: TtySignal) {
    for (let i = 0; i < TERMIOS_SIZE; i++) unchecked(this.termios[i] = TERMIOS_DEFAULT[i]);
  }

  @inline private flag(offset: i32): u32 {
    return load<u32>(changetype<usize>(this.termios) + <usize>offset);
  }
  @inline cc(index: i32): u8 {
    return unchecked(this.termios[C_CC + index]);
  }
  get canonical(): bool { return (this.flag(C_LFLAG) & ICANON) != 0; }
  get localFlags(): u32 { return this.flag(C_LFLAG); }

  /** Takes a new termios (36 bytes at `address`); `flush` drops the input (TCSETSF). Leaving
   * canonical mode makes the line being edited readable, as Linux does. */
  set(address: usize, flush: bool): void {
    const wasCanonical = this.canonical;
    for (let i = 0; i < TERMIOS_SIZE; i++) unchecked(this.termios[i] = load<u8>(address + <usize>i));
    if (flush) this.flush();
    else if (wasCanonical && !this.canonical) {
      this.committed = this.length;
      this.ends.length = 0;
    } else if (!wasCanonical && this.canonical) {
      this.committed = 0;   // what was typed becomes the line being edited
      this.ends.length = 0;
    }
  }

  /** Drops every byte held (TCFLSH, TCSETSF, a signal without NOFLSH). */
  flush(): void {
    this.length = 0;
    this.committed = 0;
    this.ends.length = 0;
    this.literal = false;
  }

  /** Bytes a read could take now (FIONREAD): the readable part. */
  get available(): i32 {
    if (!this.canonical) return this.committed;
    return this.ends.length > 0 ? this.committed : 0;
  }

  /** Whether a read would return now without waiting (poll's POLLIN): a line (canonical), else
   * VMIN bytes (at least one; VMIN 0 always). */
  get readable(): bool {
    if (this.canonical) return this.ends.length > 0;
    return this.cc(VMIN) == 0 || this.committed > 0;
  }

  /** One byte typed. Returns whether readers may have something new. */
  input(byte: u8): bool {
    const iflag = this.flag(C_IFLAG), lflag = this.flag(C_LFLAG);
    if (iflag & ISTRIP) byte &= 0x7f;
    if (this.literal) {
      this.literal = false;
      return this.put(byte, lflag);
    }
    if (byte == 0x0d) {
      if (iflag & IGNCR) return false;
      if (iflag & ICRNL) byte = 0x0a;
    } else if (byte == 0x0a && (iflag & INLCR) != 0) byte = 0x0d;
    if (lflag & ISIG) {
      let signal: i32 = 0;
      if (this.is(byte, VINTR)) signal = SIGINT;
      else if (this.is(byte, VQUIT)) signal = SIGQUIT;
      else if (this.is(byte, VSUSP)) signal = SIGTSTP;
      if (signal != 0) {
        if ((lflag & NOFLSH) == 0) this.flush();
        if (lflag & ECHO) this.echoByte(byte, lflag);
        this.signal(signal);
        return true;
      }
    }
    if ((lflag & ICANON) == 0) return this.put(byte, lflag);
    if ((lflag & IEXTEN) != 0 && this.is(byte, VLNEXT)) {
      this.literal = true;
      return false;
    }
    if (this.is(byte, VERASE)) { this.erase(lflag, false); return false; }
    if ((lflag & IEXTEN) != 0 && this.is(byte, VWERASE)) { this.erase(lflag, true); return false; }
    if (this.is(byte, VKILL)) { this.kill(lflag); return false; }
    if (this.is(byte, VEOF)) {   // the line so far becomes readable, without the ^D
      this.commit();
      return true;
    }
    if (byte == 0x0a || this.is(byte, VEOL) || ((lflag & IEXTEN) != 0 && this.is(byte, VEOL2))) {
      if (this.length >= TTY_BUFFER) return false;
      unchecked(this.data[this.length++] = byte);
      if ((lflag & ECHO) != 0 || (byte == 0x0a && (lflag & ECHONL) != 0)) this.echoByte(byte, lflag);
      this.commit();
      return true;
    }
    // An ordinary byte: the last place is kept for the newline that ends the line.
    if (this.length >= TTY_BUFFER - 1) return false;
    unchecked(this.data[this.length++] = byte);
    if (lflag & ECHO) this.echoByte(byte, lflag);
    return false;
  }

  /** Reads at most `count` readable bytes into `to` (canonical: at most one line). Returns the
   * bytes taken (0 for an EOF's empty line, or when nothing was readable). */
  read(to: usize, count: i32): i32 {
    let take: i32;
    if (this.canonical) {
      if (this.ends.length == 0) return 0;
      const end = unchecked(this.ends[0]);
      take = min(count, end);
      if (take == end) this.ends.shift();
    } else take = min(count, this.committed);
    if (take <= 0) return 0;
    for (let i = 0; i < take; i++) store<u8>(to + <usize>i, unchecked(this.data[i]));
    // Move the rest down.
    for (let i = take; i < this.length; i++) unchecked(this.data[i - take] = this.data[i]);
    this.length -= take;
    this.committed -= take;
    for (let i = 0; i < this.ends.length; i++) unchecked(this.ends[i] -= take);
    return take;
  }

  @inline private is(byte: u8, index: i32): bool {
    const c = this.cc(index);
    return c != DISABLED && c == byte;
  }

  private put(byte: u8, lflag: u32): bool {
    if (this.length >= TTY_BUFFER) return false;
    unchecked(this.data[this.length++] = byte);
    this.committed = this.length;
    if (lflag & ECHO) this.echoByte(byte, lflag);
    return true;
  }

  private commit(): void {
    this.committed = this.length;
    this.ends.push(this.length);
  }

  /** Removes the last character (a whole UTF-8 sequence under IUTF8) or word of the line. */
  private erase(lflag: u32, word: bool): void {
    const utf8 = (this.flag(C_IFLAG) & IUTF8) != 0;
    let seenWord = false;
    while (this.length > this.committed) {
      const last = unchecked(this.data[this.length - 1]);
      const blank = last == 0x20 || last == 0x09;
      if (word && blank && seenWord) break;
      if (!blank) seenWord = true;
      this.length--;
      // A UTF-8 character goes whole: its continuation bytes, then its first byte.
      let removed = last;
      while (utf8 && (removed & 0xc0) == 0x80 && this.length > this.committed) removed = unchecked(this.data[--this.length]);
      if ((lflag & ECHO) != 0 && (lflag & ECHOE) != 0) {
        this.echoText(0x08, 0x20, 0x08);
        if ((lflag & ECHOCTL) != 0 && last < 0x20 && last != 0x09) this.echoText(0x08, 0x20, 0x08);   // its ^X took two places
      }
      if (!word) break;
    }
  }

  private kill(lflag: u32): void {
    if ((lflag & ECHO) != 0 && (lflag & ECHOK) != 0 && (lflag & ECHOKE) == 0) {
      this.length = this.committed;
      this.echoText(0x0a, 0, 0);
      return;
    }
    while (this.length > this.committed) this.erase(lflag, false);
  }

  /** Echoes `byte`: a control character as ^X under ECHOCTL (not tab or newline). */
  private echoByte(byte: u8, lflag: u32): void {
    if ((lflag & ECHOCTL) != 0 && (byte < 0x20 || byte == 0x7f) && byte != 0x09 && byte != 0x0a) {
      this.echoText(0x5e, byte == 0x7f ? 0x3f : byte + 0x40, 0);
      return;
    }
    this.echoText(byte, 0, 0);
  }

  /** Echoes one to three bytes (a 0 ends them early; a lone 0 is never echoed but as ^@). */
  private echoText(first: u8, second: u8, third: u8): void {
    const buffer = changetype<usize>(this.echoBuffer);
    store<u8>(buffer, first);
    let length = 1;
    if (second != 0) { store<u8>(buffer + 1, second); length = 2; }
    if (second != 0 && third != 0) { store<u8>(buffer + 2, third); length = 3; }
    this.echo(buffer, <usize>length);   // the console's output maps a newline to CR NL itself
  }
}
