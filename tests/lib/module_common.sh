# SPDX-License-Identifier: GPL-2.0
# Sourced (not run) by the guest scripts that load and unload kbridge.ko.

# kb_t SECONDS: a hang guard measured on the stock kernel, times
# KB_TIME_SCALE (default 1; make check-debug sets it for its slow kernel).
kb_t() { echo $(($1 * ${KB_TIME_SCALE:-1})); }

# kb_log_since LINES: the kernel log's lines after the first LINES that
# no test may provoke: the patterns of tests/vm/kernel-log.ere (BUG,
# WARNING, the detectors' reports) and the module's own report of objects
# left at unload.
kb_log_ere=$(cd "$(dirname "${BASH_SOURCE[0]}")/../vm" && pwd)/kernel-log.ere
kb_log_since() {
	dmesg | tail -n +"$(($1 + 1))" | grep -E -f "$kb_log_ere" -e 'left at exit'
}

# kb_loaded: is a kbridge module loaded?
kb_loaded() { grep -q '^kbridge ' /proc/modules; }

# kb_wait_dev: after insmod, wait (up to 5 s) for devtmpfs to show
# /dev/kbridge (misc_register() makes it, devtmpfs may lag); 1 if it never
# does.
kb_wait_dev() {
	local _
	for _ in $(seq 50); do
		[ -c /dev/kbridge ] && return 0
		sleep 0.1
	done
	return 1
}

# kb_reload KO [PARAM=VALUE...]: unload the kbridge loaded (if any),
# insmod KO with the parameters given, wait for its node.
kb_reload() {
	local ko=$1
	shift
	if kb_loaded && ! rmmod kbridge; then
		return 1
	fi
	insmod "$ko" "$@" && kb_wait_dev
}

# kb_load KO [PARAM=VALUE...]: insmod KO unless a kbridge is loaded, then
# wait for its node.
kb_load() {
	local ko=$1
	shift
	kb_loaded || insmod "$ko" "$@" || return 1
	kb_wait_dev
}
