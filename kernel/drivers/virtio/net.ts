// The virtio-net driver (virtio 1.2 §5.1) over the PCI transport (pci-transport.ts): for each
// virtio-net function PCI found, the initialisation of §3.1.1 (reset, ACKNOWLEDGE, DRIVER,
// feature negotiation, FEATURES_OK read back, queues, DRIVER_OK); a receive queue kept full of
// buffers from a fixed pool (RX_BUFFERS, in frames of its own: memory that belongs to no
// process), a packet spanning several of them (MRG_RXBUF) copied into one bounded buffer; a
// transmit queue whose buffers come back on the next send, its interrupts suppressed; one MSI-X
// vector from the registry for both queues and configuration changes; without MSI-X, INTx through
// the I/O APIC (kernel/pci/intx.ts: a shared, level-triggered line, deasserted by reading the ISR
// status); without either, the queues are polled on the tick. Negotiated when offered
// (net-features.ts; `virtio-net=` turns them off, net-options.ts): EVENT_IDX, MRG_RXBUF and
// GUEST_CSUM (a partial checksum completed here, a validated one said so to the stack). A
// malformed used ring or DEVICE_NEEDS_RESET resets and re-initialises the device with the same
// buffers, MAC and stack; more than RESETS_MAXIMUM resets within RESET_WINDOW give it up. Received
// frames go to the stack (virtioNetAttach; before that, counted and the first few logged). The
// driver itself sends nothing: every frame on the wire comes from the stack.

import { mmioMap } from "../../memory/mmio";
import { mmioWrite32 } from "../../arch/hw";
import { frameAllocateZeroed, frameFree } from "../../memory/frames";
import { interruptAllocate } from "../../interrupts/registry";
import { localApicEndOfInterrupt, localApicId } from "../../interrupts/local-apic";
import { CommandLine } from "../../boot/command-line";
import { logEnd, LogLevel, logLine } from "../../log/log";
import { ConfigSpace } from "../../pci/config";
import { PciFunction } from "../../pci/function";
import { pciIntxAttach } from "../../pci/intx";
import { pciAddressText, pciConfig, pciEnableBusMaster, pciFunctions, pciMsix } from "../../pci/pci";
import {
  NO_VECTOR, STATUS_ACKNOWLEDGE, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FAILED, STATUS_FEATURES_OK, STATUS_NEEDS_RESET,
  VirtioPciTransport,
} from "./pci-transport";
import { Interrupts, Malformed, QUEUE_SIZE_MAXIMUM, Virtqueue } from "./virtqueue";
import {
  ChecksumCompletion, NET_HEADER, netHeaderClear, netHeaderCompleteChecksum, netHeaderFlags, netHeaderNumBuffers,
  VIRTIO_NET_HDR_F_DATA_VALID,
} from "./net-header";
import { F_EVENT_IDX, F_GUEST_CSUM, F_MAC, F_MRG_RXBUF, F_STATUS, F_VERSION_1, netFeatureNames, netFeaturesWanted } from "./net-features";
import { InjectedFault, NetOptions } from "./net-options";

/** Receive buffers kept posted (at most what the receive queue holds): 2 KiB each, two a frame (a
 * fixed pool). Without MRG_RXBUF a buffer holds the longest frame without GSO (1514 bytes and the
 * header, §5.1.6.3.1). With 64, QEMU filled the ring and then waited for the driver to post the
 * buffers again, every batch (a receive notification per interrupt): the device and the driver
 * took turns instead of overlapping, and host to guest TCP ran 0.7 times as fast as with 256
 * (docs/PERFORMANCE.md, "The receive ring and its budget"). `virtio-net=rxbuffers:N` sets it. */
const RX_BUFFERS: u32 = 256;
/** How long the receive queue may go without a packet before the tick notifies it again (nudge). */
const NUDGE_QUIET: u64 = 100_000_000;
const BUFFER: u32 = 2048;
/** Transmit buffers (2 KiB each, two a frame). A burst longer than the free ones is held back by
 * TCP (a refused segment stays queued) and goes as the device takes them back. */
const TX_BUFFERS: u32 = 32;
/** Frames added to the transmit queue before it is notified; the rest is notified when the
 * kernel entry ends (virtioNetFlush), so a burst costs a few notifications, not one a frame. */
const TX_KICK_BATCH: u32 = 16;
/** The longest frame a packet spanning several buffers may make (MRG_RXBUF): 9 KiB, a jumbo
 * frame of 9000 bytes of IP with its Ethernet header and a VLAN tag. Longer ones are dropped
 * (ReceiveDrop.TooLong). */
