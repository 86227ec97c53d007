// The phy layer's front (kernel/net/phy/): at boot, phyInit builds the device the interface
// (net/iface/interface.ts) sends through and receives from, as the command line says:
//   the virtio-net driver (virtio.ts), the first device PCI found;
//   under `pcap=1`, wrapped by the packet capture (capture.ts) writing pcap on COM2;
//   under `netfault=...`, wrapped by the fault device (fault.ts; syntax in fault-config.ts).
// So the chain is interface -> faults -> capture -> driver: the capture shows the wire. A device
// with deferred work (a held frame) is polled on the tick. Called from main.ts and the interface.

import { readTsc } from "../../arch/hw";
import { CommandLine } from "../../boot/command-line";
import { COM2, Uart } from "../../drivers/serial/uart";
import { virtioNetCompleteChecksums } from "../../drivers/virtio/net";
import { logEnd, LogLevel, logLine } from "../../log/log";
import { monotonicNanos } from "../../time/clock";
import { tickListen } from "../../time/tick";
import { CaptureDevice, CaptureOutput } from "./capture";
import { FrameChecksum, FrameSink, NetDevice } from "./device";
import { FaultDevice } from "./fault";
import { FaultConfig } from "./fault-config";
import { VirtioNetDevice } from "./virtio";

/** Where the interface takes received frames: a frame lent for the call, and the device's word
 * on its checksum. */
export type FrameReceiver = (frame: usize, length: u32, checksum: FrameChecksum) => void;

class PhyState {
  /** The outermost device of the chain; null without a network device. */
  device: NetDevice | null = null;
  receiver: FrameReceiver | null = null;
  polled: bool = false;
}
const state = new PhyState();

/** The capture's bytes to a UART. */
class UartOutput extends CaptureOutput {
  constructor(readonly uart: Uart, name: string) {
    super(name);
  }

  write(address: usize, length: u32): void {
    this.uart.write(address, length);
  }
}

/** The chain's received frames, to the interface's receiver. */
class ReceiverSink extends FrameSink {
  receive(frame: usize, length: u32, checksum: FrameChecksum): void {
    const receiver = state.receiver;
    if (receiver !== null) receiver(frame, length, checksum);
  }
}

/** Builds the device chain (no virtio-net device: no chain; pcap= and netfault= are ignored, said
 * in the log). */
export function phyInit(commandLine: CommandLine): void {
  let device: NetDevice = new VirtioNetDevice();
  const mac = new StaticArray<u8>(6);
  const pcap = commandLine.get("pcap"), faults = commandLine.get("netfault");
  if (!device.mac(changetype<usize>(mac))) {
    if (pcap !== null || faults !== null) warn("no network device: pcap= and netfault= have nothing to act on");
    return;
  }
  if (pcap !== null && pcap != "0") {
    const uart = pcap == "1" ? Uart.create(COM2) : null;
    if (pcap != "1") warn("pcap=" + pcap + " is not 1 (capture on COM2) or 0; no capture");
    else if (uart === null) warn("pcap=1, but no UART answers at COM2 (QEMU: give a second -serial); no capture");
    else {
      device = new CaptureDevice(device, new UartOutput(uart, "COM2"), monotonicNanos);
      virtioNetCompleteChecksums(true);   // the capture shows received frames' checksums whole
      logLine().text("net: pcap: every frame sent and received goes to COM2 as pcap (written synchronously: for debugging)");
      logEnd();
    }
  }
  if (faults !== null) {
    const config = FaultConfig.parse(faults);
    if (config.problem != "") warn("netfault=" + faults + ": " + config.problem + "; no faults injected");
    else {
      if (!config.seedGiven) config.seed = readTsc();
      device = new FaultDevice(device, config, monotonicNanos);
      logLine().text("net: faults: ").text(config.text()).text(" (both directions, each apart)");
      logEnd();
    }
  }
  state.device = device;
}

function warn(text: string): void {
  logLine(LogLevel.Warning).text("net: ").text(text);
  logEnd();
}

/** Sends a frame on the chain (NetDevice.send); false without a device. */
export function phySend(frame: usize, length: u32): bool {
  const device = state.device;
  return device !== null ? device.send(frame, length) : false;
}

/** Frames the chain would take now (NetDevice.sendRoom); 0 without a device. */
export function phySendRoom(): u32 {
  const device = state.device;
  return device !== null ? device.sendRoom() : 0;
}

/** The device's MAC (6 bytes at `output`); false without a device. */
export function phyMac(output: usize): bool {
  const device = state.device;
  return device !== null ? device.mac(output) : false;
}

/** Received frames go to `receiver` from now on; a chain with deferred work is polled on the tick. */
export function phyAttach(receiver: FrameReceiver): void {
  const device = state.device;
  if (device === null) return;
  state.receiver = receiver;
  device.attach(new ReceiverSink());
  if (device.needsPoll() && !state.polled) {
    state.polled = true;
    tickListen(phyPoll);
  }
}

function phyPoll(): void {
  const device = state.device;
  if (device !== null) device.poll(monotonicNanos());
}
