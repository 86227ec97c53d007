/* net-shell: shell.c's login shell under a manifest entry that also grants the network (within
 * 10.0.2.0/24; see userspace/manifest.json), for the tests that drive busybox's nslookup, wget,
 * nc and httpd against real peers (tests/qemu/linux-net.test.ts). */
#include "shell.c"
