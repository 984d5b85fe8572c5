#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# with-exec-rules.sh N [--match PATH | --runtime PATH] CMD...: run one
# benchmark command with N global exec rules installed that match nothing
# (paths under /kbridge-bench-nomatch/), and with --match one more, last,
# whose path is PATH (a passthrough policy: the program runs under it,
# all its syscalls decided in the kernel); with --runtime, that rule is a
# KB_EXEC_RUNTIME one, whose programs run through kblaunch --profile
# passthrough. The rules go in and out through the ioctls in one python3
# process (1000 kbctl runs would take longer than the row). It also
# prints lookup_ns_per_exec=, the mean time the module spent looking the
# rules up per exec while CMD ran (debugfs kbridge/exec). Fails unless
# kbctl rule list showed them all while CMD ran, and unless the last rule
# decided syscalls of the program (--match) or matched its execs
# (--runtime).
set -u
C=${KBCTL:-.output/kbctl}
PY=/usr/bin/python3

n=$1
shift
match=
runtime=
if [ "${1:-}" = --match ] || [ "${1:-}" = --runtime ]; then
	[ "$1" = --runtime ] &&
		runtime="$(realpath "${KBLAUNCH:-.output/kblaunch}") $(realpath profiles/passthrough.profile)"
	match=$2
	shift 2
fi
rules_py='
import ctypes, fcntl, os, struct, sys

def iowr(nr, size):
    return (3 << 30) | (size << 16) | (0xBB << 8) | nr

ADD, DEL = 10, 11
fd = os.open("/dev/kbridge", os.O_RDWR)
# one kb_rule_desc: getppid, tier 1, pass
desc = ctypes.create_string_buffer(struct.pack("=IHHqHHIQQQ", 110, 1, 0, 0, 0, 0, 0, 0, 0, 0))
if sys.argv[1] == "add":
    n, match, runtime = int(sys.argv[2]), sys.argv[3], sys.argv[4].split()
    globs = ["/kbridge-bench-nomatch/%d/*" % i for i in range(n)]
    if match:
        globs.append(match)
    for i, g in enumerate(globs):
        pat = ctypes.create_string_buffer(g.encode())
        if runtime and i == n:
            # KB_EXEC_GLOBAL | KB_EXEC_RUNTIME: kblaunch --profile P --
            cmd = ctypes.create_string_buffer(b"\0".join(
                [runtime[0].encode(), b"--profile", runtime[1].encode(), b"--", b""]))
            arg = bytearray(struct.pack("=IIIIQIIQII32sQQII", 104, 5, 1, 0,
                                        ctypes.addressof(pat), len(g), 0, 0, 0, 0,
                                        b"bench", 0, ctypes.addressof(cmd),
                                        len(cmd.raw) - 1, 0))
        else:
            arg = bytearray(struct.pack("=IIIIQIIQII32sQ", 88, 1, 1, 0,
                                        ctypes.addressof(pat), len(g), 1,
                                        ctypes.addressof(desc), 48, 0,
                                        b"bench", 0))
        fcntl.ioctl(fd, iowr(ADD, len(arg)), arg)
        print(struct.unpack_from("=Q", arg, 80)[0])
else:
    for line in sys.stdin:
        fcntl.ioctl(fd, iowr(DEL, 16), bytearray(struct.pack("=IIQ", 16, 0, int(line))))
'
ids=$(mktemp)
trap 'rm -f "$ids"' EXIT
if ! "$PY" -c "$rules_py" add "$n" "$match" "$runtime" >"$ids"; then
	echo "with-exec-rules: cannot add $n rules" >&2
	exit 1
fi
want=$((n + (${#match} > 0)))
have=$("$C" rule list | grep -c ' bench ')
# debugfs kbridge/exec: lookups N, lookup_ns N (the rules' share of each
# exec, measured in the module), redirects N.
DBG=/sys/kernel/debug/kbridge/exec
field() { awk -v k="$1" '$1 == k { print $2 }' "$DBG" 2>/dev/null; }
l0=$(field lookups) t0=$(field lookup_ns)
"$@"
rc=$?
l1=$(field lookups) t1=$(field lookup_ns)
# Printed beside the command's ns_per_call: paired rows read it.
if [ -n "$l0" ] && [ -n "$l1" ] && [ "$l1" -gt "$l0" ]; then
	echo "lookup_ns_per_exec=$(((t1 - t0) / (l1 - l0)))"
fi
# The matching rule really decided the program's syscalls, or ran them
# through kblaunch (its execs column).
calls=0
if [ -n "$match" ]; then
	calls=$("$C" rule list | awk -v id="$(tail -n 1 "$ids")" -v f="${runtime:+1}" \
		'$1 == id { print f ? $(NF - 1) : $NF }')
fi
"$PY" -c "$rules_py" del <"$ids" || { echo "with-exec-rules: cannot delete the rules" >&2; exit 1; }
[ "$rc" -eq 0 ] || exit "$rc"
if [ "$have" -ne "$want" ]; then
	echo "with-exec-rules: kbctl rule list showed $have rules, expected $want" >&2
	exit 1
fi
if [ -n "$match" ] && [ "${calls:-0}" -eq 0 ]; then
	echo "with-exec-rules: the rule for $match ${runtime:+matched no exec}${runtime:-decided no syscall}" >&2
	exit 1
fi
