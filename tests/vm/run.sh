#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run one command as root in a QEMU guest booting the distribution kernel,
# with the host's root filesystem visible read-only (under a tmpfs overlay).
#
# usage: tests/vm/run.sh [--kver KVER | --kernel PATH] [--mem MB] [--smp N]
#                        [--timeout SEC] [--accel kvm|tcg|auto]
#                        -- COMMAND [ARGS...]
#
# --kernel boots a kernel of our own instead of /boot/vmlinuz-KVER: a
# bzImage, or a built tree (tests/kernels/build.sh prints one) with
# arch/x86/boot/bzImage, vmlinux and .config. Such a kernel has no
# /lib/modules here, so the drivers the guest boots with (virtio-pci, 9p,
# overlay) must be built in; the initramfs then carries no module (an
# installed /boot/vmlinuz-KVER given to --kernel keeps its modules).
#
# Prints the command's output (console between two markers; the boot noise
# goes to .output/vm/console.log) and exits with its status; 98 when the
# guest kernel logged a BUG/WARNING/Oops, 99 when the guest never finished
# (panic, hang, timeout), 2 on a usage or set-up error. KB_TCG_CPU picks
# the CPU model under TCG (default qemu64). See README.md.
set -eu

prog=tests/vm/run.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
vmdir=$repo/.output/vm

die() {
	echo "$prog: $*" >&2
	exit 2
}

usage() {
	cat >&2 <<EOF
usage: $prog [--kver KVER | --kernel PATH] [--mem MB] [--smp N]
             [--timeout SEC] [--accel kvm|tcg|auto] -- COMMAND [ARGS...]
  --kernel PATH  boot a bzImage or a kernel tree (arch/x86/boot/bzImage,
                 vmlinux, .config) with the guest's drivers built in
EOF
	exit 2
}

kver='' kernel_arg='' mem=2048 smp=2 timeout_s=900 accel=auto
while [ $# -gt 0 ]; do
	case $1 in
	--kver) [ $# -ge 2 ] || usage; kver=$2; shift 2 ;;
	--kernel) [ $# -ge 2 ] || usage; kernel_arg=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--smp) [ $# -ge 2 ] || usage; smp=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
	--accel) [ $# -ge 2 ] || usage; accel=$2; shift 2 ;;
	--kver=*) kver=${1#*=}; shift ;;
	--kernel=*) kernel_arg=${1#*=}; shift ;;
	--mem=*) mem=${1#*=}; shift ;;
	--smp=*) smp=${1#*=}; shift ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	--accel=*) accel=${1#*=}; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "$prog: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || usage
for v in "$mem" "$smp" "$timeout_s"; do
	case $v in ''|*[!0-9]*) die "not a positive number: '$v'" ;; esac
done
case $accel in kvm|tcg|auto) ;; *) die "--accel must be kvm, tcg or auto" ;; esac
[ -z "$kver" ] || [ -z "$kernel_arg" ] || die "--kver and --kernel exclude each other"

need() { # command package
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 not found: apt-get install $2"
}
need qemu-system-x86_64 qemu-system-x86
need cpio cpio
need gzip gzip
need modinfo kmod
need timeout coreutils

