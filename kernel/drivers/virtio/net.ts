// The virtio-net driver (virtio 1.2, 5.1) over the PCI transport (pci-transport.ts): for each
// virtio-net function PCI found, the initialisation of 3.1.1 (reset, ACKNOWLEDGE, DRIVER, feature
// negotiation, FEATURES_OK read back, queues, DRIVER_OK), a receive queue kept full of buffers
// from a fixed pool (RX_BUFFERS, in frames of its own: memory that belongs to no process), a
// transmit queue whose buffers come back on the next send or interrupt, and MSI-X: one vector from
// the registry for both queues; without MSI-X, INTx through the I/O APIC (kernel/pci/intx.ts: a
// shared, level-triggered line, deasserted by reading the ISR status); without either, the
// queues are polled on the tick. No stack yet (issue 16 goes on): received frames are counted and
// the first few logged; at start the driver sends one broadcast frame of the local experimental
// EtherType 0x88B5 saying "capsid", which the host sees on its tap. Features offered are logged:
// CSUM, GUEST_CSUM, MRG_RXBUF and EVENT_IDX are measured, not assumed, and not used yet.

import { mmioMap } from "../../memory/mmio";
import { mmioWrite32 } from "../../arch/hw";
import { frameAllocateZeroed } from "../../memory/frames";
import { interruptAllocate } from "../../interrupts/registry";
import { localApicEndOfInterrupt, localApicId } from "../../interrupts/local-apic";
import { logEnd, LogLevel, logLine } from "../../log/log";
import { ConfigSpace } from "../../pci/config";
import { PciFunction } from "../../pci/function";
import { pciIntxAttach } from "../../pci/intx";
import { pciAddressText, pciConfig, pciEnableBusMaster, pciFunctions, pciMsix } from "../../pci/pci";
import {
  NO_VECTOR, STATUS_ACKNOWLEDGE, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FAILED, STATUS_FEATURES_OK, VirtioPciTransport,
} from "./pci-transport";
import { QUEUE_SIZE_MAXIMUM, Virtqueue } from "./virtqueue";

/** Feature bits (5.1.3, 6). */
const F_CSUM: u64 = 1 << 0;
const F_GUEST_CSUM: u64 = 1 << 1;
const F_MAC: u64 = 1 << 5;
const F_MRG_RXBUF: u64 = 1 << 15;
const F_STATUS: u64 = 1 << 16;
const F_EVENT_IDX: u64 = 1 << 29;
const F_VERSION_1: u64 = <u64>1 << 32;
const WANTED: u64 = F_VERSION_1 | F_MAC | F_STATUS;
/** The header before every frame with VERSION_1 (5.1.6): 12 bytes. */
const HEADER: u32 = 12;
/** Receive buffers kept posted: 2 KiB each, two a frame (a fixed pool). */
const RX_BUFFERS: u32 = 64;
const BUFFER: u32 = 2048;
const TX_BUFFERS: u32 = 16;
/** Received frames one interrupt (or poll) hands up at most: the receive budget per kernel entry. */
const RX_BUDGET: i32 = 64;
/** Received frames logged one by one, at most. */
const FRAMES_LOGGED: u64 = 8;
const STATUS_LINK_UP: u32 = 1;
/** ISR status bits (4.1.4.5). */
const ISR_QUEUE: u32 = 1 << 0;
const ISR_CONFIGURATION: u32 = 1 << 1;
/** Configuration changes logged, at most (a device could signal them without end). */
const CHANGES_LOGGED: u32 = 16;
const QUEUE_RX: u32 = 0;
const QUEUE_TX: u32 = 1;
const VENDOR_VIRTIO: u32 = 0x1af4;
const ETHERTYPE_HELLO: u32 = 0x88b5;

class VirtioNet {
  rx: Virtqueue | null = null;
  tx: Virtqueue | null = null;
  readonly mac: StaticArray<u8> = new StaticArray<u8>(6);
  features: u64 = 0;
  received: u64 = 0;
  /** Free transmit buffers (physical addresses). */
  readonly txFree: u64[] = [];
  constructor(readonly found: PciFunction, readonly transport: VirtioPciTransport) {}
}

/** Where received frames go (the network stack, kernel/net/): the frame's address and length. */
export type FrameReceiver = (frame: usize, length: u32) => void;

