#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# with-hook.sh HOOK CMD...: run one benchmark command with kbridge.ko
# reloaded as hook=HOOK (direct or kprobe), then reload it as it was
# loaded by bench/run-guest.sh ($KB_KO, default hook) and exit as CMD did.
# Fails unless the module then reports that hook armed (kbinfo), so a row
# that claims a hook measured it.
set -u
hook=$1
shift
ko=${KB_KO:-}
if [ -z "$ko" ] || [ ! -f "$ko" ]; then
	echo "with-hook: KB_KO does not name the kbridge.ko run-guest.sh loaded" >&2
	exit 1
fi
# shellcheck source=tests/lib/module_common.sh
. "$(dirname "$0")/../tests/lib/module_common.sh"
reload() { kb_reload "$ko" "$@"; }
if ! reload hook="$hook"; then
	echo "with-hook: cannot reload kbridge.ko with hook=$hook" >&2
	reload
	exit 1
fi
info=$("$BOUT/kbinfo" 2>&1)
case $info in
*"fastpath=armed hook=$hook"*) ;;
*)
	echo "with-hook: hook=$hook not armed: $info" >&2
	reload
	exit 1 ;;
esac
"$@"
rc=$?
if ! reload; then
	echo "with-hook: cannot reload kbridge.ko with its default hook" >&2
	exit 1
fi
exit "$rc"
