// The repository's source files under a folder, as repository-relative paths: what the
// structural tests (layers.test.ts, state.test.ts) read.

import { lstatSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";

/** Every `.ts` file under `folder` (repository-relative), depth first. */
export function typeScriptSources(folder: string): string[] {
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (lstatSync(path).isDirectory()) walk(path);   // a link (etc/resolv.conf) is no folder to walk
      else if (name.endsWith(".ts")) found.push(relative(REPOSITORY, path));
    }
  };
  walk(join(REPOSITORY, folder));
  return found;
}
