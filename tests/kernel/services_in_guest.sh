#!/bin/sh
# Runs inside the qemu guest (busybox sh), on the kernel's /dev/binder:
# servicemanager, the calculator service, its client and binder-service,
# all unchanged. Exits non-zero at the first step that does not do what it
# should. Started by the libbinder_services_kernel ctest.
set -u
fail() {
	echo "services_in_guest: $*" >&2
	exit 1
}
servicemanager --ready-fd 3 3>/tmp/ready 2>/tmp/servicemanager.log &
manager=$!
i=0
while [ "$(cat /tmp/ready 2>/dev/null)" != ready ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "servicemanager did not start: $(cat /tmp/servicemanager.log)"
	sleep 0.1
done
calculator_service 2>/tmp/calculator.log &
service=$!
binder-service wait calculator --timeout 10000 || fail "calculator did not register"
out=$(calculator_client add 2 3) || fail "calculator_client failed"
echo "$out"
[ "$out" = "2 + 3 = 5" ] || fail "unexpected answer: $out"
out=$(calculator_client sub 7 10) || fail "calculator_client sub failed"
echo "$out"
[ "$out" = "7 - 10 = -3" ] || fail "unexpected answer: $out"
binder-service list --long || fail "binder-service list failed"
binder-service call calculator 1 --intf i32:40 i32:2 --reply ex,i32 || fail "binder-service call failed"
kill -TERM $service
wait $service || fail "the calculator service did not exit cleanly: $(cat /tmp/calculator.log)"
i=0
while binder-service check calculator >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "servicemanager still lists the stopped service"
	sleep 0.1
done
kill -TERM $manager
wait $manager || fail "servicemanager did not exit cleanly: $(cat /tmp/servicemanager.log)"
echo "services_in_guest: all steps passed"
