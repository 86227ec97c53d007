// The process-switch strategies and page-table isolation (kernel/arch/address-switch.ts), each
// forced in turn (switch=, isolation=) in the same run: boots test=user init=ipc, whose ipc-peer
// prints a round trip between two processes and an empty cap_enter. Guest instructions come from
// one boot under -icount shift=0 (the guest's TSC then counts instructions: exact, the same on
// every boot); nanoseconds from plain TCG boots of every configuration interleaved, `boots`
// rounds, the median, converted with the TSC rate the kernel logs. PCID cannot run here (QEMU 7.2's
// TCG removes it from every CPU model), so its rows say so. Called by run.ts (`tsx bench/run.ts
// switch` prints this section alone).

import { withQemu } from "../tests/qemu-runner/runner";
import { IPC_LINE } from "./ipc";

export interface SwitchRow {
  strategy: string;      // the switch= word
  isolation: "off" | "on";
  /** The boot log's own words for what ran (the strategy line), to show nothing fell back. */
  ran: string;
  roundTripInstructions: number | null; emptyInstructions: number | null;
  roundTripNanoseconds: number | null; emptyNanoseconds: number | null;
}

const CONFIGURATIONS: { strategy: string; isolation: "off" | "on" }[] = [
  { strategy: "accessed", isolation: "off" }, { strategy: "accessed", isolation: "on" },
  { strategy: "cr3", isolation: "off" }, { strategy: "cr3", isolation: "on" },
  { strategy: "pcid", isolation: "off" }, { strategy: "pcid", isolation: "on" },
];
const TSC = /^capsid: time: TSC ([\d.]+) MHz/;
const STRATEGY = /^capsid: processes: process switch by (.*)$/;

interface Boot { tscHz: number; ran: string; roundTrip: number; empty: number }

async function boot(strategy: string, isolation: string, icount: boolean): Promise<Boot> {
  return withQemu({ commandLine: `test=user init=ipc switch=${strategy} isolation=${isolation}`, extraArguments: icount ? ["-icount", "shift=0"] : [] },
    async (qemu) => {
      const tscHz = Number(TSC.exec(await qemu.expectLine(TSC, 20_000))![1]) * 1e6;
      const ran = STRATEGY.exec(await qemu.expectLine(STRATEGY))![1];
      const [, roundTrip, empty] = IPC_LINE.exec(await qemu.expectLine(IPC_LINE, 120_000))!.map(Number);
      await qemu.expectExit("pass", 60_000);
      return { tscHz, ran, roundTrip, empty };
    });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchmarkSwitch(boots = 3): Promise<SwitchRow[]> {
  const runnable = CONFIGURATIONS.filter((configuration) => configuration.strategy !== "pcid");
  const timed = new Map<string, Boot[]>(runnable.map((configuration) => [`${configuration.strategy} ${configuration.isolation}`, []]));
  for (let round = 0; round < boots; round++) {
    for (const { strategy, isolation } of runnable) timed.get(`${strategy} ${isolation}`)!.push(await boot(strategy, isolation, false));
  }
  const rows: SwitchRow[] = [];
  for (const { strategy, isolation } of CONFIGURATIONS) {
    if (strategy === "pcid") {
      rows.push({ strategy, isolation, ran: "not here: QEMU's TCG has no PCID", roundTripInstructions: null, emptyInstructions: null,
        roundTripNanoseconds: null, emptyNanoseconds: null });
      continue;
    }
    const counted = await boot(strategy, isolation, true);
    const runs = timed.get(`${strategy} ${isolation}`)!;
    const nanoseconds = (pick: (run: Boot) => number) => Math.round(median(runs.map((run) => (pick(run) * 1e9) / run.tscHz)));
    rows.push({
      strategy, isolation, ran: counted.ran, roundTripInstructions: counted.roundTrip, emptyInstructions: counted.empty,
      roundTripNanoseconds: nanoseconds((run) => run.roundTrip), emptyNanoseconds: nanoseconds((run) => run.empty),
    });
  }
  return rows;
}
