// A QMP client for the QEMU tests (QEMU Machine Protocol: JSON over a UNIX socket, docs/interop/
// qmp-spec.rst in QEMU's tree): the greeting, qmp_capabilities, then one command at a time.
// Used for what only the machine can tell or do: a screendump of the display, keys pressed on
// the emulated keyboard, and monitor commands (the page table's entries, device memory).

import { createConnection, type Socket } from "node:net";

export interface KeyPress {
  /** QEMU key names (qcodes: "a", "shift", "ret", "left", ...), pressed together. */
  keys: string[];
}

export class QmpClient {
  private buffer = "";
  private pending: { resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
  private greeted!: Promise<void>;

  private constructor(private readonly socket: Socket) {}

  /** Connects to the socket at `path`, retrying while QEMU has not created it yet. */
  static async connect(path: string, timeoutMs = 10_000): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const candidate = createConnection(path);
          candidate.once("connect", () => resolve(candidate));
          candidate.once("error", reject);
        });
        const client = new QmpClient(socket);
        client.start();
        await client.greeted;
        await client.execute("qmp_capabilities");
        return client;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`QMP: could not connect to ${path}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Runs `command`; resolves with its "return" value, rejects with its "error". */
  execute(command: string, arguments_?: Record<string, unknown>): Promise<any> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(JSON.stringify(arguments_ ? { execute: command, arguments: arguments_ } : { execute: command }) + "\n");
    });
  }

  /** A human monitor command's output (info tlb, xp, ...). */
  async monitor(commandLine: string): Promise<string> {
    return String(await this.execute("human-monitor-command", { "command-line": commandLine }));
  }

  /** Presses and releases each chord in turn (send-key). */
  async sendKeys(presses: KeyPress[]): Promise<void> {
    for (const press of presses)
      await this.execute("send-key", { keys: press.keys.map((key) => ({ type: "qcode", data: key })) });
  }

  close(): void {
    this.socket.destroy();
  }

  private start(): void {
    let greet!: () => void;
    this.greeted = new Promise((resolve) => (greet = resolve));
    let greetedYet = false;
    this.socket.setEncoding("utf8");
    this.socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let newline = this.buffer.indexOf("\n"); newline >= 0; newline = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        if (!line) continue;
        const message = JSON.parse(line);
        if (message.QMP) {
          greetedYet = true;
          greet();
        } else if ("return" in message) {
          this.pending.shift()?.resolve(message.return);
        } else if ("error" in message) {
          this.pending.shift()?.reject(new Error(`QMP: ${message.error.class}: ${message.error.desc}`));
        } // events are ignored
      }
    });
    this.socket.on("close", () => {
      for (const waiter of this.pending.splice(0)) waiter.reject(new Error("QMP: QEMU closed the connection"));
      if (!greetedYet) greet();
    });
  }
}
