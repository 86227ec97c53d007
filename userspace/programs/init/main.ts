// init: the first process, started by the kernel with the capabilities the boot manifest gives
// it. Spawns hello with its Console and a Memory split off its own (hello gets 256 pages, not
// init's whole quota), waits for it, and reports its exit code.

import { Console, Memory, ProcessSpawner, Timer } from "../../rt/index";

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const spawner = ProcessSpawner.granted();
  const memory = Memory.granted();
  const timer = Timer.granted();
  if (spawner === null || memory === null || timer === null) {
    console.line("init: missing a capability from the manifest");
    return 2;
  }
  console.line("init: started");
  const helloMemory = memory.split(256);
  if (helloMemory === null) {
    console.line("init: split memory failed: " + memory.lastError.toString());
    return 5;
  }
  const hello = spawner.spawn("hello", [console.handle, helloMemory.handle]);
  helloMemory.release();   // hello holds it now; init keeps none of it
  if (hello === null) {
    console.line("init: spawn hello failed: " + spawner.lastError.toString());
    return 3;
  }
  const status = hello.wait();
  if (status === null) {
    console.line("init: wait failed: " + hello.lastError.toString());
    return 4;
  }
  console.line("init: hello exited with code " + status.code.toString());
  return 0;
}
