// Applies the command line's "log=LEVEL" to the kernel log. The boot-information lines before
// it are written at the default level (info): the command line is in that structure.

import { CommandLine } from "../boot/command-line";
import { logEnd, LogLevel, logLine, logSetLevel } from "./log";

export function logConfigure(commandLine: CommandLine): void {
  const level = commandLine.get("log");
  if (level === null || logSetLevel(level)) return;
  logLine(LogLevel.Warning).text("log: unknown level '").text(level).text("' (error, warning, info, debug); keeping info");
  logEnd();
}
