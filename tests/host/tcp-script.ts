// Segment scripts for the TCP core, in the style of packetdrill, run against
// tests/host/entries/tcp-script.ts (one stack on a virtual clock). A script is lines of
//
//   config NAME VALUE                        before any timed line (see CONFIG below)
//   TIME < FLAGS SEQ:END(LEN) [ack N] [win N] [from PORT] [<OPTIONS>]   injected into the stack
//   TIME > FLAGS SEQ:END(LEN) [ack N] [win N] [<OPTIONS>]               expected out of it
//   TIME CALL [ARGUMENTS] [= RESULT]          a user call, or an expectation (below)
//
// TIME is seconds on the virtual clock, absolute ("1.5") or after the previous line ("+0.2"),
// with an optional tolerance ("+0.2~0.01"). Before each line the clock runs to TIME, firing every
// timer on the way at its own deadline; a `>` line takes the next segment the stack sent, which
// must have gone out at TIME (within the tolerance) and match; any other line first requires
// that nothing unexpected was sent. Sequence numbers are relative, as packetdrill's: the peer's
// (the script's) from PEER_ISN, the stack's from the ISN of its first SYN; acks and SACK blocks
// likewise. FLAGS: S F R P then "." for ACK. TS val on `>` lines counts from the stack's first
// TSval ("*" matches anything); TS ecr on `<` lines too (the stack's clock), TS val on `<` lines
// and TS ecr on `>` lines are the peer's own, absolute. A segment between the stack and another
// peer port says so (`from PORT` on `<` lines, `to PORT` on `>` lines), and is numbered from that
// connection's ISN (absolute before the stack sent its SYN there). OPTIONS: mss N, sackOK, TS val N ecr N,
// nop, eol, wscale N, sack A:B C:D ...; "<>" expects none. Data bytes follow a pattern of their
// stream offset, checked both ways. The stack is 10.0.0.1:8080, the peer 10.0.0.2:40000.
//
// Calls: listen [backlog N] [halfopen N] [buffers SEND RECEIVE] | connect [buffers SEND RECEIVE]
// | accept [= none] | write N [= M|QueueFull|...] | read N [= M|EOF|QueueFull|...] | shutdown
// | close | abort | nagle on|off | keepalive IDLE INTERVAL COUNT | closelistener | quiet
// | refuse on|off (the host refuses every segment, as a full device ring) | room N (the free
// transmit buffers the host reports) | defer on|off (output an arriving segment calls for waits
// for flush, as the kernel's host defers it to the end of a kernel entry) | flush.
// Expectations: expect state NAME | expect failure NAME | expect readable N | expect writable N
// | expect counter NAME N | expect field NAME N | expect halfopen N | expect pending N.

import type { AssemblyScriptModule } from "./assemblyscript";
import { ACK, decode, encode, flagText, parseFlags, SYN, type TcpOption, type TcpPacket } from "./tcp-packet";

export const LOCAL = 0x0a000001, PEER = 0x0a000002, LOCAL_PORT = 8080, PEER_PORT = 40000;
/** The script's ISN: near the top of the space, so every script's sequence numbers wrap. */
export const PEER_ISN = 0xfffffc00;
const NS = 1_000_000_000n;

export const CONFIG: Record<string, number> = {
  mss: 0, msl: 1, "rto-initial": 2, "rto-min": 3, "rto-max": 4, "delayed-ack": 5, "syn-retries": 6, "data-retries": 7, wscale: 8, timestamps: 9,
  sack: 10, congestion: 11, "challenge-acks": 12, syncookies: 13, finwait2: 14, "persist-max": 15, "device-retry": 16,
  "device-reserve": 17,
};
/** Items whose value is a time in seconds. */
const TIMES = new Set(["msl", "rto-initial", "rto-min", "rto-max", "delayed-ack", "finwait2", "persist-max", "device-retry"]);
export const STATES = ["CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"];
export const FAILURES = ["None", "Refused", "Reset", "TimedOut", "Aborted", "Unreachable"];
export const COUNTERS = [
  "SegmentsReceived", "SegmentsSent", "Retransmitted", "Timeouts", "FastRetransmits", "ResetsSent", "ResetsReceived", "ChallengeAcks",
  "ChallengeAcksLimited", "PawsDropped", "OutOfWindow", "AckUnacceptable", "ReassemblyFull", "ReceiveBufferFull", "NoConnection",
  "ListenOverflow", "CookiesSent", "CookiesAccepted", "CookiesInvalid", "ZeroWindowProbes", "KeepAliveProbes", "OutOfOrder", "TransmitFailed",
  "InvalidAcksLimited", "PeerRefused", "BareHeldBack", "ReceiveBufferGrown",
];
export const FIELDS = ["iss", "sndUna", "sndNxt", "sndMax", "sndWnd", "rcvNxt", "cwnd", "ssthresh", "srtt", "rto", "sndMss", "recovery", "irs", "sendBuffered", "sndScale", "rcvScale", "retries"];
/** KernelError names the calls may return (abi/errors.ts). */
const ERRORS: Record<string, number> = { None: 0, InvalidArgument: 10, QueueFull: 20, PeerEnded: 21, TimedOut: 22, AddressInUse: 23 };

