// The Linux personality's start (docs/linux.md): registers the maker of a Linux process's state
// with the spawner (objects/spawn.ts, a layer below) and reads `strace=NAME[,NAME…]`, the
// programs whose Linux processes trace their calls, and `linux-entry=upcall`, which runs the
// calls through the in-process adapter prototype instead (upcall.ts; for its benchmark); the
// console's input goes to its tty (tty.ts).

import { CommandLine } from "../boot/command-line";
import { spawnLinuxRegister } from "../objects/spawn";
import { upcallEnable } from "./upcall";
import { ttyInit, ttySignalSender } from "./tty";
import { LINUX_PROCESS_BYTES, linuxPersonality, linuxTraceSet } from "./linux-process";
import { linuxSignalGroup } from "./signal";   // after linux-process.ts, whose sizes it reads

export function linuxInit(commandLine: CommandLine): void {
  spawnLinuxRegister(linuxPersonality, LINUX_PROCESS_BYTES);
  ttyInit();
  ttySignalSender(sendToGroup);
  const entry = commandLine.get("linux-entry");   // "upcall": the measured prototype (upcall.ts)
  upcallEnable(entry !== null && entry! == "upcall");
  const traced = commandLine.get("strace");
  if (traced !== null) linuxTraceSet(traced!.split(","));
}

/** The tty's ^C, ^\\ and ^Z: the signal to every process of the foreground group. */
function sendToGroup(group: i32, signal: i32): void {
  linuxSignalGroup(group, signal);
}
