// IPC between processes on the real ISO (userspace/programs/ipc and ipc-peer): 10k calls through
// an endpoint carrying a copied Console and a moved Memory on alternate calls (a moved handle is
// stale in the sender; the receiver uses what it got), a Timer copy coming back in a reply, and a
// call to a server that dies before returning, which completes with PeerEnded. Each step of both
// programs is asserted by its PASS line, in order (steps.ts): a FAIL fails the test there.

import { suite } from "uvu";
import { withQemu } from "../qemu-runner/runner";
import { ProgramSteps } from "./steps";

const ipc = suite("ipc");

ipc("two processes ping-pong 10k calls with copied and moved capabilities; a dead server's call fails", async () => {
  await withQemu({ commandLine: "test=user init=ipc" }, async (qemu) => {
    await qemu.expectLine("capsid: processes: started ipc as process 1", 20_000);
    const server = new ProgramSteps(qemu, "ipc"), client = new ProgramSteps(qemu, "ipc-peer");
    // The server's check of its write through the Console copy it received, then what it wrote.
    await server.expectPass("copied Console writes in the server", 60_000);
    await qemu.expectLine("ipc: a copied Console works in the server");
    await client.expectPasses(["calls answered", "moved handles stale after the call", "timed calls answered"], 120_000);
    await server.expectPass("calls served");
    await client.expectPasses(["a Timer came back in a reply and reads the clock", "last call answered"]);
    // The line bench/ipc.ts parses.
    await qemu.expectLine(/^ipc-peer: round trip \d+ cycles; empty cap_enter \d+ cycles$/);
    await server.expectPasses(["peer passed", "capabilities carried", "a call to a server that dies ends with PeerEnded"]);
    await qemu.expectLine(/^capsid: selftest: user: ipc ended \(exit code 0\); processes left 0, .*live objects none$/);
    await qemu.expectExit("pass");
    server.expectNoMore();
    client.expectNoMore();
  });
});

ipc.run();
