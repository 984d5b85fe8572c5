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
#   make check-debug      the guest suite on a kernel built with KASAN,
#                         UBSAN, lockdep, kmemleak... (built once per
#                         machine; KB_DEBUG_KERNEL=kcsan for KCSAN;
#                         KB_DEBUG_SUITE=tests/guest/suite-module for
#                         the module's own tests only)
#   make check-runtimes   CPython's regression tests, 17 files (make check
#                         has 4), on all three decision paths against
#                         native, in one guest boot; prints a per-file
#                         table (tests/cpython/cpython_tests.sh long)
#   make fuzz             the fuzzer's fixed seeds, then a random campaign of
#                         KB_FUZZ_SECS (default 600) seconds, in the guest;
#                         prints the seed of any failure (tests/fuzz_seeds)
#   make demo             install deps, build, boot the guest, run a program
#                         under kblaunch and show what kbridge saw
#   make bench            build for the guest kernel, boot it once and run
#                         the microbenchmarks, then kbctl analyze's groups
#                         against --exhaustive (bench/README.md)
#   make bench-perf       perf profiles of one syscall per configuration,
#                         in the guest (bench/README.md)
#   make bench-analyze    kbctl analyze's groups against --exhaustive on
#                         redis and nginx, here; then Loupe's engine side
#                         by side with kbctl analyze in the guest
#                         (bench/README.md)
#   make deps             apt-get what the build and the guest need
#   make install          install kbridge.ko (kbuild's modules_install, into
#                         /lib/modules/KVER/updates), kblaunch, kbctl,
#                         libkbridge and its headers, the profiles, the man
#                         pages and the udev rule; create the group kbridge
#                         (README.md, "Install"). DESTDIR, PREFIX (default
#                         /usr/local), UDEVRULESDIR (/etc/udev/rules.d)
#   make uninstall        remove exactly what make install installed
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

# The guest kernels: the newest installed Debian kernel with headers, of
# the generic flavour and of PREEMPT_RT (linux-image-rt-amd64); make check
# runs the guest suite on both.
GUEST_KVER ?= $(shell $(CURDIR)/tests/run/guest-kernel.sh generic)
RT_KVER ?= $(shell $(CURDIR)/tests/run/guest-kernel.sh rt)

ifeq ($(V),1)
Q =
else
Q = @
endif

.PHONY: all module bpf userland tests check check-runtimes check-debug fuzz demo deps install uninstall clean checkpatch \
	guest-build bench-build bench bench-perf bench-analyze corpus corpus-deps

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
	$(Q)if [ -n "$(RT_KVER)" ]; then \
		tests/run/build-for-kernel.sh /lib/modules/$(RT_KVER)/build >/dev/null; \
	fi

check: deps
	$(Q)$(MAKE) --no-print-directory guest-build
	$(Q)GUEST_KVER=$(GUEST_KVER) RT_KVER=$(RT_KVER) tests/run/check.sh

# Not in make check: an hour and more of TCG guest.
check-runtimes: deps
	$(Q)$(MAKE) --no-print-directory guest-build
	$(Q)tests/vm/run.sh --kver $(GUEST_KVER) --timeout 10800 -- \
		env KB_SUITE=runtimes KB_SUITE_LIST=tests/cpython/suite-long \
		tests/run/guest-suite.sh

# Not in make check: the kernel's build takes most of an hour here.
KB_DEBUG_KERNEL ?= debug
check-debug: deps
	$(Q)$(MAKE) --no-print-directory guest-build
	$(Q)tests/run/check-debug.sh $(KB_DEBUG_KERNEL)

KB_FUZZ_SECS ?= 600
fuzz: deps
	$(Q)$(MAKE) --no-print-directory guest-build
	$(Q)tests/vm/run.sh --timeout $$((600 + $(KB_FUZZ_SECS))) -- env \
		KB_FUZZ_SECS=$(KB_FUZZ_SECS) KB_FUZZ_CALLS=$(KB_FUZZ_CALLS) \
		sh -c 'insmod ./kbridge.ko && tests/guest/fuzz_guest.sh'

demo: deps
	$(Q)$(MAKE) --no-print-directory guest-build
	$(Q)tests/vm/run.sh -- tests/run/demo.sh

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

