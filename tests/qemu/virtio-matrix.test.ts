// The virtio-net device and machine matrix (issue 16): QEMU's virtio-net-pci on the pc and q35
// machines, modern-only (disable-legacy=on) and transitional, with MSI-X and without it (vectors=0,
// or pci=nomsi on the kernel command line), so that the driver takes INTx through the I/O APIC
// (kernel/pci/intx.ts): under SeaBIOS and, once, OVMF, and once with a second device sharing the
// line (its backend a user network restricted to nothing). Each combination boots once in a namespace with a tap (netns.ts) running
// udp-echo, and must say which interrupt it uses, answer 50 pings 10 ms apart with none lost, and
// echo 300 UDP datagrams unchanged. The tick runs at 10 Hz: a device left to the tick's polling
// answers in about 50 ms, so a mean round trip under 10 ms shows its interrupt arrives. Under
// INTx, QEMU's own view of the I/O APIC (`info pic`) must show the entry the log names (its
// vector, level-triggered, unmasked), and a link change (`set_link`) must reach the driver as a
// configuration-change interrupt.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { logMessage, withQemu, type Firmware, type QemuSession } from "../qemu-runner/runner";
import { GUEST, Namespace } from "./netns";

const matrix = suite("virtio-net on pc and q35, modern-only and transitional, MSI-X and INTx");
const ns = new Namespace("matrix");
const PINGS = 50;
const DATAGRAMS = 300;
/** A mean ping round trip above this is the tick's polling (10 Hz here), not an interrupt. */
const INTERRUPT_ROUND_TRIP_MS = 10;

matrix.before(() => ns.create());
matrix.after(() => ns.remove());

interface Combination {
  machine: "pc" | "q35";
  firmware?: Firmware;
  /** Options of the virtio-net-pci device on the tap. */
  device: string;
  commandLine?: string;
  interrupt: "MSI-X" | "INTx";
  /** A second virtio-net-pci (at this address) whose INTx line SeaBIOS steers to the first's. */
  sharedWith?: string;
}

const COMBINATIONS: Combination[] = [
  { machine: "pc", device: "disable-legacy=on", interrupt: "MSI-X" },
  { machine: "q35", device: "disable-legacy=on", interrupt: "MSI-X" },
  { machine: "pc", device: "disable-legacy=off", interrupt: "MSI-X" },
  { machine: "pc", device: "disable-legacy=on,vectors=0", interrupt: "INTx" },
  { machine: "q35", device: "disable-legacy=on,vectors=0", interrupt: "INTx" },
  { machine: "q35", device: "disable-legacy=off", commandLine: "pci=nomsi", interrupt: "INTx" },
  { machine: "q35", firmware: "ovmf", device: "disable-legacy=on,vectors=0", interrupt: "INTx" },
  { machine: "pc", device: "disable-legacy=on,vectors=0,addr=0x2", interrupt: "INTx", sharedWith: "0x5" },
];

/** One datagram in flight at a time, each of a random length and content, compared on return. */
const UDP_ECHO = `
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
for i in range(${DATAGRAMS}):
    payload = os.urandom(1 + (i * 7919) % 1472)
    s.sendto(payload, ("${GUEST}", 7))
    try:
        answer = s.recv(2048)
    except socket.timeout:
        print(f"datagram {i} of {len(payload)} bytes: no echo in 3 s"); sys.exit(1)
    if answer != payload:
        print(f"datagram {i} of {len(payload)} bytes came back as {len(answer)} different bytes"); sys.exit(1)
print("echoed ${DATAGRAMS}")
`;

