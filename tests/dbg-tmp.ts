import { withQemu } from "/work/main/tests/qemu-runner/runner";
import { execSync } from "node:child_process";
(async () => {
  await withQemu({ commandLine: "log=info ip=10.0.2.15/24 init=tcp-bench " + (process.env.EXTRA ?? ""), netns: "dbg", extraArguments: ["-device", "virtio-net-pci,disable-legacy=on,csum=off,gso=off,guest_tso4=off,guest_tso6=off,guest_ecn=off,guest_ufo=off,host_tso4=off,host_tso6=off,host_ecn=off,host_ufo=off,netdev=n0,mac=52:54:00:c0:ff:ee", "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"] }, async (qemu) => {
    await qemu.expectLine("tcp-bench: ready", 60_000);
    try { console.log(execSync(`ip netns exec dbg sh -c '${process.env.CMD}' 2>&1`, { encoding: "utf8" })); } catch (e) { console.log(String(e)); }
  });
})();