const MERGED_MAXIMUM: u32 = 9216;
/** Received frames one interrupt (or poll) hands up at most: the receive budget per kernel entry,
 * so that a flood cannot keep the kernel from its processes for more than about a millisecond
 * under TCG. A ring's worth, as Linux's netdev_budget (300) is per softirq: with 64, a full ring
 * took four interrupts, and host to guest TCP ran at 0.75 of what it does with 256 (the same
 * section). `virtio-net=rxbudget:N` sets it. */
const RX_BUDGET: u32 = 256;
/** Received frames logged one by one before the stack attaches, at most. */
const FRAMES_LOGGED: u64 = 8;
/** Resets within RESET_WINDOW (on the clock the tick's poll brings) after which the next trouble
 * gives the device up. */
const RESETS_MAXIMUM: i32 = 3;
const RESET_WINDOW: u64 = 60_000_000_000;
const STATUS_LINK_UP: u32 = 1;
/** ISR status bits (§4.1.4.5). */
const ISR_QUEUE: u32 = 1 << 0;
const ISR_CONFIGURATION: u32 = 1 << 1;
/** Configuration changes logged, at most (a device could signal them without end). */
const CHANGES_LOGGED: u32 = 16;
const QUEUE_RX: u32 = 0;
const QUEUE_TX: u32 = 1;
const VENDOR_VIRTIO: u32 = 0x1af4;
const ETHERNET_MINIMUM: u32 = 60;

/** Whether the device vouched for a received frame's transport checksum. */
export enum ReceivedChecksum {
  Unverified = 0,
  /** DATA_VALID, or NEEDS_CSUM and completed here (the device validated the rest, §5.1.6.4). */
  Validated = 1,
}

/** Why a received packet was dropped (counted). Add at the end. */
export enum ReceiveDrop {
  /** Its used length was shorter than the header. */
  Short = 0,
  /** Merged from several buffers, longer than MERGED_MAXIMUM. */
  TooLong = 1,
  /** NEEDS_CSUM with csum_start and csum_offset outside the packet. */
  ChecksumOutOfRange = 2,
}
const RECEIVE_DROPS: i32 = 3;

/** Where received frames go (the network stack, through kernel/net/phy/virtio.ts): the frame's
 * address and length, lent for the call, and whether the device validated its checksum. */
export type FrameReceiver = (frame: usize, length: u32, checksum: ReceivedChecksum) => void;

class VirtioNet {
  rx: Virtqueue | null = null;
  /** Its receive budget ran out with frames still waiting (virtioNetBacklog). */
  backlog: bool = false;
  tx: Virtqueue | null = null;
  readonly mac: StaticArray<u8> = new StaticArray<u8>(6);
  offered: u64 = 0;
  features: u64 = 0;
  /** The MSI-X vector of both queues and configuration changes; 0 without MSI-X (polled). */
  vector: u32 = 0;
  /** The frames of the buffer pools (two buffers each); kept across resets. */
  readonly rxFrames: u64[] = [];
  readonly txFrames: u64[] = [];
  /** Free transmit buffers (physical addresses). */
  readonly txFree: u64[] = [];
  /** A packet spanning several buffers is copied here, its header first (MRG_RXBUF only). */
  merged: StaticArray<u8> = new StaticArray<u8>(0);
  /** Packets taken from the receive queue since boot, and since the last (re)initialisation. */
  received: u64 = 0;
  sinceStart: u64 = 0;
  readonly drops: StaticArray<u64> = new StaticArray<u64>(RECEIVE_DROPS);
  mergedPackets: u64 = 0;
  checksumsCompleted: u64 = 0;
  checksumsValidated: u64 = 0;
  resets: u64 = 0;
  /** When the resets of the last RESET_WINDOW happened, oldest first. */
  readonly resetTimes: u64[] = [];
  /** Given up (FAILED): nothing is driven. */
  failed: bool = false;
  /** Frames added to the transmit queue since its last notification. */
  txUnkicked: u32 = 0;
  /** The tick's nudge (nudge()): packets received, and transmit buffers taken back, at the
   * last tick, and when a packet last came. */
  receivedAtTick: u64 = 0;
  txUsedAtTick: u16 = 0;
  quietSince: u64 = 0;
  /** Injected faults still to strike (virtio-net=breakafter/faultafter). */
  faultsLeft: u32 = 0;
  constructor(readonly found: PciFunction, readonly transport: VirtioPciTransport) {}
}

