#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The eBPF tier statistics (bpf/kbstat.bpf.c, kbctl stats/top), inside the
# guest as root with kbridge.ko loaded: tests/progs/tier_mix makes known
# numbers of getppid (pass), getuid (fake), sysfs (stub) and openat (a
# path rule, decided after a SIGSYS) under a profile, alone, then with
# threads and forked children; the maps bpftool dumps hold exactly those
# counts per (nr, tier, action, path), globally, for the session and for
# each process, and agree with kblaunch's report, with kbctl stats --json
# and with kbctl top. Then: 17000 out-of-range numbers all land in
# tier_hits' last slot while the full hashes count their drops, loading twice
# and loading without the module fail clearly, and unloading stops the
# counting. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=$PWD/.output/kbctl
PIN=/sys/fs/bpf/kbridge
KEEP=/sys/fs/bpf/kbtest_keep
KO=$PWD/kbridge.ko
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)

cleanup() {
	[ -d "$PIN" ] && "$C" stats --bpf unload >/dev/null 2>&1
	rm -f "$KEEP"_session "$KEEP"_drops
	# Later tests expect the module: put it back if a check removed it.
	grep -q '^kbridge ' /proc/modules || insmod "$KO" 2>/dev/null
	rm -rf "$kb_tmp"
}
trap cleanup EXIT

kb_require_guest "kbctl and tests/progs are built (make)" "$C" "$P/tier_mix" || exit 1
if [ ! -x "$BPFTOOL" ]; then
	not_ok "bpftool is installed (tests/run/install-deps.sh)"
	kb_done
	exit 1
fi

# Everything python3 does with the JSON of bpftool, kblaunch and kbctl,
# in one file: each check is one short run (python starts slowly here).
cat >"$kb_tmp/kbs.py" <<'EOF'
import json, sys

TIERS = {"full": 1, "partial": 2, "stubbed": 3}
ACTIONS = {"pass": 0, "stub": 1, "fake": 2}
# tier_hits' value (struct kbstat_counts): (tier, action) of each field,
# each an array indexed by fastpath.
FIELDS = {"full_pass": (1, 0), "partial_pass": (2, 0), "partial_stub": (2, 1),
          "partial_fake": (2, 2), "stubbed_stub": (3, 1), "stubbed_fake": (3, 2)}

def array_rows(entries, out):
    """tier_hits, a per-CPU array by syscall number of kbstat_counts"""
    for e in entries:
        f = e.get("formatted", e)
        for v in f["values"]:
            val = v["value"]
            if sorted(val) != sorted(FIELDS):
                raise SystemExit("tier_hits value fields: %s" % sorted(val))
            for name, (tier, action) in FIELDS.items():
                for fp, n in enumerate(val[name]):
                    if n:
                        key = (f["key"], tier, action, fp)
                        out[key] = out.get(key, 0) + n
    return out

def dump_rows(path, field=None, value=None):
    """bpftool -j map dump: {(nr, tier, action, fastpath): sum}"""
    out = {}
    entries = json.load(open(path))
    if entries and isinstance(entries[0].get("formatted", entries[0])["key"], int):
        return array_rows(entries, out)
    for e in entries:
        f = e.get("formatted", e)
        k = f["key"]
        if field is not None and k[field] != value:
            continue
        key = (k["nr"], k["tier"], k["action"], k["fastpath"])
        out[key] = out.get(key, 0) + sum(v["value"] for v in f["values"])
    return out

def dump_drops(path):
    out = {}
    for e in json.load(open(path)):
        f = e.get("formatted", e)
        out[f["key"]] = sum(v["value"] for v in f["values"])
    return [out.get(i, 0) for i in range(4)]

def kbctl_rows(path):
    out = {}
    for s in json.load(open(path))["syscalls"]:
        key = (s["nr"], TIERS[s["tier"]], ACTIONS[s["action"]],
               1 if s["path"] == "kernel" else 0)
        out[key] = out.get(key, 0) + s["count"]
    return out

def show(rows):
    for k in sorted(rows):
        print(*k, rows[k])

def arg_filter(a):
    return (a[0], int(a[1])) if len(a) >= 2 else (None, None)

cmd, a = sys.argv[1], sys.argv[2:]
if cmd == "rows":            # DUMP [FIELD VALUE]
    show(dump_rows(a[0], *arg_filter(a[1:])))
