// hello: the smallest program. Greets on its Console, says how large a Memory quota it was given
// (init gives it a split of its own), and exits with code 42, which init checks.

import { Console, Memory, processId } from "../../rt/index";

export function main(): i32 {
  const console = Console.granted();
  const memory = Memory.granted();
  if (console === null || memory === null) return 1;
  console.line("hello: process " + processId().toString() + " says hello from ring 3");
  memory.usedPages();
  console.line("hello: my memory quota is " + memory.quotaPages().toString() + " pages");
  return 42;
}
