import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { runOnLinux, runOnCapsid } from "./linux-reference";
const [where, program, start, end] = process.argv.slice(2);
(async () => {
  const run = where === "linux" ? await runOnLinux(join(REPOSITORY, "build/linux-user", program), start, end)
    : await runOnCapsid(program, start, end);
  console.log(run.lines.join("\n"));
  console.log("EXIT", run.exitCode, (run as any).verdict ?? "");
  if (where !== "linux") require("node:fs").writeFileSync("/tmp/sig/serial-" + program + ".txt", (run as any).serial);
})().catch((e) => { console.error(e); process.exit(1); });
