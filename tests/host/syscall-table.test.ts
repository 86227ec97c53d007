// The conformance suite's system call table (tests/linux/syscalls.txt; docs/linux.md,
// "Conformance"): every number kernel/linux/syscall.ts's dispatch answers (its `case Sys.NAME`
// labels in `call`) has a row naming a conformance program that exercises a success of it and one
// that exercises an error (or `none: why` for a call that cannot fail); no row names a call the
// dispatch does not answer; every program named is a file of userspace/conformance/, and calls
// the system call by a name the table's row can be traced to (its name, or a wrapper of it).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";

const TABLE = join(REPOSITORY, "tests/linux/syscalls.txt");

/** The Sys names `call` in kernel/linux/syscall.ts dispatches on. */
export function dispatched(source = readFileSync(join(REPOSITORY, "kernel/linux/syscall.ts"), "utf8")): string[] {
  const start = source.indexOf("\nfunction call(");
  if (start < 0) throw new Error("syscall.ts: no function call(");
  const end = source.indexOf("\n}\n", start);
  const body = source.slice(start, end);
  return [...new Set([...body.matchAll(/case Sys\.(\w+)\s*:/g)].map((match) => match[1]))].sort();
}

/** The names Sys (kernel/linux/numbers.ts) gives numbers. */
function sysNames(): Set<string> {
  const source = readFileSync(join(REPOSITORY, "kernel/linux/numbers.ts"), "utf8");
  const body = source.slice(source.indexOf("export enum Sys {"), source.indexOf("}", source.indexOf("export enum Sys {")));
  return new Set([...body.matchAll(/(\w+)\s*=\s*\d+/g)].map((match) => match[1]));
}

interface Row { name: string; success: string; error: string; line: number }

export function readTable(text = readFileSync(TABLE, "utf8")): Row[] {
  const rows: Row[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const fields = line.split(" | ").map((field) => field.trim());
    if (fields.length !== 3 || fields.some((field) => field === "")) throw new Error(`syscalls.txt line ${index + 1}: malformed: ${line}`);
    rows.push({ name: fields[0], success: fields[1], error: fields[2], line: index + 1 });
  });
  return rows;
}

const programExists = (name: string) => existsSync(join(REPOSITORY, "userspace/conformance", `${name}.c`));

test("the dispatch answers calls by Sys names, and more than 100 of them", () => {
  const names = dispatched();
  const known = sysNames();
  assert.ok(names.length > 100, `${names.length} calls found`);
  for (const name of names) assert.ok(known.has(name), `${name} is a Sys name`);
});

test("every supported call has one row, and every row a supported call", () => {
  const rows = readTable();
  const supported = new Set(dispatched());
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const row of rows) {
    if (seen.has(row.name)) problems.push(`line ${row.line}: ${row.name} has a second row`);
    seen.add(row.name);
    if (!supported.has(row.name)) problems.push(`line ${row.line}: ${row.name} is not answered by syscall.ts (ENOSYS): remove its row`);
  }
  for (const name of supported) if (!seen.has(name)) problems.push(`${name} is supported but has no row (success and error programs)`);
  assert.equal(problems, [], problems.join("\n"));
});

test("every row names existing programs, or a reason for having no error case", () => {
  const problems: string[] = [];
  for (const row of readTable()) {
    if (!programExists(row.success)) problems.push(`line ${row.line}: ${row.name}: no program userspace/conformance/${row.success}.c`);
    if (row.error.startsWith("none:")) {
      if (row.error.slice(5).trim().length < 10) problems.push(`line ${row.line}: ${row.name}: "none:" needs a reason`);
    } else if (!programExists(row.error)) problems.push(`line ${row.line}: ${row.name}: no program userspace/conformance/${row.error}.c`);
  }
  assert.equal(problems, [], problems.join("\n"));
});

test("the table's checks fail on a missing row, an unknown call and a missing program", () => {
  const source = "\nfunction call(a) {\n  switch (a) {\n    case Sys.read: return 1;\n    case Sys.write: case Sys.close: return 2;\n  }\n}\n";
  assert.equal(dispatched(source), ["close", "read", "write"]);
  const rows = readTable("# comment\nread | read-write | read-write\nwrite | read-write | none: cannot fail at all\n");
  assert.equal(rows.map((row) => row.name), ["read", "write"]);
  assert.throws(() => readTable("read | read-write\n"), /malformed/);
  assert.not.ok(programExists("no-such-program"));
  assert.ok(programExists("read-write"));
});

test("each row's programs mention the call (its name, SYS_name, or the C library's wrapper)", () => {
  // The C library's wrappers whose names differ from the call's.
  const wrappers: Record<string, string[]> = {
    newfstatat: ["fstatat"], pread64: ["pread"], pwrite64: ["pwrite"], getdents64: ["SYS_getdents64"], faccessat2: ["439"],
    rt_sigaction: ["sigaction"], rt_sigprocmask: ["sigprocmask"], rt_sigpending: ["sigpending"], rt_sigsuspend: ["sigsuspend"],
    rt_sigtimedwait: ["sigtimedwait"], rt_sigreturn: ["handler", "SYS_rt_sigreturn"], exit: ["_exit"], exit_group: ["exit("],
    clone: ["fork(", "SYS_clone"], prlimit64: ["SYS_prlimit64"], getrlimit: ["getrlimit"], statx: ["SYS_statx"],
    set_tid_address: ["SYS_set_tid_address"], set_robust_list: ["SYS_set_robust_list"], arch_prctl: ["SYS_arch_prctl"],
    pselect6: ["pselect("], ppoll: ["ppoll("], wait4: ["waitpid(", "wait4("], clock_nanosleep: ["clock_nanosleep"],
    mmap: ["mmap("], tgkill: ["SYS_tgkill"], tkill: ["SYS_tkill"], gettid: ["SYS_gettid"], renameat2: ["SYS_renameat2"],
    getpgrp: ["SYS_getpgrp"], time: ["SYS_time"], fork: ["SYS_fork"], brk: ["SYS_brk"], syncfs: ["SYS_syncfs"],
  };
  const problems: string[] = [];
  for (const row of readTable()) {
    const names = wrappers[row.name] ?? [`${row.name}(`, `SYS_${row.name}`];
    for (const program of [row.success, row.error]) {
      if (program.startsWith("none:") || !programExists(program)) continue;
      const text = readFileSync(join(REPOSITORY, "userspace/conformance", `${program}.c`), "utf8");
      if (!names.some((name) => text.includes(name))) problems.push(`line ${row.line}: ${program}.c does not mention ${row.name} (${names.join(", ")})`);
    }
  }
  assert.equal(problems, [], problems.join("\n"));
});

test.run();
