// hello: the smallest program. Greets on its Console and exits with code 42, which init checks.

import { Console, processId } from "../../rt/index";

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  console.line("hello: process " + processId().toString() + " says hello from ring 3");
  return 42;
}
