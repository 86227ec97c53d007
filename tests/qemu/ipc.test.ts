// IPC between processes on the real ISO (userspace/programs/ipc and ipc-peer): 10k calls through
// an endpoint carrying a copied Console and a moved Memory on alternate calls (a moved handle is
// stale in the sender; the receiver uses what it got), a Timer copy coming back in a reply, and a
// call to a server that dies before returning, which completes with PeerEnded (-21).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { withQemu } from "../qemu-runner/runner";

const ipc = suite("ipc");

ipc("two processes ping-pong 10k calls with copied and moved capabilities; a dead server's call fails", async () => {
  await withQemu({ commandLine: "test=user init=ipc" }, async (qemu) => {
    await qemu.expectLine("capsid: processes: started ipc as process 1", 20_000);
    await qemu.expectLine("ipc: a copied Console works in the server", 60_000);
    await qemu.expectLine("ipc-peer: 10000 calls; moved handles stale after the call: 5000 of 5000; the Timer that came back reads a time", 120_000);
    await qemu.expectLine(/^ipc-peer: round trip \d+ cycles; empty cap_enter \d+ cycles$/);
    const served = await qemu.expectLine(/^ipc: served (\d+) calls, (\d+) carried a copied Console, (\d+) a moved Memory$/);
    const [, calls, copies, moves] = /served (\d+) calls, (\d+) carried a copied Console, (\d+) a moved Memory/.exec(served)!.map(Number);
    assert.ok(calls >= 10_000 && copies === 5000 && moves === 5000, served);
    await qemu.expectLine("ipc: a call to a server that died completed with -21");
    await qemu.expectLine("ipc: all passed");
    await qemu.expectLine(/^capsid: selftest: user: ipc ended \(exit code 0\); processes left 0, .*live objects none$/);
    await qemu.expectExit("pass");
  });
});

ipc.run();
