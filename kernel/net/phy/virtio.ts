// The virtio-net driver (drivers/virtio/net.ts) behind the phy device interface: its first
// device's MAC, sends and received frames. The driver calls back through a plain function (no
// closures in AssemblyScript), so the one adapter is module state. Made by phy.ts at boot.

import { virtioNetAttach, virtioNetMac, virtioNetPoll, virtioNetSend } from "../../drivers/virtio/net";
import { FrameSink, NetDevice } from "./device";

export class VirtioNetDevice extends NetDevice {
  constructor() {
    super("virtio-net");
  }

  send(frame: usize, length: u32): bool {
    if (!virtioNetSend(frame, length)) {
      this.counters.refused++;
      return false;
    }
    this.counters.sent++;
    return true;
  }

  mac(output: usize): bool {
    return virtioNetMac(output);
  }

  attach(sink: FrameSink): void {
    this.sink = sink;
    state.device = this;
    virtioNetAttach(virtioReceive);
  }

  /** What an interrupt's receive budget left (and a device without MSI-X): on every tick. */
  poll(now: u64): void {
    virtioNetPoll();
  }

  needsPoll(): bool {
    return true;
  }

  /** From the driver's interrupt: one received frame. */
  received(frame: usize, length: u32): void {
    this.deliver(frame, length);
  }
}

class VirtioAdapterState {
  /** The adapter the driver's frames go to (the last attached). */
  device: VirtioNetDevice | null = null;
}
const state = new VirtioAdapterState();

function virtioReceive(frame: usize, length: u32): void {
  const device = state.device;
  if (device !== null) device.received(frame, length);
}
