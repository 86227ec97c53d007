// hello: the smallest program. Greets on its Console, says how large a Memory quota it was given
// and checks it against the quota its spawner says it split off (the start argument: init gives
// hello a 256-page split of its own), and exits with code 42, which init checks.

import { Console, Memory, processId, startArgument } from "../../rt/index";

export function main(): i32 {
  const console = Console.granted();
  const memory = Memory.granted();
  if (console === null || memory === null) return 1;
  console.line("hello: process " + processId().toString() + " says hello from ring 3");
  const used = memory.usedPages();
  const quota = memory.quotaPages();
  console.line("hello: my memory quota is " + quota.toString() + " pages");
  const expected = <u64>startArgument();
  if (used >= 0 && quota == expected) console.line("hello: PASS memory quota");
  else console.line("hello: FAIL memory quota: info gave " + used.toString() + " used of " + quota.toString() + " pages, the spawner split off " + expected.toString());
  return 42;
}
