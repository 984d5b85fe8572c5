# SPDX-License-Identifier: GPL-2.0
#
# kbridge: build the module, the userland and the tests; run the suite.
#
#   make                  module (for KDIR) + userland + tests
#   make module           kbridge.ko against KDIR (kbuild reads ./Kbuild)
#   make bpf              the eBPF programs and their skeletons (.output/bpf/)
#   make userland         kblaunch and kbctl into .output/ (bpf first: kbctl
#                         embeds its skeleton)
#   make tests            test binaries into .output/tests/
#   make check            install deps, build for the guest kernel, run the
#                         host tests and the guest suite, print the totals
#   make demo             install deps, build, boot the guest, run a program
#                         under kblaunch and show what kbridge saw
#   make bench            build for the guest kernel, boot it once and run
#                         the microbenchmarks, then kbctl analyze's groups
#                         against --exhaustive (bench/README.md)
#   make bench-perf       perf profiles of one syscall per configuration,
#                         in the guest (bench/README.md)
#   make bench-analyze    kbctl analyze's groups against --exhaustive on
#                         redis and nginx, here (bench/README.md)
#   make deps             apt-get what the build and the guest need
#   make install          install kbridge.ko (modules_install) and the tools
#   make clean
#
# KDIR defaults to the running kernel's build tree; `make check` and
# `make demo` build against the guest kernel (GUEST_KVER) instead, since the
# development machines' own kernel cannot load modules.

KVER	?= $(shell uname -r)
KDIR	?= /lib/modules/$(KVER)/build
OUTPUT	:= $(CURDIR)/.output/
PREFIX	?= /usr/local
V	?= 0

# The guest kernel: the newest installed Debian kernel with headers.
GUEST_KVER ?= $(shell for k in $$(ls /lib/modules 2>/dev/null | sort -rV); do \
		[ -e /boot/vmlinuz-$$k ] && [ -d /lib/modules/$$k/build ] && \
		{ echo $$k; break; }; done)

ifeq ($(V),1)
Q =
else
Q = @
endif

.PHONY: all module bpf userland tests check demo deps install clean checkpatch \
	guest-build bench-build bench bench-perf bench-analyze

all: module userland tests

module:
	$(Q)if [ ! -d "$(KDIR)" ]; then \
		echo "kbridge: no kernel build tree at $(KDIR)" >&2; \
		echo "  install linux-headers-$(KVER) or pass KDIR=/path/to/build" >&2; \
		exit 1; \
	fi
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) modules

bpf:
	$(Q)$(MAKE) -C bpf OUTPUT=$(OUTPUT)

userland: bpf
	$(Q)$(MAKE) -C userland OUTPUT=$(OUTPUT)

tests: userland
	$(Q)$(MAKE) -C tests OUTPUT=$(OUTPUT)

# Everything the guest suite needs, built against the guest's kernel.
guest-build:
	$(Q)if [ -z "$(GUEST_KVER)" ]; then \
		echo "kbridge: no guest kernel found; run 'make deps'" >&2; exit 1; \
	fi
	$(Q)$(MAKE) --no-print-directory module userland tests \
		KVER=$(GUEST_KVER) KDIR=/lib/modules/$(GUEST_KVER)/build
	$(Q)if [ -f examples/personality/Makefile ]; then \
		$(MAKE) --no-print-directory -C examples/personality \
			KDIR=/lib/modules/$(GUEST_KVER)/build KBRIDGE=$(CURDIR); \
	fi

check: deps
	$(Q)$(MAKE) --no-print-directory guest-build
	$(Q)tests/check.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory guest-build
	$(Q)tests/vm/run.sh -- tests/demo.sh

# Module and userland only: the bench needs none of the test binaries.
bench-build: deps
	$(Q)bench/install-deps.sh
	$(Q)if [ -z "$(GUEST_KVER)" ]; then \
		echo "kbridge: no guest kernel found; run 'make deps'" >&2; exit 1; \
	fi
	$(Q)$(MAKE) --no-print-directory module userland \
		KVER=$(GUEST_KVER) KDIR=/lib/modules/$(GUEST_KVER)/build
	$(Q)$(MAKE) --no-print-directory -C bench OUTPUT=$(OUTPUT)

# BENCH_ANALYZE=0: no analysis; BENCH_ANALYZE_ARGS: its options and apps.
bench: bench-build
	$(Q)bench/bench.sh

# perf profiles of syscall_bench per configuration, in the guest;
# BENCH_PERF_ARGS: bench/perf_profile.sh's options and configurations.
bench-perf: bench-build
	$(Q)tests/vm/run.sh -- bench/perf_profile.sh $(BENCH_PERF_ARGS)

# The analysis is measured where make runs (no module: kblaunch decides in
# the process); BENCH_ANALYZE_ARGS: bench/analyze.sh's options and apps.
bench-analyze: deps
	$(Q)$(MAKE) --no-print-directory userland
	$(Q)bench/analyze.sh $(BENCH_ANALYZE_ARGS)

deps:
	$(Q)tests/install-deps.sh

checkpatch:
	$(Q)tests/checkpatch.sh

install: module userland
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	install -D -m 0755 $(OUTPUT)kblaunch $(DESTDIR)$(PREFIX)/bin/kblaunch
	install -D -m 0755 $(OUTPUT)kbctl $(DESTDIR)$(PREFIX)/bin/kbctl
	install -D -m 0644 uapi/linux/kbridge.h \
		$(DESTDIR)$(PREFIX)/include/linux/kbridge.h
	install -d $(DESTDIR)$(PREFIX)/share/kbridge/profiles
	install -m 0644 profiles/*.profile $(DESTDIR)$(PREFIX)/share/kbridge/profiles/

clean:
	$(Q)if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(Q)rm -rf $(OUTPUT)