elif cmd == "sum":           # DUMP [FIELD VALUE]: total, of which fastpath
    r = dump_rows(a[0], *arg_filter(a[1:]))
    print(sum(r.values()), sum(v for k, v in r.items() if k[3]))
elif cmd == "entries":       # DUMP
    print(len(json.load(open(a[0]))))
elif cmd == "slot":          # DUMP NR: that slot's count (tier_hits)
    print(sum(v for k, v in dump_rows(a[0]).items() if k[0] == int(a[1])))
elif cmd == "drops":         # DUMP of drops: tier session pid bad-pair
    print(*dump_drops(a[0]))
elif cmd == "kbctl":         # kbctl stats --json output
    show(kbctl_rows(a[0]))
elif cmd == "kbctl-dropped":
    d = json.load(open(a[0]))["dropped"]
    print(d["tier_hits"], d["session_hits"], d["pid_hits"])
elif cmd == "report":        # REPORT DUMP SESSION: per-nr counts and totals agree
    rep = json.load(open(a[0]))
    rows = dump_rows(a[1], "session", int(a[2]))
    per_nr = {}
    for k, v in rows.items():
        per_nr[k[0]] = per_nr.get(k[0], 0) + v
    want = {s["nr"]: s["count"] for s in rep["syscalls"] if s["count"]}
    t = rep["totals"]
    bad = []
    if per_nr != want:
        diff = sorted(set(per_nr.items()) ^ set(want.items()))
        bad.append("per-syscall counts differ (nr, count): %s" % diff[:10])
    if sum(rows.values()) != t["total"]:
        bad.append("total %d, report %d" % (sum(rows.values()), t["total"]))
    fp = sum(v for k, v in rows.items() if k[3])
    if fp != t["fastpath"]:
        bad.append("fastpath %d, report %d" % (fp, t["fastpath"]))
    print("; ".join(bad) if bad else "ok")
elif cmd == "report-total":  # REPORT
    print(json.load(open(a[0]))["totals"]["total"])
elif cmd == "report-oor":    # REPORT: calls past the module's table
    print(json.load(open(a[0]))["totals"]["out_of_range"])
elif cmd == "path":          # REPORT: 1 when the session used the fast path
    print(1 if json.load(open(a[0]))["path"] == "fastpath" else 0)
elif cmd == "prog":          # bpftool -j prog show: "id type" of kb_decision
    for p in json.load(open(a[0])):
        if p.get("name") == "kb_decision":
            print(p["id"], p["type"])
EOF
kbs() { "$PY" "$kb_tmp/kbs.py" "$@"; }
# After a count the programs missed: the kernel's own count of runs it
# skipped (a program's event while one already ran on that CPU), and the
# per-process rows, so that the failure says whose event went missing.
bpf_misses() {
	"$BPFTOOL" prog show 2>&1 | grep -E "name|recursion_misses" | sed 's/^/# bpftool prog: /'
	[ -n "${main:-}" ] && for c in "$main" ${children:-}; do
		kbs rows "$kb_tmp/pid2.json" tgid "$c" 2>/dev/null | sed "s/^/# pid_hits of $c: /"
	done
}
dump() { # MAP-FILE OUT
	"$BPFTOOL" -j map dump pinned "$PIN/$1" >"$2" 2>"$kb_tmp/dump.err"
}

# ---- set-up: tracefs shows the event, no leftovers, a clean load ----
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
fi
for ev in kbridge_decision kbridge_decisions; do
	f=/sys/kernel/tracing/events/kbridge/$ev/format
	want='field:bool fastpath'
	[ "$ev" = kbridge_decisions ] && want='field:u32 count'
	if [ -r "$f" ] && grep -q 'field:u64 session' "$f" && grep -q "$want" "$f"; then
		ok "tracefs shows kbridge:$ev with its fields"
	else
		not_ok "tracefs shows kbridge:$ev ($f)"
	fi
done
[ -d "$PIN" ] && "$C" stats --bpf unload >/dev/null 2>&1

"$C" stats >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^kbctl: the eBPF counters are not loaded (no $PIN)" "$kb_tmp/err"; then
	ok "kbctl stats before loading: exit 1, '$(head -1 "$kb_tmp/err")'"
else
	not_ok "kbctl stats before loading: exit status $rc"
	show "$kb_tmp/err" stderr
fi

