// exhaust: a hostile program with the largest quota the manifest allows makes kernel objects
// every way it can until refused (userspace/programs/hostile), while a victim keeps answering.
// Starts victim (answering on an endpoint exhaust keeps a client of), then hostile with all of its
// quota it can spare; once hostile reports (a call on exhaust's endpoint), calls the victim
// CALLS times, kills hostile, waits for its children to go, and checks that the quota and the
// kernel heap budget came back to what they were, and that the victim still answers.
// tests/qemu/resources.test.ts asserts each step and the kernel's leak check at the end.

import {
  Console, Endpoint, EndpointClient, ExitKind, lastResultOfCall, Memory, MESSAGE_MAXIMUM, ProcessSpawner, Received, releaseHandle,
  RECEIVED_HEADER_SIZE, Steps, Timer,
} from "../../rt/index";

const CALLS = 100;
const HELD = 4000;
const VICTIM_PAGES: u64 = 256;
/** Pages exhaust keeps for itself and the victim; hostile gets the rest. */
const KEPT_PAGES: u64 = 2048;
const SETTLE_NANOS: u64 = 500_000_000;
const buffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 16);
const request = memory.data(16, 8);
const reply = memory.data(16, 8);

/** "" when the victim echoed `CALLS` calls, else the first that went wrong. */
function victimAnswers(victim: EndpointClient): string {
  for (let i: u32 = 0; i < <u32>CALLS; i++) {
    store<u64>(request, 0x1234_5678_0000_0000 | <u64>i);
    store<u64>(reply, 0);
    const result = victim.call(i, request, 8, reply, 16);
    if (result != 8 || load<u64>(reply) != load<u64>(request)) {
      return "call " + i.toString() + " gave " + result.toString() + ", reply 0x" + load<u64>(reply).toString(16);
    }
  }
  return "";
}

/** Makes HELD clients of `endpoint` (the table grows to hold them), checks they are distinct and
 * live, and releases them: "" or what went wrong. */
function holdCapabilities(endpoint: Endpoint): string {
  const handles = new StaticArray<u64>(HELD);
  for (let i = 0; i < HELD; i++) {
    const handle = endpoint.client();
    if (handle == 0) return "client " + i.toString() + " gave " + lastResultOfCall().toString();
    handles[i] = handle;
  }
  const sorted = handles.slice<u64[]>(0).sort();
  for (let i = 1; i < HELD; i++) if (sorted[i] == sorted[i - 1]) return "handle 0x" + sorted[i].toString(16) + " given twice";
  // Each is live: releasing it succeeds exactly once.
  for (let i = 0; i < HELD; i++) {
    const result = releaseHandle(handles[i]);
    if (result != 0) return "releasing client " + i.toString() + " gave " + result.toString();
  }
  if (releaseHandle(handles[0]) == 0) return "a released handle was released again";
  return "";
}

export function main(): i32 {
  const console = Console.granted();
  const own = Memory.granted();
  const spawner = ProcessSpawner.granted();
  const timer = Timer.granted();
  if (console === null || own === null || spawner === null || timer === null) return 1;
  heap.free(heap.alloc(256 * 1024));   // grown now: later the budget may be gone
  const steps = new Steps(console, "exhaust");

  const victimEndpoint = Endpoint.create(own.handle);
  const victimClient = victimEndpoint === null ? 0 : victimEndpoint.client();
  const reports = Endpoint.create(own.handle);
  const reportClient = reports === null ? 0 : reports.client();
  if (victimEndpoint === null || victimClient == 0 || reports === null || reportClient == 0) {
    steps.step("endpoints", "Memory.endpoint or Endpoint.client failed");
    return 2;
  }
  const victimMemory = own.split(VICTIM_PAGES);
  if (victimMemory === null) { steps.step("a split for the victim", "split gave " + own.lastError.toString()); return 3; }
  const victim = spawner.spawn("victim", [console.handle, victimMemory.handle, victimEndpoint.handle]);
  victimMemory.release();
  if (victim === null) { steps.step("victim started", "spawn gave " + spawner.lastError.toString()); return 3; }
  const toVictim = new EndpointClient(victimClient);
  steps.step("the victim answers", victimAnswers(toVictim));

  steps.step("4000 capabilities held at once", holdCapabilities(reports));

  const usedBefore = own.usedPages(), quota = own.quotaPages();
  const kernelBefore = own.kernelBytes(), budgetBefore = own.heapBudgetLeft();
  const hostileMemory = own.split(quota - usedBefore - KEPT_PAGES);
  if (hostileMemory === null) { steps.step("a split for hostile", "split gave " + own.lastError.toString()); return 4; }
  const hostile = spawner.spawn("hostile", [console.handle, hostileMemory.handle, spawner.handle, reportClient]);
  hostileMemory.release();
  if (hostile === null) { steps.step("hostile started", "spawn gave " + spawner.lastError.toString()); return 5; }

  const received = new Received();
  const error = reports.receive(buffer, received);
  steps.step("hostile was refused every way and reported", error < 0 ? "receive gave " + error.toString() : "");
  console.line("exhaust: hostile held " + received.label.toString() + " capabilities it made");
  own.kernelBytes();
  console.line("exhaust: heap budget left while hostile holds everything: " + own.heapBudgetLeft().toString() + " bytes");
  steps.step("the victim answers while hostile holds everything", victimAnswers(toVictim));

  hostile.kill();
  const status = hostile.wait();
  steps.step("hostile killed", status !== null && status.kind == ExitKind.Killed ? "" : "wait gave " + hostile.lastError.toString());
  hostile.release();
  timer.sleep(SETTLE_NANOS);   // its children see their calls fail and exit; frames are freed
  const usedAfter = own.usedPages(), kernelAfter = own.kernelBytes(), budgetAfter = own.heapBudgetLeft();
  steps.step("the quota and the heap budget came back", usedAfter == usedBefore && kernelAfter == kernelBefore && budgetAfter == budgetBefore ? ""
    : "pages used " + usedBefore.toString() + " -> " + usedAfter.toString() + ", kernel bytes " + kernelBefore.toString() + " -> "
      + kernelAfter.toString() + ", budget left " + budgetBefore.toString() + " -> " + budgetAfter.toString());
  steps.step("the victim still answers", victimAnswers(toVictim));

  victim.kill();
  victim.wait();
  victim.release();
  return steps.failures == 0 ? 0 : 6;
}
