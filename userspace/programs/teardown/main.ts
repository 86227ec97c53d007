// teardown: a process with HOG_PAGES pages mapped and 4000 capabilities is killed, and the kernel
// frees its frames and releases its capabilities a bounded step at a time (kernel/vm/reclaim.ts). Spawns hog with a Memory split large enough, waits for
// its call saying the pages are mapped, kills it, sleeps while the frames are freed, and checks
// that the quota came back. The kernel's end-of-run line reports the largest tick lateness, which
// tests/qemu/resources.test.ts holds to the bound (and sees exceeded with reclaim=all).

import {
  Console, Endpoint, ExitKind, Memory, MESSAGE_MAXIMUM, ProcessSpawner, Received, RECEIVED_HEADER_SIZE, Steps, Timer,
} from "../../rt/index";

/** The pages hog maps, and what its split adds for its image, stack, tables and records. */
const HOG_PAGES: u32 = 100_000;
const HOG_OVERHEAD_PAGES: u64 = 1024;
const SETTLE_NANOS: u64 = 300_000_000;

export function main(): i32 {
  const console = Console.granted();
  const own = Memory.granted();
  const spawner = ProcessSpawner.granted();
  const timer = Timer.granted();
  if (console === null || own === null || spawner === null || timer === null) return 1;
  const steps = new Steps(console, "teardown");
  const endpoint = Endpoint.create(own.handle);
  const client = endpoint === null ? 0 : endpoint.client();
  if (endpoint === null || client == 0) {
    steps.step("an endpoint for hog", "Memory.endpoint or Endpoint.client failed");
    return 2;
  }
  const usedBefore = own.usedPages();
  const hogMemory = own.split(<u64>HOG_PAGES + HOG_OVERHEAD_PAGES);
  if (hogMemory === null) {
    steps.step("a split for hog", "Memory.split gave " + own.lastError.toString());
    return 3;
  }
  const hog = spawner.spawn("hog", [console.handle, hogMemory.handle, client], HOG_PAGES);
  hogMemory.release();
  if (hog === null) {
    steps.step("hog started", "spawn gave " + spawner.lastError.toString());
    return 4;
  }
  const buffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 8);
  const received = new Received();
  const error = endpoint.receive(buffer, received);
  steps.step("hog mapped " + HOG_PAGES.toString() + " pages and made 4000 capabilities", error < 0 ? "receive gave " + error.toString()
    : received.label != 0 ? "hog was refused with " + received.label.toString() : "");
  const start = timer.now();
  hog.kill();
  const status = hog.wait();
  const killed = timer.now();
  steps.step("hog killed", status === null ? "wait gave " + hog.lastError.toString()
    : status.kind != ExitKind.Killed ? "it ended as kind " + (<u32>status.kind).toString() : "");
  console.line("teardown: kill and wait took " + ((killed - start) / 1000).toString() + " us");
  timer.sleep(SETTLE_NANOS);
  // The split's pages come back once hog's charges are gone and the split object with them; the
  // ProcessHandle's charge when it goes.
  hog.release();
  const usedAfter = own.usedPages();
  steps.step("the quota came back", usedAfter == usedBefore ? ""
    : "used " + usedBefore.toString() + " pages before hog, " + usedAfter.toString() + " after");
  return steps.failures == 0 ? 0 : 5;
}
