#!/usr/bin/env bash
# Runs a command against a private binderd and servicemanager:
#   tests/with_services.sh BINDERD SERVICEMANAGER [--policy FILE] CMD...
# Starts BINDERD on a fresh socket in a temporary directory, then
# SERVICEMANAGER on it, and waits until servicemanager is the context manager
# (it writes "ready" on the fd named by --ready-fd). Exports BINDER_DEVICE,
# BINDERD_PID and SERVICEMANAGER_PID, runs CMD, then stops both with SIGTERM.
# Fails if CMD failed or if either daemon did not exit cleanly (non-zero
# status, crash, sanitizer report, leak). Their logs are printed on failure.
set -u
if [ $# -lt 3 ]; then
	echo "usage: with_services.sh BINDERD SERVICEMANAGER [--policy FILE] CMD..." >&2
	exit 2
fi
binderd=$1
servicemanager=$2
shift 2
policy_args=()
if [ "$1" = --policy ]; then
	if [ $# -lt 3 ]; then
		echo "with_services: --policy needs a file and a command" >&2
		exit 2
	fi
	policy_args=(--policy "$2")
	shift 2
fi

dir=$(mktemp -d /tmp/binder-services.XXXXXX)
# Reachable by every uid: tests may drop privileges to try the policy.
chmod 755 "$dir"
sock=$dir/binder.sock
binderd_pid=
servicemanager_pid=
command_pid=
# Killed from outside (a ctest timeout): take the daemons and the command along.
trap 'kill -TERM $command_pid $servicemanager_pid $binderd_pid 2>/dev/null; rm -rf "$dir"; exit 143' TERM INT

show_logs() {
	echo "--- binderd log:" >&2
	cat "$dir/binderd.log" >&2
	echo "--- servicemanager log:" >&2
	cat "$dir/servicemanager.log" >&2 2>/dev/null
}

give_up() {
	echo "with_services: $1" >&2
	show_logs
	kill -TERM $servicemanager_pid $binderd_pid 2>/dev/null
	wait
	rm -rf "$dir"
	exit 1
}

"$binderd" --socket "$sock" --log-level warning 2>"$dir/binderd.log" &
binderd_pid=$!
for _ in $(seq 1 200); do
	[ -S "$sock" ] && break
	kill -0 "$binderd_pid" 2>/dev/null || give_up "binderd exited before listening"
	sleep 0.05
done
[ -S "$sock" ] || give_up "binderd did not create $sock"

# servicemanager writes "ready" on fd 3, a file here, once it is the
# context manager.
: >"$dir/ready"
"$servicemanager" --device "$sock" --log-level warning --ready-fd 3 "${policy_args[@]}" \
	3>"$dir/ready" 2>"$dir/servicemanager.log" &
servicemanager_pid=$!
ready=
why="it did not say ready within 20 s"
for _ in $(seq 1 400); do
	if [ "$(cat "$dir/ready")" = ready ]; then
		ready=1
		break
	fi
	if ! kill -0 "$servicemanager_pid" 2>/dev/null; then
		servicemanager_status=0
		wait "$servicemanager_pid" || servicemanager_status=$?
		why="it exited with status $servicemanager_status"
		servicemanager_pid=
		break
	fi
	sleep 0.05
done
[ -n "$ready" ] || give_up "servicemanager did not become the context manager: $why"

export BINDER_DEVICE=$sock
export BINDERD_PID=$binderd_pid
export SERVICEMANAGER_PID=$servicemanager_pid
"$@" &
command_pid=$!
wait "$command_pid"
status=$?
[ "$status" -ne 0 ] && echo "with_services: the command exited with status $status" >&2

# servicemanager first: it is a client of binderd.
kill -TERM "$servicemanager_pid" 2>/dev/null
servicemanager_status=0
wait "$servicemanager_pid" || servicemanager_status=$?
kill -TERM "$binderd_pid" 2>/dev/null
binderd_status=0
wait "$binderd_pid" || binderd_status=$?

daemons_ok=1
if [ "$servicemanager_status" -ne 0 ]; then
	echo "with_services: servicemanager exited with status $servicemanager_status" >&2
	daemons_ok=
fi
if [ "$binderd_status" -ne 0 ]; then
	echo "with_services: binderd exited with status $binderd_status" >&2
	daemons_ok=
fi
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" \
	"$dir/binderd.log" "$dir/servicemanager.log"; then
	echo "with_services: sanitizer report from a daemon" >&2
	daemons_ok=
fi
if [ -z "$daemons_ok" ]; then
	[ "$status" -eq 0 ] && status=1
fi
[ "$status" -ne 0 ] && show_logs
rm -rf "$dir"
exit "$status"
