#!/bin/sh
# /init of the guest that run_in_guest.sh boots (busybox sh, PID 1): mounts
# the pseudo file systems, loads the kernel binder driver, optionally starts
# binderd, runs the command from /etc/run_in_guest/command with
# BINDER_DEVICE set, reports its exit status on the console as one marker
# line, and powers off. /etc/run_in_guest/settings gives the marker,
# whether to start binderd and binder_linux's devices= list (default
# "binder").
/bin/busybox --install -s /bin
export PATH=/bin:/sbin HOME=/tmp TMPDIR=/tmp
marker=run_in_guest
start_binderd=0
binder_devices=binder
# shellcheck source=/dev/null
. /etc/run_in_guest/settings

report() {
	# Quiet the kernel's console messages so that none splits the line.
	echo 1 >/proc/sys/kernel/printk
	echo
	echo "$marker exit-status $1"
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
ln -s /proc/self/fd /dev/fd
stty -F /dev/console -onlcr 2>/dev/null

if ! insmod /lib/modules/binder_linux.ko "devices=$binder_devices"; then
	echo "guest: insmod binder_linux.ko failed"
	report 125
fi
export BINDER_DEVICE=/dev/binder

binderd_pid=
if [ "$start_binderd" = 1 ]; then
	binderd --socket /tmp/binderd.sock >/tmp/binderd.log 2>&1 &
	binderd_pid=$!
	tries=0
	while [ ! -S /tmp/binderd.sock ] && [ "$tries" -lt 200 ]; do
		kill -0 "$binderd_pid" 2>/dev/null || break
		sleep 0.05
		tries=$((tries + 1))
	done
	if [ ! -S /tmp/binderd.sock ]; then
		echo "guest: binderd did not create /tmp/binderd.sock; its log:"
		cat /tmp/binderd.log
		report 125
	fi
	export BINDER_DEVICE=/tmp/binderd.sock
fi

cd /tmp || report 125
sh /etc/run_in_guest/command </dev/null
status=$?

if [ -n "$binderd_pid" ]; then
	kill -TERM "$binderd_pid"
	wait "$binderd_pid"
	binderd_status=$?
	if [ "$binderd_status" -ne 0 ] ||
		grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" /tmp/binderd.log; then
		echo "guest: binderd exited with status $binderd_status or reported an error; its log:"
		cat /tmp/binderd.log
		[ "$status" -eq 0 ] && status=1
	fi
fi
sync
report "$status"