# The release a bzImage announces: the setup header's kernel_version field
# (offset 0x20e) points to the string, 0x200 bytes before it.
bzimage_release() { # bzImage
	local off
	[ "$(tail -c +515 "$1" 2>/dev/null | head -c 4)" = HdrS ] || return 1
	off=$(od -An -tu2 -j 526 -N 2 "$1" | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 1
	tail -c +"$((off + 512 + 1))" "$1" | head -c 256 | tr '\0' '\n' |
		head -n 1 | cut -d' ' -f1
}

config='' tree=''
custom=0
# Whether the initramfs carries the boot drivers from /lib/modules/$kver.
with_modules=1
if [ -n "$kernel_arg" ]; then
	# Our own kernel: a tree from tests/kernels/build.sh or a bare bzImage
	# (inside a tree if it is that tree's arch/x86/boot/bzImage).
	custom=1
	kernel_arg=$(readlink -f -- "$kernel_arg") || die "--kernel: no such path"
	if [ -d "$kernel_arg" ]; then
		tree=$kernel_arg
		kernel=$tree/arch/x86/boot/bzImage
	else
		kernel=$kernel_arg
		case $kernel in
		*/arch/x86/boot/bzImage)
			t=${kernel%/arch/x86/boot/bzImage}
			[ -f "$t/.config" ] && tree=$t ;;
		esac
	fi
	[ -r "$kernel" ] || die "cannot read $kernel (--kernel $kernel_arg)"
	if [ -n "$tree" ]; then
		config=$tree/.config
		[ -r "$config" ] || die "no .config in $tree"
		kver=$(cat "$tree/include/config/kernel.release" 2>/dev/null) || kver=
	fi
	[ -n "$kver" ] || kver=$(bzimage_release "$kernel") ||
		die "$kernel is not a bzImage"
	[ -n "$kver" ] || die "$kernel names no kernel release"
	case $kver in *[!A-Za-z0-9._+-]*) die "odd kernel release '$kver' in $kernel" ;; esac
	# An installed kernel's image (/boot/vmlinuz-KVER) keeps its modules.
	if [ -z "$tree" ] && [ -d "/lib/modules/$kver/kernel" ]; then
		[ -r "/boot/config-$kver" ] && config=/boot/config-$kver
	else
		with_modules=0
	fi
	# Nothing can load modules before the root is mounted: check, where
	# a .config tells, that the guest's boot needs none.
	if [ $with_modules = 0 ] && [ -n "$config" ]; then
		for o in VIRTIO_PCI NET_9P_VIRTIO 9P_FS OVERLAY_FS TMPFS DEVTMPFS \
			BLK_DEV_INITRD SERIAL_8250_CONSOLE; do
			grep -q "^CONFIG_$o=y\$" "$config" ||
				die "$config: CONFIG_$o is not =y; the guest needs it built in"
		done
	fi
fi

# Default: the newest generic Debian kernel (tests/run/guest-kernel.sh).
if [ $custom = 1 ]; then
	:
elif [ -z "$kver" ]; then
	# The generic one: with linux-image-rt-amd64 installed too, the RT
	# kernel would sort last.
	kver=$("$here/../run/guest-kernel.sh" generic)
	[ -n "$kver" ] || die "no kernel with /boot/vmlinuz-KVER, its modules" \
		"and headers: apt-get install linux-image-amd64 linux-headers-amd64"
fi
if [ $custom = 0 ]; then
	kernel=/boot/vmlinuz-$kver
	config=/boot/config-$kver
	[ -r "$kernel" ] || die "cannot read $kernel (--kver $kver)"
	[ -d "/lib/modules/$kver/kernel" ] || die "no /lib/modules/$kver/kernel"
fi

# Under TCG the kernel's own real-mode setup and xz decompression cost about
# 4 s per boot: where the kernel has a PVH entry (CONFIG_PVH), boot the ELF
# vmlinux directly instead, extracted once from the bzImage and cached.
extract_vmlinux() { # bzImage output
	local magic off f=$1
	for magic in $'\xfd7zXZ' $'\x28\xb5\x2f\xfd' $'\x1f\x8b\x08'; do
		while read -r off; do
			tail -c +"$((off + 1))" "$f" | {
				case $magic in
				*7zXZ) xz -dc --single-stream ;;
				$'\x28'*) zstd -qdc ;;
				*) gzip -dc ;;
				esac
			} >"$2" 2>/dev/null
			[ "$(head -c 4 "$2")" = $'\x7fELF' ] && return 0
		done < <(LC_ALL=C grep -abo "$magic" "$f" | cut -d: -f1)
	done
	return 1
}
# Not with KASAN: the PVH entry runs instrumented C code (xen_prepare_pvh
# and the library calls it makes) before KASAN's shadow is mapped, and the
# guest triple-faults without a word (seen with 6.1); such a kernel boots
# from its bzImage.
pvh=0
if [ -n "$config" ] && grep -q '^CONFIG_PVH=y' "$config" 2>/dev/null &&
	! grep -q '^CONFIG_KASAN=y' "$config"; then
	pvh=1
fi
boot_image=$kernel
if [ $pvh = 1 ] && [ -n "$tree" ] &&
	[ "$(head -c 4 "$tree/vmlinux" 2>/dev/null)" = $'\x7fELF' ]; then
	# A built tree has its ELF vmlinux right there.
	boot_image=$tree/vmlinux