# The group method against --exhaustive where make runs (no module:
# kblaunch decides in the process; BENCH_ANALYZE_ARGS: bench/analyze.sh's
# options and apps), then Loupe's engine side by side with kbctl analyze
# in the guest (bench/loupe.sh; BENCH_LOUPE_APPS, default sqlite3 redis;
# skipped without Loupe's engine). Both run; either failing fails.
bench-analyze: bench-build
	$(Q)bench/analyze.sh $(BENCH_ANALYZE_ARGS); a=$$?; \
	bench/loupe.sh $(BENCH_LOUPE_APPS); l=$$?; \
	[ $$a -eq 0 ] && [ $$l -eq 0 ]

deps:
	$(Q)tests/run/install-deps.sh

# The corpus (corpus/README.md): every application analysed where make
# runs (no module needed), exported as loupedb runs, compared with
# Loupe's database. CORPUS_APPS: a subset; CORPUS_ARGS: corpus.py's
# options (-j, -r, --force...). Not in make check, which runs a slice.
CORPUS_PY := /usr/bin/python3 corpus/corpus.py
corpus-deps:
	$(Q)tests/run/install-deps.sh $$($(CORPUS_PY) --packages $(CORPUS_APPS))

corpus: userland corpus-deps
	$(Q)$(CORPUS_PY) $(CORPUS_ARGS) $(CORPUS_APPS); c=$$?; \
	/usr/bin/python3 corpus/report.py && [ $$c -eq 0 ]

checkpatch:
	$(Q)tests/host/checkpatch.sh