"$C" stats --bpf load >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^loaded: program kb_decision (id [0-9]*) attached to kbridge_decisions" "$kb_tmp/out" &&
   [ -e "$PIN/tier_hits" ] && [ -e "$PIN/session_hits" ] && [ -e "$PIN/pid_hits" ] &&
   [ -e "$PIN/drops" ] && [ -e "$PIN/kb_decision_link" ] &&
   [ -e "$PIN/uring_hits" ] && [ -e "$PIN/uring_session_hits" ] && [ -e "$PIN/kb_uring_link" ]; then
	ok "kbctl stats --bpf load: maps and links pinned in $PIN, io_uring's too"
else
	not_ok "kbctl stats --bpf load: exit status $rc"
	show "$kb_tmp/out" stdout
	show "$kb_tmp/err" stderr
	ls -la "$PIN" 2>&1 | sed 's/^/# /'
	kb_done
	exit 1
fi

"$BPFTOOL" -j prog show >"$kb_tmp/progs.json" 2>/dev/null
read -r prog_id prog_type < <(kbs prog "$kb_tmp/progs.json")
if [ -n "${prog_id:-}" ] && [ "$prog_type" = raw_tracepoint ]; then
	ok "bpftool prog show lists kb_decision (id $prog_id, raw_tracepoint)"
else
	not_ok "bpftool prog show lists kb_decision as a raw_tracepoint program"
	"$BPFTOOL" prog show 2>&1 | head -20 | sed 's/^/# /'
fi

"$C" stats --bpf status >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -qx "eBPF counters: loaded, pinned in $PIN" "$kb_tmp/out" &&
   grep -q "^program: kb_decision, id ${prog_id:-x}, attached to raw tracepoint kbridge_decisions" "$kb_tmp/out" &&
   [ "$(grep -c '^map: \(tier_hits\|session_hits\|pid_hits\|drops\), id ' "$kb_tmp/out")" -eq 4 ]; then
	ok "kbctl stats --bpf status: loaded, program id $prog_id, four maps"
else
	not_ok "kbctl stats --bpf status: exit status $rc"
	show "$kb_tmp/out" stdout
	show "$kb_tmp/err" stderr
fi

