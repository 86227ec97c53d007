# Capsid build: AssemblyScript -> asc -> wasm-opt -> wasm2c -> gcc -> ld -> multiboot2 ELF ->
# grub-mkrescue -> iso/capsid.iso. See docs/ARCHITECTURE.md, "The pipeline".
#
#   make run     build, then boot in QEMU: the screen in a window (or on VNC), serial on this
#                terminal; `make run HEADLESS=1` for serial only; CMDLINE="..." the kernel command
#                line, TESTS=1 the test package too
#   make test    every test (host, runner, QEMU); closes with "N passed, N failed"
#   make bench   benchmarks, printed
#   make iso     the bootable image only
#   make debug   QEMU halted with its gdb stub, and a gdb loading the kernel symbols
#   make clean

SHELL := /bin/bash
BUILD := build
ISO := iso/capsid.iso
NODE_BIN := node_modules/.bin
TSX := $(NODE_BIN)/tsx

# One feature set for asc and wasm-opt, and within what wasm2c 1.0.32 accepts.
WASM_FEATURES := --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
                 --enable-bulk-memory --enable-bulk-memory-opt

CC := gcc
KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -mgeneral-regs-only -mno-red-zone \
                 -fno-stack-protector -fno-pie -mcmodel=kernel -fno-asynchronous-unwind-tables \
                 -fno-omit-frame-pointer -ffunction-sections -DNDEBUG -Iarch/x86_64 -Iarch/x86_64/wasm-rt -I$(BUILD)/wasm
WARNINGS := -Wall -Wextra -Werror
# Generated code: its unused static helpers and parameters are not ours to fix.
GENERATED_WARNINGS := -w

