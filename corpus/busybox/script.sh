# SPDX-License-Identifier: GPL-2.0
# Run by busybox ash: the constructs of Loupe's busybox script (echo, an
# exported variable, ls of /bin and /etc, &&, if, [[ ]]) and applets.
echo "start"
export GREETING=hello
busybox sh -c 'echo "child says $GREETING"'
ls /bin >/dev/null && ls /etc >/dev/null && echo "listed"
if [[ -d /etc && "$GREETING" == hello ]]; then
	echo "tests pass"
fi
n=$(ls /etc | busybox wc -l)
[ "$n" -gt 0 ] && echo "etc has entries"
printf 'b\na\nc\n' | busybox sort | busybox tr '\n' ' '
echo
echo "done"
