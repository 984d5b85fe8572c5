#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad files on the build machine (issue 9, "Bad files"): every parser of
# the userland gets malformed input and must refuse it with one clear
# line on stderr that says where, a non-zero exit status, no crash and no
# sanitizer report, and must have changed nothing:
#   - profiles (userland/lib/profile_parse.c) through kbctl check, kblaunch
#     --profile (the program must not have started) and kbctl set -f:
#     "PROG: FILE:LINE: reason", or "PROG: FILE: reason" for a file that
#     cannot be a profile at all (a directory, /dev/zero, too big);
#   - ELF files through kblaunch's loader (kblaunch/loader.c: "kblaunch:
#     FILE: ELF header: ..." / "kblaunch: FILE: program header N: ...")
#     and through the runtime's exec (rt/exec.c: the kernel's errno
#     where the kernel refuses the file, ENOEXEC where only kblaunch's
#     loader would, and the program goes on);
#   - JSON reports through kbctl plan and kbctl analyze --resume
#     (kbctl/analyze/jsonin.c: "kbctl: FILE:LINE: not JSON (...)" where json-c
#     stopped, "kbctl: FILE: .key[3].key: ..." for a value that is wrong),
#     the --os list and a run's result file.
# The corpus is generated here (tests/bad/elf_corpus.py for the ELF
# files). kbctl and the loader are also built with
# -fsanitize=address,undefined (into .output/badfiles-asan/, once) and
# every input goes through those builds too. The profile half with a
# live session (kbctl set leaves the policy untouched) is
# tests/guest/badfiles_guest.sh. Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 2
C=.output/kbctl
K=.output/kblaunch
P=.output/tests/progs
A=.output/badfiles-asan
PY=$(command -v python3 || echo python3)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# A broken program run natively may dump core: not into the repository.
ulimit -c 0
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
show() { [ -s "$1" ] && LC_ALL=C sed -e "s/^/# $2: /" "$1" | cut -c1-300 | head -${3:-10}; }

if [ ! -x "$C" ] || [ ! -x "$K" ] || [ ! -x "$P/static_getppid" ] ||
   [ ! -x "$P/dyn_getppid" ] || [ ! -x "$P/exec_probe" ]; then
	not_ok "kbctl, kblaunch and tests/progs are built (make userland tests)"
	echo "1..$n"
	exit 1
fi

# ---- the sanitizer builds ----
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CA= LA=
mkdir -p "$A"
[ -d "$A/bpf" ] || cp -a .output/bpf "$A/" 2>/dev/null
if make -s -C userland OUTPUT="$PWD/$A/" \
	CFLAGS="-O2 -g $SAN -Wno-error" LDFLAGS="$SAN" "$PWD/$A/kbctl" \
	>"$T/build" 2>&1; then
	CA=$A/kbctl
fi
if gcc -std=c11 -O1 -g -Wall -Wextra -Werror -Iuapi -Iuserland/include $SAN \
	-o "$A/loader_check" tests/bad/loader_check.c userland/kblaunch/loader.c \
	userland/kblaunch/diag.c userland/lib/escape.c >>"$T/build" 2>&1; then
	LA=$A/loader_check
fi
if [ -n "$CA" ] && [ -n "$LA" ]; then
	ok "kbctl and kblaunch's loader built with -fsanitize=address,undefined"
else
	skip "sanitizer builds of kbctl and the loader" "they do not build here: $(grep -m1 -i error "$T/build")"
fi

