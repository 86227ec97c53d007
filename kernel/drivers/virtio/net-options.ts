// The virtio-net driver's settings (net.ts), from the command line's `virtio-net=`: comma-separated
// words, every one optional:
//   nooffload      negotiate neither CSUM nor GUEST_CSUM (the checksum offloads)
//   noeventidx     do not negotiate EVENT_IDX (the rings' flags suppress interrupts instead)
//   nomrgrxbuf     do not negotiate MRG_RXBUF (a packet then always fits one buffer)
//   rxbuffers:N    receive buffers kept posted (an even number from 2 to 256; net.ts's RX_BUFFERS)
//   rxbudget:N     received frames one interrupt hands up at most (1 to 1024; net.ts's RX_BUDGET)
// and, for tests only, faults the driver injects for real:
//   breakafter:N   after N frames received since the device was (re)initialised, the driver
//                  forgets the receive descriptor the device uses next, so the device's next used
//                  entry is malformed (virtqueue.ts): the driver resets the device
//   faultafter:N   after N frames, the driver posts one receive buffer of 0 bytes, which the
//                  device must refuse: QEMU sets DEVICE_NEEDS_RESET and signals a configuration
//                  change (virtio 1.2 §2.1.2)
//   faults:K       how many times breakafter or faultafter strike (1-100, default 1), N frames
//                  after each re-initialisation
// e.g. virtio-net=nooffload or virtio-net=breakafter:50. Anything else refuses the whole setting
// (the reason logged) and the defaults run, so a typo never runs a test without its fault.

/** The fault a test asked for. */
export enum InjectedFault {
  None = 0,
  /** A used entry naming a descriptor not in flight (breakafter). */
  MalformedUsedRing = 1,
  /** A zero-length receive buffer, refused by the device with DEVICE_NEEDS_RESET (faultafter). */
  DeviceNeedsReset = 2,
}

const FAULTS_MAXIMUM: u32 = 100;
/** The receive queue's entries at most (virtqueue.ts's QUEUE_SIZE_MAXIMUM). */
const RECEIVE_BUFFERS_MAXIMUM: u32 = 256;
/** The largest receive budget rxbudget takes: four rings' worth. */
const RECEIVE_BUDGET_MAXIMUM: u32 = 1024;

export class NetOptions {
  checksumOffloads: bool = true;
  eventIndex: bool = true;
  mergeableBuffers: bool = true;
  /** Receive buffers kept posted; 0 for the driver's default. */
  receiveBuffers: u32 = 0;
  /** Received frames one interrupt hands up at most; 0 for the driver's default. */
  receiveBudget: u32 = 0;
  fault: InjectedFault = InjectedFault.None;
  /** Frames received before the fault strikes. */
  faultAfter: u32 = 0;
  /** Times the fault strikes. */
  faults: u32 = 1;
  /** Why the text was refused; "" when it was not. */
  problem: string = "";

  /** The settings `text` gives, or defaults whose `problem` says what is wrong. */
  static parse(text: string): NetOptions {
    const options = new NetOptions();
    const words = text.split(",");
    for (let i = 0; i < words.length; i++) {
      const word = words[i];
      const colon = word.indexOf(":");
      const name = colon < 0 ? word : word.substring(0, colon), value = colon < 0 ? "" : word.substring(colon + 1);
      if (colon < 0 && name == "nooffload") options.checksumOffloads = false;
      else if (colon < 0 && name == "noeventidx") options.eventIndex = false;
      else if (colon < 0 && name == "nomrgrxbuf") options.mergeableBuffers = false;
      else if (name == "breakafter" || name == "faultafter") {
        const count = parseWhole(value);
        if (count < 0) return NetOptions.refused(word + " does not give a whole number of frames (at most 9 digits)");
        if (options.fault != InjectedFault.None) return NetOptions.refused("breakafter and faultafter are given together");
        options.fault = name == "breakafter" ? InjectedFault.MalformedUsedRing : InjectedFault.DeviceNeedsReset;
        options.faultAfter = <u32>count;
      } else if (name == "rxbuffers") {
        const count = parseWhole(value);
        if (count < 2 || count > <i64>RECEIVE_BUFFERS_MAXIMUM || (count & 1) != 0)
          return NetOptions.refused(word + " is not an even number of buffers from 2 to 256");
        options.receiveBuffers = <u32>count;
      } else if (name == "rxbudget") {
        const count = parseWhole(value);
        if (count < 1 || count > <i64>RECEIVE_BUDGET_MAXIMUM) return NetOptions.refused(word + " is not a number of frames from 1 to 1024");
        options.receiveBudget = <u32>count;
      } else if (name == "faults") {
        const count = parseWhole(value);
        if (count < 1 || count > <i64>FAULTS_MAXIMUM) return NetOptions.refused(word + " is not a number of faults from 1 to 100");
        options.faults = <u32>count;
      } else {
        return NetOptions.refused(word + " is not one of nooffload, noeventidx, nomrgrxbuf, rxbuffers:N, rxbudget:N, breakafter:N, faultafter:N, faults:K");
      }
    }
    return options;
  }

  private static refused(problem: string): NetOptions {
    const options = new NetOptions();
    options.problem = problem;
    return options;
  }
}

/** A whole decimal of 1 to 9 digits, or -1. */
function parseWhole(text: string): i64 {
  if (text.length == 0 || text.length > 9) return -1;
  let value: i64 = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
