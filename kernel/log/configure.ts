// Applies the command line's "log=LEVEL" to the kernel log. The boot-information lines before
// it are written at the default level (info): the command line is in that structure. Takes the
// word's value, not the command line, so that the log stays below the boot layer.

import { logEnd, LogLevel, logLine, logSetLevel } from "./log";

/** `level`: the value of log=, or null when the word is absent. */
export function logConfigure(level: string | null): void {
  if (level === null || logSetLevel(level)) return;
  logLine(LogLevel.Warning).text("log: unknown level '").text(level).text("' (error, warning, info, debug); keeping info");
  logEnd();
}
