# gdb script for tools/profile/round-trip.ts: attaches to QEMU's gdb stub, lets the guest run to
# the PROFILE_SKIP-th execution of the address PROFILE_MARK (a user program's readTsc, called
# at both ends of every timed round), then single-steps, writing each instruction's address to
# PROFILE_OUT, until the mark has been executed four more times (two rounds). Bounded: it stops
# after PROFILE_LIMIT steps whatever happens, and kills QEMU.
import gdb, os

out = open(os.environ["PROFILE_OUT"], "w")
mark = int(os.environ["PROFILE_MARK"], 16)
skip = int(os.environ.get("PROFILE_SKIP", "20"))
limit = int(os.environ.get("PROFILE_LIMIT", "400000"))
gdb.execute("set confirm off")
gdb.execute("set pagination off")
gdb.execute("target remote localhost:" + os.environ.get("PROFILE_PORT", "1234"))
gdb.execute("hbreak *0x%x" % mark)
for _ in range(skip):
    gdb.execute("continue", to_string=True)
gdb.execute("delete")
hits, steps = 0, 0
while hits < 4 and steps < limit:
    gdb.execute("stepi", to_string=True)
    pc = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF
    out.write("%x\n" % pc)
    steps += 1
    if pc == mark:
        hits += 1
out.close()
gdb.execute("kill")
