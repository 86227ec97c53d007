// AF_INET sockets of the Linux personality against real peers (issue 19): in a namespace of its
// own with a tap (netns.ts), Debian's dnsmasq serves names and a host HTTP server serves a random
// file. Through the serial console, as a person would type them, busybox's applets run in the
// guest's net-shell (busybox sh with a Network grant for 10.0.2.0/24, peer ports 9000-9999 and
// local ports below 80 left out; userspace/manifest.json):
// - nslookup asks dnsmasq, through /etc/resolv.conf (procfs's view of the DNS server);
// - wget fetches the file by address and by name, its SHA-256 compared with the host's;
// - httpd serves /usr/share/capsid, fetched by curl from the host, byte for byte;
// - nc in both directions, each line compared;
// - ping (a raw ICMP socket) the host and the guest itself, and an address outside the grant;
// - ifconfig, route and netstat read the interface, its routes and the grant's sockets;
// - a connect to a peer port and a bind of a local port the grant leaves out fail with EACCES.
// Then the same applets in `shell`, which holds no Network grant: each fails with EACCES, and
// tcpdump on the tap sees no frame from the guest at all.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withQemu, type QemuSession, REPOSITORY } from "../qemu-runner/runner";
import { GUEST, GUEST_MAC, HOST, Namespace, until } from "./netns";

const PROMPT = "capsid:/# ";
const net = suite("Linux sockets: busybox nslookup, wget, httpd and nc against real peers");
const ns = new Namespace("lnet");
const scratch = mkdtempSync(join(tmpdir(), "capsid-lnet-"));
const blob = randomBytes(1 << 20);
const blobHash = createHash("sha256").update(blob).digest("hex");

net.before(() => {
  ns.create();
  writeFileSync(join(scratch, "blob.bin"), blob);
});
net.after(() => {
  ns.remove();
  rmSync(scratch, { recursive: true, force: true });
});

