#!/usr/bin/env bash
# no_manager_test.sh - what a user sees first when servicemanager is not
# running: binder-service's commands and the calculator example name the
# problem ("no context manager on DEVICE (is servicemanager running?)")
# instead of a bare "dead object", and exit with status 1.
# Run under tests/with_binderd.sh (a binderd, no servicemanager):
#   no_manager_test.sh BINDER_SERVICE CALCULATOR_CLIENT CALCULATOR_SERVICE
set -uo pipefail
tool=$1
calculator_client=$2
calculator_service=$3

expected="no context manager on $BINDER_DEVICE (is servicemanager running?)"
failures=0

# expect NAME COMMAND...: COMMAND exits 1 and says $expected on stderr.
expect() {
	local name=$1 status
	shift
	# Bounded: a command that hangs fails (timeout exits 124).
	timeout 30 "$@" >/dev/null 2>"$stderr_file"
	status=$?
	if [ "$status" -ne 1 ] || ! grep -qF "$expected" "$stderr_file"; then
		echo "FAIL: $name: exit status $status, stderr:" >&2
		sed 's/^/  /' "$stderr_file" >&2
		failures=$((failures + 1))
	else
		echo "ok: $name"
	fi
}

stderr_file=$(mktemp)
trap 'rm -f "$stderr_file"' EXIT

expect "list" "$tool" list
expect "check" "$tool" check some.service
expect "wait" "$tool" wait some.service --timeout 100
expect "ping" "$tool" ping some.service
expect "call" "$tool" call some.service 1 i32:1
expect "--device" "$tool" --device "$BINDER_DEVICE" list
expect "calculator_client" "$calculator_client" add 2 3
expect "calculator_service" "$calculator_service"
exit $((failures > 0))