# ---- known counts under a mixed-tier profile ----
cat >"$kb_tmp/mix.profile" <<'EOF'
getppid pass
getuid fake 4242
sysfs stub
openat partial pass
openat when path=/nonexistent/kbstat/* stub EACCES
EOF
N1=3000 N2=2000 N3=1000 N4=300

# run_mix NAME THREADS CHILDREN: tier_mix under the profile; sets sid
# (session), main (pid), children (pids), fp (1: fast path in use).
run_mix() {
	kb -v --profile "$kb_tmp/mix.profile" --report "$kb_tmp/$1.json" -- \
		"$P/tier_mix" $N1 $N2 $N3 $N4 "$2" "$3" >"$kb_tmp/$1.out" 2>"$kb_tmp/$1.err"
	rc=$?
	sid=$(sed -n 's/.*, session \([0-9][0-9]*\)$/\1/p' "$kb_tmp/$1.err" | head -1)
	main=$(sed -n 's/^main //p' "$kb_tmp/$1.out")
	children=$(sed -n 's/^child //p' "$kb_tmp/$1.out")
	fp=$(kbs path "$kb_tmp/$1.json" 2>/dev/null)
	if [ "$rc" -ne 0 ] || [ -z "$sid" ] || [ -z "$main" ] || [ -z "$fp" ] ||
	   ! grep -qx "done" "$kb_tmp/$1.out"; then
		not_ok "$1: tier_mix under kblaunch -v --profile (exit status $rc)"
		show "$kb_tmp/$1.err" stderr
		return 1
	fi
	return 0
}

# expect_rows TIMES: the four keys tier_mix makes, each TIMES sets.
expect_rows() {
	echo "102 3 2 $fp $((N2 * $1))"
	echo "110 1 0 $fp $((N1 * $1))"
	echo "139 3 1 $fp $((N3 * $1))"
	echo "257 2 1 0 $((N4 * $1))"
}

# has_rows NAME ROWS-FILE TIMES: ROWS-FILE holds those four lines.
has_rows() {
	expect_rows "$3" >"$kb_tmp/want"
	if grep -vxFf "$2" "$kb_tmp/want" >"$kb_tmp/missing"; then
		not_ok "$1: counts differ"
		show "$kb_tmp/missing" "expected (nr tier action fastpath count)"
		grep -E '^(102|110|139|257) ' "$2" | sed 's/^/# got: /'
	else
		ok "$1: getppid x$((N1 * $3)) pass, getuid x$((N2 * $3)) fake, sysfs x$((N3 * $3)) stub, openat x$((N4 * $3)) path-stubbed (sigsys)"
	fi
}

if run_mix single 0 0; then
	s1=$sid
	echo "# session $s1, pid $main, fast path $fp"
	dump tier_hits "$kb_tmp/tier1.json"
	dump session_hits "$kb_tmp/session1.json"
	dump pid_hits "$kb_tmp/pid1.json"
	kbs rows "$kb_tmp/tier1.json" >"$kb_tmp/tier1.rows"
	kbs rows "$kb_tmp/session1.json" session "$s1" >"$kb_tmp/s1.rows"
	kbs rows "$kb_tmp/pid1.json" tgid "$main" >"$kb_tmp/p1.rows"
	has_rows "tier_hits (global) after one process" "$kb_tmp/tier1.rows" 1
	has_rows "session_hits of session $s1" "$kb_tmp/s1.rows" 1
	has_rows "pid_hits of PID $main" "$kb_tmp/p1.rows" 1
	# Only this session ran since the load: the global map is its map.
	if cmp -s "$kb_tmp/tier1.rows" "$kb_tmp/s1.rows" && [ -s "$kb_tmp/s1.rows" ]; then
		ok "tier_hits equals session $s1's session_hits, every row ($(wc -l <"$kb_tmp/s1.rows") rows)"
	else
		not_ok "tier_hits equals session $s1's session_hits"
		diff "$kb_tmp/tier1.rows" "$kb_tmp/s1.rows" | head | sed 's/^/# /'
	fi
	r=$(kbs report "$kb_tmp/single.json" "$kb_tmp/session1.json" "$s1")
	[ "$r" = ok ] && ok "session_hits agrees with kblaunch --report: every syscall's count, total, fast path" ||
		{ not_ok "session_hits against kblaunch --report: $r"; bpf_misses; }
fi

# ---- threads and forked children ----
T=3 F=2
if run_mix forked $T $F; then
	s2=$sid
	echo "# session $s2, pid $main, children" $children
	dump tier_hits "$kb_tmp/tier2.json"
	dump session_hits "$kb_tmp/session2.json"
	dump pid_hits "$kb_tmp/pid2.json"
	kbs rows "$kb_tmp/session2.json" session "$s2" >"$kb_tmp/s2.rows"
	has_rows "$T threads + $F children: session_hits of session $s2" "$kb_tmp/s2.rows" $((1 + T + F))
	kbs rows "$kb_tmp/pid2.json" tgid "$main" >"$kb_tmp/p2.rows"
	has_rows "$T threads: pid_hits of the main process $main" "$kb_tmp/p2.rows" $((1 + T))
	nc=0
	for c in $children; do
		nc=$((nc + 1))
		kbs rows "$kb_tmp/pid2.json" tgid "$c" >"$kb_tmp/c.rows"
		has_rows "forked child $nc: pid_hits of PID $c" "$kb_tmp/c.rows" 1
	done
	[ "$nc" -eq "$F" ] || not_ok "tier_mix forked $F children (saw $nc)"
	kbs rows "$kb_tmp/tier2.json" >"$kb_tmp/tier2.rows"
	has_rows "tier_hits adds up both sessions" "$kb_tmp/tier2.rows" $((1 + 1 + T + F))
	r=$(kbs report "$kb_tmp/forked.json" "$kb_tmp/session2.json" "$s2")
	[ "$r" = ok ] && ok "session $s2 (threads, children) agrees with kblaunch --report" ||
		{ not_ok "session $s2 against kblaunch --report: $r"; bpf_misses; }

	# ---- the standard tools, and kbctl, read the same numbers ----
	if "$BPFTOOL" -j map dump name tier_hits >"$kb_tmp/byname.json" 2>"$kb_tmp/err" &&
	   kbs rows "$kb_tmp/byname.json" >"$kb_tmp/byname.rows" &&
	   cmp -s "$kb_tmp/byname.rows" "$kb_tmp/tier2.rows"; then
		ok "bpftool map dump name tier_hits: the pinned map's rows"
	else
		not_ok "bpftool map dump name tier_hits"
		show "$kb_tmp/err" stderr
	fi
	"$BPFTOOL" map dump pinned "$PIN/tier_hits" >"$kb_tmp/pretty" 2>/dev/null
	"$BPFTOOL" map dump pinned "$PIN/session_hits" >>"$kb_tmp/pretty" 2>/dev/null
	if grep -q '"full_pass": \[' "$kb_tmp/pretty" && grep -q '"stubbed_fake": \[' "$kb_tmp/pretty" &&
	   grep -q '"fastpath": ' "$kb_tmp/pretty"; then
		ok "bpftool map dump prints BTF-formatted values (full_pass, ...) and keys (nr, tier, action, fastpath)"
	else
		not_ok "bpftool map dump prints BTF-formatted values and keys"
	fi
	for scope in "" "--session $s2" "$main"; do
		# shellcheck disable=SC2086
		"$C" stats --json $scope >"$kb_tmp/kbctl.json" 2>"$kb_tmp/err"
		rc=$?
		case $scope in
		"") want=$kb_tmp/tier2.rows what="all sessions" ;;
		--*) want=$kb_tmp/s2.rows what="session $s2" ;;
		*) want=$kb_tmp/p2.rows what="PID $main" ;;
		esac
		if [ "$rc" -eq 0 ] && kbs kbctl "$kb_tmp/kbctl.json" >"$kb_tmp/kbctl.rows" &&
		   cmp -s "$kb_tmp/kbctl.rows" "$want"; then
			ok "kbctl stats --json ($what) agrees with bpftool, every row"
		else
			not_ok "kbctl stats --json ($what): exit status $rc, differs from bpftool"
			diff "$want" "$kb_tmp/kbctl.rows" 2>&1 | head | sed 's/^/# /'
			show "$kb_tmp/err" stderr
		fi
	done
	"$C" stats --session "$s2" >"$kb_tmp/out" 2>"$kb_tmp/err"
	rc=$?
	read -r tot kern < <(kbs sum "$kb_tmp/session2.json" session "$s2")
	if [ "$rc" -eq 0 ] && grep -qx "eBPF tier counters, session $s2" "$kb_tmp/out" &&
	   grep -qE "^getppid +110 full +pass +$([ "$fp" = 1 ] && echo kernel || echo sigsys) +$((N1 * (1 + T + F)))\$" "$kb_tmp/out" &&
	   grep -qx "total $tot: kernel $kern, sigsys $((tot - kern)); dropped 0" "$kb_tmp/out"; then
		ok "kbctl stats --session $s2: the getppid row and 'total $tot: kernel $kern, ...'"
	else
		not_ok "kbctl stats --session $s2: exit status $rc"
		show "$kb_tmp/out" stdout
		show "$kb_tmp/err" stderr
	fi
	"$C" top -n 2 -d 0.2 --session "$s2" >"$kb_tmp/out" 2>"$kb_tmp/err"
	rc=$?
	frames=$(grep -c "^kbctl top - .*, session $s2, every 0.2s\$" "$kb_tmp/out")
	rows=$(grep -cE "^sysfs +139 stubbed +stub +[a-z]+ +$((N3 * (1 + T + F))) " "$kb_tmp/out")
	if [ "$rc" -eq 0 ] && [ "$frames" -eq 2 ] && [ "$rows" -eq 2 ] &&
	   grep -qE "^sysfs .* 0\.0\$" "$kb_tmp/out" && [ "$(grep -c '^$' "$kb_tmp/out")" -ge 3 ] &&
	   [ "$(grep -c "^total $tot (" "$kb_tmp/out")" -eq 2 ]; then
		ok "kbctl top -n 2: two frames with totals, the sysfs row, rate 0.0/s in the second"
	else
		not_ok "kbctl top -n 2: exit status $rc, $frames frames, $rows sysfs rows"
		show "$kb_tmp/out" stdout
		show "$kb_tmp/err" stderr
	fi
fi

# ---- io_uring operations: per opcode, all sessions and one ----
kb -v -- "$P/uring_ops" >"$kb_tmp/uring.out" 2>"$kb_tmp/uring.err"
rc=$?
su=$(sed -n 's/.*, session \([0-9][0-9]*\)$/\1/p' "$kb_tmp/uring.err" | head -1)
for scope in "" "--session $su"; do
	# shellcheck disable=SC2086
	got=$("$C" stats --json $scope 2>"$kb_tmp/err" | "$PY" -c 'import json, sys
print([(o["name"], o["count"]) for o in json.load(sys.stdin)["io_uring"]])' 2>&1)
	[ "$rc" -eq 0 ] && [ -n "$su" ] && [ "$got" = "[('IORING_OP_NOP', 5), ('IORING_OP_READ', 3)]" ] &&
		ok "kbctl stats --json ${scope:-(all sessions)}: 5 NOP and 3 READ io_uring operations" ||
		{ not_ok "kbctl stats io_uring ${scope:-(all)}: exit status $rc, session '$su', $got"; show "$kb_tmp/err" stderr; }
done
"$C" stats --session "$su" >"$kb_tmp/out" 2>"$kb_tmp/err"
grep -qE "^IORING_OP_READ +22 +3\$" "$kb_tmp/out" &&
	ok "kbctl stats --session $su: the IORING_OP_READ row" ||
	{ not_ok "kbctl stats --session $su: no IORING_OP_READ row"; show "$kb_tmp/out" stdout; }

# ---- errors while loaded ----
"$C" stats --bpf load >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -qx "kbctl: already loaded: $PIN exists; kbctl stats --bpf unload first" "$kb_tmp/err"; then
	ok "loading twice: exit 1, '$(cat "$kb_tmp/err")'"
else
	not_ok "loading twice: exit status $rc"
	show "$kb_tmp/err" stderr
fi
if rmmod kbridge 2>"$kb_tmp/err"; then
	not_ok "rmmod kbridge refused while the counters are attached"
	insmod "$KO" && kb_wait_dev
else
	ok "rmmod kbridge refused while the counters are attached ($(head -1 "$kb_tmp/err"))"
fi

# ---- numbers past the table: one array slot; full hashes count drops ----
# 17000 distinct out-of-range syscall numbers: more keys than a hash holds,
# all of them in tier_hits' out-of-range slot 512.
dump drops "$kb_tmp/d0.json"
dump tier_hits "$kb_tmp/t0.json"
read -r d0_tier d0_session d0_pid d0_bad < <(kbs drops "$kb_tmp/d0.json")
read -r t0_sum _ < <(kbs sum "$kb_tmp/t0.json")
o0=$(kbs slot "$kb_tmp/t0.json" 512)
kb -v --report "$kb_tmp/fill.json" -- "$P/tier_mix" --range 100000 17000 \
	>"$kb_tmp/fill.out" 2>"$kb_tmp/fill.err"
rc=$?
s3=$(sed -n 's/.*, session \([0-9][0-9]*\)$/\1/p' "$kb_tmp/fill.err" | head -1)
p3=$(sed -n 's/^main //p' "$kb_tmp/fill.out")
if [ "$rc" -eq 0 ] && [ -n "$s3" ] && [ -n "$p3" ]; then
	dump drops "$kb_tmp/d1.json"
	dump tier_hits "$kb_tmp/t1.json"
	dump session_hits "$kb_tmp/s3.json"
	dump pid_hits "$kb_tmp/p3.json"
	read -r d1_tier d1_session d1_pid d1_bad < <(kbs drops "$kb_tmp/d1.json")
	read -r t1_sum _ < <(kbs sum "$kb_tmp/t1.json")
	read -r s3_sum _ < <(kbs sum "$kb_tmp/s3.json" session "$s3")
	read -r p3_sum _ < <(kbs sum "$kb_tmp/p3.json" tgid "$p3")
	o1=$(kbs slot "$kb_tmp/t1.json" 512)
	total=$(kbs report-total "$kb_tmp/fill.json")
	oor=$(kbs report-oor "$kb_tmp/fill.json")
	sfull=$(kbs entries "$kb_tmp/s3.json")
	pfull=$(kbs entries "$kb_tmp/p3.json")
	echo "# session $s3: $total decisions, $oor out of range; counted tier $((t1_sum - t0_sum)) (slot 512: $((o1 - o0))) session $s3_sum pid $p3_sum; dropped tier $((d1_tier - d0_tier)) bad $((d1_bad - d0_bad)) session $((d1_session - d0_session)) pid $((d1_pid - d0_pid))"
	if [ "$oor" -ge 17000 ] && [ $((o1 - o0)) -eq "$oor" ] &&
	   [ $((t1_sum - t0_sum)) -eq "$total" ] && [ "$d1_tier" -eq 0 ] &&
	   [ "$d1_bad" -eq "$d0_bad" ]; then
		ok "tier_hits: all $total decisions counted, the $oor out-of-range ones in slot 512, none dropped"
	else
		not_ok "tier_hits: $((t1_sum - t0_sum)) of $total counted, $((o1 - o0)) of $oor out-of-range ones in slot 512, drops $d1_tier (tier) $((d1_bad - d0_bad)) (bad pair)"
	fi
	if [ "$sfull" -eq 16384 ] && [ "$pfull" -eq 16384 ] &&
	   [ $((d1_session - d0_session)) -gt 0 ] && [ $((d1_pid - d0_pid)) -gt 0 ] &&
	   [ $((s3_sum + d1_session - d0_session)) -eq "$total" ] &&
	   [ $((p3_sum + d1_pid - d0_pid)) -eq "$total" ]; then
		ok "full hashes (16384 entries): counted + dropped = the session's $total decisions, in session_hits and pid_hits"
	else
		not_ok "full hashes: counted + dropped differ from the session's $total decisions ($sfull, $pfull entries)"
	fi
	"$C" stats --json >"$kb_tmp/kbctl.json" 2>"$kb_tmp/err"
	"$PY" - "$kb_tmp/kbctl.json" >"$kb_tmp/oor.rows" <<'PYEOF'
import json, sys
for s in json.load(open(sys.argv[1]))["syscalls"]:
    if s["nr"] == 512:
        print(s["name"], s["count"])
PYEOF
	if [ "$(kbs kbctl-dropped "$kb_tmp/kbctl.json")" = "$((d1_tier + d1_bad)) $d1_session $d1_pid" ]; then
		ok "kbctl stats --json reports the drops ($((d1_tier + d1_bad)) $d1_session $d1_pid)"
	else
		not_ok "kbctl stats --json drops: '$(kbs kbctl-dropped "$kb_tmp/kbctl.json")', maps say '$((d1_tier + d1_bad)) $d1_session $d1_pid'"
		show "$kb_tmp/err" stderr
	fi
	if [ "$(awk '{ n += $2 } END { print n + 0 }' "$kb_tmp/oor.rows")" -eq "$o1" ] &&
	   [ -s "$kb_tmp/oor.rows" ] && ! grep -qv '^out_of_range ' "$kb_tmp/oor.rows"; then
		ok "kbctl stats --json: slot 512 rows are named out_of_range and sum to $o1"
	else
		not_ok "kbctl stats --json: slot 512 rows (want out_of_range, $o1 in all)"
		show "$kb_tmp/oor.rows" rows
	fi
	"$C" stats >"$kb_tmp/out" 2>"$kb_tmp/err"
	if grep -qE '^out_of_range +512 ' "$kb_tmp/out"; then
		ok "kbctl stats: a row 'out_of_range 512 ...'"
	else
		not_ok "kbctl stats: no out_of_range row"
		show "$kb_tmp/out" stdout
	fi
else
	not_ok "tier_mix --range under kblaunch (exit status $rc)"
	show "$kb_tmp/fill.err" stderr
fi

# ---- unload: the pins go, the counting stops ----
# Extra pins keep two maps readable after the unload. They are full, so
# an attached program would have to count a new session's calls as drops.
"$BPFTOOL" map pin pinned "$PIN/session_hits" "$KEEP"_session 2>/dev/null
"$BPFTOOL" map pin pinned "$PIN/drops" "$KEEP"_drops 2>/dev/null
"$BPFTOOL" -j map dump pinned "$KEEP"_drops >"$kb_tmp/kd0.json" 2>/dev/null
"$C" stats --bpf unload >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -e "$PIN" ]; then
	ok "kbctl stats --bpf unload: $PIN removed"
else
	not_ok "kbctl stats --bpf unload: exit status $rc"
	show "$kb_tmp/err" stderr
fi
gone=0
for i in $(seq 50); do
	"$BPFTOOL" -j prog show >"$kb_tmp/progs.json" 2>/dev/null
	[ -z "$(kbs prog "$kb_tmp/progs.json")" ] && { gone=1; break; }
	sleep 0.1
done
[ "$gone" -eq 1 ] && ok "after unload, bpftool prog show no longer lists kb_decision" ||
	not_ok "after unload, bpftool prog show still lists kb_decision"
if run_mix after 0 0 && [ -e "$KEEP"_session ]; then
	"$BPFTOOL" -j map dump pinned "$KEEP"_session >"$kb_tmp/ks.json" 2>/dev/null
	"$BPFTOOL" -j map dump pinned "$KEEP"_drops >"$kb_tmp/kd1.json" 2>/dev/null
	kbs rows "$kb_tmp/ks.json" session "$sid" >"$kb_tmp/ks.rows"
	kbs rows "$kb_tmp/ks.json" session "$s1" >"$kb_tmp/ks1.rows"
	if [ ! -s "$kb_tmp/ks.rows" ] && cmp -s "$kb_tmp/ks1.rows" "$kb_tmp/s1.rows" &&
	   [ "$(kbs drops "$kb_tmp/kd0.json")" = "$(kbs drops "$kb_tmp/kd1.json")" ]; then
		ok "after unload, session $sid is neither counted nor dropped (session $s1 still readable)"
	else
		not_ok "after unload, session $sid still reaches the maps"
	fi
else
	not_ok "after unload: kept map pins and a new session"
fi
rm -f "$KEEP"_session "$KEEP"_drops
expect_err() { # NAME STATUS MESSAGE -- CMD...
	local name=$1 want=$2 msg=$3 rc
	shift 4
	"$@" >"$kb_tmp/out" 2>"$kb_tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qxF "$msg" "$kb_tmp/err"; then
		ok "$name: exit $want, '$msg'"
	else
		not_ok "$name: exit status $rc"
		show "$kb_tmp/err" stderr
	fi
}
expect_err "kbctl stats after unload" 1 \
	"kbctl: the eBPF counters are not loaded (no $PIN): kbctl stats --bpf load" -- "$C" stats
expect_err "kbctl top after unload" 1 \
	"kbctl: the eBPF counters are not loaded (no $PIN): kbctl stats --bpf load" -- "$C" top -n 1
expect_err "unloading twice" 1 "kbctl: not loaded: no $PIN" -- "$C" stats --bpf unload
"$C" stats --bpf status >"$kb_tmp/out" 2>&1
grep -qx "eBPF counters: not loaded (no $PIN)" "$kb_tmp/out" &&
	ok "kbctl stats --bpf status: not loaded" ||
	{ not_ok "kbctl stats --bpf status after unload"; show "$kb_tmp/out" out; }

# ---- --scope global: only tier_hits is kept ----
"$C" stats --bpf load --scope global >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q 'counting global;' "$kb_tmp/out" &&
   "$C" stats --bpf status 2>&1 | grep -qx 'counting: global'; then
	ok "kbctl stats --bpf load --scope global: status says 'counting: global'"
else
	not_ok "kbctl stats --bpf load --scope global: exit status $rc"
	show "$kb_tmp/err" stderr
fi
if run_mix scoped 0 0; then
	dump tier_hits "$kb_tmp/tierg.json"
	dump session_hits "$kb_tmp/sessiong.json"
	kbs rows "$kb_tmp/tierg.json" >"$kb_tmp/tierg.rows"
	has_rows "--scope global: tier_hits" "$kb_tmp/tierg.rows" 1
	kbs rows "$kb_tmp/sessiong.json" session "$sid" >"$kb_tmp/sg.rows"
	[ ! -s "$kb_tmp/sg.rows" ] && ok "--scope global: session_hits stays empty" ||
		not_ok "--scope global: session_hits has $(wc -l <"$kb_tmp/sg.rows") rows"
	expect_err "--scope global: kbctl stats --session" 1 \
		"kbctl: the eBPF counters were loaded with --scope global: they keep no per-session counts" -- \
		"$C" stats --session "$sid"
fi
expect_err "--scope without --bpf load" 1 "kbctl: --scope goes with --bpf load" -- \
	"$C" stats --scope global
"$C" stats --bpf unload >/dev/null 2>&1

# ---- without the module ----
if rmmod kbridge 2>"$kb_tmp/err"; then
	expect_err "load with kbridge.ko absent" 1 \
		"kbctl: kbridge.ko is not loaded (no raw tracepoint kbridge_decisions)" -- \
		"$C" stats --bpf load
	[ ! -e "$PIN" ] && ok "a failed load leaves no $PIN behind" ||
		not_ok "a failed load left $PIN behind"
	insmod "$KO" && kb_wait_dev
	[ -c /dev/kbridge ] && ok "kbridge.ko loaded again for the next tests" ||
		not_ok "kbridge.ko loaded again (insmod $KO)"
else
	not_ok "rmmod kbridge after unloading the counters"
	show "$kb_tmp/err" stderr
fi
kb_done