class VirtioNetState {
  devices: VirtioNet[] = [];
  /** Configuration changes logged so far (at most CHANGES_LOGGED). */
  changesLogged: u32 = 0;
  receiver: FrameReceiver | null = null;
  options: NetOptions = new NetOptions();
  /** Whether a partial checksum (NEEDS_CSUM) is completed in the frame: only when something
   * shows the frame as it is (a capture: virtioNetCompleteChecksums); otherwise it counts as
   * validated, as §5.1.6.4.1 allows and Linux's driver takes it (CHECKSUM_PARTIAL), and the sum
   * over the payload is not computed at all. */
  completeChecksums: bool = false;
  /** The monotonic clock at the last tick's poll (the driver sits below the clock's layer). */
  now: u64 = 0;
  /** The device each MSI-X vector belongs to. */
  readonly vectors: Map<u32, VirtioNet> = new Map<u32, VirtioNet>();
  /** A transmit queue has frames it was not notified of (virtioNetFlush). */
  flushWanted: bool = false;
  /** Some device has a backlog (virtioNetBacklog). */
  backlogged: bool = false;
}
const state = new VirtioNetState();

/** Starts every virtio-net device PCI found (none: nothing to do), with `virtio-net=`'s settings. */
export function virtioNetInit(commandLine: CommandLine): void {
  const text = commandLine.get("virtio-net");
  if (text !== null) {
    const options = NetOptions.parse(text);
    if (options.problem.length != 0) {
      logLine(LogLevel.Warning).text("virtio-net: virtio-net=").text(text).text(": ").text(options.problem).text("; the defaults run");
      logEnd();
    } else state.options = options;
  }
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
 * interrupt is needed; virtio 1.2 §5.1.6.2.3). False when no device is driven, no buffer is free,
 * a queue is broken (the next service resets the device), or the frame is longer than a buffer. */
export function virtioNetSend(frame: usize, length: u32): bool {
  if (state.devices.length == 0 || length > BUFFER - NET_HEADER) return false;
  const device = state.devices[0];
  if (device.failed) return false;
  const tx = device.tx!;
  reclaimTransmit(device);
  if (device.txFree.length == 0 || tx.broken || device.rx!.broken) return false;
  const buffer = device.txFree.pop();
  netHeaderClear(<usize>buffer);
  memory.copy(<usize>buffer + NET_HEADER, frame, <usize>length);
  if (length < ETHERNET_MINIMUM) memory.fill(<usize>buffer + NET_HEADER + <usize>length, 0, <usize>(ETHERNET_MINIMUM - length));
  tx.add(buffer, NET_HEADER + max(length, ETHERNET_MINIMUM), false, buffer);
  if (++device.txUnkicked >= TX_KICK_BATCH || device.txFree.length == 0) {
    tx.kick();
    device.txUnkicked = 0;
  } else state.flushWanted = true;
  return true;
}

/** Takes back the transmit buffers the device has sent. */
function reclaimTransmit(device: VirtioNet): void {
  const tx = device.tx!;
  for (let cookie = tx.next(); cookie >= 0; cookie = tx.next()) device.txFree.push(<u64>cookie);
}

/** Frames virtioNetSend would take now: the first device's free transmit buffers, once what
 * it has sent is taken back. */
export function virtioNetSendRoom(): u32 {
  if (state.devices.length == 0) return 0;
  const device = state.devices[0];
  if (device.failed || device.tx === null) return 0;
  const tx = device.tx!;
  reclaimTransmit(device);
  return tx.broken || device.rx!.broken ? 0 : <u32>device.txFree.length;
}

/** Notifies the transmit queue of the frames added since its last notification: called when a
 * kernel entry ends (kernel/main.ts), so no frame waits past it. */
export function virtioNetFlush(): void {
  if (!state.flushWanted) return;
  state.flushWanted = false;
  for (let i = 0; i < state.devices.length; i++) {
    const device = state.devices[i];
    if (device.txUnkicked == 0 || device.failed || device.tx === null) continue;
    device.tx!.kick();
    device.txUnkicked = 0;
  }
}

/** When the CPU would idle (kernel/main.ts): every device whose receive budget ran out with
 * frames still waiting is serviced again; an interrupt comes only when the device uses one more
 * buffer, and a sender waiting for the ACK those frames bring sends none, so otherwise they
 * would wait for the tick. While a process runs, the next interrupt or the tick takes them (a
 * flood cannot starve it). True when some device was serviced: the caller flushes what that
 * called for and comes back. */
export function virtioNetBacklog(): bool {
  if (!state.backlogged) return false;
  state.backlogged = false;
  const devices = state.devices;
  for (let i = 0; i < devices.length; i++) {
    const device = unchecked(devices[i]);
    if (device.backlog) service(device);
  }
  return true;
}

/** Partial checksums are completed in received frames from now on (a capture shows them). */
export function virtioNetCompleteChecksums(complete: bool): void {
  state.completeChecksums = complete;
}

