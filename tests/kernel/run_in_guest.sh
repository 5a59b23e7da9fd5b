#!/usr/bin/env bash
# Runs a command inside a throw-away qemu guest whose kernel has the real
# binder driver (Debian's binder_linux.ko, by default devices=binder), so
# that tests written for binderd can be run unchanged against the kernel.
#
# Usage: run_in_guest.sh [--timeout SECONDS] [--file HOSTPATH[:GUESTPATH]]...
#                        [--binderd HOSTPATH] [--binder-devices NAMES]
#                        -- COMMAND...
#
#  --file     copies HOSTPATH into the guest at GUESTPATH (default:
#             /bin/BASENAME, which is on the guest's PATH). ELF files bring
#             the shared libraries they need (found with ldd) and the
#             dynamic loader. Repeat for each file.
#  --binderd  copies binderd into the guest, starts it there on
#             /tmp/binderd.sock before COMMAND and points BINDER_DEVICE at
#             that socket instead of /dev/binder.
#  --timeout  seconds for the whole boot + run (default 300); past it qemu
#             is killed and the script fails.
#  --binder-devices  binder_linux's devices= parameter: comma-separated
#             names, each becoming /dev/NAME (default "binder"; e.g.
#             "binder,hostb" for two separate binder contexts in one guest).
#             BINDER_DEVICE stays /dev/binder (or binderd's socket).
#
# The guest: busybox (from busybox-static) as the shell, /init mounts proc,
# sysfs, devtmpfs, tmpfs on /tmp and /dev/shm, loads binder_linux.ko, runs
# COMMAND in /tmp with BINDER_DEVICE set, prints a marker line with its exit
# status on the serial console and powers off. The host streams the console
# to stdout and exits with COMMAND's status (125 if the guest never reported
# one: boot failure, kernel panic, timeout).
#
# Kernel and module: the newest /boot/vmlinuz-VERSION that has a matching
# /lib/modules/VERSION/kernel/drivers/android/binder_linux.ko (Debian package
# linux-image-*-amd64-unsigned), or $BINDER_GUEST_KERNEL and
# $BINDER_GUEST_MODULE when set.
set -u

die() {
	echo "run_in_guest: $*" >&2
	exit 125
}

timeout_seconds=300
files=()
binderd=
binder_devices=binder
while [ $# -gt 0 ]; do
	case $1 in
	--timeout)
		[ $# -ge 2 ] || die "--timeout needs a value"
		timeout_seconds=$2
		shift 2
		;;
	--file)
		[ $# -ge 2 ] || die "--file needs a value"
		files+=("$2")
		shift 2
		;;
	--binderd)
		[ $# -ge 2 ] || die "--binderd needs a value"
		binderd=$2
		shift 2
		;;
	--binder-devices)
		[ $# -ge 2 ] || die "--binder-devices needs a value"
		binder_devices=$2
		shift 2
		;;
	--)
		shift
		break
		;;
	*)
		die "unknown option '$1' (usage: run_in_guest.sh [--timeout S] [--file HOST[:GUEST]]... [--binderd PATH] [--binder-devices NAMES] -- COMMAND...)"
		;;
	esac
done
[ $# -gt 0 ] || die "no command given after --"
case $timeout_seconds in
'' | *[!0-9]*) die "--timeout must be a whole number of seconds" ;;
esac
case $binder_devices in
'' | ,* | *, | *,,* | *[!A-Za-z0-9_,-]*) die "--binder-devices: comma-separated names of [A-Za-z0-9_-]" ;;
esac