class VirtioNetState {
  devices: VirtioNet[] = [];
  receiver: FrameReceiver | null = null;
  /** The device each MSI-X vector belongs to. */
  readonly vectors: Map<u32, VirtioNet> = new Map<u32, VirtioNet>();
  /** Configuration changes logged so far (at most CHANGES_LOGGED). */
  changesLogged: u32 = 0;
}
const state = new VirtioNetState();

/** Starts every virtio-net device PCI found (none: nothing to do). */
export function virtioNetInit(): void {
  const config = pciConfig();
  if (config === null) return;
  const functions = pciFunctions();
  for (let i = 0; i < functions.length; i++) {
    const found = functions[i];
    if (found.vendor == VENDOR_VIRTIO && (found.device == 0x1041 || found.device == 0x1000)) start(config, found);
  }
}

/** Received frames go to `receiver` from now on (before: counted and the first few logged). */
export function virtioNetAttach(receiver: FrameReceiver): void {
  state.receiver = receiver;
}

/** The first device's MAC (6 bytes at `output`); false when no device is driven. */
export function virtioNetMac(output: usize): bool {
  if (state.devices.length == 0) return false;
  const mac = state.devices[0].mac;
  for (let i = 0; i < 6; i++) store<u8>(output + <usize>i, mac[i]);
  return true;
}

/** Sends the `length`-byte Ethernet frame at `frame` (no FCS) on the first device: copied into a
 * transmit buffer, the buffers the device has finished with taken back first (no transmit
 * interrupt is needed; virtio 1.2, 5.1.6.2.3). False when no device or buffer is free, or the
 * frame is longer than a buffer. */
export function virtioNetSend(frame: usize, length: u32): bool {
  if (state.devices.length == 0 || length > BUFFER - HEADER) return false;
  const device = state.devices[0];
  const tx = device.tx!;
  for (let cookie = tx.next(); cookie >= 0; cookie = tx.next()) device.txFree.push(<u64>cookie);
  if (device.txFree.length == 0 || tx.broken) return false;
  const buffer = device.txFree.pop();
  memory.fill(<usize>buffer, 0, HEADER);
  memory.copy(<usize>buffer + HEADER, frame, <usize>length);
  tx.add(buffer, HEADER + max(length, 60), false, buffer);
  if (length < 60) memory.fill(<usize>buffer + HEADER + <usize>length, 0, <usize>(60 - length));
  tx.kick();
  return true;
}

/** Frames received by the first device since boot (tests, diagnostics). */
export function virtioNetReceived(): u64 {
  return state.devices.length != 0 ? state.devices[0].received : 0;
}

function refuse(found: PciFunction, why: string): void {
  logLine(LogLevel.Warning).text("virtio-net: ").text(pciAddressText(found)).text(" not driven: ").text(why);
  logEnd();
}

