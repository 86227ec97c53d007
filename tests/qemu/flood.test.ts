// Hostile input on the live wire (issue 16): in a namespace of its own with a tap (netns.ts),
// flood.py writes at least 100,000 mutated raw frames into the tap towards the guest while a UDP
// echo exchange with udp-echo runs beside them. The kernel must keep running, never echo a
// datagram wrong, and afterwards answer every echo and ping. The seed is printed; FLOOD_SEED=N
// replays a run.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { randomInt } from "node:crypto";
import { join } from "node:path";
import { REPOSITORY, withQemu } from "../qemu-runner/runner";
import { GUEST, GUEST_MAC, Namespace } from "./netns";

const flood = suite("hostile frames on the live tap");
const ns = new Namespace("flood");
const FRAMES = 100_000;
/** Debian's python3, where python3-scapy lives (a python3 earlier on PATH may not have it). */
const PYTHON = "/usr/bin/python3";

flood.before(() => ns.create());
flood.after(() => ns.remove());

interface EchoFigures { answered: number; lost: number; corrupt: number; stray: number }
interface FloodReport {
  seed: number; corpus: number; written: number; refused: number; delivered: number; dropped: number; seconds: number;
  during: EchoFigures; after: EchoFigures;
}

flood(`${FRAMES} mutated frames into the tap during a UDP echo exchange: no echo wrong, the kernel keeps running, and afterwards 500 echoes and 50 pings all answered`, async () => {
  const seed = process.env.FLOOD_SEED !== undefined ? Number(process.env.FLOOD_SEED) : randomInt(1, 2 ** 31);
  console.log(`  flood seed ${seed} (FLOOD_SEED=${seed} replays it)`);
  await withQemu({ commandLine: "log=info ip=10.0.2.15/24 init=udp-echo", netns: ns.name, extraArguments: ns.qemuArguments() }, async (qemu) => {
    await qemu.expectLine("udp-echo: listening on port 7", 60_000);
    const run = await ns.run([PYTHON, join(REPOSITORY, "tests/qemu/flood.py"), "--seed", String(seed), "--count", String(FRAMES),
      "--guest-mac", GUEST_MAC, "--guest", GUEST], 240_000);
    const last = run.output.trim().split("\n").pop() ?? "";
    let report: FloodReport;
    try {
      report = JSON.parse(last);
    } catch {
      throw new Error(`flood.py (seed ${seed}) gave no report (exit ${run.code}):\n${run.output}\n${qemu.serial}`);
    }
    console.log(`  flood: ${report.written} frames written (${report.corpus} base frames), ${report.delivered} taken by QEMU, ` +
      `${report.dropped} dropped by the tap, in ${report.seconds} s; echoes during: ${JSON.stringify(report.during)}; after: ${JSON.stringify(report.after)}`);
    const context = `seed ${seed}: ${last}`;
    assert.ok(report.delivered >= FRAMES, `QEMU took only ${report.delivered} frames from the tap; ${context}`);
    assert.is(report.during.corrupt, 0, `an echo during the flood came back wrong; ${context}`);
    assert.ok(report.during.answered > 0, `no echo was answered during the flood; ${context}`);
    assert.equal([report.after.answered, report.after.lost, report.after.corrupt], [500, 0, 0], `echoes after the flood; ${context}`);
    const ping = await ns.run(["ping", "-c", "50", "-i", "0.01", "-W", "2", GUEST], 30_000);
    assert.match(ping.output, /50 packets transmitted, 50 received, 0% packet loss/, `${ping.output}; ${context}`);
    assert.not.match(qemu.serial, /panic|abort|unreachable/i, `the kernel's log after the flood (${context}):\n${qemu.serial}`);
  });
});

flood.run();
