// The QEMU test runner: boots the real ISO headless under TCG with a chosen kernel command line,
// firmware (SeaBIOS or OVMF), boot medium (CD-ROM or USB storage), RAM, CPU model, machine and
// screen mode (GRUB's gfxpayload); captures the serial log; asserts ordered lines with timeouts;
// decodes the isa-debug-exit status; with `qmp`, opens QEMU's QMP socket (screendumps, keys).
// Every failure is an Error whose message ends with the serial log so far.
//
// The command line reaches GRUB through a small FAT volume labelled CAPSIDCFG (iso/grub.cfg),
// so every test boots the very ISO that `make iso` built. QEMU always gets -no-reboot (a
// triple fault ends it instead of looping) and -nodefaults (no implicit NIC: a guest never
// reaches any network a test did not create).

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { QmpClient } from "./qmp";

export const REPOSITORY = resolve(__dirname, "../..");
export const DEFAULT_ISO = join(REPOSITORY, "iso/capsid.iso");
const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd";
const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd";

/** isa-debug-exit codes written by the kernel (arch/x86_64/layout.h); QEMU exits with code * 2 + 1. */
export const DEBUG_EXIT = { pass: 0x10, fail: 0x11, panic: 0x12 } as const;
export type Outcome = keyof typeof DEBUG_EXIT;

