#!/usr/bin/env bash
# Runs a command against a private binderd: starts BINDERD (first argument)
# on a fresh socket in a temporary directory, waits for the socket, exports
# BINDER_DEVICE, runs the rest of the arguments, then stops binderd with
# SIGTERM and fails if binderd did not exit cleanly (crash, sanitizer report,
# leak) or the command failed.
set -u
binderd=$1
shift
dir=$(mktemp -d /tmp/binderd-test.XXXXXX)
sock=$dir/binder.sock
"$binderd" --socket "$sock" --log-level warning 2>"$dir/binderd.log" &
pid=$!
# Killed from outside (a ctest timeout): take binderd and the command along.
command_pid=
trap 'kill -TERM $command_pid $pid 2>/dev/null; rm -rf "$dir"; exit 143' TERM INT
for _ in $(seq 1 200); do
	[ -S "$sock" ] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "with_binderd: binderd exited before listening:" >&2
		cat "$dir/binderd.log" >&2
		exit 1
	fi
	sleep 0.05
done
if [ ! -S "$sock" ]; then
	echo "with_binderd: binderd did not create $sock" >&2
	kill -KILL "$pid" 2>/dev/null
	exit 1
fi
export BINDER_DEVICE=$sock
export BINDERD_PID=$pid
"$@" &
command_pid=$!
wait "$command_pid"
status=$?
kill -TERM "$pid" 2>/dev/null
binderd_status=0
wait "$pid" || binderd_status=$?
if [ "$binderd_status" -ne 0 ]; then
	echo "with_binderd: binderd exited with status $binderd_status; its log:" >&2
	cat "$dir/binderd.log" >&2
	[ "$status" -eq 0 ] && status=1
fi
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$dir/binderd.log"; then
	echo "with_binderd: sanitizer report from binderd:" >&2
	cat "$dir/binderd.log" >&2
	[ "$status" -eq 0 ] && status=1
fi
rm -rf "$dir"
exit "$status"
