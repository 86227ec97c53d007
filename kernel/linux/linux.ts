// The Linux personality's start (docs/linux.md): registers the maker of a Linux process's state
// with the spawner (objects/spawn.ts, a layer below) and reads `strace=NAME[,NAME…]`, the
// programs whose Linux processes trace their calls.

import { CommandLine } from "../boot/command-line";
import { spawnLinuxRegister } from "../objects/spawn";
import { LINUX_PROCESS_BYTES, linuxPersonality, linuxTraceSet } from "./linux-process";

export function linuxInit(commandLine: CommandLine): void {
  spawnLinuxRegister(linuxPersonality, LINUX_PROCESS_BYTES);
  const traced = commandLine.get("strace");
  if (traced !== null) linuxTraceSet(traced!.split(","));
}