/** ANSI terminal control sequences (CSI ... letter), removed before lines are matched. */
const TERMINAL_CONTROL = /\x1b\[[0-9;=?]*[A-Za-z]/g;
/** The kernel log's timestamp prefix ("[    1.234] "), removed before lines are matched. */
const TIMESTAMP = /^\[\s*\d+\.\d{3}\] /;

/** A serial line as tests match it: no terminal control, no timestamp. */
export function logMessage(line: string): string {
  return line.replace(TERMINAL_CONTROL, "").replace(TIMESTAMP, "");
}

export type Firmware = "seabios" | "ovmf";
export type Medium = "cdrom" | "usb";

export interface BootOptions {
  commandLine?: string;
  firmware?: Firmware;
  medium?: Medium;
  memory?: string;         // QEMU -m, e.g. "256M"
  cpu?: string;            // QEMU -cpu, e.g. "qemu64" or "max"
  smp?: number;
  /** QEMU -machine, "pc" unless given (e.g. "q35,i8042=off"). */
  machine?: string;
  /** GRUB's gfxpayload for this boot ("800x600x32", "text"); grub.cfg's default otherwise. */
  gfxpayload?: string;
  /** Whether GRUB loads the test package (capsid_tests=1, iso/grub.cfg), where every program
   * but the user's few lives (Makefile, PACKAGE_PROGRAMS): true unless false. The boot-time
   * benchmark boots without it, as a user does. */
  testPackage?: boolean;
  /** Adds a display: QEMU's standard VGA (-nodefaults has none). */
  vga?: boolean;
  /** Opens a QMP socket (QemuSession.qmp). */
  qmp?: boolean;
  iso?: string;
  extraArguments?: string[];
  /** Runs QEMU inside this network namespace (`ip netns exec`), for a tap the test made there. */
  netns?: string;
  /** A file that receives the guest's second serial port, COM2, byte for byte (the packet
   * capture, pcap=1); without it the machine has no COM2. */
  secondSerialFile?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What a QEMU exit status means. Only isa-debug-exit statuses are outcomes; QEMU's own 0
 * (a guest reset under -no-reboot, a triple fault, or a power-off) is never a pass. */
export function decodeExit(status: ExitStatus): { outcome: Outcome | null; description: string } {
  if (status.signal) return { outcome: null, description: `QEMU was killed by ${status.signal}` };
  const code = status.code ?? -1;
  for (const [outcome, value] of Object.entries(DEBUG_EXIT) as [Outcome, number][])
    if (code === ((value << 1) | 1)) return { outcome, description: `kernel reported ${outcome} (QEMU status ${code})` };
  if (code === 0) return { outcome: null, description: "QEMU exited with 0: the guest reset or triple-faulted (-no-reboot), or powered off" };
  if (code === 1) return { outcome: null, description: "QEMU exited with 1: QEMU itself failed (bad arguments or a missing file)" };
  if (code & 1) return { outcome: null, description: `kernel wrote unknown debug-exit code ${(code - 1) >> 1} (QEMU status ${code})` };
  return { outcome: null, description: `QEMU exited with status ${code}` };
}

/** The QEMU command line for `options`; `configImage` is the FAT volume holding the command line. */
export function qemuArguments(options: BootOptions, configImage: string, ovmfVars: string | null, qmpSocket: string | null = null): string[] {
  const iso = options.iso ?? DEFAULT_ISO;
  const args = [
    "-accel", "tcg",
    "-nodefaults", "-no-reboot", "-display", "none",
    "-machine", options.machine ?? "pc",
    "-m", options.memory ?? "256M",
    "-cpu", options.cpu ?? "qemu64",
    "-smp", String(options.smp ?? 1),
    "-serial", "stdio",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
  ];
  if (options.secondSerialFile) args.push("-serial", `file:${options.secondSerialFile}`);
  if ((options.firmware ?? "seabios") === "ovmf") {
    args.push("-drive", `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`);
    args.push("-drive", `if=pflash,format=raw,unit=1,file=${ovmfVars}`);
  }
  if ((options.medium ?? "cdrom") === "cdrom") {
    args.push("-drive", `if=none,id=boot,media=cdrom,format=raw,readonly=on,file=${iso}`);
    args.push("-device", "ide-cd,drive=boot,bootindex=1");
  } else {
    args.push("-device", "qemu-xhci,id=xhci");
    args.push("-drive", `if=none,id=boot,format=raw,snapshot=on,file=${iso}`);
    args.push("-device", "usb-storage,bus=xhci.0,drive=boot,bootindex=1");
  }
  args.push("-drive", `if=none,id=config,format=raw,snapshot=on,file=${configImage}`);
  // bootindex=2: OVMF connects only devices in the boot order, and GRUB must see this one.
  // q35's AHCI has one unit per bus: the volume goes on the second port.
  args.push("-device", `ide-hd,drive=config,bootindex=2${(options.machine ?? "pc").startsWith("q35") ? ",bus=ide.1" : ""}`);
  if (options.vga) args.push("-device", "VGA");
  if (qmpSocket) args.push("-qmp", `unix:${qmpSocket},server=on,wait=off`);
  return args.concat(options.extraArguments ?? []);
}

export type TestPackage = "loaded" | "absent";

/** The CAPSIDCFG volume's cmdline.cfg. GRUB reads it with `source`: refuse anything that could
 * escape the quotes. */
export function grubCommandLine(commandLine: string, gfxpayload?: string, testPackage: TestPackage = "loaded"): string {
  for (const value of [commandLine, gfxpayload ?? ""])
    if (/["$\\\n\r`;]/.test(value)) throw new Error(`${JSON.stringify(value)} has a character GRUB would interpret`);
  return `set capsid_cmdline="${commandLine}"\n` + (gfxpayload ? `set capsid_gfxpayload="${gfxpayload}"\n` : "")
    + (testPackage === "loaded" ? "set capsid_tests=1\n" : "");
}

export class QemuSession {
  /** Everything the guest wrote to COM1, carriage returns removed. */
  serial = "";
  exitStatus: ExitStatus | null = null;
  readonly startedAt = performance.now();
  private cursor = 0;       // serial offset after the last matched line
  private waiters: (() => void)[] = [];
  private readonly exited: Promise<ExitStatus>;

  private qmpClient: Promise<QmpClient> | null = null;

  private constructor(private readonly child: ChildProcess, private readonly workDirectory: string, readonly argv: string[],
                      private readonly qmpSocket: string | null) {
    child.stdout!.setEncoding("latin1");
    child.stdout!.on("data", (chunk: string) => {
      this.serial += chunk.replace(/\r/g, ""); // CR LF from the kernel, LF CR from GRUB on EFI
      this.wake();
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => (stderr += chunk));
    this.exited = new Promise((resolveExit) => {
      // "close", not "exit": exit can come before the last output chunk is delivered, and a
      // line the guest printed just before it ended must still be seen.
      child.on("close", (code, signal) => {
        this.exitStatus = { code, signal };
        if (stderr.trim()) this.serial += `\n[qemu stderr] ${stderr.trim()}\n`;
        rmSync(this.workDirectory, { recursive: true, force: true });
        this.wake();
        resolveExit(this.exitStatus);
      });
    });
  }

  static start(options: BootOptions = {}): QemuSession {
    const workDirectory = mkdtempSync(join(tmpdir(), "capsid-qemu-"));
    const configImage = join(workDirectory, "config.img");
    const commandFile = join(workDirectory, "cmdline.cfg");
    writeFileSync(commandFile, grubCommandLine(options.commandLine ?? "", options.gfxpayload,
      options.testPackage === false ? "absent" : "loaded"));
    execFileSync("mformat", ["-i", configImage, "-C", "-f", "1440", "-v", "CAPSIDCFG", "::"]);
    execFileSync("mcopy", ["-i", configImage, commandFile, "::/cmdline.cfg"]);
    let ovmfVars: string | null = null;
    if (options.firmware === "ovmf") {
      ovmfVars = join(workDirectory, "OVMF_VARS.fd");
      copyFileSync(OVMF_VARS, ovmfVars);
    }
    const qmpSocket = options.qmp ? join(workDirectory, "qmp.sock") : null;
    const argv = qemuArguments(options, configImage, ovmfVars, qmpSocket);
    const child = options.netns
      ? spawn("ip", ["netns", "exec", options.netns, "qemu-system-x86_64", ...argv], { stdio: ["pipe", "pipe", "pipe"] })
      : spawn("qemu-system-x86_64", argv, { stdio: ["pipe", "pipe", "pipe"] });
    child.stdin!.on("error", () => {}); // QEMU gone: the exit status tells what happened
    return new QemuSession(child, workDirectory, argv, qmpSocket);
  }

  /** The QMP connection (BootOptions.qmp), made on first use. */
  qmp(): Promise<QmpClient> {
    if (!this.qmpSocket) throw new Error("this session was started without qmp: true");
    this.qmpClient ??= QmpClient.connect(this.qmpSocket);
    return this.qmpClient;
  }

  /** The work directory (removed when QEMU ends): where a screendump may be written. */
  get directory(): string {
    return this.workDirectory;
  }

  /** A session over any child process standing in for QEMU (the runner's own tests). */
  static attach(child: ChildProcess): QemuSession {
    return new QemuSession(child, mkdtempSync(join(tmpdir(), "capsid-qemu-")), []);
  }

  /** Waits for the next line (after the previous match) whose message (the line without its
   * timestamp) starts with `pattern` or matches it; returns the message. Fails on timeout or
   * when QEMU exits first. */
  async expectLine(pattern: string | RegExp, timeoutMs = 10_000): Promise<string> {
    const matches = (raw: string) => {
      const line = logMessage(raw); // firmware and GRUB paint the EFI console; the kernel stamps lines
      return typeof pattern === "string" ? line.startsWith(pattern) : pattern.test(line);
    };
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let lineStart = this.cursor;
      for (;;) {
        const newline = this.serial.indexOf("\n", lineStart);
        if (newline < 0) break;
        const line = this.serial.slice(lineStart, newline);
        lineStart = newline + 1;
        if (matches(line)) {
          this.cursor = lineStart;
          return logMessage(line);
        }
      }
      if (this.exitStatus) {
        // QEMU drops what its serial backend had not written yet when the guest ends it through
        // isa-debug-exit (seen under load: a panic line without its line feed): the text after
        // the last line feed counts as a last line.
        const rest = this.serial.slice(lineStart);
        if (rest.length > 0 && matches(rest)) {
          this.cursor = this.serial.length;
          return logMessage(rest);
        }
        this.fail(`QEMU exited (${decodeExit(this.exitStatus).description}) before a line matching ${describe(pattern)}`);
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) this.fail(`timed out after ${timeoutMs} ms waiting for a line matching ${describe(pattern)}`);
      await this.waitForChange(remaining);
    }
  }

  /** Waits for QEMU to exit and checks the kernel's debug-exit outcome. */
  async expectExit(expected: Outcome, timeoutMs = 10_000): Promise<void> {
    const status = await Promise.race([this.exited, delay(timeoutMs).then(() => null)]);
    if (!status) this.fail(`timed out after ${timeoutMs} ms waiting for QEMU to exit with ${expected}`);
    const { outcome, description } = decodeExit(status);
    if (outcome !== expected) this.fail(`expected the kernel to exit with ${expected}; ${description}`);
  }

  /** Types `text` on the guest's serial console (COM1 receive). */
  send(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Stops QEMU if it still runs, and waits for it. */
  async stop(): Promise<void> {
    if (this.qmpClient) (await this.qmpClient.catch(() => null))?.close();
    if (!this.exitStatus) this.child.kill("SIGKILL");
    await this.exited;
  }

  private fail(message: string): never {
    if (!this.exitStatus) this.child.kill("SIGKILL");
    throw new Error(`${message}\n--- serial log ---\n${this.serial}--- end of serial log ---\nqemu-system-x86_64 ${this.argv.join(" ")}`);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolveWait) => {
      const timer = setTimeout(resolveWait, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolveWait();
      });
    });
  }
}

function describe(pattern: string | RegExp): string {
  return typeof pattern === "string" ? JSON.stringify(pattern) : String(pattern);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms).unref());
}

/** Boots, runs `body`, and always stops QEMU afterwards. */
export async function withQemu<T>(options: BootOptions, body: (session: QemuSession) => Promise<T>): Promise<T> {
  const session = QemuSession.start(options);
  try {
    return await body(session);
  } finally {
    await session.stop();
  }
}
