// `make run`'s shell (docs/linux.md, "busybox and make run"): the ISO's default command line
// starts userspace/linux/shell.c, which becomes busybox's sh on the console. Driven through the
// serial console as a person would: typed commands, line editing (the cursor moved back into a
// word), history (the up arrow), busybox's ps, free and uptime on procfs, syslogd and logger
// over /dev/log (an AF_UNIX datagram socket), ^C interrupting
// `sleep 100` and the prompt coming back, and `exit`, after which the kernel logs that the console's session ended with its leader.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { withQemu, type QemuSession } from "../qemu-runner/runner";

const PROMPT = "capsid:/# ";

/** Waits until the serial output ends with the prompt again (`after`: the output length before). */
async function prompt(qemu: QemuSession, after: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // busybox asks the terminal where its cursor is (ESC [6n) after the prompt; nothing answers here.
    const tail = qemu.serial.slice(after).replace(/\x1b\[6n$/, "");
    if (tail.trimEnd().endsWith(PROMPT.trimEnd())) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.unreachable(`no prompt within ${timeoutMs} ms; the output ends with: ${JSON.stringify(qemu.serial.slice(-400))}`);
}

/** Types `text` and waits for the prompt after it. */
async function command(qemu: QemuSession, text: string, timeoutMs?: number): Promise<void> {
  const before = qemu.serial.length;
  qemu.send(text);
  await prompt(qemu, before, timeoutMs);
}

test("busybox sh on the console: commands, line editing, history, ^C, exit", async () => {
  await withQemu({ commandLine: "init=shell" }, async (qemu) => {
    await qemu.expectLine("Welcome to Capsid", 30_000);
    await prompt(qemu, 0);
    await command(qemu, "echo $((6 * 7))\r");
    await qemu.expectLine(/^42\r?$/);
    await command(qemu, "echo helo\x1b[Dl\r");   // the cursor one back, an 'l' inserted: "hello"
    await qemu.expectLine(/^hello\r?$/);
    await command(qemu, "\x1b[A\r");              // the previous command again
    await qemu.expectLine(/^hello\r?$/);
    await command(qemu, "cd /usr/share/capsid && cat alpha.txt; cd /\r");
    await qemu.expectLine(/^this is alpha/);
    // procfs: busybox's ps reads /proc/PID/stat and cmdline (it sees only itself), free and
    // uptime read /proc/meminfo and sysinfo.
    await command(qemu, "ps\r");
    await qemu.expectLine(/^PID +USER +COMMAND\r?$/);
    await qemu.expectLine(/^ +\d+ root +\{ps\} -sh\r?$/);   // an applet forked, not exec'd: the shell's cmdline, ps's comm
    await command(qemu, "head -1 /proc/meminfo; free | head -2 | tail -1; uptime\r");
    await qemu.expectLine(/^MemTotal: +[1-9]\d* kB\r?$/);
    await qemu.expectLine(/^Mem: +\d+ +\d+ +\d+ +0 +0 +\d+\r?$/);
    await qemu.expectLine(/^ \d\d:\d\d:\d\d up \d+ min, +0 users, +load average: 0\.00, 0\.00, 0\.00\r?$/);
    // A program run from a working directory in procfs reads a relative name there.
    await command(qemu, "cd /proc/self && /bin/cat comm; cd /\r");
    await qemu.expectLine(/^cat\r?$/);
    // /proc/self/exe runs the program's file again (busybox, named "exe" by its argv[0]).
    await command(qemu, "/proc/self/exe\r");
    await qemu.expectLine(/^exe: applet not found\r?$/);
    // syslog over an AF_UNIX datagram socket: busybox syslogd binds /dev/log (a socket file),
    // logger sends to it through glibc's syslog(), and syslogd writes the line to its file.
    await command(qemu, "syslogd -n -O /tmp/messages & for i in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done; ls -l /dev/log\r");
    await qemu.expectLine(/^srw-rw-rw- +1 root +root +0 .* \/dev\/log\r?$/);
    await command(qemu, "logger -t capsid-test hello from logger; for i in $(seq 50); do grep -q logger /tmp/messages && break; sleep 0.1; done; cat /tmp/messages; kill $! && wait\r");
    await qemu.expectLine(/ syslog\.info syslogd started: BusyBox/);
    await qemu.expectLine(/ user\.notice capsid-test: hello from logger\r?$/);
    // ^C ends the foreground command; the prompt is back long before 100 s.
    qemu.send("sleep 100\r");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = Date.now();
    await command(qemu, "\x03", 15_000);
    assert.ok(Date.now() - started < 15_000);
    await command(qemu, "echo after the interrupt\r");
    await qemu.expectLine(/^after the interrupt\r?$/);
    qemu.send("exit\r");
    await qemu.expectLine(/^capsid: linux: process 1 \(sh\), the console's session leader, exited with code 0$/, 20_000);
  });
});

test.run();
