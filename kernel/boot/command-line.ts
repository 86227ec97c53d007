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
}
