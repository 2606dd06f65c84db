# SPDX-License-Identifier: GPL-2.0
#
# Wrapper around Kbuild and the userspace builds.  `make help` lists the
# targets.  The kernel modules are described by Kbuild; this file only picks
# a kernel tree and runs the quality gates and tests.

SHELL := /bin/bash
TOP := $(CURDIR)
VERSION := 0.1.0

# The kernel to build for: KDIR wins, then KVER, then the running kernel's
# headers, then the newest Debian amd64 headers installed.
KVER ?= $(shell uname -r)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
	  $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | \
		  grep -v cloud | sort -V | tail -n 1))

# Debian package names, installed on demand by the targets that need them.
PREFIX ?= /usr/local
DESTDIR ?=
APT_INSTALL := $(TOP)/tests/apt-install.sh

KERNEL_SOURCES := $(shell find frontend backends protocol compat uapi \
	-name '*.[ch]' -not -name '*.mod.c' -not -name 'hdmabuf_compat_gen.h' \
	2>/dev/null)

all: modules tools

help:
	@echo "make [all]        modules for KDIR ($(KDIR)) + userspace tools"
	@echo "make modules      kernel modules only (KDIR=... or KVER=...)"
	@echo "make tools        userspace tools"
	@echo "make check        every test: check-unit (then the VM lab)"
	@echo "make check-unit   protocol/uapi unit tests + fuzz corpus replay"
	@echo "make fuzz         libFuzzer run, FUZZ_SECONDS=$(FUZZ_SECONDS) per target"
	@echo "make matrix       build against every Debian linux-headers-*-amd64"
	@echo "make dkms-check   dkms build against every installed headers package"
	@echo "make style        checkpatch.pl on the kernel code"
	@echo "make sparse       sparse (C=2) on the kernel code"
	@echo "make demo         the end-to-end demo"
	@echo "make bench        benchmarks in the lab (docs/performance.rst)"
	@echo "make clean"

modules: kdir-check
	$(MAKE) -C $(KDIR) M=$(TOP) modules

clean-modules:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(TOP) clean; fi
	rm -rf compat/hdmabuf_compat_gen.h compat/.probe

kdir-check:
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "No kernel headers found: install linux-headers-amd64" \
		     "or pass KDIR=/path/to/kernel/build" >&2; exit 1; fi

tools:
	$(MAKE) -C tools

# Tools, man pages, udev rules and systemd units (DESTDIR, PREFIX).
install:
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# ---------------------------------------------------------------- tests

FUZZ_SECONDS ?= 60

# Unit tests, then the VM lab; the last line adds both up.
check:
	@mkdir -p build; rc=0; \
	$(MAKE) --no-print-directory check-unit 2>&1 | tee build/check-unit.out; \
	[ $${PIPESTATUS[0]} = 0 ] || rc=1; \
	$(MAKE) --no-print-directory check-lab 2>&1 | tee build/check-lab.out; \
	[ $${PIPESTATUS[0]} = 0 ] || rc=1; \
	for f in build/check-unit.out build/check-lab.out; do \
		grep -E '^[0-9]+ passed, [0-9]+ failed' $$f | tail -n 1 || \
			echo "0 passed, 1 failed"; \
	done > build/check.totals; \
	echo "== make check: unit + lab =="; \
	tests/summarize.sh build/check.totals || rc=1; \
	exit $$rc

check-unit:
	@$(APT_INSTALL) gcc make gcc-multilib libcmocka-dev
	@rm -f build/check-unit.log; mkdir -p build
	@set -o pipefail; rc=0; \
	for t in "tests/uapi check" "tests/unit check" "tests/fuzz replay" \
		 "tools/ctl check" "tools/hyper_dmabufd/tests check" \
		 "tests/importd check" "bench/tests check"; do \
		$(MAKE) --no-print-directory -C $$t 2>&1 | \
			tee -a build/check-unit.log || rc=1; \
	done; \
	tests/summarize.sh build/check-unit.log; \
	exit $$rc

fuzz:
	@$(MAKE) --no-print-directory -C tests/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

