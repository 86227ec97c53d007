// DHCP and DNS against dnsmasq (issue 16): in a namespace of its own with a tap (netns.ts),
// Debian's dnsmasq hands out a lease (with short T1 and T2, so a renewal happens during the
// test) and serves a few records. The guest boots with no ip=, takes the lease, and its resolver
// (userspace/programs/resolve) asks for names dnsmasq knows (one address, two addresses, a
// CNAME) and one it does not; its printed answers are compared with dnsmasq's records. The host
// then pings the leased address.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withQemu } from "../qemu-runner/runner";
import { HOST, Namespace, until } from "./netns";

const dns = suite("DHCP and DNS with dnsmasq");
const ns = new Namespace("dns");
const scratch = mkdtempSync(join(tmpdir(), "capsid-dns-"));

dns.before(() => ns.create());
dns.after(() => {
  ns.remove();
  rmSync(scratch, { recursive: true, force: true });
});

dns("the guest takes dnsmasq's lease, renews it at T1, and its resolver prints dnsmasq's records", async () => {
  const dnsmasq = await ns.start([
    "dnsmasq", "--no-daemon", "--log-dhcp", "--log-queries", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
    "--interface=tap0", "--bind-interfaces", `--listen-address=${HOST}`, `--pid-file=${join(scratch, "pid")}`,
    `--dhcp-leasefile=${join(scratch, "leases")}`, "--dhcp-range=10.0.2.50,10.0.2.59,255.255.255.0,2m",
    "--dhcp-option=option:T1,8", "--dhcp-option=option:T2,12", `--dhcp-option=option:router,${HOST}`, `--dhcp-option=option:dns-server,${HOST}`,
    "--local=/capsid.test/", "--host-record=www.capsid.test,10.0.2.78", "--host-record=multi.capsid.test,10.0.2.80",
    "--host-record=multi.capsid.test,10.0.2.81", "--cname=alias.capsid.test,www.capsid.test",
  ], /started, version/);
  let log = "";
  dnsmasq.child.stderr!.on("data", (chunk: Buffer) => { log += chunk.toString("utf8"); });
  try {
    await withQemu({
      commandLine: "log=info init=resolve args=www.capsid.test,multi.capsid.test,alias.capsid.test,missing.capsid.test",
      netns: ns.name, extraArguments: ns.qemuArguments(),
    }, async (qemu) => {
      const configured = await qemu.expectLine(/^capsid: net: 10\.0\.2\.5\d\/24, gateway 10\.0\.2\.1, DNS 10\.0\.2\.1; answering ARP and ICMP echo$/, 60_000);
      const address = /10\.0\.2\.5\d/.exec(configured)![0];
      await qemu.expectLine("resolve: www.capsid.test A 10.0.2.78 ttl 0", 30_000);
      const multi = [await qemu.expectLine(/^resolve: multi\.capsid\.test A /, 10_000), await qemu.expectLine(/^resolve: multi\.capsid\.test A /, 10_000)];
      assert.equal(multi.map((line) => /A (\S+)/.exec(line)![1]).sort(), ["10.0.2.80", "10.0.2.81"]);
      await qemu.expectLine("resolve: alias.capsid.test A 10.0.2.78 ttl 0", 10_000);
      await qemu.expectLine("resolve: missing.capsid.test: no such name (NXDOMAIN)", 10_000);
      await qemu.expectLine("resolve: done, 3 of 4 names answered", 10_000);
      assert.match(log, new RegExp(`DHCPACK\\(tap0\\) ${address.replace(/\./g, "\\.")} 52:54:00:c0:ff:ee`), log);
      // T1 is 8 s: the guest renews by a unicast REQUEST, and dnsmasq acknowledges it again.
      const acks = () => (log.match(/DHCPACK\(tap0\)/g) ?? []).length;
      await until("a renewal at T1", () => acks() >= 2, 30_000);
      assert.match(log, /DHCPREQUEST\(tap0\) 10\.0\.2\.5\d 52:54:00:c0:ff:ee/);
      const ping = await ns.run(["ping", "-c", "3", "-i", "0.2", "-W", "2", address], 20_000);
      assert.match(ping.output, /3 packets transmitted, 3 received/, ping.output);
    });
  } finally {
    dnsmasq.child.kill();
  }
});

dns.run();