# Finds the newest kernel that ships binder_linux.ko, without naming its ABI.
find_kernel() {
	local candidate version best_version=
	for candidate in /lib/modules/*/kernel/drivers/android/binder_linux.ko; do
		[ -f "$candidate" ] || continue
		version=${candidate#/lib/modules/}
		version=${version%%/*}
		[ -f "/boot/vmlinuz-$version" ] || continue
		best_version=$(printf '%s\n%s\n' "$best_version" "$version" | sort -V | tail -n 1)
	done
	[ -n "$best_version" ] || return 1
	kernel=${BINDER_GUEST_KERNEL:-/boot/vmlinuz-$best_version}
	module=${BINDER_GUEST_MODULE:-/lib/modules/$best_version/kernel/drivers/android/binder_linux.ko}
}

kernel=${BINDER_GUEST_KERNEL:-}
module=${BINDER_GUEST_MODULE:-}
if [ -z "$kernel" ] || [ -z "$module" ]; then
	find_kernel || die "no /boot/vmlinuz-* with a binder_linux.ko (install linux-image-*-amd64-unsigned)"
fi
[ -r "$kernel" ] || die "cannot read kernel $kernel"
[ -r "$module" ] || die "cannot read module $module"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (install qemu-system-x86)"
busybox=$(command -v busybox) || die "busybox not found (install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked: install busybox-static"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/run_in_guest.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

root=$work/root
# Merged-/usr layout, like the host, so that library paths from ldd resolve.
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,proc,sys,dev,tmp,run} || die "mkdir failed"
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
cp "$busybox" "$root/bin/busybox" || die "copy busybox failed"
ln -s busybox "$root/bin/sh"
mkdir -p "$root/lib/modules"
cp "$module" "$root/lib/modules/binder_linux.ko" || die "copy module failed"

# Copies one host file (and, for ELF files, its libraries) into the guest.
copied_libraries=" "
add_file() {
	local host_path=$1 guest_path=$2 library
	[ -f "$host_path" ] || die "no such file: $host_path"
	mkdir -p "$root$(dirname "$guest_path")" || die "mkdir for $guest_path failed"
	cp -L "$host_path" "$root$guest_path" || die "copy $host_path failed"
	# ldd lists "name => /path (addr)" and the loader as "/path (addr)".
	while read -r library; do
		case $copied_libraries in *" $library "*) continue ;; esac
		copied_libraries+="$library "
		mkdir -p "$root$(dirname "$library")"
		cp -L "$library" "$root$library" || die "copy library $library failed"
	done < <(ldd "$host_path" 2>/dev/null |
		sed -n -e 's/^.*=> \(\/[^ ]*\) (0x.*$/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*$/\1/p')
}

for spec in "${files[@]}"; do
	host_path=${spec%%:*}
	if [ "$host_path" = "$spec" ]; then
		guest_path=/bin/$(basename "$host_path")
	else
		guest_path=${spec#*:}
	fi
	case $guest_path in /*) ;; *) guest_path=/$guest_path ;; esac
	add_file "$host_path" "$guest_path"
done
if [ -n "$binderd" ]; then
	add_file "$binderd" /bin/binderd
fi

# Quotes each argument for the guest's sh ('...' with ' as '\'').
quote() {
	local arg quoted=
	for arg in "$@"; do
		quoted+="'${arg//\'/\'\\\'\'}' "
	done
	printf '%s\n' "$quoted"
}

# The guest's /init is guest_init.sh; it reads the marker and the command
# from /etc/run_in_guest/.
marker="run_in_guest-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$root/etc/run_in_guest"
cp "$(dirname "$0")/guest_init.sh" "$root/init" || die "copy guest_init.sh failed"
chmod 755 "$root/init"
{
	echo "marker=$marker"
	echo "start_binderd=$([ -n "$binderd" ] && echo 1 || echo 0)"
	echo "binder_devices=$binder_devices"
} >"$root/etc/run_in_guest/settings"
quote "$@" >"$root/etc/run_in_guest/command"

# The console device node goes in through a hand-written newc entry, so
# that no mknod (and no root) is needed; the kernel unpacks concatenated
# archives in order.
newc_entry() { # name mode rdev_major rdev_minor
	local name=$1 mode=$2 major=$3 minor=$4 namesize header padding
	namesize=$((${#name} + 1))
	header=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0)
	printf '%s%s\0' "$header" "$name"
	padding=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$padding" /dev/zero
}
initramfs=$work/initramfs.cpio
{
	newc_entry dev $((0040755)) 0 0
	newc_entry dev/console $((0020600)) 5 1
	newc_entry 'TRAILER!!!' 0 0 0
	# pad the first archive to a 512-byte boundary, as cpio does
} >"$work/console.cpio"
size=$(stat -c %s "$work/console.cpio")
head -c $(((512 - size % 512) % 512)) /dev/zero >>"$work/console.cpio"
(cd "$root" && find . -mindepth 1 | sed 's|^\./||' | "$busybox" cpio -o -H newc 2>/dev/null) >"$work/tree.cpio" ||
	die "cpio failed"
cat "$work/console.cpio" "$work/tree.cpio" >"$initramfs"

# The Debian bzImage is xz-compressed, and its decompression stub takes
# ~3.5 s under software emulation; the kernel also has a PVH entry point, so
# qemu can boot the uncompressed ELF directly. It is extracted once per
# kernel into a cache (atomically: ctest may run two guests at once); any
# failure falls back to the bzImage.
uncompressed_kernel() {
	local cache_dir=${BINDER_GUEST_CACHE_DIR:-${TMPDIR:-/tmp}/run_in_guest-cache-$(id -u)}
	local key offset target partial
	key=$(stat -L -c '%s-%Y' "$kernel") || return 1
	target=$cache_dir/vmlinux-$(basename "$kernel")-$key
	if [ ! -f "$target" ]; then
		mkdir -p "$cache_dir" || return 1
		offset=$(grep -abo -m 1 $'\xfd7zXZ\x00' "$kernel" | head -n 1 | cut -d: -f1)
		[ -n "$offset" ] || return 1
		partial=$(mktemp "$cache_dir/.vmlinux.XXXXXX") || return 1
		if ! tail -c +$((offset + 1)) "$kernel" | xz -dc --single-stream >"$partial" 2>/dev/null ||
			[ "$(head -c 4 "$partial")" != $'\x7fELF' ]; then
			rm -f "$partial"
			return 1
		fi
		mv -f "$partial" "$target" || return 1
	fi
	printf '%s\n' "$target"
}
boot_kernel=$kernel
if command -v xz >/dev/null && vmlinux=$(uncompressed_kernel); then
	boot_kernel=$vmlinux
fi

# Boots. qboot (a small firmware) boots faster than SeaBIOS when present.
firmware=()
[ -f /usr/share/qemu/qboot.rom ] && firmware=(-bios /usr/share/qemu/qboot.rom)
log=$work/console.log
timeout -k 2 "$timeout_seconds" qemu-system-x86_64 "${firmware[@]}" \
	-nodefaults -no-user-config -nographic -serial stdio -monitor none \
	-no-reboot -m 1024 -smp 2 -kernel "$boot_kernel" -initrd "$initramfs" \
	-append "console=ttyS0 panic=-1 quiet" </dev/null 2>&1 | tee "$log"
qemu_status=${PIPESTATUS[0]}
if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
	echo "run_in_guest: guest did not finish within $timeout_seconds s; killed qemu" >&2
	exit 125
fi
status=$(tr -d '\r' <"$log" | sed -n "s/^.*$marker exit-status \([0-9]*\).*$/\1/p" | tail -n 1)
if [ -z "$status" ]; then
	echo "run_in_guest: the guest never reported an exit status (boot failure or crash; see output above)" >&2
	exit 125
fi
exit "$status"
