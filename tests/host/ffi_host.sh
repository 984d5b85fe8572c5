#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libkbridge from outside C's linker: builds examples/dlopen (dlopen +
# dlsym, a personality module) and examples/ocaml (ctypes, an OCaml host
# implementing write for the layer) against .output/libkbridge.so, runs
# them and checks every line they print and their exit status, and that
# the OCaml bindings' struct layouts are the C compiler's. Host test;
# needs make -C userland first. ocamlfind and ctypes missing is a
# failure, not a skip: tests/run/install-deps.sh installs them. Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 2
top=$(pwd)
out=$top/.output/
so=${out}libkbridge.so
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
show() { [ -s "$1" ] && sed -e "s/^/# $2: /" "$1" | head -30; }

# same NAME WANT-FILE GOT-FILE: exact output, or a diff in the log
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1: output differs"
		diff -u "$2" "$3" | sed 's/^/# /' | head -30
	fi
}

if [ ! -f "$so" ] || [ ! -e "${out}libkbridge.so.0" ]; then
	not_ok "libkbridge.so and libkbridge.so.0 are built (make -C userland)"
	echo "1..$n"
	exit 1
fi

# ---- examples/dlopen ----
dl=${out}examples/kbdlopen
if make -C examples/dlopen OUTPUT="$out" >"$tmp/make" 2>&1 && [ -x "$dl" ]; then
	ok "examples/dlopen builds $dl"
	# It must not be linked against the library it loads.
	if readelf -d "$dl" | grep -q 'NEEDED.*libkbridge'; then
		not_ok "kbdlopen is linked against libkbridge"
	else
		ok "kbdlopen has no DT_NEEDED on libkbridge"
	fi

	# The parent of kbdlopen is this shell: its getppid() is $$.
	printf '%s\n' "uname: 0 sysname=kbdlopen" "getpid: -1 EPERM" \
		"getppid: $$" "uname: 0 sysname=$(uname -s)" >"$tmp/want"
	"$dl" "$so" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] &&
		ok "kbdlopen $so: exit 0, nothing on stderr" ||
		{ not_ok "kbdlopen $so: exit status $rc"; show "$tmp/err" stderr; }
	same "kbdlopen: uname faked by the personality, getpid -EPERM, real getppid, real uname after kb_exit_dynamic" \
		"$tmp/want" "$tmp/out"

	# No argument: libkbridge.so.0, found through kbdlopen's run path.
	"$dl" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && cmp -s "$tmp/want" "$tmp/out" &&
		ok "kbdlopen without argument loads libkbridge.so.0 by its soname" ||
		{ not_ok "kbdlopen without argument: exit status $rc"; show "$tmp/out" out; show "$tmp/err" stderr; }

	"$dl" "$tmp/missing.so" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] &&
		grep -q "^kbdlopen: $tmp/missing.so: cannot open shared object" "$tmp/err" &&
		ok "kbdlopen on a missing library: exit 1, '$(head -1 "$tmp/err")'" ||
		{ not_ok "kbdlopen on a missing library: exit status $rc"; show "$tmp/err" stderr; }

	# A library without the API: the dlsym error, exit 1.
	"$dl" libm.so.6 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] &&
		grep -q '^kbdlopen: kb_init_dynamic: .*undefined symbol' "$tmp/err" &&
		ok "kbdlopen on a library without the API: exit 1, '$(head -1 "$tmp/err")'" ||
		{ not_ok "kbdlopen on libm.so.6: exit status $rc"; show "$tmp/err" stderr; }
else
	not_ok "examples/dlopen builds"
	show "$tmp/make" make
fi

# ---- examples/ocaml ----
oc=${out}examples/kbocaml
if ! command -v ocamlfind >/dev/null; then
	not_ok "ocamlfind is installed (tests/run/install-deps.sh: ocaml-findlib)"
elif ! ocamlfind query ctypes ctypes.foreign >"$tmp/q" 2>&1; then
	not_ok "ctypes and ctypes.foreign are installed (tests/run/install-deps.sh: libctypes-ocaml-dev)"
	show "$tmp/q" ocamlfind
elif ! make -C examples/ocaml OUTPUT="$out" >"$tmp/make" 2>&1 || [ ! -x "$oc" ]; then
	not_ok "examples/ocaml builds"
	show "$tmp/make" make
else
	ok "examples/ocaml builds $oc"
	readelf -d "$oc" | grep -q 'NEEDED.*\[libkbridge\.so\.0\]' &&
		readelf -d "$oc" | grep -q 'R.*PATH.*\[\$ORIGIN/\.\.\]' &&
		ok "kbocaml needs libkbridge.so.0, run path \$ORIGIN/.." ||
		not_ok "kbocaml: no DT_NEEDED libkbridge.so.0 or run path \$ORIGIN/.."

	# The bindings describe the structs by hand: they must be the header's.
	cat >"$tmp/layout.c" <<'EOF'
#include <stddef.h>
#include <stdio.h>
#include "kbridge.h"
int main(void)
{
	printf("kb_ops %zu syscall@%zu\n", sizeof(struct kb_ops),
	       offsetof(struct kb_ops, syscall));
	printf("kb_config %zu rules@%zu nr_rules@%zu personality@%zu\n",
	       sizeof(struct kb_config), offsetof(struct kb_config, rules),
	       offsetof(struct kb_config, nr_rules),
	       offsetof(struct kb_config, personality));
	printf("kb_rule_desc %zu value@%zu match@%zu path@%zu\n",
	       sizeof(struct kb_rule_desc), offsetof(struct kb_rule_desc, value),
	       offsetof(struct kb_rule_desc, match),
	       offsetof(struct kb_rule_desc, path));
	return 0;
}
EOF
	if "${CC:-gcc}" -std=c11 -Wall -Werror -Icore -Iuapi -o "$tmp/layout" \
		"$tmp/layout.c" 2>"$tmp/err" && "$tmp/layout" >"$tmp/want"; then
		"$oc" --layout >"$tmp/out" 2>&1
		same "kbocaml's struct kb_ops, kb_config, kb_rule_desc have kbridge.h's sizes and offsets" \
			"$tmp/want" "$tmp/out"
	else
		not_ok "struct layout probe does not build"
		show "$tmp/err" cc
	fi

	msg="hello from OCaml through kbridge"
	printf '%s\n' "ocaml host: $msg" "write: $((${#msg} + 1))" \
		"getppid: -1 EPERM" >"$tmp/want"
	# From another directory: the library must come from the run path.
	(cd / && exec "$oc") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] &&
		ok "kbocaml: exit 0, nothing on stderr" ||
		{ not_ok "kbocaml: exit status $rc"; show "$tmp/err" stderr; }
	grep -qx "ocaml host: $msg" "$tmp/out" &&
		ok "kbocaml: the write ran in the OCaml host (ops.syscall callback)" ||
		not_ok "kbocaml: no 'ocaml host: $msg' line"
	grep -qx "getppid: -1 EPERM" "$tmp/out" &&
		ok "kbocaml: the stubbed getppid's -EPERM reached OCaml" ||
		not_ok "kbocaml: no 'getppid: -1 EPERM' line"
	same "kbocaml: host write, its byte count, getppid -EPERM, in order" \
		"$tmp/want" "$tmp/out"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