# Where make install puts things; DESTDIR is prepended to every path.
# udev reads only /etc/udev/rules.d, /run/udev/rules.d and
# /usr/lib/udev/rules.d: $(PREFIX)/lib/udev/rules.d would be ignored for
# PREFIX=/usr/local, so the rule goes to /etc (a distribution's package
# sets UDEVRULESDIR=/usr/lib/udev/rules.d).
BINDIR		?= $(PREFIX)/bin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
DATADIR		?= $(PREFIX)/share/kbridge
MANDIR		?= $(PREFIX)/share/man
UDEVRULESDIR	?= /etc/udev/rules.d
MODDIR		:= /lib/modules/$(KVER)/updates
KB_VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)
KB_PROFILES	:= $(notdir $(wildcard $(CURDIR)/profiles/*.profile)) README.md
# What install puts there besides the module, for uninstall (install names
# the same files one by one; tests/host/install_host.sh checks they agree).
KB_INSTALLED	:= $(BINDIR)/kblaunch $(BINDIR)/kbctl \
	$(LIBDIR)/libkbridge.a $(LIBDIR)/libkbridge.so.$(KB_VERSION) \
	$(LIBDIR)/libkbridge.so.0 $(LIBDIR)/libkbridge.so \
	$(INCLUDEDIR)/kbridge.h $(INCLUDEDIR)/linux/kbridge.h \
	$(addprefix $(DATADIR)/profiles/,$(KB_PROFILES)) \
	$(MANDIR)/man1/kblaunch.1 $(MANDIR)/man8/kbctl.8 \
	$(UDEVRULESDIR)/60-kbridge.rules
# kbuild may compress what it installs (CONFIG_MODULE_COMPRESS_*).
KB_MODFILES	:= $(MODDIR)/kbridge.ko $(addprefix $(MODDIR)/kbridge.ko,.gz .xz .zst)
KB_MODULE_SRCS	= Kbuild dkms.conf $(wildcard module/*.[ch] core/*.[ch] \
		  core/Core.mk uapi/linux/*.h)
D		:= $(DESTDIR)

# kbridge.ko is rebuilt only when it is missing, older than a source or
# built for another kernel: kbuild's own check rewrites files of the tree
# (as root, under sudo) and takes a minute under emulation (the test
# guest). depmod, the group, ldconfig and udev are the running system's:
# with DESTDIR, a package's scripts do them. kbuild's depmod is turned off
# (it would skip with a warning on headers-only trees); its signing too
# when the kernel's key is not in KDIR, where it can only fail.
install: userland
	$(Q)rel=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$$/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null); \
	if [ "$$rel" != "$(KVER)" ]; then \
		echo "kbridge: $(KDIR) is not the build tree of kernel $(KVER)" \
			"($${rel:-no include/generated/utsrelease.h}): pass KVER and KDIR" >&2; \
		exit 1; \
	fi
	$(Q)if [ ! -f kbridge.ko ] || \
	    [ -n "$$(find $(KB_MODULE_SRCS) -newer kbridge.ko 2>/dev/null)" ] || \
	    [ "$$(modinfo -F vermagic kbridge.ko | cut -d' ' -f1)" != "$(KVER)" ]; then \
		$(MAKE) --no-print-directory module; \
	fi
	$(Q)conf=$(KDIR)/include/config/auto.conf; nosign=; \
	key=$$(sed -n 's/^CONFIG_MODULE_SIG_KEY=//p' $$conf | tr -d '"'); \
	if grep -qx 'CONFIG_MODULE_SIG_ALL=y' $$conf; then \
		case $$key in \
		pkcs11:*) ;; \
		/*) [ -e "$$key" ] || nosign=CONFIG_MODULE_SIG_ALL= ;; \
		*) [ -e "$(KDIR)/$$key" ] || nosign=CONFIG_MODULE_SIG_ALL= ;; \
		esac; \
	fi; \
	[ -z "$$nosign" ] || echo "kbridge: no module signing key in $(KDIR): installing kbridge.ko unsigned"; \
	$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR) modules_install \
		INSTALL_MOD_PATH=$(abspath $(D)) INSTALL_MOD_DIR=updates \
		DEPMOD=true 'cmd_depmod=:' quiet_cmd_depmod= $$nosign
	install -d $(D)$(BINDIR) $(D)$(LIBDIR) $(D)$(INCLUDEDIR)/linux \
		$(D)$(DATADIR)/profiles $(D)$(MANDIR)/man1 $(D)$(MANDIR)/man8 \
		$(D)$(UDEVRULESDIR)
	install -m 0755 $(OUTPUT)kblaunch $(OUTPUT)kbctl $(D)$(BINDIR)/
	install -m 0644 $(OUTPUT)libkbridge.a $(D)$(LIBDIR)/libkbridge.a
	install -m 0644 $(OUTPUT)libkbridge.so $(D)$(LIBDIR)/libkbridge.so.$(KB_VERSION)
	ln -sfn libkbridge.so.$(KB_VERSION) $(D)$(LIBDIR)/libkbridge.so.0
	ln -sfn libkbridge.so.0 $(D)$(LIBDIR)/libkbridge.so
	install -m 0644 core/kbridge.h $(D)$(INCLUDEDIR)/kbridge.h
	install -m 0644 uapi/linux/kbridge.h $(D)$(INCLUDEDIR)/linux/kbridge.h
	install -m 0644 $(addprefix profiles/,$(KB_PROFILES)) $(D)$(DATADIR)/profiles/
	install -m 0644 docs/man/kblaunch.1 $(D)$(MANDIR)/man1/kblaunch.1
	install -m 0644 docs/man/kbctl.8 $(D)$(MANDIR)/man8/kbctl.8
	install -m 0644 module/60-kbridge.rules $(D)$(UDEVRULESDIR)/60-kbridge.rules
ifeq ($(DESTDIR),)
	getent group kbridge >/dev/null || groupadd --system kbridge
	depmod -a $(KVER)
	ldconfig
	$(Q)if [ ! -e /sys/class/misc/kbridge ]; then :; \
	elif [ -S /run/udev/control ] && udevadm control --reload 2>/dev/null && \
	     udevadm trigger --settle --action=add /sys/class/misc/kbridge; then :; \
	else \
		echo "kbridge: udev did not apply the rule: /dev/kbridge stays" \
			"root-only until kbridge.ko is loaded again"; \
	fi
	@echo "kbridge: members of the group kbridge may open /dev/kbridge" \
		"(usermod -aG kbridge USER, then log in again)"
endif

# Leaves the group kbridge: files may belong to it. udevd re-reads changed
# rule directories by itself.
uninstall:
	rm -f $(addprefix $(D),$(KB_INSTALLED) $(KB_MODFILES))
	$(Q)for d in $(D)$(DATADIR)/profiles $(D)$(DATADIR); do \
		[ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; \
	done
ifeq ($(DESTDIR),)
	$(Q)if [ -d /lib/modules/$(KVER) ]; then depmod -a $(KVER); fi
	ldconfig
endif

clean:
	$(Q)if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(Q)rm -rf $(OUTPUT)
