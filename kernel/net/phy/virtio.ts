// The virtio-net driver (drivers/virtio/net.ts) behind the phy device interface: its first
// device's MAC, sends and received frames (with the driver's word on their checksums). The
// driver calls back through a plain function (no closures in AssemblyScript), so the one
// adapter is module state. Made by phy.ts at boot.

import { ReceivedChecksum, virtioNetAttach, virtioNetMac, virtioNetPoll, virtioNetSend, virtioNetSendRoom } from "../../drivers/virtio/net";
import { FrameChecksum, FrameSink, NetDevice } from "./device";

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

  sendRoom(): u32 {
    return virtioNetSendRoom();
  }

  mac(output: usize): bool {
    return virtioNetMac(output);
  }

  attach(sink: FrameSink): void {
    this.sink = sink;
    state.device = this;
    virtioNetAttach(virtioReceive);
  }

  /** What an interrupt's receive budget left (and a device without MSI-X), and the device's
   * status: on every tick. */
  poll(now: u64): void {
    virtioNetPoll(now);
  }

  needsPoll(): bool {
    return true;
  }

  /** From the driver's interrupt: one received frame. */
  received(frame: usize, length: u32, checksum: FrameChecksum): void {
    this.deliver(frame, length, checksum);
  }
}

class VirtioAdapterState {
  /** The adapter the driver's frames go to (the last attached). */
  device: VirtioNetDevice | null = null;
}
const state = new VirtioAdapterState();

function virtioReceive(frame: usize, length: u32, checksum: ReceivedChecksum): void {
  const device = state.device;
  if (device !== null) device.received(frame, length, checksum == ReceivedChecksum.Validated ? FrameChecksum.Validated : FrameChecksum.Unverified);
}