elif [ $pvh = 1 ]; then
	mkdir -p "$vmdir"
	vmlinux=$vmdir/vmlinux-$kver-$(stat -L -c '%s %Y' "$kernel" | sha256sum | cut -c1-16)
	if [ ! -f "$vmlinux" ]; then
		if extract_vmlinux "$kernel" "$vmlinux.$$"; then
			mv -f "$vmlinux.$$" "$vmlinux"
			find "$vmdir" -maxdepth 1 -name "vmlinux-$kver-*" \
				! -name "${vmlinux##*/}" -mmin +10 -delete 2>/dev/null || true
		else
			rm -f "$vmlinux.$$"
			echo "$prog: cannot extract vmlinux from $kernel; booting it as is" >&2
		fi
	fi
	[ -f "$vmlinux" ] && boot_image=$vmlinux
fi

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && { busybox=$b; break; }
done
[ -n "$busybox" ] || die "busybox not found: apt-get install busybox-static"
# The initramfs has no libc: a dynamically linked busybox cannot run there.
if ldd "$busybox" 2>/dev/null | grep -q '=>'; then
	die "$busybox is dynamically linked: apt-get install busybox-static"
fi

mkdir -p "$vmdir"

# Modules to mount a 9p root and an overlay, dependencies first, as
# modinfo reports them for this kernel; built-in ones need no insmod.
declare -A seen=()
modlist=()
add_module() {
	local m=$1 f dep
	[ -z "${seen[$m]-}" ] || return 0
	seen[$m]=1
	f=$(modinfo -k "$kver" -F filename "$m" 2>/dev/null) ||
		die "module $m not found for kernel $kver"
	[ "$f" = "(builtin)" ] && return 0
	for dep in $(modinfo -k "$kver" -F depends "$m" | tr , ' '); do
		add_module "$dep"
	done
	modlist+=("$f")
}
# Our own kernel has them built in (checked above where it has a .config).
if [ $with_modules = 1 ]; then
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		add_module "$m"
	done
fi

# The archive is rebuilt only when one of its inputs changes.
key=$({
	echo "kbvm initramfs 1 $kver"
	# Our own kernel: its identity, so a rebuilt one gets a fresh archive.
	[ $with_modules = 1 ] || stat -L -c '%n %s %Y' "$kernel" "$boot_image"
	stat -L -c '%n %s %Y' "$busybox" ${modlist[@]+"${modlist[@]}"}
	cat "$here/init"
} | sha256sum | cut -c1-16)
initrd=$vmdir/initramfs-$kver-$key.cpio.gz
if [ ! -f "$initrd" ]; then
	echo "$prog: building $initrd" >&2
	stage=$(mktemp -d "$vmdir/stage.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	mkdir -p "$stage"/{bin,dev,proc,sys,mnt/host,mnt/rw,newroot,lib/modules}
	cp "$busybox" "$stage/bin/busybox"
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
	done
	install -m 0755 "$here/init" "$stage/init"
	# Without the node the kernel opens no console for init (init copes).
	mknod "$stage/dev/console" c 5 1 2>/dev/null || true
	: >"$stage/modules.order"
	for f in ${modlist[@]+"${modlist[@]}"}; do
		name=$(basename "$f")
		case $name in
		*.ko) cp "$f" "$stage/lib/modules/$name" ;;
		*.ko.xz) name=${name%.xz}; xz -dc "$f" >"$stage/lib/modules/$name" ;;
		*.ko.zst) name=${name%.zst}; zstd -qdc "$f" >"$stage/lib/modules/$name" ;;
		*.ko.gz) name=${name%.gz}; gzip -dc "$f" >"$stage/lib/modules/$name" ;;
		*) die "unexpected module file $f" ;;
		esac
		echo "${name%.ko}" >>"$stage/modules.order"
	done
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --quiet -o -H newc -R 0:0) | gzip -1 >"$stage.cpio.gz"
	mv "$stage.cpio.gz" "$initrd"
	rm -rf "$stage"
	trap - EXIT
	# Archives of earlier inputs, unless a parallel run may still want one.
	find "$vmdir" -maxdepth 1 -name "initramfs-$kver-*.cpio.gz" \
		! -name "${initrd##*/}" -mmin +10 -delete 2>/dev/null || true
