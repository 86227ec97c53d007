// The bounds benchmark: builds loop.ts through asc, wasm-opt, wasm2c and gcc with guard pages
// and with explicit bounds checks, and loop.c as plain C, into build/bench-bounds/; checks that
// all three agree on the checksum, times them interleaved and returns each median time per
// iteration (one pass over the 8192-entry ring). `tsx bench/bounds/bounds.ts` prints a table.

import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const repository = resolve(__dirname, "..", "..");
const source = join(repository, "bench", "bounds");
const output = join(repository, "build", "bench-bounds");
const nodeBinaries = join(repository, "node_modules", ".bin");
const WASM_FEATURES = [
  "--enable-mutable-globals", "--enable-sign-ext", "--enable-nontrapping-float-to-int",
  "--enable-bulk-memory", "--enable-bulk-memory-opt",
];
const VARIANTS = ["guard-pages", "explicit-checks", "plain-c"] as const;
const ROUNDS = 7;
const TARGET_MILLISECONDS_PER_RUN = 150;
const ENTRIES_PER_ITERATION = 8192;

type Variant = (typeof VARIANTS)[number];
export interface BoundsRow { variant: string; nanosecondsPerIteration: number; relativeToPlainC: number }

function run(command: string, argumentsList: string[]): string {
  return execFileSync(command, argumentsList, { cwd: repository, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function build(): void {
  mkdirSync(output, { recursive: true });
  run(join(nodeBinaries, "asc"), [join(source, "loop.ts"), "--runtime", "stub", "-O3", "--use", "abort=",
    "-o", join(output, "loop.asc.wasm")]);
  run(join(nodeBinaries, "wasm-opt"), [join(output, "loop.asc.wasm"), ...WASM_FEATURES, "-O3",
    "-o", join(output, "loop.wasm")]);
  run("wasm2c", ["-n", "bounds", join(output, "loop.wasm"), "-o", join(output, "bounds_wasm.c")]);
  const wasmSources = [join(source, "main.c"), join(output, "bounds_wasm.c"), join(source, "host_rt.c")];
  const wasmFlags = ["-O2", "-DNDEBUG", "-w", "-I" + join(repository, "arch", "x86_64", "wasm-rt"), "-I" + output];
  run("gcc", [...wasmFlags, "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1", "-o", binary("guard-pages"), ...wasmSources]);
  run("gcc", [...wasmFlags, "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0", "-o", binary("explicit-checks"), ...wasmSources]);
  run("gcc", ["-O2", "-DNDEBUG", "-Wall", "-Wextra", "-DBOUNDS_PLAIN_C", "-o", binary("plain-c"),
    join(source, "main.c"), join(source, "loop.c")]);
}

function binary(variant: Variant): string {
  return join(output, "bounds-" + variant);
}

function measure(variant: Variant, passes: number): { checksum: string; nanoseconds: number } {
  const line = run(binary(variant), [String(passes)]);
  const match = /^checksum (0x[0-9a-f]{8}) nanoseconds_per_pass ([0-9.]+)$/m.exec(line);
  if (!match) throw new Error(`bounds benchmark: unexpected output from ${variant}: ${line}`);
  return { checksum: match[1], nanoseconds: Number(match[2]) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function benchmarkBounds(): Promise<BoundsRow[]> {
  build();
  // The slowest variant sets the fixed amount of work; every run does the same passes, so
  // every run of every variant must end on the same checksum.
  const calibration = measure("explicit-checks", 50);
  const passes = Math.max(10, Math.round((TARGET_MILLISECONDS_PER_RUN * 1e6) / calibration.nanoseconds));
  const timings = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
  let expectedChecksum: string | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    for (let position = 0; position < VARIANTS.length; position++) {
      const variant = VARIANTS[(round + position) % VARIANTS.length]; // rotate who goes first
      const result = measure(variant, passes);
      expectedChecksum ??= result.checksum;
      if (result.checksum !== expectedChecksum) {
        throw new Error(`bounds benchmark: ${variant} computed checksum ${result.checksum}, ` +
          `expected ${expectedChecksum}: the variants disagree`);
      }
      timings.get(variant)!.push(result.nanoseconds);
    }
  }
  const plainC = median(timings.get("plain-c")!);
  return VARIANTS.map((variant) => {
    const nanosecondsPerIteration = median(timings.get(variant)!);
    return { variant, nanosecondsPerIteration, relativeToPlainC: nanosecondsPerIteration / plainC };
  });
}

if (require.main === module) {
  benchmarkBounds().then((rows) => {
    console.log(`bounds strategies (median of ${ROUNDS} interleaved runs; iteration = ${ENTRIES_PER_ITERATION} ring entries)`);
    console.log("variant           ns/iteration   ns/entry   vs plain C");
    for (const row of rows) {
      console.log(row.variant.padEnd(16) +
        row.nanosecondsPerIteration.toFixed(0).padStart(14) +
        (row.nanosecondsPerIteration / ENTRIES_PER_ITERATION).toFixed(2).padStart(11) +
        ((row.relativeToPlainC >= 1 ? "+" : "") + ((row.relativeToPlainC - 1) * 100).toFixed(1) + " %").padStart(13));
    }
  }, (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