async function pingAndEcho(qemu: QemuSession): Promise<void> {
  const ping = await ns.run(["ping", "-n", "-q", "-c", String(PINGS), "-i", "0.01", "-W", "2", GUEST], 30_000);
  const counts = /(\d+) packets transmitted, (\d+) received/.exec(ping.output);
  assert.ok(counts, `ping said: ${ping.output}`);
  assert.is(`${counts![2]} of ${counts![1]}`, `${PINGS} of ${PINGS}`, `pings answered: ${ping.output}`);
  const mean = Number(/rtt min\/avg\/max\/mdev = [\d.]+\/([\d.]+)\//.exec(ping.output)?.[1]);
  assert.ok(mean < INTERRUPT_ROUND_TRIP_MS, `mean round trip ${mean} ms: the device is polled on the tick, not interrupting`);
  const echo = await ns.run(["python3", "-c", UDP_ECHO], 60_000);
  assert.is(echo.output.trim(), `echoed ${DATAGRAMS}`, qemu.serial.split("\n").map(logMessage).filter((line) => line.includes("virtio-net")).join("\n"));
}

for (const combination of COMBINATIONS) {
  const { machine, firmware, device, commandLine, interrupt, sharedWith } = combination;
  const name = `${machine}${firmware ? ` under ${firmware}` : ""}, virtio-net-pci,${device}${commandLine ? `, ${commandLine}` : ""}`
    + `${sharedWith ? `, a second device at ${sharedWith} sharing its line` : ""}: ${interrupt}; ${PINGS} pings and ${DATAGRAMS} UDP echoes`;
  const second = sharedWith
    ? ["-device", `virtio-net-pci,disable-legacy=on,vectors=0,addr=${sharedWith},netdev=n1`, "-netdev", "user,id=n1,restrict=on"] : [];
  matrix(name, async () => {
    await withQemu({
      machine, firmware, qmp: interrupt === "INTx", netns: ns.name, extraArguments: [...ns.qemuArguments(device), ...second],
      commandLine: `log=info tick=10 ip=10.0.2.15/24 init=udp-echo${commandLine ? ` ${commandLine}` : ""}`,
    }, async (qemu) => {
      const driver = await qemu.expectLine(/^capsid: virtio-net: 00:0\d\.0 MAC 52:54:00:c0:ff:ee, link up; queues of 256, 256 receive buffers; /, 60_000);
      const mode = interrupt === "MSI-X" ? /; MSI-X vector \d+;/ : /; INTx GSI (\d+) vector (\d+);/;
      assert.match(driver, mode, `the driver's interrupt: ${driver}`);
      await qemu.expectLine("udp-echo: listening on port 7", 30_000);
      if (interrupt === "INTx") {
        const [, gsi, vector] = mode.exec(driver)!;
        const routed = qemu.serial.split("\n").map(logMessage).filter((line) => / INT[A-D] line \d+ -> GSI /.test(line));
        assert.match(routed[0] ?? "", new RegExp(`^capsid: pci: 00:0\\d\\.0 INTA line \\d+ -> GSI ${gsi}, level, active (high|low), vector ${vector} \\(virtio-net\\)$`));
        if (sharedWith) {
          const at = `00:${sharedWith.slice(2).padStart(2, "0")}.0`;
          assert.match(routed[1] ?? "", new RegExp(`^capsid: pci: ${at} INTA line \\d+ -> GSI ${gsi}, level, active (high|low), vector ${vector} \\(virtio-net, shared\\)$`),
            routed.join("\n"));
        }
        const pic = await (await qemu.qmp()).monitor("info pic");
        assert.match(pic, new RegExp(`pin ${gsi} +0x[0-9a-f]+ dest=0 vec=${vector} +active-(hi|lo) level +fixed`), `QEMU's I/O APIC:\n${pic}`);
      }
      await pingAndEcho(qemu);
      if (interrupt === "INTx") {
        const qmp = await qemu.qmp();
        await qmp.monitor("set_link n0 off");
        await qemu.expectLine(/^capsid: virtio-net: 00:0\d\.0 configuration changed: link down$/, 10_000);
        await qmp.monitor("set_link n0 on");
        await qemu.expectLine(/^capsid: virtio-net: 00:0\d\.0 configuration changed: link up$/, 10_000);
      }
    });
  });
}

matrix.run();
