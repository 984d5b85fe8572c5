#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root): the module's lifetime against its users.
#  - while a process holds /dev/kbridge open with a joined session, rmmod
#    fails, the module stays listed and the process keeps working;
#  - once that process has exited, rmmod succeeds;
#  - CYCLES insmod / short session / rmmod rounds all succeed and leave no
#    BUG/WARNING in the kernel log;
#  - the module is loaded again at the end, for the tests that follow.
# Prints TAP. Uses python3 (Debian's) for the ioctls, since a shell cannot.
set -u

ko="$(dirname "$0")/../../kbridge.ko"
CYCLES=${KB_CYCLES:-20}
PLAN=8
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { # description command...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
skip_rest() { # reason
	while [ "$n" -lt "$PLAN" ]; do
		n=$((n + 1))
		echo "ok $n - module_cycle # SKIP $1"
	done
	exit 0
}

# shellcheck source=tests/lib/module_common.sh
. "$(dirname "$0")/../lib/module_common.sh"
load() { kb_load "$ko"; }

# One process: open, create a session, join it, answer "ready"; then for
# each line read from stdin make one KB_IOC_SYSCALL (getppid) and answer
# "verdict N", or "error ERRNO". Exits at end of input.
holder_py='
import errno, fcntl, os, struct, sys

def iowr(nr, size):
    return (3 << 30) | (size << 16) | (0xBB << 8) | nr

fd = os.open("/dev/kbridge", os.O_RDWR)
fcntl.ioctl(fd, iowr(1, 16), bytearray(struct.pack("=IIQ", 16, 0, 0)))
fcntl.ioctl(fd, iowr(2, 16), bytearray(struct.pack("=IIII", 16, 0, 0, 0)))
print("ready", flush=True)
for line in sys.stdin:
    frame = bytearray(struct.pack("=IIII6QqHHI", 80, 0, 110, 0xff,
                                  *range(6), 0, 0, 0, 0))
    try:
        fcntl.ioctl(fd, iowr(3, 80), frame)
    except OSError as e:
        print("error", errno.errorcode.get(e.errno, e.errno), flush=True)
        continue
    print("verdict", struct.unpack_from("=IIII", frame)[3], flush=True)
'

echo "1..$PLAN"
[ "$(id -u)" -eq 0 ] || skip_rest "needs root"
[ -e /proc/modules ] || skip_rest "this kernel cannot load modules"
[ -f "$ko" ] || skip_rest "no $ko (build the module first)"
py=$(command -v /usr/bin/python3 python3 | head -n 1)
[ -n "$py" ] || skip_rest "needs python3"
dmesg_start=$(dmesg | wc -l)

check "module loaded, /dev/kbridge present" load
kb_loaded || skip_rest "kbridge.ko does not load"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/in" "$tmp/out"
"$py" -I -S -c "$holder_py" <"$tmp/in" >"$tmp/out" 2>&1 &
holder_pid=$!
exec {h_in}>"$tmp/in" {h_out}<"$tmp/out"
line=
read -r -t 30 -u "$h_out" line
refcnt=$(cat /sys/module/kbridge/refcnt 2>/dev/null)
if [ "$line" = ready ] && [ "${refcnt:-0}" -ge 1 ]; then
	ok "a process holds a joined session (refcnt $refcnt)"
else
	not_ok "a process holds a joined session (got '$line', refcnt ${refcnt:-?})"
fi

out=$(rmmod kbridge 2>&1)
rc=$?
echo "# rmmod while held: status $rc: $out"
if [ "$rc" -ne 0 ] && kb_loaded && [ -c /dev/kbridge ]; then
	ok "rmmod refused while the session's file is open"
else
	not_ok "rmmod refused while the session's file is open"
	load
fi

line=
echo call >&"$h_in"
read -r -t 30 -u "$h_out" line
if [ "$line" = "verdict 0" ] && kill -0 "$holder_pid" 2>/dev/null; then
	ok "the holder still runs and dispatches after the refused rmmod"
else
	not_ok "the holder still runs and dispatches after the refused rmmod (got '$line')"
fi

exec {h_in}>&-
wait "$holder_pid" 2>/dev/null
exec {h_out}<&-
out=$(rmmod kbridge 2>&1)
rc=$?
[ -n "$out" ] && echo "# rmmod: $out"
if [ "$rc" -eq 0 ] && ! kb_loaded && [ ! -e /dev/kbridge ]; then
	ok "rmmod succeeds once the holder has exited"
else
	not_ok "rmmod succeeds once the holder has exited (status $rc)"
fi

session_once() {
	local r
	r=$(echo call | "$py" -I -S -c "$holder_py" 2>&1 | tr '\n' ' ')
	[ "$r" = "ready verdict 0 " ] || { echo "# session: $r"; return 1; }
}
cycle_fail=
for i in $(seq "$CYCLES"); do
	if ! load; then cycle_fail="insmod in cycle $i"; break; fi
	if ! session_once; then cycle_fail="session in cycle $i"; break; fi
	if ! out=$(rmmod kbridge 2>&1); then
		cycle_fail="rmmod in cycle $i: $out"
		break
	fi
done
if [ -z "$cycle_fail" ]; then
	ok "$CYCLES insmod/session/rmmod cycles"
else
	not_ok "$CYCLES insmod/session/rmmod cycles: $cycle_fail"
fi

check "module loaded again for the tests that follow" load

bad=$(kb_log_since "$dmesg_start")
if [ -z "$bad" ]; then
	ok "kernel log free of BUG/WARNING during the cycles"
else
	echo "$bad" | sed 's/^/# dmesg: /'
	not_ok "kernel log free of BUG/WARNING during the cycles"
fi
[ "$failed" -eq 0 ]
