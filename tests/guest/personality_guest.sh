#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The example personality module under kblaunch, inside the guest as root
# with kbridge.ko loaded: a profile that names it (personality-module
# demo) runs tests/progs/pers_probe
#  - with kbdemo.ko loaded: the program sees the demo OS (uname KBDemoOS
#    1.0-demo, getpid 1, the synthetic /proc/cpuinfo, sethostname EPERM);
#  - with it unloaded: kblaunch warns that it is not loaded and the
#    program sees Linux's values, as when it runs natively;
#  - with --no-module: kblaunch refuses the profile (exit 1), since
#    personalities run in kbridge.ko.
# Leaves kbdemo unloaded. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
KO=examples/personality/kbdemo.ko
PROFILE=tests/personality/demo.profile
PROBE=$P/pers_probe
demo_model="KBDemo virtual CPU @ 1.00GHz"

kb_require_guest "kblaunch and tests/progs/pers_probe are built (make guest-build)" \
	"$K" "$PROBE" || exit 1
if [ ! -f "$KO" ]; then
	not_ok "$KO is built (make guest-build)"
	kb_done
	exit 1
fi

kbdemo_loaded() { [ -d /sys/module/kbdemo ]; }
# Whatever happens, kbdemo is not left behind: kbridge.ko must unload.
trap 'kbdemo_loaded && rmmod kbdemo; rm -rf "$kb_tmp"' EXIT

# line KEY FILE: the rest of FILE's line that starts with "KEY ".
line() { sed -n "s/^$1 //p" "$2" | head -n 1; }

# probe NAME [kblaunch options]: pers_probe under kblaunch with the
# profile; output in $kb_tmp/NAME.out, stderr in .err, status in $rc.
probe() {
	local name=$1
	shift
	kb "$@" --profile "$PROFILE" -- "$PROBE" \
		>"$kb_tmp/$name.out" 2>"$kb_tmp/$name.err"
	rc=$?
}

# expect NAME KEY VALUE: NAME's line KEY reads VALUE.
expect() {
	local got
	got=$(line "$2" "$kb_tmp/$1.out")
	if [ "$got" = "$3" ]; then
		ok "$1: $2 $3"
	else
		not_ok "$1: $2 '$got', expected '$3'"
		show "$kb_tmp/$1.out" out
		show "$kb_tmp/$1.err" stderr
	fi
}

# What Linux says, natively.
"$PROBE" >"$kb_tmp/native.out" 2>&1
native_uname=$(line uname "$kb_tmp/native.out")
native_cpu=$(line cpumodel "$kb_tmp/native.out")
if [ -n "$native_uname" ] && [ -n "$native_cpu" ] &&
   [ "$native_cpu" != "$demo_model" ]; then
	ok "pers_probe natively: uname $native_uname, cpumodel $native_cpu"
else
	not_ok "pers_probe natively: unexpected output"
	show "$kb_tmp/native.out" out
fi

# ---- loaded: the demo OS ----
if kbdemo_loaded || insmod "$KO"; then
	ok "insmod $KO"
else
	not_ok "insmod $KO"
fi
probe loaded
if [ "$rc" -eq 0 ]; then
	ok "loaded: pers_probe exits 0"
else
	not_ok "loaded: pers_probe exit status $rc"
	show "$kb_tmp/loaded.err" stderr
fi
expect loaded uname "KBDemoOS 1.0-demo"
expect loaded getpid 1
expect loaded cpuinfo "$(printf 'processor\t: 0')"
expect loaded cpumodel "$demo_model"
expect loaded sethostname EPERM
if grep -q "not loaded" "$kb_tmp/loaded.err"; then
	not_ok "loaded: kblaunch says the module is not loaded"
	show "$kb_tmp/loaded.err" stderr
else
	ok "loaded: no 'not loaded' warning"
fi

# ---- unloaded: Linux's values, and a warning ----
if rmmod kbdemo && ! kbdemo_loaded; then
	ok "rmmod kbdemo"
else
	not_ok "rmmod kbdemo"
fi
probe unloaded
if [ "$rc" -eq 0 ]; then
	ok "unloaded: pers_probe exits 0"
else
	not_ok "unloaded: pers_probe exit status $rc"
	show "$kb_tmp/unloaded.err" stderr
fi
if grep -q "^kblaunch: $PROFILE:[0-9]*: personality module 'demo' is not loaded" \
	"$kb_tmp/unloaded.err"; then
	ok "unloaded: kblaunch warns that personality module 'demo' is not loaded"
else
	not_ok "unloaded: no 'not loaded' warning"
	show "$kb_tmp/unloaded.err" stderr
fi
expect unloaded uname "$native_uname"
expect unloaded cpumodel "$native_cpu"
expect unloaded sethostname 0
pid=$(line getpid "$kb_tmp/unloaded.out")
case $pid in
''|*[!0-9]*|1) not_ok "unloaded: getpid '$pid', expected the real pid" ;;
*) ok "unloaded: getpid $pid, the real pid" ;;
esac

# ---- --no-module: refused, personalities live in kbridge.ko ----
timeout -k 5 "$KB_TIMEOUT" "$K" --no-module --profile "$PROFILE" -- "$PROBE" \
	>"$kb_tmp/nomod.out" 2>"$kb_tmp/nomod.err"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -s "$kb_tmp/nomod.out" ] &&
   grep -q "personality module 'demo' runs in kbridge.ko" "$kb_tmp/nomod.err"; then
	ok "--no-module: refused with exit status 1, 'runs in kbridge.ko'"
else
	not_ok "--no-module: exit status $rc"
	show "$kb_tmp/nomod.out" out
	show "$kb_tmp/nomod.err" stderr
fi

if kbdemo_loaded; then
	not_ok "kbdemo left loaded"
else
	ok "kbdemo is unloaded at the end"
fi
kb_done