/** The byte at `offset` of a stream: a pattern that shows a byte out of place. */
export const pattern = (offset: number) => ((offset * 7) ^ (offset >>> 8) ^ 0x5a) & 0xff;

/** Seconds as a decimal string to nanoseconds, exactly. */
function nanos(text: string): bigint {
  const [whole, fraction = ""] = text.split(".");
  return BigInt(whole || "0") * NS + BigInt((fraction + "000000000").slice(0, 9));
}

class ScriptError extends Error {}

export class ScriptRunner {
  private now = 0n;
  private consumed = 0;
  /** The stack's ISN on each connection, by the peer's port. */
  private readonly stackIsns = new Map<number, number>();
  private stackTsBase: number | null = null;
  private written = 0;
  private read = 0;
  private created = false;
  readonly log: string[] = [];

  constructor(private readonly wasm: AssemblyScriptModule, private readonly key: [bigint, bigint] = [0x0123456789abcdefn, 0xfedcba9876543210n]) {
    wasm.exports.reset();
  }

  private get e() { return this.wasm.exports; }

  run(script: string, name = "script"): void {
    const lines = script.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].replace(/\/\/.*$|#.*$/, "").trim();
      if (!line) continue;
      try {
        this.line(line);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new ScriptError(`${name}:${i + 1}: ${line}\n    ${message}\n    trace:\n      ${this.log.slice(-12).join("\n      ")}`);
      }
    }
    this.advance(this.now);
    this.noUnexpected();
  }

  private line(line: string): void {
    const words = line.split(/\s+/);
    if (words[0] === "config") {
      if (this.created) throw new Error("config after the first timed line");
      const item = CONFIG[words[1]];
      if (item === undefined) throw new Error(`unknown config ${words[1]}`);
      const value = TIMES.has(words[1]) ? nanos(words[2]) : words[2] === "on" ? 1n : words[2] === "off" ? 0n : words[1] === "congestion" ? (words[2] === "newreno" ? 0n : 1n) : BigInt(words[2]);
      this.e.configure(item, value);
      return;
    }
    if (!this.created) {
      this.e.create(this.key[0], this.key[1]);
      this.created = true;
    }
    const [timeText, toleranceText] = words[0].split("~");
    const time = timeText.startsWith("+") ? this.now + nanos(timeText.slice(1)) : nanos(timeText);
    const tolerance = toleranceText ? nanos(toleranceText) : 0n;
    if (time < this.now) throw new Error(`time ${timeText} is before the previous line`);
    const rest = line.slice(line.indexOf(words[1]));
    if (words[1] === ">") {
      this.advance(time + tolerance);
      this.now = time;
      this.expectSegment(rest.slice(1).trim(), time, tolerance);
      return;
    }
    this.advance(time);
    this.noUnexpected();
    if (words[1] === "<") this.inject(rest.slice(1).trim());
    else this.call(words.slice(1));
  }

  /** Runs the clock to `time`, every timer at its deadline. */
  private advance(time: bigint): void {
    for (let guard = 0; guard < 100_000; guard++) {
      const deadline = BigInt(this.e.nextDeadline());
      if (deadline === 0n || deadline > time) break;
      if (deadline > this.now) this.now = deadline;
      this.e.setNow(this.now);
      this.e.poll();
    }
    if (time > this.now) this.now = time;
    this.e.setNow(this.now);
  }

  private output(i: number): { packet: TcpPacket; time: bigint } {
    const bytes = new Uint8Array(this.wasm.memory.buffer, this.e.outputAddress(i), this.e.outputLength(i)).slice();
    if ((this.e.outputSource(i) >>> 0) !== LOCAL || (this.e.outputDestination(i) >>> 0) !== PEER) throw new Error("a segment between the wrong addresses");
    return { packet: decode(bytes, LOCAL, PEER), time: BigInt(this.e.outputTime(i)) };
  }

  private noUnexpected(): void {
    if (this.consumed < this.e.outputCount()) {
      const { packet, time } = this.output(this.consumed);
      throw new Error(`unexpected segment at ${seconds(time)}: > ${this.render(packet)}`);
    }
  }

  private expectSegment(text: string, time: bigint, tolerance: bigint): void {
    if (this.consumed >= this.e.outputCount()) throw new Error(`expected > ${text}, nothing was sent by ${seconds(time + tolerance)}`);
    const { packet, time: sent } = this.output(this.consumed++);
    // A SYN with a new ISN is a new connection to that port (a retransmitted one repeats it).
    if ((packet.flags & SYN) && this.stackIsns.get(packet.destinationPort) !== packet.seq) this.stackIsns.set(packet.destinationPort, packet.seq);
    const ts = packet.options.find((option) => option.kind === "TS") as { val: number } | undefined;
    if (ts && this.stackTsBase === null) this.stackTsBase = ts.val;
    const actual = this.render(packet);
    this.log.push(`${seconds(sent)} > ${actual}`);
    if (sent < time - tolerance || sent > time + tolerance) throw new Error(`> ${actual} was sent at ${seconds(sent)}, expected at ${seconds(time)}`);
    const expected = this.parseSegment(text, "out");
    const problems: string[] = [];
    if (packet.flags !== expected.flags) problems.push("flags");
    if (packet.destinationPort !== expected.packet.destinationPort) problems.push("port");
    if (packet.seq !== expected.packet.seq || packet.payload.length !== expected.length) problems.push("sequence or length");
    if (expected.flags & ACK && packet.ack !== expected.packet.ack) problems.push("ack");
    if (expected.window !== null && packet.window !== expected.window) problems.push("window");
    if (expected.options !== null && this.optionText(packet.options, "out", packet.destinationPort, expected.optionsRaw ?? undefined) !== expected.options) problems.push("options");
    if (problems.length === 0 && packet.payload.length > 0) {
      const start = (packet.seq - this.isn(packet.destinationPort) - 1) >>> 0;
      for (let i = 0; i < packet.payload.length; i++) if (packet.payload[i] !== pattern(start + i)) { problems.push(`data byte ${start + i}`); break; }
    }
    if (problems.length) throw new Error(`expected > ${text}\n    actual   > ${actual}\n    (${problems.join(", ")} differ)`);
  }

  private inject(text: string): void {
    const { packet, length } = this.parseSegment(text, "in");
    const start = (packet.seq - PEER_ISN - 1 + ((packet.flags & SYN) ? 1 : 0)) >>> 0;
    packet.payload = Uint8Array.from({ length }, (_, i) => pattern(start + i));
    const bytes = encode(packet, PEER, LOCAL);
    new Uint8Array(this.wasm.memory.buffer, this.e.bufferAddress(), bytes.length).set(bytes);
    this.log.push(`${seconds(this.now)} < ${text}`);
    const verdict = this.e.inject(bytes.length, PEER, LOCAL);
    if (verdict !== 0) throw new Error(`the wire layer dropped it (verdict ${verdict})`);
  }

  /** A segment line: FLAGS SEQ:END(LEN) [ack N] [win N] [from PORT] [<OPTIONS>]. */
  private parseSegment(text: string, way: "in" | "out") {
    const optionsAt = text.indexOf("<"), optionsEnd = text.lastIndexOf(">");
    const options = optionsAt >= 0 ? text.slice(optionsAt + 1, optionsEnd).trim() : null;
    const words = (optionsAt >= 0 ? text.slice(0, optionsAt) + " " + text.slice(optionsEnd + 1) : text).trim().split(/\s+/);
    const flags = parseFlags(words[0]);
    const range = /^(\d+):(\d+)\((\d+)\)$/.exec(words[1]);
    if (!range) throw new Error(`not a sequence range: ${words[1]}`);
    const length = Number(range[3]);
    if (Number(range[2]) - Number(range[1]) !== length) throw new Error(`range ${words[1]} does not match its length`);
    let ackValue = 0, window: number | null = null, port = PEER_PORT;
    for (let i = 2; i < words.length; i += 2) {
      const value = Number(words[i + 1]);
      if (words[i] === "ack") ackValue = value;
      else if (words[i] === "win") window = value;
      else if (words[i] === "from" && way === "in") port = value;
      else if (words[i] === "to" && way === "out") port = value;
      else throw new Error(`unknown field ${words[i]}`);
    }
    const ownBase = way === "in" ? PEER_ISN : this.isn(port);
    const otherBase = way === "in" ? this.isn(port) : PEER_ISN;
    const ack = (otherBase + ackValue) >>> 0;
    const parsedOptions = options === null ? [] : this.parseOptions(options, way, port);
    const packet: TcpPacket = {
      sourcePort: way === "in" ? port : LOCAL_PORT, destinationPort: way === "in" ? LOCAL_PORT : port, seq: (ownBase + Number(range[1])) >>> 0, ack,
      flags, window: window ?? 65535, options: parsedOptions, payload: new Uint8Array(0),
    };
    return { packet, flags, length, window, options: options === null ? null : this.optionText(parsedOptions, way, port, options), optionsRaw: options };
  }

  /** The stack's ISN towards `port` (0 before its SYN: numbers are then absolute). */
  private isn(port: number): number {
    return this.stackIsns.get(port) ?? 0;
  }

  private parseOptions(text: string, way: "in" | "out", port: number): TcpOption[] {
    if (!text) return [];
    const stackTs = (value: string) => value === "*" ? -1 : ((this.stackTsBase ?? 0) + Number(value)) >>> 0;
    const sackBase = way === "in" ? this.isn(port) : PEER_ISN;
    return text.split(",").map((item): TcpOption => {
      const w = item.trim().split(/\s+/);
      switch (w[0]) {
        case "mss": return { kind: "mss", value: Number(w[1]) };
        case "sackOK": return { kind: "sackOK" };
        case "nop": return { kind: "nop" };
        case "eol": return { kind: "eol" };
        case "wscale": return { kind: "wscale", value: Number(w[1]) };
        case "TS": return way === "in" ? { kind: "TS", val: Number(w[2]) >>> 0, ecr: stackTs(w[4]) } : { kind: "TS", val: stackTs(w[2]), ecr: Number(w[4]) >>> 0 };
        case "sack": return { kind: "sack", blocks: w.slice(1).map((block) => block.split(":").map((n) => (sackBase + Number(n)) >>> 0) as [number, number]) };
        default: throw new Error(`unknown option ${item}`);
      }
    });
  }

  /** Options as text, relative as in scripts; on the stack's side a TS val of "*" stays "*". */
  private optionText(options: TcpOption[], way: "in" | "out", port: number, raw?: string): string {
    const sackBase = way === "in" ? this.isn(port) : PEER_ISN;
    const star = raw !== undefined && /TS val \*/.test(raw);
    return options.map((option) => {
      switch (option.kind) {
        case "mss": return `mss ${option.value}`;
        case "TS": return way === "out" ? `TS val ${star ? "*" : (option.val - (this.stackTsBase ?? 0)) >>> 0} ecr ${option.ecr}` : `TS val ${option.val} ecr ${option.ecr}`;
        case "wscale": return `wscale ${option.value}`;
        case "sack": return `sack ${option.blocks.map(([a, b]) => `${(a - sackBase) >>> 0}:${(b - sackBase) >>> 0}`).join(" ")}`;
        case "raw": return `raw ${option.bytes.join(".")}`;
        default: return option.kind;
      }
    }).join(",");
  }

  /** A segment the stack sent, as a `>` line would say it. */
  render(packet: TcpPacket): string {
    const seq = (packet.seq - this.isn(packet.destinationPort)) >>> 0;
    let text = `${flagText(packet.flags)} ${seq}:${seq + packet.payload.length}(${packet.payload.length})`;
    if (packet.flags & ACK) text += ` ack ${(packet.ack - PEER_ISN) >>> 0}`;
    text += ` win ${packet.window}`;
    if (packet.destinationPort !== PEER_PORT) text += ` to ${packet.destinationPort}`;
    if (packet.options.length) text += ` <${this.optionText(packet.options, "out", packet.destinationPort)}>`;
    return text;
  }

  private call(words: string[]): void {
    const e = this.e;
    const equals = words.indexOf("=");
    const expected = equals >= 0 ? words.slice(equals + 1).join(" ") : null;
    const args = equals >= 0 ? words.slice(1, equals) : words.slice(1);
    const option = (name: string, fallback: number) => { const at = args.indexOf(name); return at >= 0 ? Number(args[at + 1]) : fallback; };
    const buffers = () => { const at = args.indexOf("buffers"); return at >= 0 ? [Number(args[at + 1]), Number(args[at + 2])] : [65536, 65536]; };
    const checkError = (result: number, what: string) => {
      const want = ERRORS[expected ?? "None"];
      if (result !== want) throw new Error(`${what} returned ${errorName(result)}, expected ${expected ?? "None"}`);
    };
    this.log.push(`${seconds(this.now)} ${words.join(" ")}`);
    switch (words[0]) {
      case "listen": {
        const [send, receive] = buffers();
        return checkError(e.listen(LOCAL, LOCAL_PORT, option("backlog", 16), option("halfopen", 16), send, receive), "listen");
      }
      case "connect": {
        const [send, receive] = buffers();
        return checkError(e.connect(0, LOCAL, LOCAL_PORT, PEER, PEER_PORT, send, receive), "connect");
      }
      case "accept": {
        const got = e.accept(0);
        if (expected === "none" ? got !== 0 : got !== 1) throw new Error(`accept ${got ? "found" : "found no"} connection`);
        return;
      }
      case "write": {
        const length = Number(args[0]);
        const data = new Uint8Array(this.wasm.memory.buffer, e.bufferAddress(), length);
        for (let i = 0; i < length; i++) data[i] = pattern(this.written + i);
        const result = Number(e.send(0, length));
        const want = expected === null ? length : /^\d+$/.test(expected) ? Number(expected) : -ERRORS[expected];
        if (result !== want) throw new Error(`write returned ${result}, expected ${want}`);
        if (result > 0) this.written += result;
        return;
      }
      case "read": {
        const length = Number(args[0]);
        const result = Number(e.receive(0, length));
        const want = expected === null ? length : expected === "EOF" ? 0 : /^\d+$/.test(expected) ? Number(expected) : -ERRORS[expected];
        if (result !== want) throw new Error(`read returned ${result}, expected ${want}`);
        const data = new Uint8Array(this.wasm.memory.buffer, e.bufferAddress(), Math.max(result, 0));
        for (let i = 0; i < result; i++) if (data[i] !== pattern(this.read + i)) throw new Error(`read byte ${this.read + i} is ${data[i]}, expected ${pattern(this.read + i)}`);
        if (result > 0) this.read += result;
        return;
      }
      case "shutdown": return checkError(e.shutdown(0), "shutdown");
      case "close": return checkError(e.close(0), "close");
      case "abort": return e.abortConnection(0);
      case "closelistener": return e.closeListener();
      case "nagle": return e.setNagle(0, args[0] === "on");
      case "refuse": return e.refuseTransmit(args[0] === "on");
      case "room": return e.setRoom(Number(args[0]));
      case "defer": return e.deferOutput(args[0] === "on");
      case "flush": return e.flushOutput();
      case "keepalive": return e.setKeepAlive(0, true, nanos(args[0]), nanos(args[1]), Number(args[2]));
      case "icmp": {   // icmp TYPE CODE SEQ = ended|ignored: an ICMP error quoting our segment with sequence ISS + SEQ
        const ended = e.icmpError(0, Number(args[2]) >>> 0, Number(args[0]), Number(args[1])) !== 0;
        if ((expected === "ended") !== ended) throw new Error(`icmp ${args.join(" ")} was ${ended ? "ended" : "ignored"}, expected ${expected}`);
        return;
      }
      case "quiet": return;
      case "expect": return this.expectation(args);
      default: throw new Error(`unknown call ${words[0]}`);
    }
  }

  private expectation(args: string[]): void {
    const e = this.e;
    const [what, name, value] = args;
    const check = (actual: unknown, want: unknown) => { if (actual !== want) throw new Error(`${args.join(" ")}: it is ${actual}`); };
    switch (what) {
      case "state": return check(STATES[e.state(0)], name);
      case "failure": return check(FAILURES[e.failure(0)], name);
      case "readable": return check(e.readable(0) >>> 0, Number(name));
      case "writable": return check(e.writable(0) >>> 0, Number(name));
      case "eof": return check(e.atEnd(0) !== 0, true);
      case "halfopen": return check(e.halfOpen(), Number(name));
      case "pending": return check(e.pendingAccepts(), Number(name));
      case "counter": {
        const index = COUNTERS.indexOf(name);
        if (index < 0) throw new Error(`unknown counter ${name}`);
        return check(Number(e.counter(index)), Number(value));
      }
      case "field": {
        const index = FIELDS.indexOf(name);
        if (index < 0) throw new Error(`unknown field ${name}`);
        let actual = Number(e.field(0, index));
        if (name === "sndUna" || name === "sndNxt" || name === "sndMax") actual = (actual - this.isn(PEER_PORT)) >>> 0;
        if (name === "rcvNxt") actual = (actual - PEER_ISN) >>> 0;
        if (name === "srtt" || name === "rto") return check(actual / 1e9, Number(value));
        return check(actual, Number(value));
      }
      default: throw new Error(`unknown expectation ${what}`);
    }
  }
}

function seconds(time: bigint): string {
  return `${time / NS}.${(time % NS).toString().padStart(9, "0").slice(0, 6)}`;
}

function errorName(value: number): string {
  return Object.entries(ERRORS).find(([, number]) => number === value)?.[0] ?? String(value);
}
