#!/bin/sh
# Runs inside the qemu guest (busybox sh) that bridge_kernel.sh boots with
# binder_linux's devices=binder,hostb: the bridge scenario on the kernel
# driver, with two "hosts" in one guest, bridged over loopback TLS.
#
#  host B (/dev/hostb): servicemanager, calculator_service, callback_service
#                       ("worker"), bridged exporting calculator and worker
#                       to hosta, listening on 127.0.0.1.
#  host A (/dev/binder): servicemanager, bridged importing both from hostb
#                       under the same names.
#
# Checked on A: calculator_client add 2 3 says "2 + 3 = 5"; binder-service
# call calculator 1 gives "i32: 5"; callback_client 5 gets sum 15 and the
# listener's calls back (hostb's worker calls an object of A's client, so
# objects cross the bridge both ways); then every process stops on SIGTERM
# with status 0 and A's servicemanager forgets the imports once bridged A
# is gone. Certificates and configs are in /etc/bridged (made by
# bridge_kernel.sh). Exits non-zero at the first step that does not do what
# it should, after printing every daemon's log.
#
# Bounded everywhere: each client runs under `timeout`, each wait polls for
# at most a fixed number of seconds (generous: the guest may run without
# KVM).
set -u

A=/dev/binder
B=/dev/hostb
LOGS="servicemanager_a servicemanager_b calculator_service callback_service bridged_b bridged_a"

dump_logs() {
	for name in $LOGS; do
		[ -f "/tmp/$name.log" ] || continue
		echo "----- $name.log -----"
		cat "/tmp/$name.log"
	done
	echo "----- end of logs -----"
}

fail() {
	echo "bridge_in_guest: FAILED: $*" >&2
	dump_logs
	echo "----- the kernel's binder messages -----"
	dmesg | grep -i binder | tail -n 50
	exit 1
}

step() {
	echo "bridge_in_guest: $*"
}

# wait_for_line FILE TEXT SECONDS: until FILE has a line containing TEXT.
wait_for_line() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($3 * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# stop NAME PID SECONDS: SIGTERM, then wait (bounded) for a clean exit.
stop() {
	kill -TERM "$2" 2>/dev/null || fail "$1 (pid $2) was already gone"
	i=0
	while kill -0 "$2" 2>/dev/null; do
		# A zombie still answers kill -0; wait reaps it below.
		state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$2/status" 2>/dev/null)
		[ "$state" = Z ] && break
		i=$((i + 1))
		if [ $i -gt $(($3 * 10)) ]; then
			kill -KILL "$2" 2>/dev/null
			wait "$2" 2>/dev/null
			fail "$1 did not exit within $3 s of SIGTERM"
		fi
		sleep 0.1
	done
	wait "$2"
	status=$?
	[ "$status" -eq 0 ] || fail "$1 exited with status $status after SIGTERM"
	step "$1 stopped cleanly"
}

start_servicemanager() { # NAME DEVICE
	rm -f "/tmp/$1.ready"
	servicemanager --device "$2" --ready-fd 3 3>"/tmp/$1.ready" 2>"/tmp/$1.log" &
	pid=$!
	wait_for_line "/tmp/$1.ready" ready 60 || fail "$1 on $2 did not start"
}

if [ ! -c $A ] || [ ! -c $B ]; then
	fail "no $A and $B (binder_linux needs devices=binder,hostb): $(ls /dev)"
fi

# Loopback only: the two bridged talk over 127.0.0.1.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up || fail "cannot bring lo up"

start_servicemanager servicemanager_a $A
manager_a=$pid
start_servicemanager servicemanager_b $B
manager_b=$pid
step "servicemanagers up on $A (host A) and $B (host B)"

BINDER_DEVICE=$B calculator_service 2>/tmp/calculator_service.log &
calculator=$!
BINDER_DEVICE=$B callback_service 2>/tmp/callback_service.log &
worker=$!
binder-service --device $B wait calculator --timeout 60000 >/dev/null ||
	fail "calculator did not register on $B"
binder-service --device $B wait worker --timeout 60000 >/dev/null ||
	fail "worker did not register on $B"
binder-service --device $A check calculator >/dev/null 2>&1 &&
	fail "calculator is on $A before any bridge: the two devices are not separate"
step "calculator and worker registered on host B"

bridged --config /etc/bridged/hostb.conf 2>/tmp/bridged_b.log &
bridged_b=$!
wait_for_line /tmp/bridged_b.log "node hostb ready" 60 || fail "bridged B did not start"
bridged --config /etc/bridged/hosta.conf 2>/tmp/bridged_a.log &
bridged_a=$!
binder-service --device $A wait calculator --timeout 120000 >/dev/null ||
	fail "bridged A did not import calculator onto $A"
binder-service --device $A wait worker --timeout 120000 >/dev/null ||
	fail "bridged A did not import worker onto $A"
step "bridged A imported calculator and worker from host B"

out=$(BINDER_DEVICE=$A timeout 120 calculator_client add 2 3) ||
	fail "calculator_client add 2 3 failed ($?): $out"
echo "$out"
[ "$out" = "2 + 3 = 5" ] || fail "calculator_client: unexpected answer: $out"

out=$(timeout 120 binder-service --device $A call calculator 1 --intf --reply ex,i32 \
	i32:2 i32:3) || fail "binder-service call calculator failed ($?): $out"
echo "$out"
echo "$out" | grep -qx "i32: 5" || fail "binder-service call: no 'i32: 5' in: $out"

out=$(BINDER_DEVICE=$A timeout 120 callback_client 5)
status=$?
if [ "$status" -ne 0 ]; then
	# A known way to lose the oneway onFinished: hostb sends the oneway
	# call, then the Release of the listener's node; bridged A runs the
	# Release on a worker before its oneway thread runs the call, which
	# then finds no such node.
	grep -q "refused: call to unknown node" /tmp/bridged_a.log &&
		echo "bridge_in_guest: bridged A refused a call to a node it had just" \
			"released: a Release overtook a oneway call (bridged bug)" >&2
	fail "callback_client 5 failed ($status): $out"
fi
echo "$out"
echo "$out" | grep -qF "client: sum(1..5) returned 15" || fail "callback_client: no sum 15 in: $out"
echo "$out" | grep -qF "listener: onFinished(15)" || fail "callback_client: no onFinished(15) in: $out"
[ "$(echo "$out" | grep -c "listener: onProgress(")" -eq 5 ] ||
	fail "callback_client: not 5 onProgress calls in: $out"
step "calls through the bridge on the kernel driver gave the right answers"

stop "bridged A" "$bridged_a" 60
# Its imports die with it: A's servicemanager learns of their deaths.
i=0
while binder-service --device $A check calculator >/dev/null 2>&1 ||
	binder-service --device $A check worker >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 300 ] && fail "servicemanager A still lists the imports after bridged A stopped"
	sleep 0.1
done
stop "bridged B" "$bridged_b" 60
stop calculator_service "$calculator" 30
stop callback_service "$worker" 30
stop "servicemanager A" "$manager_a" 30
stop "servicemanager B" "$manager_b" 30

if grep -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" /tmp/*.log; then
	fail "a sanitizer reported an error"
fi
dump_logs
echo "bridge_in_guest: all steps passed"
