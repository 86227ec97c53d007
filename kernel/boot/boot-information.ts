// The boot information at boot: parsed once (multiboot2.ts), its problems and a summary logged.

import { logEnd, LogLevel, logLine } from "../log/log";
import { BootInformation } from "./multiboot2";

export function bootInformationInit(address: usize): BootInformation {
  const information = BootInformation.parse(address);
  for (let i = 0; i < information.problems.length; i++) {
    logLine(LogLevel.Warning).text("boot information: ").text(information.problems[i]);
    logEnd();
  }
  logLine().text("boot: ").text(information.bootloaderName.length > 0 ? information.bootloaderName : "unknown loader")
    .text(", command line '").text(information.commandLine).text("', ").decimal(information.memoryMap.length)
    .text(" memory map entries, ").decimal(information.modules.length).text(" modules");
  logEnd();
  return information;
}
