# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the bench scripts that run in make bench's guest (their -g):
# what a run there needs that a run on the host does not.

# bench_guest_bounds: the workloads' waits (tests/workloads/lib.sh) for
# the guest. Under TCG a process starts tens of times slower than on the
# host: with the bounds made for the host, every redis run failed in the
# guest (redis-cli missed WL_QUICK, redis-benchmark WL_LONG, the server's
# port WL_WAIT).
bench_guest_bounds() {
	export WL_WAIT=${WL_WAIT:-10} WL_QUICK=${WL_QUICK:-5}
}

# bench_load_module: the freshly built kbridge.ko when none is loaded
# (bench/run-guest.sh unloads its own at its end), so that kblaunch
# decides in the kernel, as the bench means to measure. 0 when the module
# is there (bench_loaded=1 when this loaded it), 1 with the reason in
# bench_module_err (kblaunch then decides in the process).
bench_loaded=0
bench_module_err=
bench_load_module() {
	local f
	[ ! -e /dev/kbridge ] && [ -e /proc/modules ] || return 0
	for f in ./kbridge.ko .output/module/kbridge.ko; do
		[ -f "$f" ] || continue
		insmod "$f" && { bench_loaded=1; return 0; }
		bench_module_err="insmod $f failed: kblaunch decides in the process"
		return 1
	done
	bench_module_err="no kbridge.ko built: kblaunch decides in the process"
	return 1
}

# bench_unload_module: unload what bench_load_module loaded.
bench_unload_module() {
	if [ "$bench_loaded" = 1 ] && grep -q '^kbridge ' /proc/modules; then
		rmmod kbridge || echo "bench: rmmod kbridge failed" >&2
	fi
	bench_loaded=0
}