/** Frames received by the first device since boot (tests, diagnostics). */
export function virtioNetReceived(): u64 {
  return state.devices.length != 0 ? state.devices[0].received : 0;
}

/** Resets of the first device since boot (tests, diagnostics). */
export function virtioNetResets(): u64 {
  return state.devices.length != 0 ? state.devices[0].resets : 0;
}

function refuse(found: PciFunction, why: string): void {
  logLine(LogLevel.Warning).text("virtio-net: ").text(pciAddressText(found)).text(" not driven: ").text(why);
  logEnd();
}

function start(config: ConfigSpace, found: PciFunction): void {
  pciEnableBusMaster(config, found);   // the queues are DMA, and MSI-X messages are memory writes
  const transport = new VirtioPciTransport(config, found);
  if (!transport.usable) { refuse(found, transport.problem); return; }
  const device = new VirtioNet(found, transport);
  const refused = negotiate(device);
  if (refused.length != 0) { refuse(found, refused); return; }
  // One MSI-X vector for the queues and configuration changes, from the registry; without MSI-X
  // the function's INTx line (its vector from the registry too); without either the queues are
  // polled on the tick.
  device.vector = msixSetUp(config, found, device);
  const intx = device.vector == 0 ? pciIntxAttach(config, found, "virtio-net", virtioNetIntx) : null;
  if (!allocateBuffers(device)) { transport.setStatus(STATUS_FAILED); refuse(found, "no memory for its buffers"); return; }
  const problem = startQueues(device);
  if (problem.length != 0) {
    stop(device);
    refuse(found, problem);
    return;
  }
  device.faultsLeft = state.options.fault != InjectedFault.None ? state.options.faults : 0;
  state.devices.push(device);
  const accepted = device.features, rx = device.rx!;
  for (let i: u32 = 0; i < 6; i++) device.mac[i] = (accepted & F_MAC) != 0 ? <u8>transport.deviceConfig8(i) : 0;
  const link = (accepted & F_STATUS) == 0 || (transport.deviceConfig16(6) & STATUS_LINK_UP) != 0;
  const line = logLine().text("virtio-net: ").text(pciAddressText(found)).text(" MAC ").text(macText(device.mac))
    .text(link ? ", link up" : ", link down").text("; queues of ").decimal(rx.size).text(", ").decimal(rx.size - <u32>rx.free)
    .text(" receive buffers; ");
  if (device.vector != 0) line.text("MSI-X vector ").decimal(device.vector);
  else if (intx !== null && intx.vector != 0) line.text("INTx GSI ").decimal(intx.gsi).text(" vector ").decimal(intx.vector);
  else line.text("polled (no MSI-X, no INTx)");
  const used = netFeatureNames(accepted);
  line.text("; offered").text(netFeatureNames(device.offered)).text("; negotiated").text(used.length != 0 ? used : " none of them");
  logEnd();
  const options = state.options;
  if (options.fault != InjectedFault.None) {
    logLine(LogLevel.Warning).text("virtio-net: test fault (virtio-net=): ")
      .text(options.fault == InjectedFault.MalformedUsedRing ? "the receive ring made malformed" : "a 0-byte receive buffer posted")
      .text(" after ").decimal(options.faultAfter).text(" packets, ").decimal(options.faults).text(options.faults == 1 ? " time" : " times");
    logEnd();
  }
}

/** §3.1.1 up to FEATURES_OK: reset, ACKNOWLEDGE, DRIVER, the features accepted (what is offered
 * of netFeaturesWanted) read back. "" when done, else why the device cannot be driven (FAILED set). */
function negotiate(device: VirtioNet): string {
  const transport = device.transport;
  if (!transport.reset()) return "it did not reset";
  transport.setStatus(STATUS_ACKNOWLEDGE);
  transport.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
  const offered = transport.deviceFeatures();
  if ((offered & F_VERSION_1) == 0) { transport.setStatus(STATUS_FAILED); return "it offers no VERSION_1 (a legacy device)"; }
  const accepted = offered & netFeaturesWanted(state.options);
  transport.setDriverFeatures(accepted);
  transport.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
  if ((transport.status() & STATUS_FEATURES_OK) == 0) { transport.setStatus(STATUS_FAILED); return "it refused the features"; }
  device.offered = offered;
  device.features = accepted;
  return "";
}

/** The buffer pools' frames, and the merge buffer when MRG_RXBUF was accepted; false when
 * memory ran out (what was taken is given back). */
