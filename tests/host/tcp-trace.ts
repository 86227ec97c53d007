// Debugging aid for tests/host/tcp-link.test.ts: replays one seeded run of
// tests/host/entries/tcp-link.ts with tracing on and prints the segments lost, dropped by the
// bottleneck and delivered, with sequence numbers relative to each side's ISN:
//   node -r tsx/cjs tests/host/tcp-trace.ts SEED [FAULT-MASK [BYTES-A BYTES-B]]
// (FAULT-MASK bits: 1 loss, 2 duplication, 4 corruption, 8 jitter, 16 rate; ALL=1 keeps the
// deliveries, LAST=N prints the last N lines; FUZZ=BASIS-POINTS replays a fuzz run instead, whose
// injected segments show as deliveries.)

import { join } from "node:path";
import { compileAssemblyScript, instantiate } from "./assemblyscript";
import { decode, flagText } from "./tcp-packet";
const module = compileAssemblyScript(join(__dirname, "entries/tcp-link.ts"));
// Sizes default to 100,000 bytes each way; the test draws its own (see sizes() there).
let wasm: any;
const lines: string[] = [];
const bases: number[] = [0, 0];
wasm = instantiate(module, { env: { traceSegment: (time: bigint, direction: number, what: number, address: number, length: number) => {
  const p = decode(new Uint8Array(wasm.memory.buffer, address, length).slice());
  if (p.flags & 2) bases[direction] = p.seq;
  const other = bases[1 - direction];
  const sack = p.options.filter((o: any) => o.kind === "sack").map((o: any) => o.blocks.map(([a, b]: number[]) => `${(a - other) >>> 0}:${(b - other) >>> 0}`).join(" ")).join("");
  const ts = p.options.find((o: any) => o.kind === "TS") as any;
  lines.push(`${(Number(time) / 1e9).toFixed(6)} ${direction ? "B>A" : "A>B"} ${["sent", "LOST", "QDROP", "deliv"][what]} ${flagText(p.flags)} ${(p.seq - bases[direction]) >>> 0}(${p.payload.length}) ack ${(p.ack - other) >>> 0} win ${p.window}${sack ? " sack " + sack : ""}${ts ? ` ts ${ts.val} ${ts.ecr}` : ""}`);
} } });
const e = wasm.exports;
e.setFaultMask(Number(process.argv[3] ?? 31));
e.setTracing(true);
const code = process.env.FUZZ
  ? e.fuzzRun(BigInt(process.argv[2]), Number(process.argv[4] ?? 65536), Number(process.argv[5] ?? 65536), 600n * 1000000000n, Number(process.env.FUZZ))
  : e.run(BigInt(process.argv[2]), Number(process.argv[4] ?? 100000), Number(process.argv[5] ?? 100000), 3600n * 1000000000n, true);
console.log(lines.filter((l) => !/ deliv /.test(l) || process.env.ALL).slice(-Number(process.env.LAST ?? 80)).join("\n"));
console.log("code", code, "detail", e.detail(), "states", e.stateOf(0), e.stateOf(1));