function start(config: ConfigSpace, found: PciFunction): void {
  pciEnableBusMaster(config, found);   // the queues are DMA, and MSI-X messages are memory writes
  const transport = new VirtioPciTransport(config, found);
  if (!transport.usable) { refuse(found, transport.problem); return; }
  if (!transport.reset()) { refuse(found, "it did not reset"); return; }
  transport.setStatus(STATUS_ACKNOWLEDGE);
  transport.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
  const offered = transport.deviceFeatures();
  if ((offered & F_VERSION_1) == 0) { transport.setStatus(STATUS_FAILED); refuse(found, "it offers no VERSION_1 (a legacy device)"); return; }
  const accepted = offered & WANTED;
  transport.setDriverFeatures(accepted);
  transport.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
  if ((transport.status() & STATUS_FEATURES_OK) == 0) { transport.setStatus(STATUS_FAILED); refuse(found, "it refused the features"); return; }
  const device = new VirtioNet(found, transport);
  device.features = accepted;
  // One MSI-X vector for both queues, from the registry; without MSI-X the function's INTx line
  // (its vector from the registry too); without either the queues are polled on the tick.
  const vector = msixSetUp(config, found, device);
  const intx = vector == 0 ? pciIntxAttach(config, found, "virtio-net", virtioNetIntx) : null;
  const queueVector: u32 = vector != 0 ? 0 : NO_VECTOR;
  const rx = queue(transport, QUEUE_RX, queueVector), tx = queue(transport, QUEUE_TX, queueVector);
  if (rx === null || tx === null) { transport.setStatus(STATUS_FAILED); refuse(found, "its queues could not be set up"); return; }
  device.rx = rx;
  device.tx = tx;
  for (let i: u32 = 0; i < RX_BUFFERS; i += 2) {
    const frame = frameAllocateZeroed();
    if (frame == 0) break;
    rx.add(frame, BUFFER, true, frame);
    rx.add(frame + <u64>BUFFER, BUFFER, true, frame + <u64>BUFFER);
  }
  for (let i: u32 = 0; i < TX_BUFFERS; i += 2) {
    const frame = frameAllocateZeroed();
    if (frame == 0) break;
    device.txFree.push(frame);
    device.txFree.push(frame + <u64>BUFFER);
  }
  transport.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
  rx.kick();
  state.devices.push(device);
  for (let i: u32 = 0; i < 6; i++) device.mac[i] = (accepted & F_MAC) != 0 ? <u8>transport.deviceConfig8(i) : 0;
  const link = (accepted & F_STATUS) == 0 || (transport.deviceConfig16(6) & STATUS_LINK_UP) != 0;
  const line = logLine().text("virtio-net: ").text(pciAddressText(found)).text(" MAC ").text(macText(device.mac))
    .text(link ? ", link up" : ", link down").text("; queues of ").decimal(rx.size).text(", ").decimal(rx.size - <u32>rx.free)
    .text(" receive buffers; ");
  if (vector != 0) line.text("MSI-X vector ").decimal(vector);
  else if (intx !== null && intx.vector != 0) line.text("INTx GSI ").decimal(intx.gsi).text(" vector ").decimal(intx.vector);
  else line.text("polled (no MSI-X, no INTx)");
  line.text("; offered").text((offered & F_CSUM) != 0 ? " CSUM" : "").text((offered & F_GUEST_CSUM) != 0 ? " GUEST_CSUM" : "")
    .text((offered & F_MRG_RXBUF) != 0 ? " MRG_RXBUF" : "").text((offered & F_EVENT_IDX) != 0 ? " EVENT_IDX" : "").text(", not used yet");
  logEnd();
  sendHello(device);
}

function queue(transport: VirtioPciTransport, index: u32, vector: u32): Virtqueue | null {
  const offered = transport.queueSize(index);
  if (offered == 0) return null;
  const size = min(offered, QUEUE_SIZE_MAXIMUM);
  const queue = new Virtqueue(index, size);
  if (!queue.usable) return null;
  const taken = transport.queueSetUp(index, size, queue.descriptors, queue.driverRing, queue.deviceRing, vector);
  if (vector != NO_VECTOR && taken != vector) return null;
  queue.notifyAt = transport.notifyAddress(index);
  return queue.notifyAt != 0 ? queue : null;
}

/** MSI-X entry 0 of `found` to a new vector on this CPU, enabled; the vector, or 0 (no MSI-X). */
function msixSetUp(config: ConfigSpace, found: PciFunction, device: VirtioNet): u32 {
  const msix = pciMsix(found);
  if (msix === null) return 0;
  const bar = found.bar(msix.tableBar)!;
  const table = mmioMap(bar.address + <u64>msix.tableOffset, <u64>msix.tableSize * 16);
  if (table == 0) return 0;
  const vector = interruptAllocate("virtio-net", virtioNetInterrupt);
  if (vector == 0) return 0;
  state.vectors.set(vector, device);
  mmioWrite32(table, 0xfee0_0000 | (localApicId() << 12));   // message address: this CPU
  mmioWrite32(table + 4, 0);
  mmioWrite32(table + 8, vector);                               // message data: the vector, edge
  mmioWrite32(table + 12, 0);                                   // unmasked
  const control = config.read16(found.address, msix.offset + 2);
  config.write16(found.address, msix.offset + 2, (control | 0x8000) & ~<u32>0x4000);   // enable, no function mask
  return vector;
}

function virtioNetInterrupt(vector: u32): void {
  if (state.vectors.has(vector)) service(state.vectors.get(vector));
  localApicEndOfInterrupt();
}

/** The INTx handler (kernel/pci/intx.ts), on a line other functions may share: reading the ISR
 * status clears it and deasserts the line (virtio 1.2, 4.1.4.5); bit 0 is a used buffer, bit 1 a
 * configuration change. Returns whether this device raised the line. */
function virtioNetIntx(found: PciFunction): bool {
  const devices = state.devices;
  for (let i = 0; i < devices.length; i++) {
    const device = unchecked(devices[i]);
    if (device.found !== found) continue;
    const isr = device.transport.isrStatus();
    if ((isr & ISR_QUEUE) != 0) service(device);
    if ((isr & ISR_CONFIGURATION) != 0) configurationChanged(device);
    return isr != 0;
  }
  return false;
}

