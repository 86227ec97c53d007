// A process's personality: the ABI it speaks besides Capsid's own. A native program has none
// (null); a Linux program's is kernel/linux/linux-process.ts's LinuxProcess, made at spawn through
// the hook objects/spawn.ts keeps (the Linux layer sits above this one). Its state (descriptors,
// the program break, signal dispositions) lives and ends with the process.

export class Personality {
  /** The process ended: give back what the personality holds outside the capability table. */
  ended(): void {}
}
