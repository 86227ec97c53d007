// The repository's source files under a folder, as repository-relative paths: what the
// structural tests (layers.test.ts, state.test.ts) read.

import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";

/** Every `.ts` file under `folder` (repository-relative), depth first. */
export function typeScriptSources(folder: string): string[] {
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) found.push(relative(REPOSITORY, path));
    }
  };
  walk(join(REPOSITORY, folder));
  return found;
}