ARCH_SOURCES := $(wildcard arch/x86_64/*.c)
ARCH_ASM := $(filter-out arch/x86_64/ksyms_empty.S,$(wildcard arch/x86_64/*.S))
ARCH_OBJECTS := $(ARCH_SOURCES:arch/x86_64/%.c=$(BUILD)/arch/%.o) $(ARCH_ASM:arch/x86_64/%.S=$(BUILD)/arch/%.o) \
                $(BUILD)/arch/common.o
BOOT_OBJECTS := $(BUILD)/boot/entry.o
KERNEL_SOURCES := $(shell find kernel -name '*.ts')
# The console font (Debian's console-setup-linux, installed by tools/setup.sh), read at build time
# into a generated kernel module (tools/font.ts); the tests render expected screens from it too.
FONT := /usr/share/consolefonts/Uni2-VGA16.psf.gz
GENERATED_FONT := $(BUILD)/generated/font.ts
OBJECTS := $(BOOT_OBJECTS) $(ARCH_OBJECTS) $(BUILD)/wasm/kernel.o

.PHONY: all iso run run-config test bench debug clean setup
all: iso

# The setup step runs before anything that needs a tool; it is quick when all is present.
setup:
	@bash tools/setup.sh
$(BUILD)/.setup: tools/setup.sh package.json package-lock.json
	@bash tools/setup.sh
	@mkdir -p $(BUILD) && touch $@

# --- the kernel module: AssemblyScript to C --------------------------------------------------
$(GENERATED_FONT): tools/font.ts tools/psf.ts $(BUILD)/.setup
	$(TSX) tools/font.ts $(FONT) $@

$(BUILD)/kernel.asc.wasm: $(KERNEL_SOURCES) $(GENERATED_FONT) asconfig.json $(BUILD)/.setup
	@mkdir -p $(BUILD)
	$(NODE_BIN)/asc kernel/main.ts --config asconfig.json --target kernel

$(BUILD)/kernel.opt.wasm: $(BUILD)/kernel.asc.wasm
	$(NODE_BIN)/wasm-opt $< $(WASM_FEATURES) -O3 --debuginfo -o $@

# One data segment instead of hundreds: see tools/merge-data-segments.ts.
$(BUILD)/kernel.wasm: $(BUILD)/kernel.opt.wasm tools/merge-data-segments.ts
	$(TSX) tools/merge-data-segments.ts $< $@

# wasm2c rewrites its outputs every time; a stamp records that it ran, and kernel.c/kernel.h are
# replaced only when their content changed, so a touched .ts that yields the same module
# recompiles no C, and a second `make iso` does nothing.
$(BUILD)/wasm/.stamp: $(BUILD)/kernel.wasm
	@mkdir -p $(BUILD)/wasm/new
	wasm2c -n kernel $< -o $(BUILD)/wasm/new/kernel.c
	@for f in kernel.c kernel.h; do cmp -s $(BUILD)/wasm/new/$$f $(BUILD)/wasm/$$f || cp $(BUILD)/wasm/new/$$f $(BUILD)/wasm/$$f; done
	@touch $@
$(BUILD)/wasm/kernel.c $(BUILD)/wasm/kernel.h: $(BUILD)/wasm/.stamp ;

$(BUILD)/wasm/kernel.o: $(BUILD)/wasm/kernel.c $(BUILD)/wasm/kernel.h arch/x86_64/wasm-rt/wasm-rt.h
	$(CC) $(KERNEL_CFLAGS) $(GENERATED_WARNINGS) -c $< -o $@

# --- the C and assembly glue -------------------------------------------------------------------
# These include the generated kernel.h (the import and export prototypes).
$(BUILD)/arch/hw.o $(BUILD)/arch/entry.o $(BUILD)/arch/interrupts.o $(BUILD)/arch/user.o: $(BUILD)/wasm/kernel.h
$(BUILD)/arch/%.o: arch/x86_64/%.c $(BUILD)/.setup
	@mkdir -p $(BUILD)/arch
	$(CC) $(KERNEL_CFLAGS) $(WARNINGS) -MMD -MP -c $< -o $@
$(BUILD)/arch/common.o: arch/x86_64/wasm-rt/common.c $(BUILD)/.setup
	@mkdir -p $(BUILD)/arch
	$(CC) $(KERNEL_CFLAGS) $(WARNINGS) -MMD -MP -c $< -o $@
$(BUILD)/arch/%.o: arch/x86_64/%.S
	@mkdir -p $(BUILD)/arch
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/boot/%.o: boot/%.S
	@mkdir -p $(BUILD)/boot
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
-include $(shell find $(BUILD) -path $(BUILD)/bench-base -prune -o -name '*.d' -print 2>/dev/null)

# --- link twice: the second link carries the symbol table and must move nothing else ----------
$(BUILD)/kernel.ld: linker/kernel.ld.S arch/x86_64/layout.h
	$(CC) -E -P -x c -Iarch/x86_64 $< -o $@
$(BUILD)/arch/ksyms_empty.o: arch/x86_64/ksyms_empty.S
	@mkdir -p $(BUILD)/arch
	$(CC) -c $< -o $@

# The round trips' functions first in .text (linker/kernel.ld.S says why): one input-section
# line per name of linker/hot-text.txt; a name that no longer exists matches nothing.
$(BUILD)/hot-text.ld: linker/hot-text.txt
	@mkdir -p $(BUILD)
	grep -v -e '^#' -e '^$$' $< | sed 's/.*/    *(.text.&)/' > $@

LDFLAGS := -n -z max-page-size=0x1000 --no-warn-rwx-segments -L $(BUILD)
$(BUILD)/kernel.pass1.elf: $(OBJECTS) $(BUILD)/arch/ksyms_empty.o $(BUILD)/kernel.ld $(BUILD)/hot-text.ld
	ld $(LDFLAGS) -T $(BUILD)/kernel.ld -o $@ $(OBJECTS) $(BUILD)/arch/ksyms_empty.o

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf $(BUILD)/kernel.wasm tools/ksyms.ts
	$(TSX) tools/ksyms.ts $(BUILD)/kernel.pass1.elf $(BUILD)/kernel.wasm $@
$(BUILD)/ksyms.o: $(BUILD)/ksyms.S
	$(CC) -c $< -o $@

SYMBOLS_BUT_KSYMS = nm -n --defined-only $(1) | grep -v -e ' ksyms_table$$' -e ' kernel_image_end$$'
$(BUILD)/kernel.elf: $(OBJECTS) $(BUILD)/ksyms.o $(BUILD)/kernel.ld $(BUILD)/hot-text.ld $(BUILD)/kernel.pass1.elf
	ld $(LDFLAGS) -T $(BUILD)/kernel.ld -o $@ $(OBJECTS) $(BUILD)/ksyms.o
	@diff <($(call SYMBOLS_BUT_KSYMS,$(BUILD)/kernel.pass1.elf)) <($(call SYMBOLS_BUT_KSYMS,$@)) >/dev/null \
	  || { echo "ksyms: the second link moved symbols; .ksyms must stay last in the image" >&2; rm -f $@; exit 1; }

# --- user programs: the same pipeline, into static ring-3 ELF images (docs/ARCHITECTURE.md) -----
# Each userspace/programs/NAME/main.ts becomes build/user/NAME.elf: asc (target "user") ->
# wasm-opt -> merged data segments -> wasm2c -n program -> gcc (user flags, SSE allowed) -> ld
# with crt0, the user wasm runtime and the import modules (userspace/rt/c/).
USER_PROGRAMS := $(patsubst userspace/programs/%/main.ts,%,$(wildcard userspace/programs/*/main.ts))
USER_ELVES := $(USER_PROGRAMS:%=$(BUILD)/user/%.elf)
USER_AS_SOURCES := $(shell find userspace/rt abi -name '*.ts')
USER_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pie -mcmodel=small -fno-stack-protector \
               -fno-asynchronous-unwind-tables -DNDEBUG -Iarch/x86_64 -Iarch/x86_64/wasm-rt -Iuserspace/rt/c
USER_RT_OBJECTS := $(addprefix $(BUILD)/user/rt/,runtime.o imports.o probes.o crt0.o string.o common.o)
# Data files of the boot package (BootFiles reads them; docs/abi/interfaces/boot-files.md): each
# file of userspace/files/, and blob.bin, made here (not committed): 300 KiB + 123 bytes of SHA-256
# in counter mode (block i = SHA-256 of "capsid blob " + i), so a test can make the same bytes.
BLOB_SIZE := 307323
$(BUILD)/files/blob.bin:
	@mkdir -p $(@D)
	node -e 'const c=require("crypto"),n=$(BLOB_SIZE),b=Buffer.alloc(n+32);for(let i=0;i*32<n;i++)c.createHash("sha256").update("capsid blob "+i).digest().copy(b,i*32);require("fs").writeFileSync("$@",b.subarray(0,n))'

$(BUILD)/user/%/program.asc.wasm: userspace/programs/%/main.ts $(USER_AS_SOURCES) asconfig.json $(BUILD)/.setup
	@mkdir -p $(@D)
	$(NODE_BIN)/asc $< --config asconfig.json --target user -o $@
$(BUILD)/user/%/program.opt.wasm: $(BUILD)/user/%/program.asc.wasm
	$(NODE_BIN)/wasm-opt $< $(WASM_FEATURES) -O3 --debuginfo -o $@
$(BUILD)/user/%/program.wasm: $(BUILD)/user/%/program.opt.wasm tools/merge-data-segments.ts
	$(TSX) tools/merge-data-segments.ts $< $@
$(BUILD)/user/%/program.c $(BUILD)/user/%/program.h: $(BUILD)/user/%/program.wasm
	wasm2c -n program $< -o $(BUILD)/user/$*/program.c
$(BUILD)/user/%/program.o: $(BUILD)/user/%/program.c $(BUILD)/user/%/program.h arch/x86_64/wasm-rt/wasm-rt.h
	$(CC) $(USER_CFLAGS) $(GENERATED_WARNINGS) -c $< -o $@
# start.c instantiates the module; its import modules depend on what the program imports.
$(BUILD)/user/%/start.o: userspace/rt/c/start.c $(BUILD)/user/%/program.h userspace/rt/c/syscall.h userspace/rt/c/runtime.h
	$(CC) $(USER_CFLAGS) $(WARNINGS) -I$(BUILD)/user/$* \
	  $$(grep -q 'struct Z_probe_instance_t\*' $(BUILD)/user/$*/program.h && echo -DPROGRAM_USES_PROBE) \
	  $$(grep -q 'Z_programZ_threadEnter' $(BUILD)/user/$*/program.h && echo -DPROGRAM_USES_THREADS) -c $< -o $@
$(BUILD)/user/rt/%.o: userspace/rt/c/%.c userspace/rt/c/ring.h userspace/rt/c/syscall.h userspace/rt/c/runtime.h arch/x86_64/layout.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(WARNINGS) -c $< -o $@
$(BUILD)/user/rt/crt0.o: userspace/rt/c/crt0.S
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c $< -o $@
$(BUILD)/user/rt/common.o: arch/x86_64/wasm-rt/common.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(WARNINGS) -c $< -o $@
$(BUILD)/user/rt/string.o: arch/x86_64/string.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(WARNINGS) -c $< -o $@
$(BUILD)/user/%.elf: $(BUILD)/user/%/program.o $(BUILD)/user/%/start.o $(USER_RT_OBJECTS) userspace/rt/c/user.ld
	$(CC) -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -T userspace/rt/c/user.ld \
	  -o $@ $(USER_RT_OBJECTS) $(BUILD)/user/$*/start.o $(BUILD)/user/$*/program.o -lgcc
# --- Linux programs: userspace/linux/NAME.c, static, twice: NAME with glibc (gcc -static), and
# NAME-musl with musl (musl-gcc -static, Debian's musl-tools). The manifest names each with
# "personality": "linux" (docs/linux.md).
LINUX_SOURCES := $(wildcard userspace/linux/*.c)
LINUX_PROGRAMS := $(LINUX_SOURCES:userspace/linux/%.c=%) $(LINUX_SOURCES:userspace/linux/%.c=%-musl)
LINUX_ELVES := $(LINUX_PROGRAMS:%=$(BUILD)/linux-user/%)
LINUX_CFLAGS := -static -O2 -Wall -Wextra -Werror -fno-pie -no-pie
$(BUILD)/linux-user/%-musl: userspace/linux/%.c $(BUILD)/.setup
	@mkdir -p $(@D)
	musl-gcc $(LINUX_CFLAGS) -o $@ $<
$(BUILD)/linux-user/%: userspace/linux/%.c $(BUILD)/.setup
	@mkdir -p $(@D)
	$(CC) $(LINUX_CFLAGS) -o $@ $<
# The Linux TCP and DNS benchmarks' own binaries (bench/linux/tcp-bench.c and dns-bench.c, built
# for Debian's kernel below) are in the test package too, as tcp-bench-posix and dns-bench-posix:
# the same static programs on Capsid's POSIX sockets.
BENCH_LINUX_PROGRAMS := tcp-bench-posix dns-bench-posix
ALL_PROGRAMS := $(USER_PROGRAMS) $(LINUX_PROGRAMS) $(BENCH_LINUX_PROGRAMS)
# --- the conformance programs (docs/linux.md, "Conformance"): each userspace/conformance/NAME.c
# is a small program of its own (its own main), built with glibc and with musl. For size (a static
# glibc program is ~800 KiB) each C library's programs are linked into one static image whose
# main (userspace/conformance/multicall/multicall.c) runs the program its argv[0] names:
# /conformance/LIBC/NAME is a symbolic link to /conformance/LIBC.bin. They travel in
# build/test-initrd.cpio (GRUB module `test-initrd`, test boots only, unpacked over the root file
# system) and in the Linux reference's initramfs; userspace/linux/conformance.c runs them.
CONFORMANCE_SOURCES := $(wildcard userspace/conformance/*.c)
CONFORMANCE_NAMES := $(CONFORMANCE_SOURCES:userspace/conformance/%.c=%)
CONFORMANCE := $(BUILD)/conformance
CONFORMANCE_CFLAGS := -O2 -Wall -Wextra -Werror -fno-pie -Iuserspace/conformance
# Each program's main becomes conformance_NAME (dashes as underscores).
$(CONFORMANCE)/glibc/%.o: userspace/conformance/%.c userspace/conformance/report.h userspace/conformance/sockets.h $(BUILD)/.setup
	@mkdir -p $(@D)
	$(CC) $(CONFORMANCE_CFLAGS) -Dmain=conformance_$(subst -,_,$*) -c -o $@ $<
$(CONFORMANCE)/musl/%.o: userspace/conformance/%.c userspace/conformance/report.h userspace/conformance/sockets.h $(BUILD)/.setup
	@mkdir -p $(@D)
	musl-gcc $(CONFORMANCE_CFLAGS) -Dmain=conformance_$(subst -,_,$*) -c -o $@ $<
# The table of programs multicall.c includes: PROGRAM(symbol, "name") per program, sorted. It
# depends on the folder, whose time changes when a program is added, removed or renamed.
$(CONFORMANCE)/programs.h: userspace/conformance Makefile
	@mkdir -p $(@D)
	for name in $(sort $(CONFORMANCE_NAMES)); do echo "PROGRAM(conformance_$$(echo $$name | tr - _), \"$$name\")"; done > $@
$(CONFORMANCE)/glibc.bin: $(CONFORMANCE_NAMES:%=$(CONFORMANCE)/glibc/%.o) userspace/conformance/multicall/multicall.c $(CONFORMANCE)/programs.h
	$(CC) $(CONFORMANCE_CFLAGS) -I$(CONFORMANCE) -static -no-pie -s -o $@ userspace/conformance/multicall/multicall.c $(CONFORMANCE_NAMES:%=$(CONFORMANCE)/glibc/%.o)
$(CONFORMANCE)/musl.bin: $(CONFORMANCE_NAMES:%=$(CONFORMANCE)/musl/%.o) userspace/conformance/multicall/multicall.c $(CONFORMANCE)/programs.h
	musl-gcc $(CONFORMANCE_CFLAGS) -I$(CONFORMANCE) -static -no-pie -s -o $@ userspace/conformance/multicall/multicall.c $(CONFORMANCE_NAMES:%=$(CONFORMANCE)/musl/%.o)
# The tree (build/conformance/root/conformance/...) and its archive, without busybox.
$(BUILD)/test-initrd.cpio: $(CONFORMANCE)/glibc.bin $(CONFORMANCE)/musl.bin $(CONFORMANCE)/programs.h tools/initrd.ts tools/cpio.ts
	rm -rf $(CONFORMANCE)/root && mkdir -p $(CONFORMANCE)/root/conformance/glibc $(CONFORMANCE)/root/conformance/musl
	cp $(CONFORMANCE)/glibc.bin $(CONFORMANCE)/musl.bin $(CONFORMANCE)/root/conformance/
	for name in $(CONFORMANCE_NAMES); do ln -s ../glibc.bin $(CONFORMANCE)/root/conformance/glibc/$$name; \
	  ln -s ../musl.bin $(CONFORMANCE)/root/conformance/musl/$$name; done
	$(TSX) tools/initrd.ts --tree $(CONFORMANCE)/root $@
# The root file system Linux programs see through a namespace grant (docs/linux.md, "Files"):
# userspace/root/ packed as one cpio module, `initrd` (its symbolic links, such as etc/resolv.conf,
# are packed as links; they are no prerequisites: their targets exist only in the guest).
ROOT_TREE := $(shell find userspace/root ! -type l)
$(BUILD)/initrd.cpio: $(ROOT_TREE) tools/initrd.ts tools/cpio.ts $(BUILD)/.setup
	$(TSX) tools/initrd.ts userspace/root $@

$(BUILD)/user/manifest.bin: userspace/manifest.json tools/manifest.ts
	@mkdir -p $(@D)
	$(TSX) tools/manifest.ts $< $@
.SECONDARY: $(USER_RT_OBJECTS)
.PRECIOUS: $(BUILD)/user/%/program.asc.wasm $(BUILD)/user/%/program.opt.wasm $(BUILD)/user/%/program.wasm \
           $(BUILD)/user/%/program.c $(BUILD)/user/%/program.h $(BUILD)/user/%/program.o $(BUILD)/user/%/start.o

# --- the boot package: two cpio archives (tools/boot-archive.ts; kernel/loader/boot-package.ts) -----
# package.cpio, GRUB module `package`, is what a user boots: the manifest and PACKAGE_PROGRAMS
# (init and hello, which init spawns; shell and shell-musl, the default init=shell).
# test-package.cpio, module `test-package`, holds every other program and the data files (only
# test programs read them); GRUB loads it only when the CAPSIDCFG volume sets capsid_tests=1, as
# the test runner does (iso/grub.cfg). Programs are stripped first; entries are named as the
# kernel knows them (a program by its manifest name, `manifest`, a data file by its file name).
PACKAGE_PROGRAMS := init hello shell shell-musl
TEST_PROGRAMS := $(filter-out $(PACKAGE_PROGRAMS),$(ALL_PROGRAMS))
STRIPPED := $(BUILD)/package/programs
$(USER_PROGRAMS:%=$(STRIPPED)/%): $(STRIPPED)/%: $(BUILD)/user/%.elf
	@mkdir -p $(@D)
	strip --strip-all -o $@ $<
$(LINUX_PROGRAMS:%=$(STRIPPED)/%): $(STRIPPED)/%: $(BUILD)/linux-user/%
	@mkdir -p $(@D)
	strip --strip-all -o $@ $<
$(BENCH_LINUX_PROGRAMS:%-posix=$(STRIPPED)/%-posix): $(STRIPPED)/%-posix: $(BUILD)/linux/%
	@mkdir -p $(@D)
	strip --strip-all -o $@ $<
DATA_FILES := $(filter-out %/blob.bin,$(wildcard userspace/files/*)) $(BUILD)/files/blob.bin
$(BUILD)/package.cpio: $(PACKAGE_PROGRAMS:%=$(STRIPPED)/%) $(BUILD)/user/manifest.bin tools/boot-archive.ts tools/cpio.ts
	$(TSX) tools/boot-archive.ts $@ manifest=$(BUILD)/user/manifest.bin $(foreach program,$(PACKAGE_PROGRAMS),$(program)=$(STRIPPED)/$(program))
$(BUILD)/test-package.cpio: $(TEST_PROGRAMS:%=$(STRIPPED)/%) $(DATA_FILES) tools/boot-archive.ts tools/cpio.ts
	$(TSX) tools/boot-archive.ts $@ $(foreach program,$(TEST_PROGRAMS),$(program)=$(STRIPPED)/$(program)) \
	  $(foreach file,$(DATA_FILES),$(notdir $(file))=$(file))

# --- the image -----------------------------------------------------------------------------------
# iso/grub.cfg loads the archives by these names (/boot/package.cpio, /boot/initrd.cpio, and for
# test boots /boot/test-package.cpio and /boot/test-initrd.cpio).
$(ISO): $(BUILD)/kernel.elf iso/grub.cfg $(BUILD)/package.cpio $(BUILD)/test-package.cpio $(BUILD)/initrd.cpio $(BUILD)/test-initrd.cpio
	@mkdir -p $(BUILD)/isodir/boot/grub
	@rm -rf $(BUILD)/isodir/boot/programs $(BUILD)/isodir/boot/files $(BUILD)/isodir/boot/manifest.bin
	strip --strip-all -o $(BUILD)/isodir/boot/capsid.elf $(BUILD)/kernel.elf
	cp $(BUILD)/package.cpio $(BUILD)/test-package.cpio $(BUILD)/initrd.cpio $(BUILD)/test-initrd.cpio $(BUILD)/isodir/boot/
	cp iso/grub.cfg $(BUILD)/isodir/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/isodir 2>$(BUILD)/grub-mkrescue.log \
	  || { cat $(BUILD)/grub-mkrescue.log >&2; exit 1; }

iso: $(ISO)



# -nodefaults: no implicit network card (QEMU's default NIC is unrestricted user networking).
QEMU_RUN := qemu-system-x86_64 -accel tcg -nodefaults -no-reboot -display none -m 256M \
            -drive if=none,id=boot,media=cdrom,format=raw,readonly=on,file=$(ISO) -device ide-cd,drive=boot,bootindex=1 \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04
# NET=1: a virtio-net card on QEMU's user networking, restricted (restrict=on: the guest reaches
# nothing outside QEMU; QEMU's DHCP server leases it 10.0.2.15). A host forward would not help:
# under restrict=on QEMU drops the guest's UDP replies to forwarded datagrams.
ifeq ($(NET),1)
QEMU_RUN += -device virtio-net-pci,disable-legacy=on,netdev=n0 -netdev user,id=n0,restrict=on
endif
# CMDLINE="...": the kernel command line (README, "Kernel command line"), on a CAPSIDCFG volume
# as the test runner gives it (iso/grub.cfg), e.g. make run NET=1 CMDLINE="log=debug". TESTS=1:
# GRUB loads the test package too (the test programs and data files), e.g. make run TESTS=1
# CMDLINE="init=fs-check".
ifneq ($(CMDLINE)$(TESTS),)
QEMU_RUN += -drive if=none,id=config,format=raw,file=$(BUILD)/run-config.img -device ide-hd,drive=config,bootindex=2
endif

# The screen: a window when a display and QEMU's GTK front end (qemu-system-gui) exist, else VNC
# on 127.0.0.1:5900 (port 5900 + VNC_DISPLAY); HEADLESS=1 keeps the old serial-only run.
VNC_DISPLAY ?= 0
HAS_GTK = $(shell [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && qemu-system-x86_64 -display help 2>/dev/null | grep -qx gtk && echo yes)
run: $(ISO) $(if $(CMDLINE)$(TESTS),run-config)
ifeq ($(HEADLESS),1)
	@echo "Booting $(ISO) in QEMU (TCG, SeaBIOS, no screen, serial console here). Quit with Ctrl-A X."
	$(QEMU_RUN) -serial mon:stdio || true
else
	@if [ "$(HAS_GTK)" = yes ]; then echo "Booting $(ISO) in QEMU (TCG, SeaBIOS): the screen in a window, serial here. Quit with Ctrl-A X."; \
	  else echo "Booting $(ISO) in QEMU (TCG, SeaBIOS): the screen on VNC at 127.0.0.1:$$((5900 + $(VNC_DISPLAY))), serial here. Quit with Ctrl-A X."; fi
	$(subst -display none,$(if $(HAS_GTK),-display gtk,-display vnc=127.0.0.1:$(VNC_DISPLAY)),$(QEMU_RUN)) -device VGA -serial mon:stdio || true
endif

run-config: $(BUILD)/.setup
	rm -f $(BUILD)/run-config.img
	$(if $(CMDLINE),printf 'set capsid_cmdline="%s"\n' '$(CMDLINE)',true) > $(BUILD)/run-cmdline.cfg
	$(if $(filter 1,$(TESTS)),echo 'set capsid_tests=1' >> $(BUILD)/run-cmdline.cfg)
	mformat -i $(BUILD)/run-config.img -C -f 1440 -v CAPSIDCFG ::
	mcopy -i $(BUILD)/run-config.img $(BUILD)/run-cmdline.cfg ::/cmdline.cfg

debug: $(ISO) $(BUILD)/.setup
	@command -v gdb >/dev/null || { echo "make debug needs gdb: apt-get install gdb" >&2; exit 1; }
	@echo "QEMU waits for gdb on :1234; the serial log goes to $(BUILD)/debug-serial.log."
	$(QEMU_RUN) -serial file:$(BUILD)/debug-serial.log -s -S -daemonize -pidfile $(BUILD)/debug-qemu.pid
	gdb -q -x tools/gdb/capsid.gdb; kill $$(cat $(BUILD)/debug-qemu.pid) 2>/dev/null || true

test: $(ISO) $(BUILD)/.setup
	@$(TSX) tests/run.ts

# The Linux baselines (bench/linux-baseline.ts, bench/net.ts): Debian's own kernel, unpacked from
# its package (linux-image-amd64's current version), with two initramfs: initrd.cpio, whose /init
# is bench/linux/pingpong.c (the IPC and VM figures), and initrd-net.cpio, whose /init is
# bench/linux/net-echo.c with virtio-net's modules beside it (the network figures, issue 16), and
# /tcp-bench (bench/linux/tcp-bench.c, the TCP figures, booted with rdinit=/tcp-bench).
# The modules come from the same package download as the kernel (one grouped rule), so their
# version always matches it; they are build products, never committed. Without network the bench
# says so and uses issue 5's figures.
LINUX_MODULES := virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net
LINUX_MODULE_FILES := $(LINUX_MODULES:%=$(BUILD)/linux/modules/%.ko)
$(BUILD)/linux/vmlinuz $(LINUX_MODULE_FILES) &:
	@mkdir -p $(BUILD)/linux/modules
	cd $(BUILD)/linux && rm -f linux-image-*.deb && apt-get download -q \
	  "$$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$$/\1/p' | head -n 1)"
	dpkg-deb --fsys-tarfile $(BUILD)/linux/linux-image-*.deb | tar -x -O --wildcards './boot/vmlinuz-*' > $(BUILD)/linux/vmlinuz.new
	rm -rf $(BUILD)/linux/modules.new && mkdir -p $(BUILD)/linux/modules.new
	dpkg-deb --fsys-tarfile $(BUILD)/linux/linux-image-*.deb | tar -x -C $(BUILD)/linux/modules.new --wildcards \
	  $(foreach module,$(LINUX_MODULES),'./lib/modules/*/$(module).ko')
	for module in $(LINUX_MODULES); do find $(BUILD)/linux/modules.new -name $$module.ko -exec mv {} $(BUILD)/linux/modules/ \; ; done
	rm -rf $(BUILD)/linux/modules.new
	mv $(BUILD)/linux/vmlinuz.new $(BUILD)/linux/vmlinuz
	rm -f $(BUILD)/linux/linux-image-*.deb
$(BUILD)/linux/pingpong: bench/linux/pingpong.c $(BUILD)/.setup
	@mkdir -p $(BUILD)/linux
	$(CC) -O2 -static -pthread $(WARNINGS) -o $@ $<
$(BUILD)/linux/initrd.cpio: $(BUILD)/linux/pingpong tools/cpio.ts
	$(TSX) tools/cpio.ts $< $@
$(BUILD)/linux/net-echo: bench/linux/net-echo.c bench/linux/guest-network.h $(BUILD)/.setup
	@mkdir -p $(BUILD)/linux
	$(CC) -O2 -static $(WARNINGS) -o $@ $<
# The TCP figures' guest program (bench/tcp.ts) rides in the same initramfs, started with
# rdinit=/tcp-bench instead of /init.
$(BUILD)/linux/tcp-bench: bench/linux/tcp-bench.c bench/linux/guest-network.h $(BUILD)/.setup
	@mkdir -p $(BUILD)/linux
	$(CC) -O2 -static -pthread $(WARNINGS) -o $@ $<
# The DNS figures' program (bench/dns.ts) too, with rdinit=/dns-bench.
$(BUILD)/linux/dns-bench: bench/linux/dns-bench.c bench/linux/guest-network.h $(BUILD)/.setup
	@mkdir -p $(BUILD)/linux
	$(CC) -O2 -static $(WARNINGS) -o $@ $<
$(BUILD)/linux/initrd-net.cpio: $(BUILD)/linux/net-echo $(BUILD)/linux/tcp-bench $(BUILD)/linux/dns-bench $(LINUX_MODULE_FILES) tools/cpio.ts
	$(TSX) tools/cpio.ts $< $@ $(BUILD)/linux/tcp-bench $(BUILD)/linux/dns-bench $(LINUX_MODULE_FILES)
# The host side of the network figures: the datagram generator (bench/net/generator.c) and the
# TCP client (bench/net/tcp-client.c).
$(BUILD)/net/generator: bench/net/generator.c $(BUILD)/.setup
	@mkdir -p $(BUILD)/net
	$(CC) -O2 $(WARNINGS) -o $@ $<
$(BUILD)/net/tcp-client: bench/net/tcp-client.c $(BUILD)/.setup
	@mkdir -p $(BUILD)/net
	$(CC) -O2 $(WARNINGS) -o $@ $<

# `make bench BENCH=net` (or vm, switch, ...) prints that section alone.
bench: $(ISO) $(BUILD)/.setup $(BUILD)/net/generator $(BUILD)/net/tcp-client
	@$(MAKE) --no-print-directory $(BUILD)/linux/vmlinuz $(BUILD)/linux/initrd.cpio \
	  || echo "make bench: no Linux baseline (its kernel could not be fetched); using issue 5's figures" >&2
	@$(MAKE) --no-print-directory $(BUILD)/linux/initrd-net.cpio \
	  || echo "make bench: no Linux network baseline (its kernel modules could not be fetched)" >&2
	@$(TSX) bench/run.ts $(BENCH)

clean:
	rm -rf $(BUILD) $(ISO)