# Build the modules against every installed Debian amd64 kernel-headers
# package, each in its own copy of the tree; bookworm's 6.1 and the 6.12
# from bookworm-security/backports are installed first when missing.
MATRIX_HEADERS ?= linux-headers-amd64 linux-headers-6.12-amd64
matrix:
	@$(APT_INSTALL) gcc make dkms $(MATRIX_HEADERS)
	@rc=0; for k in $$(ls -d /usr/src/linux-headers-*-amd64 | \
			grep -v cloud | sort -V); do \
		v=$${k#/usr/src/linux-headers-}; d=build/matrix/$$v; \
		rm -rf $$d; mkdir -p $$d; \
		tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
			--exclude='*.mod*' --exclude=.probe Kbuild Kbuild.include \
			frontend backends protocol compat uapi | tar -xf - -C $$d; \
		if $(MAKE) -C $$k M=$(TOP)/$$d modules > $$d/build.log 2>&1 && \
		   ! grep -qE 'warning:|error:' $$d/build.log; then \
			echo "OK   $$v ($$(cd $$d && find . -name '*.ko' | \
				sed 's|.*/||' | sort | tr '\n' ' '))"; \
		else \
			echo "FAIL $$v (log: $$d/build.log)"; rc=1; \
		fi; \
	done; tests/packaging/dkms-check.sh || rc=1; exit $$rc

# dkms: `dkms build` in a private tree against every installed headers
# package (also part of `make matrix`); dkms-install puts the source where
# dkms looks for it (DESTDIR honoured).
dkms-check:
	@$(APT_INSTALL) dkms
	@tests/packaging/dkms-check.sh

dkms-install:
	install -d $(DESTDIR)/usr/src/hyper_dmabuf-$(VERSION)
	tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod*' --exclude=.probe --exclude=hdmabuf_compat_gen.h \
		--exclude=modules.order --exclude=Module.symvers \
		Makefile Kbuild Kbuild.include dkms.conf frontend backends \
		protocol compat uapi | tar -xf - -C $(DESTDIR)/usr/src/hyper_dmabuf-$(VERSION)

# ---------------------------------------------------------------- gates

STYLE_DIR := build/checkpatch
CHECKPATCH := $(STYLE_DIR)/scripts/checkpatch.pl

$(CHECKPATCH):
	@$(APT_INSTALL) linux-source-6.1 perl
	@mkdir -p $(STYLE_DIR)
	tar -xJf $$(ls /usr/src/linux-source-6.1*.tar.xz | head -n 1) \
		-C $(STYLE_DIR) --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	@touch $@

# ENOSYS is ignored: protocol/ translates every errno it carries on the
# wire, ENOSYS included, without ever returning it from a syscall.
style: $(CHECKPATCH)
	@$(CHECKPATCH) --no-tree --quiet --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,ENOSYS \
		-f $(KERNEL_SOURCES) && echo "style: clean"

# sparse with endianness checks over every kernel object (C=2 re-checks
# all files even when they are up to date).
sparse: kdir-check
	@$(APT_INSTALL) sparse; mkdir -p build
	@$(MAKE) -C $(KDIR) M=$(TOP) C=2 CF="-D__CHECK_ENDIAN__" modules \
		2>&1 | tee build/sparse.log; \
	if grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error)' build/sparse.log; then \
		echo "sparse: findings above" >&2; exit 1; fi; \
	echo "sparse: clean"

# ---------------------------------------------------------------- demo

# A guest compositor's frames on the host (docs/demo.rst): DEMO=xen|single,
# DEMO_FRAMES (60), DEMO_FPS (0), DEMO_SYNC (fences|release), DEMO_KERNEL
# (6.12).  Runs as root.
demo:
	@DEMO="$(DEMO)" DEMO_FRAMES="$(DEMO_FRAMES)" DEMO_FPS="$(DEMO_FPS)" \
	DEMO_SYNC="$(DEMO_SYNC)" DEMO_KERNEL="$(DEMO_KERNEL)" \
	LAB_CACHE="$(LAB_CACHE)" tests/lab/demo.sh

clean: clean-modules
	rm -rf build tests/unit/build tests/fuzz/build tests/uapi/build \
		tools/hyper_dmabufd/tests/build tests/importd/build
	$(MAKE) -C tools clean

# ---------------------------------------------------------------- bench

# Benchmarks in the lab (docs/performance.rst); not part of `make check`.
# BENCH_KERNEL (6.12), BENCH_QUICK=1 (fewer sizes and repetitions),
# BENCH_SCENARIOS ("xen virtio"; "xen" or "virtio" runs one half).
bench:
	@bench/run.sh

# Built by the lab in its per-kernel copy of the tree (LAB_GUEST_MAKE).
bench-guest:
	$(MAKE) -C bench guest
bench-vguest:
	$(MAKE) -C bench/vbench

-include tests/lab/lab.mk

.PHONY: all help modules clean-modules kdir-check tools check check-unit \
	fuzz matrix style sparse demo clean install dkms-check dkms-install
.PHONY: bench bench-guest bench-vguest