# The stderr of a run must hold no report of a sanitizer.
sanitized() { ! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|SUMMARY: ' "$1"; }
# Nothing a terminal would take for a control sequence (tabs aside).
printable() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1"; }

# run OUT ERR CMD...: run, status in $rc.
# The shell's own note of a child killed by a signal stays out of the log:
# the checks say what they expected.
run() {
	local out=$1 err=$2
	shift 2
	{ timeout -k 5 60 "$@" >"$out" 2>"$err"; } 2>/dev/null
	rc=$?
	# What --no-module always says first (tests/host/kblaunch_host.sh checks it).
	sed -i '/^kblaunch: --no-module: the tier core decides in this process$/d' "$err"
}

# why: set by the checks below to say what went wrong.
why=
# expect_fail TAG WANT REGEX CMD...: CMD exits with WANT (a number, or nz
# for any status that is no signal and no sanitizer's), prints nothing on
# stdout, its first stderr line matches REGEX, it is printable and no
# sanitizer spoke. Sets why and returns 1 otherwise; leaves $T/$TAG.err.
expect_fail() {
	local tag=$1 want=$2 re=$3
	shift 3
	rm -f "$T/$tag.out" "$T/$tag.err"
	run "$T/$tag.out" "$T/$tag.err" "$@"
	if [ "$want" = nz ]; then
		if [ "$rc" -eq 0 ] || [ "$rc" -ge 99 ]; then
			why="$tag: exit status $rc"
			return 1
		fi
	elif [ "$rc" -ne "$want" ]; then
		why="$tag: exit status $rc, expected $want"
		return 1
	fi
	if [ -s "$T/$tag.out" ]; then
		why="$tag: wrote on stdout"
		return 1
	fi
	# (kbctl analyze's progress lines come first)
	if ! grep -v '^kbctl analyze: run ' "$T/$tag.err" | head -1 | grep -Eq -- "$re"; then
		why="$tag: stderr does not match '$re'"
		return 1
	fi
	if ! sanitized "$T/$tag.err"; then
		why="$tag: a sanitizer report"
		return 1
	fi
	if ! printable "$T/$tag.err"; then
		why="$tag: control bytes in the message"
		return 1
	fi
	return 0
}

# kbctl_fail NAME REGEX ARGS...: kbctl ARGS fails as expect_fail says,
# and its sanitizer build says exactly the same.
kbctl_fail() {
	local name=$1 re=$2
	shift 2
	why=
	rm -f "$T"/*.err
	if expect_fail kbctl nz "$re" "$C" "$@" &&
	   { [ -z "$CA" ] ||
	     { expect_fail kbctl_asan "$rc" "$re" "$CA" "$@" &&
	       { cmp -s "$T/kbctl.err" "$T/kbctl_asan.err" ||
		 { why="the sanitizer build says something else"; false; }; }; }; }; then
		ok "$name: $(head -1 "$T/kbctl.err" | cut -c1-160)"
	else
		not_ok "$name: $why"
		show "$T/kbctl.err" stderr
		show "$T/kbctl_asan.err" "stderr (asan)" 30
	fi
}

# ================= profiles =================
D=$T/p
mkdir -p "$D"
# profile NAME: the text on stdin becomes $D/NAME.profile
profile() { cat >"$D/$1.profile"; }
good_lines() { for s in read write close fstat lseek mmap mprotect munmap brk \
	ioctl pread64 pwrite64 readv writev access pipe select sched_yield \
	mremap msync mincore madvise dup dup2 pause nanosleep getitimer alarm \
	setitimer getpid sendfile socket connect accept sendto recvfrom \
	sendmsg recvmsg shutdown bind listen; do echo "$s pass"; done; }

# prof_fail NAME REGEX: kbctl check, kblaunch --profile and kbctl set -f
# all refuse $D/NAME.profile with "FILE:REGEX" (kbctl set, which refuses
# 'default' lines first, may name another line), and kblaunch never
# started the program.
prof_fail() {
	local name=$1 re=$2 f=$D/$1.profile t
	why=
	rm -f "$T/started" "$T"/*.err
	if expect_fail check nz "^kbctl: $f:$re" "$C" check "$f" &&
	   { [ -z "$CA" ] || expect_fail check_asan nz "^kbctl: $f:$re" "$CA" check "$f"; } &&
	   expect_fail kblaunch 1 "^kblaunch: $f:$re" \
		"$K" --no-module --profile "$f" -- touch "$T/started" &&
	   { [ ! -e "$T/started" ] || { why="kblaunch started the program"; false; }; } &&
	   expect_fail set nz "^kbctl: $f:[0-9]+: " "$C" set 1 -f "$f"; then
		ok "profile $name: refused by kbctl check, kblaunch (program not started) and kbctl set: '$(head -1 "$T/check.err" | sed "s|$D/||" | LC_ALL=C tr -cd "\40-\176" | cut -c1-120)'"
	else
		not_ok "profile $name: $why"
		for t in check check_asan kblaunch set; do show "$T/$t.err" "$t"; done
	fi
}

# NAME|what must follow "FILE:"|the text (a printf format)
while IFS='|' read -r name re text; do
	# shellcheck disable=SC2059
	printf "$text" | profile "$name"
	prof_fail "$name" "$re"
done <<'EOF'
binary_garbage|2: unknown syscall '\\x01\\x02\\xff\\xfe'$|read pass\n\001\002\377\376 pass\n
nul_byte|3: file contains a NUL byte$|read pass\nwrite pass\nget\000pid pass\n
truncated|2: unknown action 'st'|read pass\nopenat st
unknown_keyword|2: unknown syscall 'defualt'$|read pass\ndefualt stub\n
unknown_action|1: unknown action 'frobnicate'|read frobnicate\n
errno_too_big|1: bad errno '4096'|read stub 4096\n
errno_negative|1: bad errno '-1'|read stub -1\n
errno_unknown_name|1: bad errno 'EFROB'|read stub EFROB\n
syscall_unknown|1: unknown syscall 'mseal2'$|mseal2 pass\n
syscall_not_x86_64|1: 'socketcall' is not an x86_64 syscall$|socketcall pass\n
value_overflow|1: bad value '99999999999999999999'|getpid fake 99999999999999999999\n
value_negative_overflow|1: bad value '-9223372036854775809'|getpid fake -9223372036854775809\n
cond_value_too_wide|1: bad value '0x100000000' for 'cmd'|ioctl when cmd=0x100000000 pass\n
cond_value_negative|1: bad value '-2147483649' for 'cmd'|ioctl when cmd=-2147483649 pass\n
cond_unknown_key|1: unknown key 'frob' for 'read'$|read when frob=1 pass\n
cond_unknown_constant|1: unknown constant 'TCFROB'|ioctl when cmd=TCFROB pass\n
duplicate_rule|3: duplicate rule for 'read' \(first at line 1\)$|read pass\nwrite pass\nread stub\n
conflicting_rules|2: 'read when' conflicts with the whole-syscall rule of line 1$|read pass\nread when arg0=1 stub\n
duplicate_default|2: duplicate 'default' \(first at line 1\)$|default pass\ndefault stub\n
trailing_word|1: unexpected 'now' at the end of the line$|read pass now\n
EOF
# Generated: a line of 70000 bytes; an error on the last of 41 lines;
# binary garbage without NUL bytes (some line of it is wrong).
{ printf 'read pass\n'; head -c 70000 /dev/zero | tr '\0' x; printf '\n'; } | profile long_line
prof_fail long_line '2: line too long \(more than 4096 bytes\)$'
{ good_lines; echo 'getppid frob'; } | profile last_line
last=$(wc -l <"$D/last_line.profile")
prof_fail last_line "$last: unknown action 'frob'"
"$PY" -c 'import random, sys
r = random.Random(9)
sys.stdout.buffer.write(bytes(r.choice(range(1, 256)) for _ in range(5000)))' | profile random_bytes
prof_fail random_bytes '[0-9]+: '

# Files that cannot be profiles at all: "PROG: FILE: reason".
mkdir "$D/a_directory.profile"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$D/too_big.profile"
for f in "$D/a_directory.profile:not a regular file" "/dev/zero:not a regular file" \
	 "$D/too_big.profile:too big" "$D/missing.profile:No such file or directory"; do
	file=${f%:*}
	msg=${f##*:}
	why=
	rm -f "$T/started"
	if expect_fail check nz "^kbctl: $file: $msg$" "$C" check "$file" &&
	   { [ -z "$CA" ] || expect_fail check_asan nz "^kbctl: $file: $msg$" "$CA" check "$file"; } &&
	   expect_fail kblaunch 1 "^kblaunch: $file: $msg$" \
		"$K" --no-module --profile "$file" -- touch "$T/started" &&
	   { [ ! -e "$T/started" ] || { why="kblaunch started the program"; false; }; }; then
		ok "profile $(basename "$file"): '$(head -1 "$T/check.err")', the program not started"
	else
		not_ok "profile $file: $why"
		for t in check check_asan kblaunch; do show "$T/$t.err" "$t"; done
	fi
done

# The controls: the checks above can pass. An empty profile is a valid
# one (every syscall passes, as without --profile: docs/profiles.md).
: >"$D/empty.profile"
good_lines | profile good
out=$("$C" check "$D/empty.profile" "$D/good.profile" 2>&1)
rc=$?
rm -f "$T/started"
"$K" --no-module --profile "$D/good.profile" -- touch "$T/started" 2>"$T/err"
krc=$?
if [ "$rc" -eq 0 ] && [ "$out" = "$D/empty.profile: ok, 0 entries
$D/good.profile: ok, $((last - 1)) entries" ] && [ "$krc" -eq 0 ] && [ -e "$T/started" ]; then
	ok "controls: an empty and a $((last - 1))-line profile pass kbctl check, kblaunch runs the program under the latter"
else
	not_ok "controls: kbctl check exit status $rc ('$out'), kblaunch $krc"
	show "$T/err" stderr
fi

# ================= ELF files =================
E=$T/e
mkdir -p "$E"
if ! "$PY" tests/bad/elf_corpus.py "$P/static_getppid" "$P/dyn_getppid" "$E" >"$T/elf.list" 2>"$T/err"; then
	not_ok "tests/bad/elf_corpus.py makes the ELF corpus"
	show "$T/err" stderr
fi
mkdir "$E/a_directory"
printf 'a_directory\tPermission denied$\t126\n' >>"$T/elf.list"

# kblaunch PROGRAM, and the sanitized loader on it: the status (126,
# 127 for a missing interpreter) and the message.
while IFS=$'\t' read -r name re status; do
	f=$E/$name
	why=
	if expect_fail kblaunch "$status" "^kblaunch: $f: $re" "$K" --no-module -- "$f" &&
	   { [ -z "$LA" ] || expect_fail loader "$status" "^kblaunch: $f: $re" "$LA" "$f"; }; then
		ok "ELF $name: kblaunch exits $status: '$(head -1 "$T/kblaunch.err" | sed "s|$E/||g" | cut -c1-130)'"
	else
		not_ok "ELF $name: $why"
		show "$T/kblaunch.err" kblaunch
		show "$T/loader.err" loader 30
	fi
done <"$T/elf.list"
why=
if expect_fail kblaunch 126 "^kblaunch: /dev/zero: Permission denied$" "$K" --no-module -- /dev/zero &&
   { [ -z "$LA" ] || expect_fail loader 126 "^kblaunch: /dev/zero: Permission denied$" "$LA" /dev/zero; }; then
	ok "ELF /dev/zero as the program: kblaunch exits 126, '$(head -1 "$T/kblaunch.err")'"
else
	not_ok "ELF /dev/zero: $why"
	show "$T/kblaunch.err" kblaunch
fi
# The control: the loader loads what it should.
out=loaded
[ -n "$LA" ] && out=$("$LA" "$P/dyn_getppid" 2>&1)
if [ "$out" = loaded ]; then
	run "$T/c.out" "$T/c.err" "$K" --no-module -- "$P/static_getppid" 3
	out=$(cat "$T/c.out" "$T/c.err")
	[ "$rc" -eq 3 ] && [ "$out" = done ] &&
		ok "controls: the sanitized loader loads dyn_getppid, kblaunch runs static_getppid" ||
		not_ok "controls: kblaunch static_getppid: exit status $rc, '$out'"
else
	not_ok "controls: the sanitized loader on dyn_getppid: '$out'"
fi

# The runtime's exec of each: the kernel's errno where the kernel refuses
# the file, ENOEXEC (ELIBBAD: the interpreter) where only kblaunch's
# loader would; the program goes on under kbridge. Only a loader that
# cannot map what it checked (a segment over kblaunch's own mappings)
# ends the program after the exec, with SIGSEGV and a message.
while IFS=$'\t' read -r name re status; do
	f=$E/$name
	run "$T/native.out" "$T/native.err" "$P/exec_probe" run "$f" x
	native=$(head -1 "$T/native.out")
	run "$T/kb.out" "$T/kb.err" "$K" --no-module -- "$P/exec_probe" run "$f" x
	got=$(cat "$T/kb.out")
	case $native in
	"execve $f: E"*) want=$native ;;
	*) want="execve $f: ENOEXEC" ;;
	esac
	if [ "$rc" -eq 1 ] && [ "$got" = "$want" ] && [ ! -s "$T/kb.err" ]; then
		ok "exec of ELF $name from a program: '${got#"execve $f: "}'$([ "$native" = "$want" ] && echo ' as natively' || echo " (natively: the kernel takes it)")"
	elif [ "$rc" -eq 139 ] && [ -z "$got" ] && sanitized "$T/kb.err" &&
	     head -1 "$T/kb.err" | grep -Eq "^kblaunch: $f: program header [0-9]+: PT_LOADs? .*(cannot be|mapped|reserved)"; then
		ok "exec of ELF $name from a program: cannot be mapped after the exec: SIGSEGV, '$(head -1 "$T/kb.err" | sed "s|$E/||g" | cut -c1-100)'"
	else
		not_ok "exec of ELF $name: exit status $rc, '$got', expected '$want'"
		show "$T/kb.err" stderr
	fi
done <"$T/elf.list"

# ================= JSON: kbctl plan =================
J=$T/j
mkdir -p "$J"
# A valid report to break: one syscall of each class.
cat >"$J/good.json" <<'EOF'
{
  "apps": [ "/usr/bin/app" ],
  "confirmation": { "passed": true },
  "syscalls": [
    { "nr": 0, "name": "read", "class": "required" },
    { "nr": 1, "name": "write", "class": "stub" },
    { "nr": 3, "name": "close", "class": "fake" }
  ]
}
EOF
out=$("$C" plan --os /dev/null "$J/good.json" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^  implement: read$' <<<"$out"; then
	ok "controls: kbctl plan on a valid report: step 1 implements read"
else
	not_ok "controls: kbctl plan on a valid report: exit status $rc"
	echo "$out" | sed 's/^/# /' | head
fi
# json NAME: stdin into $J/NAME.json
json() { cat >"$J/$1.json"; }
printf '' | json empty
printf ' \n\t\n' | json blank
head -c 150 "$J/good.json" | json truncated
printf '{"syscalls": []}\0junk' | json nul_byte
printf '{"syscalls": []} {"syscalls": []}' | json two_documents
printf '{"syscalls": []}\n,\n' | json trailing_text
printf '{"syscalls": [\n  {"nr": 0, "name": "read", "class": "stub"},,\n]}\n' | json syntax_error
"$PY" -c 'print("{\"syscalls\":" + "[" * 40 + "]" * 40 + "}")' | json nested_too_deep
"$PY" -c 'import random, sys
r = random.Random(9)
sys.stdout.buffer.write(bytes(r.choice(range(1, 256)) for _ in range(3000)))' | json binary_garbage
printf '[1, 2]\n' | json array_at_top
printf '{"apps": []}\n' | json no_syscalls
printf '{"syscalls": {"nr": 0}}\n' | json syscalls_object
printf '{"syscalls": [3]}\n' | json element_not_object
sed 's/"nr": 1,/"nr": "1",/' "$J/good.json" | json nr_string
sed 's/"nr": 1,/"nr": 1.5,/' "$J/good.json" | json nr_double
sed 's/"nr": 1,/"nr": -1,/' "$J/good.json" | json nr_negative
sed 's/"nr": 1,/"nr": 4096,/' "$J/good.json" | json nr_too_big
sed 's/"nr": 1,/"nr": 99999999999999999999999,/' "$J/good.json" | json nr_overflow
sed 's/"nr": 1, //' "$J/good.json" | json nr_missing
sed 's/"name": "write", //' "$J/good.json" | json name_missing
sed 's/"name": "write"/"name": "wr\\u0000ite"/' "$J/good.json" | json name_nul
sed 's/"name": "write"/"name": "wr\\u0001ite"/' "$J/good.json" | json name_control
sed 's/"name": "write"/"name": 7/' "$J/good.json" | json name_number
sed 's/"name": "write"/"name": "read"/' "$J/good.json" | json name_number_mismatch
sed 's/"name": "write"/"name": "syscall_7"/' "$J/good.json" | json name_syscall_n_mismatch
sed 's/"class": "stub"/"class": "maybe"/' "$J/good.json" | json class_unknown
sed 's/"class": "stub"/"class": ["stub"]/' "$J/good.json" | json class_array
sed 's/"class": "stub"/"class": null/' "$J/good.json" | json class_null
sed 's/{ "nr": 3, "name": "close", "class": "fake" }/{ "nr": 1, "name": "write", "class": "fake" }/' \
	"$J/good.json" | json duplicate_syscall
sed 's|"apps": \[ "/usr/bin/app" \]|"apps": "/usr/bin/app"|' "$J/good.json" | json apps_string
sed 's|"apps": \[ "/usr/bin/app" \]|"apps": [ 5 ]|' "$J/good.json" | json apps_number
sed 's/"passed": true/"passed": "yes"/' "$J/good.json" | json passed_string
sed 's/"confirmation": { "passed": true }/"confirmation": true/' "$J/good.json" | json confirmation_bool
while IFS='|' read -r name re; do
	kbctl_fail "report $name" "^kbctl: $J/$name.json$re" plan --os /dev/null "$J/$name.json"
done <<'EOF'
empty|:1: empty: not JSON$
blank|:3: empty: not JSON$
truncated|:[0-9]+: not JSON \(the file ends inside the document: truncated\?\)$
nul_byte|:1: a NUL byte: not JSON$
two_documents|:1: not JSON \(text after the end of the document\)$
trailing_text|:2: not JSON \(text after the end of the document\)$
syntax_error|:2: not JSON \(
nested_too_deep|:1: not JSON \(nesting too deep\)$
binary_garbage|:[0-9]+: (not JSON|a NUL byte)
array_at_top|: expected an object at the top, not an array$
no_syscalls|: no "syscalls" array
syscalls_object|: \.syscalls: expected an array, not an object$
element_not_object|: \.syscalls\[0\]: expected an object, not an integer$
nr_string|: \.syscalls\[1\]\.nr: expected an integer, not a string$
nr_double|: \.syscalls\[1\]\.nr: expected an integer, not a number$
nr_negative|: \.syscalls\[1\]\.nr: -1 out of range \(0 to 511\)$
nr_too_big|: \.syscalls\[1\]\.nr: 4096 out of range \(0 to 511\)$
nr_overflow|: \.syscalls\[1\]\.nr: [0-9]+ out of range \(0 to 511\)$
nr_missing|: \.syscalls\[1\]\.nr: missing$
name_missing|: \.syscalls\[1\]\.name: missing$
name_nul|: \.syscalls\[1\]\.name: a NUL character in the string$
name_control|: \.syscalls\[1\]: '.*' is not a syscall name$
name_number|: \.syscalls\[1\]\.name: expected a string, not an integer$
name_number_mismatch|: \.syscalls\[1\]\.nr: read is syscall 0 on x86_64, not 1$
name_syscall_n_mismatch|: \.syscalls\[1\]\.nr: syscall_7 is syscall 7 on x86_64, not 1$
class_unknown|: \.syscalls\[1\]\.class: unknown class 'maybe'
class_array|: \.syscalls\[1\]\.class: expected a string, not an array$
class_null|: \.syscalls\[1\]\.class: missing$
duplicate_syscall|: \.syscalls\[2\]: syscall write listed twice$
apps_string|: \.apps: expected an array, not a string$
apps_number|: \.apps\[0\]: expected the path of an application$
passed_string|: \.confirmation\.passed: expected a boolean, not a string$
confirmation_bool|: \.confirmation: expected an object, not a boolean$
EOF
# A directory is a loupedb checkout: this one holds no run.
kbctl_fail "a directory as a report" \
	"^kbctl: $J: no loupedb run under it \(DB/APP/WORKLOAD/RUN/data/dyn.csv\)$" \
	plan --os /dev/null "$J"
kbctl_fail "/dev/zero as a report" "^kbctl: /dev/zero: larger than [0-9]+ bytes$" \
	plan --os /dev/null /dev/zero
# Two reports that disagree on what a number is called.
sed 's/"nr": 3, "name": "close"/"nr": 3, "name": "open"/' "$J/good.json" >"$J/other.json"
sed -i 's/"name": "open"/"name": "closee"/' "$J/other.json"
kbctl_fail "two reports, one number with two names" \
	"^kbctl: $J/other.json: \.syscalls\[2\]: syscall 3 is 'closee' here, 'close' in $J/good.json$" \
	plan --os /dev/null "$J/good.json" "$J/other.json"

# The --os list: a text file, read like a profile.
O=$T/o
mkdir -p "$O"
printf 'read\nwrite\nopennat\n' >"$O/unknown"
printf 'read\nsocketcall\n' >"$O/not_x86_64"
printf 'read write\n' >"$O/two_per_line"
printf 'read\n\001\033[2J\n' >"$O/control_bytes"
printf 'read\nwr\0ite\n' >"$O/nul_byte"
{ echo read; head -c 70000 /dev/zero | tr '\0' a; echo; } >"$O/long_line"
while IFS='|' read -r name re; do
	kbctl_fail "--os list $name" "^kbctl: $O/$name$re" plan --os "$O/$name" "$J/good.json"
done <<'EOF'
unknown|:3: unknown syscall 'opennat'$
not_x86_64|:2: 'socketcall' is not an x86_64 syscall$
two_per_line|:1: one syscall name per line, not 'read write'$
control_bytes|:2: unknown syscall '\\x01\\x1b\[2J'$
nul_byte|:2: a NUL byte: not a list of syscall names$
long_line|:2: line too long \(more than 4096 bytes\)$
EOF
kbctl_fail "--os list /dev/zero" "^kbctl: /dev/zero: larger than [0-9]+ bytes$" \
	plan --os /dev/zero "$J/good.json"
kbctl_fail "--os list a directory" "^kbctl: $O: Is a directory$" plan --os "$O" "$J/good.json"

# ================= loupedb: dyn.csv =================
# Each bad file is the one run of an application; kbctl loupedb import
# and kbctl plan read it with the same code (kbctl/analyze/loupedb.c),
# and an import that fails has written nothing.
L=$T/l
H='# syscall, used, works faked, works stubbed, works both'
# dyn NAME: stdin becomes the dyn.csv of $L/NAME's one run
dyn() { mkdir -p "$L/$1/app/benchmark-x/run/data"; cat >"$L/$1/app/benchmark-x/run/data/dyn.csv"; }
printf '%s\n0,Y,N,N,N\n1,Y,N,N\n' "$H" | dyn fields
printf '%s\n0,Y,N,N,N,N\n' "$H" | dyn extra
printf '%s\nread,Y,N,N,N\n' "$H" | dyn number
printf '%s\n512,Y,N,N,N\n' "$H" | dyn range
printf '%s\n-1,Y,N,N,N\n' "$H" | dyn negative
printf '%s\n99999999999999999999999,Y,N,N,N\n' "$H" | dyn overflow
printf '%s\n0,Y,N,N,N\n\n0,N,N,N,N\n' "$H" | dyn again
printf '%s\n0,Y,N,yes,N\n' "$H" | dyn yn
printf '%s\n0,Y,N\0,N,N\n' "$H" | dyn nul
printf '' | dyn empty
printf '%s\n0,N,N,N,N\n' "$H" | dyn unused
"$PY" -c 'import random, sys
r = random.Random(1)
sys.stdout.buffer.write(bytes(r.choice(range(1, 256)) for _ in range(3000)))' | dyn binary_garbage
head -c 2000000 /dev/zero | tr '\0' '\n' | dyn too_big
while IFS='|' read -r name re; do
	f=$L/$name/app/benchmark-x/run/data/dyn.csv
	kbctl_fail "dyn.csv $name" "^kbctl: $f$re" loupedb import -o "$L/$name/out" "$L/$name"
	if [ -e "$L/$name/out" ]; then
		not_ok "dyn.csv $name: nothing imported"
	fi
	kbctl_fail "dyn.csv $name, through kbctl plan" "^kbctl: $f$re" plan --os /dev/null "$L/$name"
done <<'EOF'
fields|:3: 4 fields, not 5 \(syscall, used, works faked, works stubbed, works both\)$
extra|:2: 6 fields, not 5
number|:2: 'read' is not a syscall number \(0 to 511\)$
range|:2: '512' is not a syscall number \(0 to 511\)$
negative|:2: '-1' is not a syscall number
overflow|:2: '99999999999999999999999' is not a syscall number
again|:4: syscall 0 again \(first at line 2\)$
yn|:2: works stubbed is 'yes', not Y or N$
nul|:2: a NUL byte: not a dyn.csv$
empty|: no syscall used: not a loupedb run$
unused|: no syscall used: not a loupedb run$
binary_garbage|:[0-9]+: (a NUL byte|[0-9] fields|'.*' is not a syscall number)
too_big|: larger than [0-9]+ bytes$
EOF

# ================= kbctl analyze --resume: run reports and results =================
# A resumed analysis takes the baseline's run from its files: a report
# or result that is not one stops it, or (a result) is run again.
R=$T/r
app=$(command -v true)
resume_dir() { # DIR RESULT: an analysis of 1 replica, its baseline run finished
	mkdir -p "$1/runs"
	printf 'replicas 1\nmethod groups\napp %s\nworkload %s\n' "$app" /bin/false >"$1/runs/analysis"
	printf '# kbctl analyze: no stubs\n' >"$1/runs/baseline-r1.profile"
	printf '%s\n' "$2" >"$1/runs/baseline-r1.result"
	cat >"$1/runs/baseline-r1.json" <<'EOF'
{ "kbridge": { "release": "0.1.0", "api": 1 }, "mode": "no-module",
  "path": "in-process", "profile": null, "exit": { "status": 0 },
  "totals": { "total": 3, "fastpath": 0, "out_of_range": 0, "joined": null },
  "last_changed": null,
  "syscalls": [
    { "nr": 0, "name": "read", "count": 2, "tier": "full", "action": "pass", "rules": [] },
    { "nr": 231, "name": "exit_group", "count": 1, "tier": "full", "action": "pass",
      "rules": [ { "rule": "exit_group pass", "line": null, "hits": 1 } ] } ] }
EOF
}
# analyze KBCTL DIR...: the command that resumes the analysis in DIR
analyze() { echo "$1" analyze --resume --kblaunch "$PWD/$K" --app "$app" -o "$2" -r 1 -- /bin/false; }
while IFS='|' read -r name result edit re; do
	why=
	for tag in analyze ${CA:+analyze_asan}; do
		bin=$C
		[ "$tag" = analyze_asan ] && bin=$CA
		rm -rf "$R"
		resume_dir "$R" "$result"
		[ -n "$edit" ] && sed -i "$edit" "$R/runs/baseline-r1.json"
		[ "$name" = truncated ] && truncate -s 200 "$R/runs/baseline-r1.json"
		# shellcheck disable=SC2046
		expect_fail "$tag" 1 "^kbctl: $R/runs/baseline-r1.json$re" $(analyze "$bin" "$R") || break
	done
	if [ -z "$why" ]; then
		ok "analyze --resume, run report $name: $(grep -v '^kbctl analyze: run ' "$T/analyze.err" | head -1 | sed "s|$R/||")"
	else
		not_ok "analyze --resume, run report $name: $why"
		show "$T/analyze.err" stderr
		show "$T/analyze_asan.err" "stderr (asan)" 30
	fi
done <<'EOF'
truncated|1 0.1 0 0 0 0||:[0-9]+: not JSON \(the file ends inside the document: truncated\?\)$
count_negative|1 0.1 0 0 0 0|s/"count": 2/"count": -2/|: \.syscalls\[0\]\.count: -2 is negative$
nr_string|1 0.1 0 0 0 0|s/"nr": 231/"nr": "231"/|: \.syscalls\[1\]\.nr: expected an integer, not a string$
rules_object|1 0.1 0 0 0 0|s/"rules": \[\]/"rules": {}/|: \.syscalls\[0\]\.rules: expected an array, not an object$
rule_line_range|1 0.1 0 0 0 0|s/"line": null/"line": 70000/|: \.syscalls\[1\]\.rules\[0\]\.line: 70000 out of range \(0 to 65536\)$
rule_hits_string|1 0.1 0 0 0 0|s/"hits": 1/"hits": "1"/|: \.syscalls\[1\]\.rules\[0\]\.hits: expected an integer, not a string$
last_changed_nr|0 0.1 0 0 0 0|s/"last_changed": null/"last_changed": {"nr": "x"}/|: \.last_changed\.nr: expected an integer, not a string$
EOF
# A result file that is not one: said, and the run is made again (here
# /bin/false: the baseline fails).
for res in "1 0.1 0 0 0" "1 x 0 0 0 0" "2 0.1 0 0 0 0" "1 0.1 0 0 -5 0" "1 0.1 0 0 0 99999999999"; do
	rm -rf "$R"
	resume_dir "$R" "$res"
	# shellcheck disable=SC2046
	run "$T/out" "$T/err" $(analyze "$C" "$R")
	if [ "$rc" -eq 1 ] && sanitized "$T/err" &&
	   grep -Eq "^kbctl analyze: warning: $R/runs/baseline-r1.result:1: not a run's result \(.*\): the run is made again$" "$T/err" &&
	   grep -q "the workload fails without any stub" "$T/err"; then
		ok "analyze --resume, result '$res': $(grep -o 'not a run.s result ([^)]*)' "$T/err"), run again"
	else
		not_ok "analyze --resume, result '$res': exit status $rc"
		show "$T/err" stderr
	fi
done

echo "1..$n"
[ "$failed" -eq 0 ]
