#!/usr/bin/env bash
# run_calculator.sh - runs DIR/calculator_service, then DIR/calculator_client
# add 2 3 (which waits, bounded, for the service to be registered) and
# checks its answer; stops the service after. Run under with_services.sh.
set -uo pipefail
dir=$1

"$dir/calculator_service" 2>"$dir/service.log" &
service_pid=$!
answer=$("$dir/calculator_client" add 2 3)
client_status=$?
kill -TERM "$service_pid" 2>/dev/null
wait "$service_pid"
service_status=$?

if [ "$client_status" -ne 0 ] || [ "$answer" != "2 + 3 = 5" ]; then
	echo "run_calculator: client exited $client_status and said \"$answer\"" >&2
	cat "$dir/service.log" >&2
	exit 1
fi
if [ "$service_status" -ne 0 ]; then
	echo "run_calculator: the service exited with status $service_status" >&2
	cat "$dir/service.log" >&2
	exit 1
fi