function allocateBuffers(device: VirtioNet): bool {
  const receiveBuffers = state.options.receiveBuffers != 0 ? state.options.receiveBuffers : RX_BUFFERS;
  for (let i: u32 = 0; i < receiveBuffers + TX_BUFFERS; i += 2) {
    const frame = frameAllocateZeroed();
    if (frame == 0) {
      freeBuffers(device);
      return false;
    }
    if (i < receiveBuffers) device.rxFrames.push(frame);
    else device.txFrames.push(frame);
  }
  if ((device.features & F_MRG_RXBUF) != 0) device.merged = new StaticArray<u8>(<i32>(NET_HEADER + MERGED_MAXIMUM));
  return true;
}

function freeBuffers(device: VirtioNet): void {
  for (let i = 0; i < device.rxFrames.length; i++) frameFree(device.rxFrames[i]);
  for (let i = 0; i < device.txFrames.length; i++) frameFree(device.txFrames[i]);
  device.rxFrames.length = 0;
  device.txFrames.length = 0;
  device.txFree.length = 0;
}

/** §3.1.1 from the queues to DRIVER_OK, after negotiate: the configuration vector, both queues
 * (made, or those of before a reset emptied), every receive buffer posted, every transmit buffer
 * free. "" when done, else why not. */
function startQueues(device: VirtioNet): string {
  const transport = device.transport;
  // MSI-X table entry 0 (msixSetUp) for the queues and configuration changes (§4.1.5.1.2); a
  // refused configuration vector (NO_VECTOR read back) leaves the status to the tick's poll.
  const vector = device.vector != 0 ? 0 : NO_VECTOR;
  if (device.vector != 0) transport.setConfigVector(vector);
  const eventIndex = (device.features & F_EVENT_IDX) != 0;
  const rx = queue(transport, QUEUE_RX, vector, device.rx, eventIndex, Interrupts.Wanted);
  device.rx = rx;
  const tx = queue(transport, QUEUE_TX, vector, device.tx, eventIndex, Interrupts.Suppressed);
  device.tx = tx;
  if (rx === null || tx === null) return "its queues could not be set up";
  // A queue smaller than the pool (a device may offer less than 256) takes what it holds; the
  // frames it has no room for go back.
  const frames = device.rxFrames;
  while (<u32>frames.length * 2 > rx.size) frameFree(frames.pop());
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    rx.add(frame, BUFFER, true, frame);
    rx.add(frame + <u64>BUFFER, BUFFER, true, frame + <u64>BUFFER);
  }
  device.txFree.length = 0;
  device.txUnkicked = 0;
  for (let i = 0; i < device.txFrames.length; i++) {
    device.txFree.push(device.txFrames[i]);
    device.txFree.push(device.txFrames[i] + <u64>BUFFER);
  }
  device.sinceStart = 0;
  transport.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
  rx.kick();
  return "";
}

/** Queue `index` set up with `vector`: `existing` emptied when the device still offers room for
 * it, else a new queue (the old one's rings freed). Its size is the largest power of two the
 * device allows, at most QUEUE_SIZE_MAXIMUM. Null when the device has no such queue, memory ran
 * out, or the device refused the vector or gave no notify address (then the device is reset and
 * the queue freed). */
