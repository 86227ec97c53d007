// The boot package: the programs GRUB loaded as multiboot2 modules (command line = program name)
// and the manifest module that says which exist and what each may hold (docs/abi/manifest.md).
// Each image is checked once here, at boot; a bad one is logged and left out, never a crash.
// The spawner looks programs up by name.

import { BootInformation } from "../boot/multiboot2";
import { kernelErrorName } from "../error";
import { logEnd, LogLevel, logLine } from "../log/log";
import { ElfImage, elfParse } from "./elf";
import { Manifest, ManifestProgram, manifestParse } from "./manifest";

export const MANIFEST_MODULE_NAME = "manifest";

/** One program ready to spawn: its manifest entry and its checked image. */
export class BootProgram {
  constructor(readonly name: string, readonly policy: ManifestProgram, readonly imageAddress: usize, readonly image: ElfImage) {}
}

class BootPackageState {
  programs: BootProgram[] = [];
  manifest: Manifest | null = null;
}
const state = new BootPackageState();

/** Parses the manifest and every image it names; logs each problem. Returns the program to
 * start (init), or null when there is none (no manifest: a kernel without user space). */
export function bootPackageInit(information: BootInformation): BootProgram | null {
  const modules = information.modules;
  let manifestIndex = -1;
  for (let i = 0; i < modules.length; i++) if (modules[i].commandLine == MANIFEST_MODULE_NAME) manifestIndex = i;
  if (manifestIndex < 0) {
    if (modules.length > 0) warn("boot package: no manifest module; no program started");
    return null;
  }
  const manifestModule = modules[manifestIndex];
  const parsed = manifestParse(<usize>manifestModule.start, <u64>(manifestModule.end - manifestModule.start));
  const manifest = parsed.manifest;
  if (manifest === null) {
    warn("boot package: manifest rejected (" + kernelErrorName(parsed.error) + "): " + parsed.reason);
    return null;
  }
  state.manifest = manifest;
  let start: BootProgram | null = null;
  for (let p = 0; p < manifest.programs.length; p++) {
    const policy = manifest.programs[p];
    let found = -1;
    for (let i = 0; i < modules.length; i++) if (modules[i].commandLine == policy.name) found = i;
    if (found < 0) {
      warn("boot package: program '" + policy.name + "' is in the manifest but not on the boot medium");
      continue;
    }
    const module = modules[found];
    const result = elfParse(<usize>module.start, <u64>(module.end - module.start));
    const image = result.image;
    if (image === null) {
      warn("boot package: program '" + policy.name + "' rejected (" + kernelErrorName(result.error) + "): " + result.reason);
      continue;
    }
    const program = new BootProgram(policy.name, policy, <usize>module.start, image);
    state.programs.push(program);
    if (policy.startAtBoot) start = program;
  }
  logLine().text("boot package: ").decimal(state.programs.length).text(" programs");
  logEnd();
  return start;
}

/** The program called `name`, or null. */
export function bootProgramFind(name: string): BootProgram | null {
  for (let i = 0; i < state.programs.length; i++) if (state.programs[i].name == name) return state.programs[i];
  return null;
}

function warn(message: string): void {
  logLine(LogLevel.Warning).text(message);
  logEnd();
}