/** Waits until the serial output after `after` ends with the prompt. */
async function prompt(qemu: QemuSession, after: number, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const tail = qemu.serial.slice(after).replace(/\x1b\[6n$/, "");
    if (tail.trimEnd().endsWith(PROMPT.trimEnd())) return tail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.unreachable(`no prompt within ${timeoutMs} ms; the output ends with: ${JSON.stringify(qemu.serial.slice(-600))}`);
  return "";
}

/** Types `text` and a return; resolves with what the command printed (its echo and the prompt cut). */
async function command(qemu: QemuSession, text: string, timeoutMs?: number): Promise<string> {
  const before = qemu.serial.length;
  qemu.send(`${text}\r`);
  const output = await prompt(qemu, before, timeoutMs);
  const lines = output.replace(/\r/g, "").split("\n");
  return lines.slice(1, -1).join("\n");
}

/** Ends a peer the test started, and waits until it is gone (its ports free again). */
async function stop(child: import("node:child_process").ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill();
  await gone;
}

async function dnsmasq() {
  return ns.start([
    "dnsmasq", "--no-daemon", "--log-queries", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--interface=tap0",
    "--bind-interfaces", `--listen-address=${HOST}`, `--pid-file=${join(scratch, "dnsmasq.pid")}`, "--local=/capsid.test/",
    `--host-record=web.capsid.test,${HOST}`, "--host-record=www.capsid.test,10.0.2.78",
  ], /started, version/);
}

net("net-shell: nslookup, wget (by address and by name), httpd with curl, nc both ways, ping, EACCES outside the grant", async () => {
  const dns = await dnsmasq();
  const web = await ns.start(["python3", "-m", "http.server", "--bind", HOST, "--directory", scratch, "8080"]);
  try {
    await withQemu({
      commandLine: `log=info ip=${GUEST}/24 gateway=${HOST} dns=${HOST} init=net-shell`, netns: ns.name, extraArguments: ns.qemuArguments(),
    }, async (qemu) => {
      await qemu.expectLine("Welcome to Capsid", 60_000);
      await prompt(qemu, 0);
      assert.is(await command(qemu, "cat /etc/resolv.conf"), `nameserver ${HOST}`);

      const lookup = await command(qemu, "nslookup www.capsid.test");
      assert.match(lookup, /Name:\s+www\.capsid\.test\nAddress:?\s+10\.0\.2\.78/, lookup);
      const missing = await command(qemu, "nslookup missing.capsid.test; echo status $?");
      assert.match(missing, /NXDOMAIN|can't find/, missing);

      for (const url of [`http://${HOST}:8080/blob.bin`, "http://web.capsid.test:8080/blob.bin"]) {
        const fetched = await command(qemu, `rm -f /tmp/blob; wget -q -O /tmp/blob ${url}; echo status $?; sha256sum /tmp/blob`, 120_000);
        assert.match(fetched, /status 0/, fetched);
        assert.match(fetched, new RegExp(`^${blobHash}  /tmp/blob$`, "m"), fetched);
      }

      // busybox httpd in the guest; curl on the host, twice on one connection and once more.
      await command(qemu, "httpd -p 8081 -h /usr/share/capsid; echo started $?");
      const expected = readFileSync(join(REPOSITORY, "userspace/root/usr/share/capsid/alpha.txt"));
      const curl = await ns.run(["curl", "-sS", "--max-time", "20", `http://${GUEST}:8081/alpha.txt`, `http://${GUEST}:8081/alpha.txt`], 30_000);
      assert.is(curl.code, 0, curl.output);
      assert.is(curl.output, expected.toString("utf8").repeat(2));
      const notFound = await ns.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", `http://${GUEST}:8081/no-such-file`], 30_000);
      assert.is(notFound.output, "404");

      // ifconfig, route and netstat: the interface as the guest has it, its routes, and the
      // listener httpd made from the grant (/proc/net and the SIOCGIF* ioctls); no change to it.
      const ifconfig = await command(qemu, "ifconfig eth0");
      assert.match(ifconfig, new RegExp(`HWaddr ${GUEST_MAC.toUpperCase()}`), ifconfig);
      assert.match(ifconfig, /inet addr:10\.0\.2\.15\s+Bcast:10\.0\.2\.255\s+Mask:255\.255\.255\.0/, ifconfig);
      assert.match(ifconfig, /UP BROADCAST RUNNING MULTICAST\s+MTU:1500/, ifconfig);
      const framesIn = Number(/RX packets:(\d+)/.exec(ifconfig)?.[1] ?? 0), framesOut = Number(/TX packets:(\d+)/.exec(ifconfig)?.[1] ?? 0);
      assert.ok(framesIn > 700 && framesOut > 20, `the wgets' frames counted: ${framesIn} received, ${framesOut} sent`);
      const routes = await command(qemu, "route -n");
      assert.match(routes, /0\.0\.0\.0\s+10\.0\.2\.1\s+0\.0\.0\.0\s+UG\s+0\s+0\s+0 eth0/, routes);
      assert.match(routes, /10\.0\.2\.0\s+0\.0\.0\.0\s+255\.255\.255\.0\s+U\s+0\s+0\s+0 eth0/, routes);
      const listening = await command(qemu, "netstat -tln");
      assert.match(listening, /tcp\s+0\s+0 0\.0\.0\.0:8081\s+0\.0\.0\.0:\*\s+LISTEN/, listening);
      const down = await command(qemu, "ifconfig eth0 down; echo status $?");
      assert.match(down, /SIOCSIFFLAGS: Operation not permitted\nstatus 1/, down);

      // nc, guest to host: the host listens, the guest sends a line.
      const listener = await ns.start(["socat", "-u", `TCP-LISTEN:10123,bind=${HOST},reuseaddr`, "STDOUT"]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sent = await command(qemu, `echo hello-from-capsid | nc ${HOST} 10123; echo status $?`, 30_000);
      assert.match(sent, /status 0/, sent);
      await until("the line from the guest", () => listener.output().includes("hello-from-capsid\n"), 10_000);
      await stop(listener.child);

      // nc, host to guest: the guest listens in the background, the host sends a line.
      await command(qemu, "nc -l -p 5555 > /tmp/got &");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const toGuest = await ns.run(["sh", "-c", `echo hello-to-capsid | socat -u STDIN TCP:${GUEST}:5555`], 20_000);
      assert.is(toGuest.code, 0, toGuest.output);
      let got = "";
      for (let attempt = 0; attempt < 20 && got !== "hello-to-capsid"; attempt++) {
        got = await command(qemu, "cat /tmp/got");
        if (got !== "hello-to-capsid") await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.is(got, "hello-to-capsid");

      // busybox ping (a raw ICMP socket): the host answers, and so does the guest itself; an
      // address no rule of the grant covers is refused.
      const ping = await command(qemu, `ping -c 2 ${HOST}; echo status $?`, 30_000);
      assert.match(ping, /64 bytes from 10\.0\.2\.1: seq=1 ttl=64/, ping);
      assert.match(ping, /2 packets transmitted, 2 packets received, 0% packet loss\nround-trip[^\n]*\nstatus 0/, ping);
      const self = await command(qemu, `ping -c 1 ${GUEST}; echo status $?`, 30_000);
      assert.match(self, /1 packets transmitted, 1 packets received[^]*status 0/, self);
      const outside = await command(qemu, "ping -c 1 -W 2 10.9.9.9; echo status $?", 30_000);
      assert.match(outside, /Permission denied[^]*status 1/, outside);

      // Outside the grant: a peer port it leaves out, a local port below its range.
      const refused = await command(qemu, `nc ${HOST} 9100 </dev/null; echo status $?`);
      assert.match(refused, /Permission denied/, refused);
      const unbound = await command(qemu, "nc -l -p 79 </dev/null; echo status $?");
      assert.match(unbound, /Permission denied/, unbound);
    });
  } finally {
    await stop(dns.child);
    await stop(web.child);
  }
});
net("shell, without a Network grant: socket says EACCES to nslookup, wget, nc, ping and ifconfig, /proc/net shows lo alone, and the tap sees no frame from the guest", async () => {
  const dns = await dnsmasq();
  const capture = await ns.start(["tcpdump", "-i", "tap0", "-n", "-l", "-e", "ether", "src", GUEST_MAC], /listening on tap0/);
  try {
    await withQemu({
      commandLine: `log=info ip=${GUEST}/24 gateway=${HOST} dns=${HOST} init=shell`, netns: ns.name, extraArguments: ns.qemuArguments(),
    }, async (qemu) => {
      await qemu.expectLine("Welcome to Capsid", 60_000);
      await prompt(qemu, 0);
      assert.is(await command(qemu, "cat /etc/resolv.conf"), "# no network grant: no name server");
      const lookup = await command(qemu, `nslookup www.capsid.test ${HOST}; echo status $?`);
      assert.match(lookup, /status 1/, lookup);
      const fetched = await command(qemu, `wget -q -O /tmp/blob http://${HOST}:8080/blob.bin; echo status $?`);
      assert.match(fetched, /Permission denied/, fetched);
      assert.match(fetched, /status 1/, fetched);
      const nc = await command(qemu, `echo hello | nc ${HOST} 10123; echo status $?`);
      assert.match(nc, /Permission denied/, nc);
      const listen = await command(qemu, "nc -l -p 5555 </dev/null; echo status $?");
      assert.match(listen, /Permission denied/, listen);
      const ping = await command(qemu, `ping -c 1 -W 2 ${HOST}; echo status $?`);
      assert.match(ping, /Permission denied[^]*status 1/, ping);
      // Of the interfaces, lo alone; of routes and sockets, none.
      const ifconfig = await command(qemu, "ifconfig; echo status $?");
      assert.match(ifconfig, /Permission denied[^]*status 1/, ifconfig);
      const devices = await command(qemu, "cat /proc/net/dev");
      assert.match(devices, /^\s+lo:/m, devices);
      assert.not.match(devices, /eth0/, devices);
      assert.is((await command(qemu, "route -n")).trim().split("\n").length, 2, "route -n: the headers alone");
      // The same host answers a ping from the namespace: the guest is on the wire, and sends
      // nothing of its own.
      const answered = await ns.run(["ping", "-c", "1", "-W", "5", GUEST], 10_000);
      assert.match(answered.output, /1 received/, answered.output);
    });
    await until("the capture of the ping's reply", () => /ICMP echo reply/.test(capture.output()), 5_000);
    const frames = capture.output().split("\n").filter((line) => line.trim().length > 0);
    const other = frames.filter((line) => !/ICMP echo reply|ARP .*: Reply /.test(line));
    assert.equal(other, [], `frames the guest sent besides the ping's reply and ARP replies:\n${frames.join("\n")}`);
  } finally {
    await stop(capture.child);
    await stop(dns.child);
  }
});

net.run();