fi

# Accelerator: KVM only if this kernel really boots with it. Some (nested)
# hosts refuse the IA32_ARCH_CAPABILITIES MSR that "-cpu host" sets, and on
# some a Linux guest hangs in its decompressor under KVM; so boot the kernel
# with no root until it panics, which takes about a second where KVM works.
# The verdict is cached per host boot, qemu binary and kernel.
kvm_probe() { # cpu -> status
	timeout 10 qemu-system-x86_64 -nographic -no-reboot -nodefaults \
		-no-user-config -accel kvm -cpu "$1" -m 256 -smp 1 \
		-kernel "$boot_image" -append "console=ttyS0 loglevel=1 panic=-1" \
		-serial stdio </dev/null 2>/dev/null | grep -aq 'Kernel panic'
}
kvm_cpu() {
	local cpu probe qemu_bin
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	qemu_bin=$(command -v qemu-system-x86_64)
	probe=$vmdir/kvm-probe-$({
		cat /proc/sys/kernel/random/boot_id 2>/dev/null
		stat -L -c '%n %s %Y' "$qemu_bin" "$boot_image"
	} | sha256sum | cut -c1-16)
	if [ ! -f "$probe" ]; then
		echo "$prog: checking whether KVM boots $kver here" >&2
		for cpu in host host,-arch-capabilities none; do
			[ "$cpu" = none ] || ! kvm_probe "$cpu" || break
		done
		echo "$cpu" >"$probe.$$"
		mv -f "$probe.$$" "$probe"
		# Verdicts from earlier host boots are void; this boot's stay,
		# one per kernel, so alternating kernels (--kernel) never
		# probes twice (a probe that fails costs up to 20 s).
		up=$(cut -d. -f1 /proc/uptime 2>/dev/null) || up=0
		find "$vmdir" -maxdepth 1 -name 'kvm-probe-*' ! -name "${probe##*/}" \
			-mmin +$((up / 60 + 1)) -delete 2>/dev/null || true
	fi
	cpu=$(cat "$probe")
	[ "$cpu" != none ] || return 1
	echo "$cpu"
}
why=
case $accel in
auto)
	if cpu=$(kvm_cpu); then
		accel=kvm
	else
		accel=tcg
		[ -e /dev/kvm ] && why=", KVM cannot boot the guest here"
	fi
	;;
kvm) cpu=$(kvm_cpu) || die "KVM cannot boot $kver here (see .output/vm/kvm-probe-*); use --accel tcg" ;;
esac
if [ "$accel" = kvm ]; then
	accel_opts=(-accel kvm -cpu "$cpu")
else
	# KB_TCG_CPU picks the emulated model. The default, qemu64, has a
	# small XSAVE area: with "max", every signal frame carries a large
	# extended state and a SIGSYS round trip costs ~5x more under TCG
	# (60x a getppid instead of 12x), which slows the suite and skews
	# signal-path benchmarks against real hardware.
	cpu=${KB_TCG_CPU:-qemu64}
	# shellcheck disable=SC2054 # commas belong to the option value
	accel_opts=(-accel tcg,thread=multi -cpu "$cpu")
fi

