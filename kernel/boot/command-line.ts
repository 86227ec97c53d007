// The kernel command line: space-separated words, each "key=value" or a bare "key".
// Recognised keys (documented in README.md, "Kernel command line"):
//   log=LEVEL   error, warning, info (default) or debug
//   test=NAME   run the in-kernel scenario NAME, then end QEMU through isa-debug-exit
//   tick=HZ     the periodic tick rate
// Unknown keys are ignored.

export class CommandLine {
  keys: string[] = [];
  values: string[] = [];

  static parse(text: string): CommandLine {
    const result = new CommandLine();
    const words = text.split(" ");
    for (let i = 0; i < words.length; i++) {
      const word = words[i];
      if (word.length == 0) continue;
      const equals = word.indexOf("=");
      result.keys.push(equals < 0 ? word : word.substring(0, equals));
      result.values.push(equals < 0 ? "" : word.substring(equals + 1));
    }
    return result;
  }

  /** The value of the last `key=...`, or null when the key is absent. */
  get(key: string): string | null {
    for (let i = this.keys.length - 1; i >= 0; i--) if (this.keys[i] == key) return this.values[i];
    return null;
  }

  /** The value of `key=...` as a whole decimal number of at most 9 digits; -1 when the key is
   * absent, -2 when its value is not such a number. */
  getDecimal(key: string): i64 {
    const value = this.get(key);
    if (value === null) return -1;
    if (value.length == 0 || value.length > 9) return -2;
    let number: i64 = 0;
    for (let i = 0; i < value.length; i++) {
      const digit = value.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return -2;
      number = number * 10 + digit;
    }
    return number;
  }
}