/** A configuration change (under INTx only: with MSI-X no configuration vector is set): the link
 * state logged, the first CHANGES_LOGGED times. */
function configurationChanged(device: VirtioNet): void {
  if (state.changesLogged >= CHANGES_LOGGED) return;
  state.changesLogged++;
  const link = (device.features & F_STATUS) == 0 || (device.transport.deviceConfig16(6) & STATUS_LINK_UP) != 0;
  logLine().text("virtio-net: ").text(pciAddressText(device.found)).text(" configuration changed: link ").text(link ? "up" : "down");
  logEnd();
}

/** Services every device as its interrupt would (what an interrupt's budget left, and devices
 * without MSI-X): the network layer calls it on each tick. */
export function virtioNetPoll(): void {
  const devices = state.devices;
  for (let i = 0; i < devices.length; i++) service(unchecked(devices[i]));
}

/** Takes what the device used: received frames counted (the first few logged) and their buffers
 * posted again, at most RX_BUDGET of them, so a flood cannot keep the kernel here (the rest wait
 * for the next interrupt or tick: virtioNetPoll); sent buffers back to the free list. */
function service(device: VirtioNet): void {
  const rx = device.rx!, tx = device.tx!;
  let reposted = false;
  for (let handled = 0; handled < RX_BUDGET; handled++) {
    const cookie = rx.next();
    if (cookie < 0) break;
    const length = rx.usedLength;
    device.received++;
    const receiver = state.receiver;
    if (length >= HEADER && length <= BUFFER) {
      if (receiver !== null) receiver(<usize>cookie + HEADER, length - HEADER);
      else if (device.received <= FRAMES_LOGGED && length >= HEADER + 14) logFrame(device, <usize>cookie + HEADER, length - HEADER);
    }
    rx.add(<u64>cookie, BUFFER, true, <u64>cookie);
    reposted = true;
  }
  if (reposted) rx.kick();
  for (let cookie = tx.next(); cookie >= 0; cookie = tx.next()) device.txFree.push(<u64>cookie);
  if (rx.broken || tx.broken) {
    logLine(LogLevel.Error).text("virtio-net: ").text(pciAddressText(device.found)).text(": the device broke a queue's rules; it is no longer driven");
    logEnd();
    device.transport.setStatus(STATUS_FAILED);
  }
}

function logFrame(device: VirtioNet, frame: usize, length: u32): void {
  const source = new StaticArray<u8>(6);
  for (let i = 0; i < 6; i++) source[i] = load<u8>(frame + 6 + <usize>i);
  const type = (<u32>load<u8>(frame + 12) << 8) | <u32>load<u8>(frame + 13);
  logLine().text("virtio-net: ").text(pciAddressText(device.found)).text(" received ").decimal(length).text(" bytes from ")
    .text(macText(source)).text(", type ").hex(type);
  logEnd();
}

/** One broadcast frame of EtherType 0x88B5 carrying "capsid": what the host's capture sees. */
function sendHello(device: VirtioNet): void {
  if (device.txFree.length == 0) return;
  const buffer = device.txFree.pop();
  const frame = <usize>buffer + HEADER;
  memory.fill(<usize>buffer, 0, HEADER);
  for (let i = 0; i < 6; i++) {
    store<u8>(frame + <usize>i, 0xff);
    store<u8>(frame + 6 + <usize>i, device.mac[i]);
  }
  store<u8>(frame + 12, <u8>(ETHERTYPE_HELLO >> 8));
  store<u8>(frame + 13, <u8>ETHERTYPE_HELLO);
  const text = "capsid virtio-net hello";
  for (let i = 0; i < text.length; i++) store<u8>(frame + 14 + <usize>i, <u8>text.charCodeAt(i));
  const length: u32 = 60;   // the Ethernet minimum, padded with zeros
  for (let i = 14 + text.length; i < <i32>length; i++) store<u8>(frame + <usize>i, 0);
  device.tx!.add(buffer, HEADER + length, false, buffer);
  device.tx!.kick();
}

function hex2(value: u8): string {
  const text = (<u32>value).toString(16);
  return text.length < 2 ? "0" + text : text;
}

function macText(mac: StaticArray<u8>): string {
  let text = hex2(mac[0]);
  for (let i = 1; i < 6; i++) text += ":" + hex2(mac[i]);
  return text;
}