# Per-run files; the guest reads them at the same path through 9p.
run=$(mktemp -d "$vmdir/run.XXXXXX")
log=$run/console.log
# shellcheck disable=SC2317 # run from the EXIT trap
cleanup() {
	[ -f "$log" ] && mv -f "$log" "$vmdir/console.log"
	rm -rf "$run"
}
trap cleanup EXIT
case $run in
*[\"[:cntrl:]]*) die "the repo path must not contain '\"' or control characters: $run" ;;
esac

shquote() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

cwd=$PWD
# A tmpfs /tmp in the guest would hide a repo or a cwd that lives there.
tmpfs_tmp=1
case "$repo/ $cwd/" in /tmp/*|*" /tmp/"*) tmpfs_tmp=0 ;; esac

tty=0 term=dumb rows=24 cols=80
if [ -t 0 ]; then
	tty=1
	case ${TERM-} in ''|*[!A-Za-z0-9._+-]*) ;; *) term=$TERM ;; esac
	if size=$(stty size 2>/dev/null); then
		rows=${size% *} cols=${size#* }
	fi
fi
nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
cat >"$run/env" <<EOF
KBVM_NONCE=$nonce
KBVM_TTY=$tty
KBVM_TMPFS_TMP=$tmpfs_tmp
KBVM_TERM=$term
KBVM_ROWS=$rows
KBVM_COLS=$cols
EOF
{
	echo "set -- $(shquote "$cwd") $(shquote "$repo")"
	cat <<'EOF'
cd -- "$1" 2>/dev/null || {
	echo "kbvm: $1 is not visible in the guest; running in $2" >&2
	cd -- "$2" || exit 125
}
set --
EOF
	for a in "$@"; do
		printf '%s ' "$(shquote "$a")"
	done
	echo
} >"$run/cmd"

echo "$prog: kernel $kver${kernel_arg:+ ($boot_image)}, accel $accel (-cpu $cpu$why)" >&2

qopt() { # QEMU option values double their commas
	printf '%s' "${1//,/,,}"
}
# sercon-port=0: SeaBIOS keeps quiet instead of resetting the terminal.
# shellcheck disable=SC2054 # commas belong to the option values
qemu=(qemu-system-x86_64 -nographic -no-reboot -nodefaults -no-user-config
	"${accel_opts[@]}" -m "$mem" -smp "$smp"
	-kernel "$boot_image" -initrd "$initrd"
	-append "console=ttyS0 quiet panic=-1 kbvm_run=\"$run\""
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-chardev "stdio,id=con,mux=on,signal=off,logfile=$(qopt "$log")"
	-serial chardev:con
	-fw_cfg name=etc/sercon-port,string=0)

set +e
if [ "$tty" = 1 ]; then
	# Interactive: the terminal talks to the guest directly (^A x quits;
	# ^C goes to the guest's command).
	timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" -mon chardev=con \
		2>"$run/qemu.err"
	qrc=$?
else
	# The filter reads a FIFO so that both it and qemu run in the
	# background, where a signal to this script can stop qemu first.
	begin="KBVM-BEGIN-$nonce"
	end="KBVM-END-$nonce"
	mkfifo "$run/out"
	sed -u -n -e 's/\r//g' -e "/$begin\$/,/$end status=/{
		/$begin\$/d
		/$end status=/{s/$end status=.*//;/^\$/d;}
		p
	}" <"$run/out" &
	fpid=$!
	timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" \
		</dev/null >"$run/out" 2>"$run/qemu.err" &
	qpid=$!
	# shellcheck disable=SC2317 # run from the traps below
	on_signal() { # exit status
		kill -TERM "$qpid" 2>/dev/null
		wait "$qpid" "$fpid"
		exit "$1"
	}
	trap 'on_signal 129' HUP
	trap 'on_signal 130' INT
	trap 'on_signal 143' TERM
	wait "$qpid"
	qrc=$?
	wait "$fpid"
	trap - HUP INT TERM
fi
set -e

clean_log() {
	tr -d '\r' <"$log"
}
status=$(clean_log | sed -n "s/.*KBVM-END-$nonce status=\([0-9]*\)\$/\1/p" | head -n 1)
if [ -z "$status" ] || ! clean_log | grep -q "^KBVM-DONE-$nonce\$"; then
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		echo "$prog: timed out after ${timeout_s}s" >&2
	else
		echo "$prog: the guest stopped before the command finished" \
			"(qemu exit status $qrc)" >&2
	fi
	echo "$prog: last lines of the console ($vmdir/console.log):" >&2
	clean_log | tail -n 40 | sed 's/^/  | /' >&2
	if [ -s "$run/qemu.err" ]; then
		echo "$prog: qemu said:" >&2
		sed 's/^/  | /' "$run/qemu.err" >&2
	fi
	exit 99
fi
bad=$(clean_log | sed -n "/^KBVM-DMESG-$nonce\$/,/^KBVM-DONE-$nonce\$/p" | sed '1d;$d')
if [ -n "$bad" ]; then
	echo "$prog: FAIL: the guest kernel logged BUG/WARNING/Oops lines" \
		"(command exit status $status):" >&2
	printf '%s\n' "$bad" | sed 's/^/  | /' >&2
	exit 98
fi
exit "$status"
