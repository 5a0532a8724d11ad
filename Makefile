# SPDX-License-Identifier: GPL-2.0
#
# tcptune: build the module and tcptunectl, test them in QEMU.
#
#   make                 module for KERNELRELEASE (default: running kernel) + tcptunectl
#   make check           every selftest, in VMs booting every target kernel
#   make run             boot the 6.12 cloud kernel and show a short live demo
#   make bench           bbrx vs bbr vs cubic in QEMU, per kernel (QUICK=1: subset)
#   make stress          selftests/stress.sh in its long form (STRESS_SCALE=10)
#   make check-debug     every selftest on a KASAN/UBSAN/lockdep/kmemleak kernel
#                        built here from Debian's linux-source-6.12, plus
#                        allocation failures injected (selftests/faults.sh)
#   make install         install tcptune.ko into /lib/modules/REL/extra, depmod
#   make C=1             sparse while building the module

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PREFIX ?= /usr/local
KERNELS ?=
TESTS ?=

all: module userctl

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userctl:
	$(MAKE) -C userctl

install: module userctl
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	depmod -a $(KERNELRELEASE)
	$(MAKE) -C userctl install PREFIX=$(PREFIX)

check:
	selftests/vm/check.sh --kernels "$(KERNELS)" --tests "$(TESTS)"

run:
	selftests/vm/run-demo.sh

# Documentation/performance.rst; results in build/bench/REL/DATE/.
bench:
	selftests/bench/bench.sh --kernels "$(KERNELS)" $(if $(filter 1 yes y true,$(QUICK)),--quick)

# The long form of selftests/stress.sh (make check runs the short one), with
# the scale passed into the guest through tcptune_vm.env and timeouts to fit.
STRESS_SCALE ?= 10
stress:
	TCPTUNE_VM_ENV=STRESS_SCALE=$(STRESS_SCALE) \
	TCPTUNE_VM_TEST_TIMEOUT=$$((180 * $(STRESS_SCALE))) \
	TCPTUNE_VM_TIMEOUT=$$((600 + 180 * $(STRESS_SCALE))) \
		selftests/vm/check.sh --kernels "$(KERNELS)" --tests stress

# The selftests (as make check, without the benchmark, plus faults.sh in a
# VM of its own: CHECK_FAULTS) on a debug kernel built from
# linux-source-6.12 with selftests/vm/debug.config (KASAN, UBSAN, lockdep,
# kmemleak, fault injection, ...) by selftests/vm/debug-kernel.sh into
# build/debug-kernel/ (cached; the first build takes about 30 minutes on 2 cores, see
# Documentation/security.rst). The guest gets more memory (KASAN), the
# timeouts are scaled by DEBUG_SCALE (KASAN and lockdep under TCG are slow),
# preempt=full exposes more preemption bugs, no5lvl avoids a false KASAN
# report at boot (5-level paging, see security.rst), and /init fails the run on
# kmemleak reports from tcptune after unloading it (DEBUG_KMEMLEAK=all: on
# any suspected leak).
DEBUG_SCALE ?= 5
DEBUG_VM_MEM ?= 3072
DEBUG_KMEMLEAK ?= tcptune
# Tests with a size knob, sized for the debug kernel's speed: stress.sh's
# load/unload phase gets 240 s instead of 60 (a cycle takes ~15 s there);
# timewait_scale.sh makes 8192 timewait sockets instead of 262144 (the
# fewest that still give its 1000-row breakdowns; 4096 pairs take about
# 20 s on the debug kernel);
# timewait.sh makes a tenth of its sockets (one connection takes ~80 ms
# there, and 2000 would outlive the 60 s of TIME_WAIT); the bbrx tests'
# flows last 5 times longer and their throughput and delay comparisons,
# which measure the slow guest, are logged, not asserted (BX_SLOW).
DEBUG_VM_ENV ?= STRESS_SCALE=4,TW_SCALE_N=8192,TW_DIV=10,BX_SLOW=5
check-debug:
	selftests/vm/debug-kernel.sh
	TCPTUNE_VM_MEM=$(DEBUG_VM_MEM) \
	TCPTUNE_VM_TEST_TIMEOUT=$$(($$(sed -n 's/^timeout=//p' selftests/settings) * $(DEBUG_SCALE))) \
	TCPTUNE_VM_TIMEOUT=$$((900 * $(DEBUG_SCALE))) \
	TCPTUNE_VM_APPEND="no5lvl preempt=full tcptune_vm.kmemleak=$(DEBUG_KMEMLEAK) $${TCPTUNE_VM_APPEND:-}" \
	TCPTUNE_VM_ENV="$(DEBUG_VM_ENV)$${TCPTUNE_VM_ENV:+,$$TCPTUNE_VM_ENV}" \
	CHECK_BENCH=0 CHECK_FAULTS=1 \
		selftests/vm/check.sh --kernels debug --tests "$(TESTS)"

# Not "make -C KDIR M=. clean": kbuild would also delete the kernel modules
# cached under build/kernels.
clean:
	rm -f tcptune.ko tcptune.mod tcptune.mod.c tcptune.o Module.symvers \
		modules.order .*.cmd module/*.o module/.*.cmd
	$(MAKE) -C userctl clean

distclean: clean
	rm -rf build

.PHONY: all module userctl install check check-debug run bench stress clean distclean

# dkms: copy the module sources to /usr/src/tcptune-VERSION and let dkms build
# and install them for KERNELRELEASE (and future kernels, AUTOINSTALL).
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
dkms-install:
	rm -rf /usr/src/tcptune-$(DKMS_VERSION)
	mkdir -p /usr/src/tcptune-$(DKMS_VERSION)
	cp -r Kbuild dkms.conf module /usr/src/tcptune-$(DKMS_VERSION)/
	dkms add -m tcptune -v $(DKMS_VERSION)
	dkms build -m tcptune -v $(DKMS_VERSION) -k $(KERNELRELEASE)
	dkms install -m tcptune -v $(DKMS_VERSION) -k $(KERNELRELEASE)

dkms-remove:
	-dkms remove -m tcptune -v $(DKMS_VERSION) --all
	rm -rf /usr/src/tcptune-$(DKMS_VERSION)

.PHONY: dkms-install dkms-remove
