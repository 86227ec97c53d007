// init: the first process, started by the kernel with the capabilities the boot manifest gives
// it. Spawns hello with its Console and a Memory split off its own (hello gets HELLO_PAGES, not
// init's whole quota, and is told that number to check), waits for it, and checks its exit code.
// Its one step prints "init: PASS hello exit code" or "init: FAIL hello exit code: what was seen".

import { Console, ExitKind, Memory, ProcessSpawner, Timer } from "../../rt/index";

const HELLO_PAGES: u32 = 256;
const HELLO_EXIT_CODE = 42;

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const spawner = ProcessSpawner.granted();
  const memory = Memory.granted();
  const timer = Timer.granted();
  if (spawner === null || memory === null || timer === null) {
    console.line("init: FAIL hello exit code: init lacks a process-spawner, memory or timer from its manifest");
    return 2;
  }
  console.line("init: started");
  const helloMemory = memory.split(HELLO_PAGES);
  if (helloMemory === null) {
    console.line("init: FAIL hello exit code: splitting " + HELLO_PAGES.toString() + " pages for hello gave " + memory.lastError.toString());
    return 5;
  }
  const hello = spawner.spawn("hello", [console.handle, helloMemory.handle], HELLO_PAGES);
  helloMemory.release();   // hello holds it now; init keeps none of it
  if (hello === null) {
    console.line("init: FAIL hello exit code: spawn gave " + spawner.lastError.toString());
    return 3;
  }
  const status = hello.wait();
  if (status === null) {
    console.line("init: FAIL hello exit code: wait gave " + hello.lastError.toString());
    return 4;
  }
  console.line("init: hello exited with code " + status.code.toString());
  if (status.kind != ExitKind.Exited || status.code != HELLO_EXIT_CODE) {
    console.line("init: FAIL hello exit code: ended as kind " + (<u32>status.kind).toString() + " with " + status.code.toString()
      + ", expected an exit with " + HELLO_EXIT_CODE.toString());
    return 6;
  }
  console.line("init: PASS hello exit code");
  return 0;
}
