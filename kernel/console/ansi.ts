// The ANSI/VT100 escape sequence parser of the console's output: takes code points (after UTF-8
// decoding) and tells the terminal (terminal.ts) what each one means. Pure (no imports):
// host-tested (tests/host/console.test.ts), hostile input included. The state machine is a
// subset of Paul Williams' DEC parser (vt100.net/emu/dec_ansi_parser): ground, escape, CSI
// (parameters, a private marker, intermediates) and OSC strings, which are swallowed. ECMA-48
// §5.4 gives the CSI syntax: ESC [ parameters (digits and ';') intermediates (0x20-0x2f) final
// (0x40-0x7e). At most ANSI_PARAMETERS parameters are kept (later ones are dropped) and each is
// capped at 9999, so no input can overflow anything.

export const ANSI_PARAMETERS: i32 = 8;
const PARAMETER_MAXIMUM: i32 = 9999;

export enum AnsiAction {
  /** Nothing yet (inside a sequence). */
  None = 0,
  /** Draw `codePoint`. */
  Print = 1,
  /** A C0 control character (`codePoint`): BS, HT, LF, CR, ... */
  Control = 2,
  /** A complete CSI sequence: `final`, `marker`, `parameters`. */
  Csi = 3,
  /** ESC followed by `final` (ESC 7, ESC 8, ESC c, ESC D, ESC M, ...). */
  Escape = 4,
}

enum State { Ground, Escape, EscapeIntermediate, Csi, CsiIgnore, String }

const ESC: u32 = 0x1b;
const CAN: u32 = 0x18;
const SUB: u32 = 0x1a;
const BEL: u32 = 0x07;

export class AnsiParser {
  /** The code point of a Print or Control action. */
  codePoint: u32 = 0;
  /** The final byte of a Csi or Escape action. */
  final: u32 = 0;
  /** A CSI's private marker ('?', '>', '=', '<'), or 0. */
  marker: u32 = 0;
  /** How many parameters the CSI had (an empty one counts, as 0). */
  parameterCount: i32 = 0;
  private parameters: StaticArray<i32> = new StaticArray<i32>(ANSI_PARAMETERS);
  private state: State = State.Ground;

  /** Parameter `index`, or `fallback` when absent or 0 (ECMA-48: 0 means the default). */
  parameter(index: i32, fallback: i32): i32 {
    if (index < 0 || index >= this.parameterCount || index >= ANSI_PARAMETERS) return fallback;
    const value = unchecked(this.parameters[index]);
    return value == 0 ? fallback : value;
  }

  /** Parameter `index` as given (0 when absent). */
  raw(index: i32): i32 {
    if (index < 0 || index >= this.parameterCount || index >= ANSI_PARAMETERS) return 0;
    return unchecked(this.parameters[index]);
  }

  feed(codePoint: u32): AnsiAction {
    // Anywhere: CAN and SUB cancel a sequence, ESC starts a new one.
    if (codePoint == CAN || codePoint == SUB) {
      this.state = State.Ground;
      return AnsiAction.None;
    }
    if (codePoint == ESC) {
      this.state = State.Escape;
      return AnsiAction.None;
    }
    switch (this.state) {
      case State.Ground: return this.ground(codePoint);
      case State.Escape: return this.escape(codePoint);
      case State.EscapeIntermediate:
        if (codePoint >= 0x20 && codePoint <= 0x2f) return AnsiAction.None;
        if (codePoint < 0x20) return this.control(codePoint);
        this.state = State.Ground;
        return AnsiAction.None; // ESC ( B and the like: character sets, ignored
      case State.Csi: return this.csi(codePoint);
      case State.CsiIgnore:
        if (codePoint < 0x20) return this.control(codePoint);
        if (codePoint >= 0x40 && codePoint <= 0x7e) this.state = State.Ground;
        return AnsiAction.None;
      default: // State.String: an OSC, DCS, PM or APC string, ended by BEL or ESC \
        if (codePoint == BEL) this.state = State.Ground;
        return AnsiAction.None;
    }
  }

  private ground(codePoint: u32): AnsiAction {
    if (codePoint < 0x20 || codePoint == 0x7f) return codePoint == 0x7f ? AnsiAction.None : this.control(codePoint);
    if (codePoint >= 0x80 && codePoint < 0xa0) return AnsiAction.None; // C1 controls: not drawn
    this.codePoint = codePoint;
    return AnsiAction.Print;
  }

  private control(codePoint: u32): AnsiAction {
    this.codePoint = codePoint;
    return AnsiAction.Control;
  }

  private escape(codePoint: u32): AnsiAction {
    if (codePoint < 0x20) return this.control(codePoint);
    if (codePoint == 0x5b) { // '['
      this.state = State.Csi;
      this.parameterCount = 0;
      this.marker = 0;
      for (let i = 0; i < ANSI_PARAMETERS; i++) unchecked(this.parameters[i] = 0);
      return AnsiAction.None;
    }
    if (codePoint == 0x5d || codePoint == 0x50 || codePoint == 0x5e || codePoint == 0x5f) { // ] P ^ _
      this.state = State.String;
      return AnsiAction.None;
    }
    if (codePoint >= 0x20 && codePoint <= 0x2f) {
      this.state = State.EscapeIntermediate;
      return AnsiAction.None;
    }
    this.state = State.Ground;
    if (codePoint == 0x7f) return AnsiAction.None;
    this.final = codePoint;
    return AnsiAction.Escape;
  }

  private csi(codePoint: u32): AnsiAction {
    if (codePoint < 0x20) return this.control(codePoint);
    if (codePoint >= 0x30 && codePoint <= 0x39) {
      if (this.parameterCount == 0) this.parameterCount = 1;
      const index = this.parameterCount - 1;
      if (index < ANSI_PARAMETERS) {
        const value = unchecked(this.parameters[index]) * 10 + <i32>(codePoint - 0x30);
        unchecked(this.parameters[index] = value > PARAMETER_MAXIMUM ? PARAMETER_MAXIMUM : value);
      }
      return AnsiAction.None;
    }
    if (codePoint == 0x3b) { // ';'
      if (this.parameterCount == 0) this.parameterCount = 1;
      if (this.parameterCount <= ANSI_PARAMETERS) this.parameterCount++;
      return AnsiAction.None;
    }
    if (codePoint >= 0x3c && codePoint <= 0x3f) { // < = > ?: a private marker, only first
      if (this.parameterCount == 0 && this.marker == 0) this.marker = codePoint;
      else this.state = State.CsiIgnore;
      return AnsiAction.None;
    }
    if (codePoint >= 0x40 && codePoint <= 0x7e) {
      this.state = State.Ground;
      if (this.parameterCount > ANSI_PARAMETERS) this.parameterCount = ANSI_PARAMETERS;
      this.final = codePoint;
      return AnsiAction.Csi;
    }
    // Intermediates (0x20-0x2f), ':' and DEL: sequences the console does not implement.
    this.state = State.CsiIgnore;
    return AnsiAction.None;
  }
}
