# hyper_dmabuf lab targets; included by the top-level Makefile
# (`include tests/lab/lab.mk`), or standalone: make -f tests/lab/lab.mk check-lab
#
#   make check-lab [SCENARIOS="single xen virtio"] [KERNELS="6.12 6.1"] [LAB_CACHE=dir]
#   make lab-shell SCENARIO=xen [KERNEL=6.12]
#   make check-lab LAB_SKIP="40-selftests"    (report those in-guest tests as skipped)
#
# Runs as root (CI does); installs missing host packages with apt-get. See
# docs/testing.rst.
LAB_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
SCENARIOS ?= single xen virtio
KERNELS ?= 6.12 6.1
LAB_CACHE ?= /var/cache/hyper_dmabuf-lab
# extra make targets built in the lab's per-kernel tree for guest-bins.list
LAB_GUEST_MAKE ?=
# in-guest tests (script names without .sh, e.g. 40-selftests) reported as skipped
LAB_SKIP ?=
LAB_ONLY ?=
SCENARIO ?= single
KERNEL ?= $(firstword $(KERNELS))

.PHONY: check-lab lab-shell
check-lab:
	SCENARIOS="$(SCENARIOS)" KERNELS="$(KERNELS)" LAB_CACHE="$(LAB_CACHE)" \
	LAB_GUEST_MAKE="$(LAB_GUEST_MAKE)" LAB_SKIP="$(LAB_SKIP)" LAB_ONLY="$(LAB_ONLY)" $(LAB_MK_DIR)/run.sh check

lab-shell:
	LAB_CACHE="$(LAB_CACHE)" LAB_GUEST_MAKE="$(LAB_GUEST_MAKE)" LAB_SKIP="$(LAB_SKIP)" LAB_ONLY="$(LAB_ONLY)" \
	$(LAB_MK_DIR)/run.sh shell "$(SCENARIO)" "$(KERNEL)"