function queue(transport: VirtioPciTransport, index: u32, vector: u32, existing: Virtqueue | null, eventIndex: bool,
  interrupts: Interrupts): Virtqueue | null {
  const offered = transport.queueSize(index);
  if (offered == 0) return null;
  let size = QUEUE_SIZE_MAXIMUM;
  while (size > offered) size >>= 1;   // split rings wrap their indices modulo the size (§2.7)
  let queue = existing;
  if (queue !== null && queue.size != size) {
    queue.release();
    queue = null;
  }
  if (queue !== null) queue.reset();
  else queue = Virtqueue.create(index, size);
  if (queue === null) return null;
  queue.configure(eventIndex, interrupts);
  const taken = transport.queueSetUp(index, size, queue.descriptors, queue.driverRing, queue.deviceRing, vector);
  queue.notifyAt = transport.notifyAddress(index);
  if ((vector == NO_VECTOR || taken == vector) && queue.notifyAt != 0) return queue;
  if (transport.reset()) queue.release();   // the device knew the rings: freed only once it stopped
  return null;
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

/** The queues' and configuration changes' vector: the queues serviced. Only the receive queue
 * interrupts (the transmit queue's are suppressed), so an interrupt that brought no received
 * packet is taken for a configuration change (or a spurious one) and the status is read
 * (DEVICE_NEEDS_RESET, §2.1.2): no register read on the receive path. */
function virtioNetInterrupt(vector: u32): void {
  if (state.vectors.has(vector)) {
    const device = state.vectors.get(vector);
    if (!service(device)) checkStatus(device, "a configuration interrupt");
  }
  localApicEndOfInterrupt();
}

/** The INTx handler (kernel/pci/intx.ts), on a line other functions may share: reading the ISR
 * status clears it and deasserts the line (virtio 1.2 §4.1.4.5); bit 0 is a used buffer, bit 1 a
 * configuration change (the link logged, the status read for DEVICE_NEEDS_RESET). Returns
 * whether this device raised the line. */
function virtioNetIntx(found: PciFunction): bool {
  const devices = state.devices;
  for (let i = 0; i < devices.length; i++) {
    const device = unchecked(devices[i]);
    if (device.found !== found) continue;
    const isr = device.transport.isrStatus();
    if ((isr & ISR_QUEUE) != 0) service(device);
    if ((isr & ISR_CONFIGURATION) != 0) {
      configurationChanged(device);
      checkStatus(device, "a configuration interrupt");
    }
    return isr != 0;
  }
  return false;
}

/** A configuration change seen under INTx: the link state logged, the first CHANGES_LOGGED times. */
function configurationChanged(device: VirtioNet): void {
  if (state.changesLogged >= CHANGES_LOGGED) return;
  state.changesLogged++;
  const link = (device.features & F_STATUS) == 0 || (device.transport.deviceConfig16(6) & STATUS_LINK_UP) != 0;
  logLine().text("virtio-net: ").text(pciAddressText(device.found)).text(" configuration changed: link ").text(link ? "up" : "down");
  logEnd();
}

/** On each tick, at `now` (monotonic ns; kernel/net/phy/virtio.ts): every device serviced as its
 * interrupt would (what an interrupt's budget left, and devices without MSI-X), and its status
 * read for DEVICE_NEEDS_RESET. */
export function virtioNetPoll(now: u64): void {
  state.now = now;
  const devices = state.devices;
  for (let i = 0; i < devices.length; i++) {
    const device = unchecked(devices[i]);
    service(device);
    checkStatus(device, "the tick");
    nudge(device, now);
  }
}

/** Notifies a queue again when it made no progress (virtio 1.2 §2.7.10 allows a spurious
 * notification): the transmit queue when buffers it was given a tick ago are still not used, the
 * receive queue after NUDGE_QUIET without a packet. A notification lost between driver and
 * device (seen under QEMU: a device that queued incoming packets waiting for one, and a guest
 * idle with buffers posted) otherwise stalls the device for good, since nothing else would
 * notify it; this bounds the stall to a tick or NUDGE_QUIET. */
function nudge(device: VirtioNet, now: u64): void {
  if (device.failed) return;
  const rx = device.rx!, tx = device.tx!;
  if (tx.outstanding != 0 && tx.usedCount == device.txUsedAtTick) tx.notifyAgain();
  device.txUsedAtTick = tx.usedCount;
  if (device.received != device.receivedAtTick) {
    device.receivedAtTick = device.received;
    device.quietSince = now;
  } else if (now - device.quietSince >= NUDGE_QUIET) {
    rx.notifyAgain();
    device.quietSince = now;
  }
}

/** DEVICE_NEEDS_RESET (§2.1.2: the device needs a reset to work again), read on `when` (for the
 * log): reset and re-initialised. */
function checkStatus(device: VirtioNet, when: string): void {
  if (device.failed) return;
  if ((device.transport.status() & STATUS_NEEDS_RESET) != 0) recover(device, "the device set DEVICE_NEEDS_RESET (read on " + when + ")");
}

/** Takes what the device used: received packets handed up and their buffers posted again, at
 * most RX_BUDGET of them (or rxbudget's), so a flood cannot keep the kernel here (the rest wait
 * for the next interrupt, the tick's virtioNetPoll, or an idle CPU's virtioNetBacklog); sent
 * buffers back to the free list. A queue the device broke resets the device here, after the
 * loops, never inside a send. True when a packet was received (or the device was reset or is
 * given up). */
function service(device: VirtioNet): bool {
  device.backlog = false;
  if (device.failed) return true;
  const rx = device.rx!, tx = device.tx!;
  let handled: u32 = 0;
  const budget = state.options.receiveBudget != 0 ? state.options.receiveBudget : RX_BUDGET;
  for (;;) {
    while (handled < budget && receive(device)) handled++;
    rx.kick();   // the buffers posted again
    if (handled >= budget || rx.broken) break;
    if (!rx.arm()) break;   // drained, the interrupt asked for again: done
  }
  // The budget spent with frames still waiting: the next packet interrupts, and what waits is
  // taken when the CPU would idle (virtioNetBacklog), or by the tick.
  const left = handled >= budget && rx.arm();
  device.backlog = left;
  if (left) state.backlogged = true;
  reclaimTransmit(device);
  if (rx.broken || tx.broken) {
    const queue = rx.broken ? rx : tx;
    recover(device, "the " + (rx.broken ? "receive" : "transmit") + " queue's used ring was malformed: " + malformedText(queue.problem));
    return true;
  }
  return handled != 0;
}

/** Takes one packet from the receive queue (its buffers posted again, not yet published): handed
 * up, logged, or dropped and counted. False when none is waiting or the queue broke. */
function receive(device: VirtioNet): bool {
  const rx = device.rx!;
  const cookie = rx.next();
  if (cookie < 0) return false;
  let buffer = <usize>cookie;
  const used = rx.usedLength;
  device.received++;
  device.sinceStart++;
  if (used < NET_HEADER) {
    countDrop(device, ReceiveDrop.Short);
    repost(device, rx, buffer);
    return true;
  }
  let header = buffer, length = used - NET_HEADER;
  const buffers = (device.features & F_MRG_RXBUF) != 0 ? netHeaderNumBuffers(header) : 1;
  if (buffers != 1) {
    // num_buffers counts this buffer too (§5.1.6.4); the device makes all of them used at once,
    // so the rest are in the used ring already, or the ring is malformed.
    if (buffers == 0 || buffers - 1 > rx.waiting()) {
      rx.markBroken(Malformed.Header);
      return false;
    }
    const merged = merge(device, buffer, used, buffers - 1);
    if (merged < 0) return false;   // the queue broke on the way
    if (merged > <i64>(NET_HEADER + MERGED_MAXIMUM)) {
      countDrop(device, ReceiveDrop.TooLong);
      return true;
    }
    buffer = 0;   // every buffer is posted again already
    header = changetype<usize>(device.merged);
    length = <u32>merged - NET_HEADER;
    if (device.mergedPackets++ == 0) note(device, "a packet spanning " + buffers.toString() + " buffers (MRG_RXBUF) was merged");
  }
  const frame = header + NET_HEADER;
  let checksum = ReceivedChecksum.Unverified;
  if ((device.features & F_GUEST_CSUM) != 0) {
    const completion = netHeaderCompleteChecksum(header, frame, length, state.completeChecksums);
    if (completion == ChecksumCompletion.OutOfRange) {
      countDrop(device, ReceiveDrop.ChecksumOutOfRange);
      if (buffer != 0) repost(device, rx, buffer);
      return true;
    }
    if (completion == ChecksumCompletion.Completed) {
      checksum = ReceivedChecksum.Validated;
      if (device.checksumsCompleted++ == 0) note(device, "a received frame's checksum was partial (NEEDS_CSUM): completed here");
    } else if (completion == ChecksumCompletion.Partial) {
      checksum = ReceivedChecksum.Validated;
      if (device.checksumsCompleted++ == 0) note(device, "a received frame's checksum was partial (NEEDS_CSUM): taken as validated, left partial (no capture needs it whole)");
    } else if ((netHeaderFlags(header) & VIRTIO_NET_HDR_F_DATA_VALID) != 0) {
      checksum = ReceivedChecksum.Validated;
      if (device.checksumsValidated++ == 0) note(device, "the device validated a received frame's checksum (DATA_VALID)");
    }
  }
  const receiver = state.receiver;
  if (receiver !== null) receiver(frame, length, checksum);
  else if (device.received <= FRAMES_LOGGED && length >= 14) logFrame(device, frame, length);
  if (buffer != 0) repost(device, rx, buffer);
  return true;
}

/** Copies the packet whose first buffer (header and `used` bytes in all) is at `first` and the
 * `more` buffers after it into the merge buffer, posting each again. Its length in the merge
 * buffer, header included (past NET_HEADER + MERGED_MAXIMUM: too long, only counted); -1 when
 * the queue broke. */
function merge(device: VirtioNet, first: usize, used: u32, more: u32): i64 {
  const rx = device.rx!, merged = changetype<usize>(device.merged);
  const limit: u64 = <u64>(NET_HEADER + MERGED_MAXIMUM);
  memory.copy(merged, first, <usize>used);   // used <= BUFFER: the virtqueue checked it
  repost(device, rx, first);
  let total: u64 = <u64>used;
  for (let i: u32 = 0; i < more; i++) {
    const cookie = rx.next();
    if (cookie < 0) return -1;
    const piece = rx.usedLength;
    if (total + <u64>piece <= limit) memory.copy(merged + <usize>total, <usize>cookie, <usize>piece);
    total += <u64>piece;
    repost(device, rx, <usize>cookie);
  }
  return <i64>min(total, limit + 1);
}

/** Posts a receive buffer again; when a test fault is due (virtio-net=breakafter:N or
 * faultafter:N, N packets after the (re)initialisation, net-options.ts) it strikes here: the
 * buffer posted with 0 bytes, which the device must refuse, or the receive ring made to break. */
function repost(device: VirtioNet, rx: Virtqueue, buffer: usize): void {
  if (device.faultsLeft == 0 || device.sinceStart < <u64>state.options.faultAfter) {
    rx.add(<u64>buffer, BUFFER, true, <u64>buffer);
    return;
  }
  device.faultsLeft--;
  if (state.options.fault == InjectedFault.DeviceNeedsReset) {
    rx.add(<u64>buffer, 0, true, <u64>buffer);
    return;
  }
  rx.add(<u64>buffer, BUFFER, true, <u64>buffer);
  rx.forgetNextInFlight();
}

/** Counts a dropped packet; the first of each reason is logged. */
function countDrop(device: VirtioNet, why: ReceiveDrop): void {
  if (device.drops[<i32>why]++ != 0) return;
  note(device, why == ReceiveDrop.Short ? "a packet shorter than its header was dropped"
    : why == ReceiveDrop.TooLong ? "a packet longer than " + MERGED_MAXIMUM.toString() + " bytes was dropped"
    : "a packet whose partial checksum lay outside it was dropped");
}

/** Resets and re-initialises the device for `reason`, logged, with the same buffers, MAC and
 * stack (§3.1.1 again); gives it up after RESETS_MAXIMUM resets within RESET_WINDOW, or when the
 * device does not come back. */
function recover(device: VirtioNet, reason: string): void {
  const now = state.now, times = device.resetTimes;
  while (times.length != 0 && now - times[0] > RESET_WINDOW) times.shift();
  if (times.length >= RESETS_MAXIMUM) {
    giveUp(device, reason + ", after " + RESETS_MAXIMUM.toString() + " resets within " + (RESET_WINDOW / 1_000_000_000).toString() + " s");
    return;
  }
  times.push(now);
  device.resets++;
  logLine(LogLevel.Warning).text("virtio-net: ").text(pciAddressText(device.found)).text(": reset ").decimal(device.resets)
    .text(" since boot, after ").decimal(device.sinceStart).text(" packets: ").text(reason);
  logEnd();
  const features = device.features;
  let problem = negotiate(device);
  if (problem.length == 0 && device.features != features) problem = "it offers other features after the reset";
  if (problem.length == 0) problem = startQueues(device);
  if (problem.length != 0) giveUp(device, "it did not come back from a reset: " + problem);
}

/** Stops driving the device: reset (it no longer reads or writes memory, so its rings and
 * buffers are freed), then FAILED (§2.1.1), logged. Sends are refused from now on. */
function giveUp(device: VirtioNet, why: string): void {
  stop(device);
  logLine(LogLevel.Error).text("virtio-net: ").text(pciAddressText(device.found)).text(": no longer driven (FAILED): ").text(why);
  logEnd();
}

/** FAILED, after a reset that stops the device's use of memory; then its rings and buffers are
 * freed (kept when it would not reset: it might still write them). */
function stop(device: VirtioNet): void {
  device.failed = true;
  const transport = device.transport;
  const stopped = transport.reset();
  transport.setStatus(STATUS_FAILED);
  if (!stopped) return;
  if (device.rx !== null) device.rx!.release();
  if (device.tx !== null) device.tx!.release();
  device.rx = null;
  device.tx = null;
  freeBuffers(device);
}

function malformedText(problem: Malformed): string {
  switch (problem) {
    case Malformed.UsedIndex: return "its index ran past the buffers made available";
    case Malformed.UsedId: return "an entry named a descriptor not in flight";
    case Malformed.UsedLength: return "an entry claimed more bytes than its buffer holds";
    case Malformed.Header: return "a packet's num_buffers was 0 or more than the used ring held";
    default: return "no problem";
  }
}

/** A line logged once per kind of event (the first merged packet, partial checksum, drop). */
function note(device: VirtioNet, text: string): void {
  logLine().text("virtio-net: ").text(pciAddressText(device.found)).text(": ").text(text).text(" (logged once)");
  logEnd();
}

function logFrame(device: VirtioNet, frame: usize, length: u32): void {
  const source = new StaticArray<u8>(6);
  for (let i = 0; i < 6; i++) source[i] = load<u8>(frame + 6 + <usize>i);
  const type = (<u32>load<u8>(frame + 12) << 8) | <u32>load<u8>(frame + 13);
  logLine().text("virtio-net: ").text(pciAddressText(device.found)).text(" received ").decimal(length).text(" bytes from ")
    .text(macText(source)).text(", type ").hex(type);
  logEnd();
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
