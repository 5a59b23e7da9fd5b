#!/usr/bin/env bash
# binderctl, binderd's control socket and its metrics, end to end:
#   debug_test.sh MODE BINDERD SERVICEMANAGER BINDERCTL DEBUG_PROBE CONTROL_PROBE
# Starts a real binderd (--metrics on a free port; as root also
# --control-group CONTROL_GID) and servicemanager in a temporary directory,
# runs debug_probe services and clients on them, and checks what binderctl
# and /metrics show. MODE:
#   failed   a call to a handle nobody holds, to a service killed with
#            SIGKILL, and with more data than the target's receive area:
#            each is in `binderctl failed` with its reason
#   state    while a call blocks in a service's handler, `binderctl state`
#            shows the client's ref on the service's node and the call on
#            both threads; `binderctl transactions` shows the call
#   json     every view with --json is one JSON document
#   metrics  /metrics answers a plain HTTP GET; counters move with calls
#   access   (root only, else exit 77) nobody cannot read the control
#            socket: neither through its mode nor, with the mode bypassed
#            (CAP_DAC_OVERRIDE), past binderd's own check; members of the
#            control group and root can
#   protocol the control socket's limits (control_probe): connections at
#            once, request timeout and size, bad requests
# Then stops both daemons with SIGTERM: they must exit cleanly, and the
# control socket must be gone. Every wait is bounded; no timing is judged.
set -u
if [ $# -ne 6 ]; then
	echo "usage: debug_test.sh MODE BINDERD SERVICEMANAGER BINDERCTL DEBUG_PROBE CONTROL_PROBE" >&2
	exit 2
fi
mode=$1
binderd=$2
servicemanager=$3
binderctl=$4
probe=$5
control_probe=$6

# Seconds any one command may take.
COMMAND_TIMEOUT=20
# Rounds of 0.1 s when polling for a state (bounded waits).
POLL_ROUNDS=200
# A gid nobody is in (the control group of the access test).
CONTROL_GID=54321
# More than the 1 MiB - 8 KiB receive area libbinder maps by default.
BIG_PAYLOAD=$((3 << 19))
# A handle no process holds.
BAD_HANDLE=4242
# Calls made between two scrapes.
METRICS_CALLS=5
SERVICE=debug.target
# debug_probe's codes.
CODE_BLOCK=1
CODE_ECHO=2
EXIT_SKIP=77

if [ "$mode" = access ] && [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the access test runs binderctl as other users: root only" >&2
	exit $EXIT_SKIP
fi

dir=$(mktemp -d /tmp/binder-debug.XXXXXX)
# Reachable by every uid: the access test runs binderctl as nobody.
chmod 755 "$dir"
sock=$dir/binder.sock
control=$sock.control
binderd_pid=
servicemanager_pid=
helper_pids=()
failures=0
checks=0

show_logs() {
	for log in "$dir"/*.log; do
		echo "--- $(basename "$log"):" >&2
		cat "$log" >&2
	done
}

stop_helpers() {
	for pid in "${helper_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	helper_pids=()
}

give_up() {
	echo "debug_test: $1" >&2
	show_logs
	stop_helpers
	kill -TERM $servicemanager_pid $binderd_pid 2>/dev/null
	wait
	rm -rf "$dir"
	exit 1
}
trap 'stop_helpers; kill -TERM $servicemanager_pid $binderd_pid 2>/dev/null; rm -rf "$dir"; exit 143' TERM INT

fail() {
	echo "FAIL: $1" >&2
	failures=$((failures + 1))
}

check() {
	checks=$((checks + 1))
	if ! eval "$2"; then
		fail "$1"
		return 1
	fi
}

# ctl ARGS...: binderctl on our binderd; sets $out, $err and $status.
ctl() {
	out=$(timeout $COMMAND_TIMEOUT "$binderctl" --socket "$sock" "$@" 2>"$dir/ctl.err")
	status=$?
	err=$(cat "$dir/ctl.err")
}

# poll DESCRIPTION COMMAND: runs COMMAND (a string) until it succeeds, at
# most POLL_ROUNDS times.
poll() {
	for _ in $(seq 1 $POLL_ROUNDS); do
		eval "$2" && return 0
		sleep 0.1
	done
	give_up "timed out waiting for $1"
}

start_daemons() {
	local group_args=()
	[ "$(id -u)" -eq 0 ] && group_args=(--control-group $CONTROL_GID)
	"$binderd" --socket "$sock" --log-level info --metrics 0 "${group_args[@]}" \
		2>"$dir/binderd.log" &
	binderd_pid=$!
	poll "binderd's sockets" '[ -S "$sock" ] && [ -S "$control" ] || ! kill -0 $binderd_pid 2>/dev/null'
	kill -0 $binderd_pid 2>/dev/null || give_up "binderd exited at start"
	: >"$dir/ready"
	"$servicemanager" --device "$sock" --log-level warning --ready-fd 3 \
		3>"$dir/ready" 2>"$dir/servicemanager.log" &
	servicemanager_pid=$!
	poll "servicemanager" '[ "$(cat "$dir/ready")" = ready ] || ! kill -0 $servicemanager_pid 2>/dev/null'
	kill -0 $servicemanager_pid 2>/dev/null || give_up "servicemanager exited at start"
	export BINDER_DEVICE=$sock
}

stop_daemons() {
	stop_helpers
	local status=0
	kill -TERM $servicemanager_pid 2>/dev/null
	wait $servicemanager_pid || status=$?
	[ $status -eq 0 ] || fail "servicemanager exited with status $status"
	status=0
	kill -TERM $binderd_pid 2>/dev/null
	wait $binderd_pid || status=$?
	[ $status -eq 0 ] || fail "binderd exited with status $status"
	if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$dir"/*.log; then
		fail "sanitizer report"
	fi
	[ -e "$control" ] && fail "binderd left its control socket behind"
}

# start_service: debug_probe serve SERVICE, blocking code 1 on $dir/fifo.
start_service() {
	mkfifo "$dir/fifo"
	"$probe" serve $SERVICE "$dir/fifo" 2>"$dir/service.log" &
	service_pid=$!
	helper_pids+=($service_pid)
	timeout $COMMAND_TIMEOUT "$probe" call $SERVICE $CODE_ECHO >/dev/null 2>>"$dir/client.log" ||
		give_up "the service did not answer"
}

# The last failed-log line naming text (fixed string).
failed_line() {
	ctl failed
	grep -F -- "$1" <<<"$out" | tail -n 1
}

# proc_section PID: the lines of `binderctl state` for proc PID ($out).
proc_section() {
	awk -v header="proc $1" '/^proc / { inside = ($0 == header) } inside' <<<"$out"
}

test_failed() {
	start_service

	# A handle nobody holds.
	local result
	result=$(timeout $COMMAND_TIMEOUT "$probe" bad-handle $BAD_HANDLE 2>>"$dir/client.log")
	check "a call to handle $BAD_HANDLE fails" '[ "$result" = "status: BR_FAILED_REPLY" ]'
	local line
	line=$(failed_line "handle $BAD_HANDLE ")
	check "the bad handle is in the failed log: '$line'" \
		'grep -q "error BR_FAILED_REPLY reason \"invalid handle\"" <<<"$line"'

	# More data than the target's receive area.
	result=$(timeout $COMMAND_TIMEOUT "$probe" call $SERVICE $CODE_ECHO $BIG_PAYLOAD 2>>"$dir/client.log")
	check "a call bigger than the area fails: '$result'" '[ "$result" != "status: OK" ] && [ -n "$result" ]'
	line=$(failed_line "size $BIG_PAYLOAD:")
	check "the big call is in the failed log: '$line'" \
		'grep -q "error BR_FAILED_REPLY reason \"no space\"" <<<"$line"'

	# A target killed while a client holds a proxy on it.
	mkfifo "$dir/hold.in"
	"$probe" hold $SERVICE $CODE_ECHO <"$dir/hold.in" >"$dir/hold.out" 2>>"$dir/client.log" &
	local hold_pid=$!
	helper_pids+=($hold_pid)
	exec 5>"$dir/hold.in"
	poll "the client's proxy" 'grep -q holding "$dir/hold.out"'
	kill -KILL $service_pid
	wait $service_pid 2>/dev/null
	# Once binderd has seen the service go, its node is dead.
	poll "binderd to drop the killed service" 'ctl state; ! grep -qx "proc $service_pid" <<<"$out"'
	echo call >&5
	exec 5>&-
	timeout $COMMAND_TIMEOUT tail --pid=$hold_pid -f /dev/null
	result=$(grep status: "$dir/hold.out")
	check "a call to the killed service fails: '$result'" '[ "$result" = "status: dead object" ]'
	line=$(failed_line "code $CODE_ECHO ")
	check "the dead target is in the failed log: '$line'" \
		'grep -q "error BR_DEAD_REPLY reason \"target dead\"" <<<"$line"'
	ctl failed
	echo "--- binderctl failed:"
	echo "$out"
}

test_state() {
	start_service
	"$probe" call $SERVICE $CODE_BLOCK >"$dir/blocked.out" 2>>"$dir/client.log" &
	local client_pid=$!
	helper_pids+=($client_pid)
	poll "the blocked call in binderctl state" \
		'ctl state; proc_section $client_pid | grep -q "outgoing transaction"'
	echo "--- binderctl state:"
	echo "$out"
	local client service
	client=$(proc_section $client_pid)
	service=$(proc_section $service_pid)
	check "the client's thread shows its outgoing call to the service" \
		'grep -qE "outgoing transaction [0-9]+: .* to $service_pid:" <<<"$client"'
	check "the service's thread shows the incoming call from the client" \
		'grep -qE "incoming transaction [0-9]+: .* from $client_pid:" <<<"$service"'
	# "node N: ... proc PID...": the procs holding a ref on node N.
	local node
	node=$(grep -E "^  node [0-9]+: .* proc .*\b$client_pid\b" <<<"$service" | head -n 1 |
		sed -E 's/^  node ([0-9]+):.*/\1/')
	check "the service's node lists the client as a holder" '[ -n "$node" ]'
	check "the client's ref names that node" \
		'grep -qE "^  ref [0-9]+: desc [0-9]+ node $node s [1-9]" <<<"$client"'
	ctl transactions
	check "binderctl transactions shows the call" \
		'grep -qE "transaction [0-9]+: .* from $client_pid:.* to $service_pid:" <<<"$out"'
	echo go >"$dir/fifo"
	timeout $COMMAND_TIMEOUT tail --pid=$client_pid -f /dev/null
	check "the blocked call completes once released" 'grep -qx "status: OK" "$dir/blocked.out"'
}

test_json() {
	start_service
	timeout $COMMAND_TIMEOUT "$probe" bad-handle $BAD_HANDLE >/dev/null 2>>"$dir/client.log"
	local python=
	command -v python3 >/dev/null && python=python3
	[ -z "$python" ] && echo "no python3: only checking that --json answers"
	for view in state stats transactions transaction_log failed_transaction_log log failed; do
		ctl --json $view
		check "binderctl --json $view exits 0 (status $status: $err)" '[ $status -eq 0 ]'
		check "binderctl --json $view is an object" '[ "${out:0:1}" = "{" ]'
		printf '%s\n' "$out" >"$dir/$view.json"
	done
	# One interpreter for all views (python3 may be slow to start).
	if [ -n "$python" ]; then
		check "every view's --json parses" '$python -c "
import json, sys
for name in sys.argv[1:]:
    with open(name) as document:
        try:
            json.load(document)
        except ValueError as error:
            sys.exit(name + \": \" + str(error))
" "$dir"/*.json'
	fi
	ctl --json failed
	check "the failed log's JSON holds the bad handle" 'grep -q "$BAD_HANDLE" <<<"$out"'
}

# scrape: GET /metrics into $metrics (curl, else bash's /dev/tcp).
scrape() {
	if command -v curl >/dev/null; then
		metrics=$(curl -sf --max-time $COMMAND_TIMEOUT "http://127.0.0.1:$port/metrics")
		return
	fi
	metrics=$(timeout $COMMAND_TIMEOUT bash -c '
		exec 3<>/dev/tcp/127.0.0.1/$0
		printf "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
		cat <&3' "$port" | tr -d '\r' | sed '1,/^$/d')
}

# metric NAME: its value in $metrics (a whole series name with labels).
metric() {
	awk -v name="$1" '$1 == name { print $2 }' <<<"$metrics"
}

test_metrics() {
	port=$(sed -nE 's|.*metrics on http://127\.0\.0\.1:([0-9]+)/metrics.*|\1|p' "$dir/binderd.log")
	[ -n "$port" ] || give_up "binderd did not say where its metrics are"
	start_service
	scrape
	check "/metrics answers" '[ -n "$metrics" ]'
	# A bad --metrics value: binderd says why and exits 2 before serving.
	local bad bad_status
	for bad in 65536 'foo' '1.2.3.4' '[::1]' '127.0.0.1:x'; do
		timeout $COMMAND_TIMEOUT "$binderd" --socket "$dir/unused.sock" --metrics "$bad" \
			>/dev/null 2>"$dir/bad_metrics.err"
		bad_status=$?
		check "--metrics '$bad': exit 2 (status $bad_status)" '[ "$bad_status" -eq 2 ]'
		check "--metrics '$bad': says why" \
			'grep -qE "binderd: --metrics .*: bad (port|address)" "$dir/bad_metrics.err"'
	done
	local before after failed_before bad_handle_before
	local by_error='binderd_failed_transactions_by_error_total{error="failed_reply"}'
	before=$(metric binderd_transactions_total)
	failed_before=$(metric binderd_failed_transactions_total)
	bad_handle_before=$(metric "$by_error")
	for _ in $(seq 1 $METRICS_CALLS); do
		timeout $COMMAND_TIMEOUT "$probe" call $SERVICE $CODE_ECHO >/dev/null 2>>"$dir/client.log"
	done
	timeout $COMMAND_TIMEOUT "$probe" bad-handle $BAD_HANDLE >/dev/null 2>>"$dir/client.log"
	scrape
	after=$(metric binderd_transactions_total)
	check "binderd_transactions_total went up by at least $((2 * METRICS_CALLS)) ($before -> $after)" \
		'[ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -ge $((2 * METRICS_CALLS)) ]'
	check "binderd_replies_total counts the replies" '[ "$(metric binderd_replies_total)" -ge $METRICS_CALLS ]'
	check "binderd_failed_transactions_total counts the bad handle" \
		'[ "$(metric binderd_failed_transactions_total)" -gt "$failed_before" ]'
	check "binderd_failed_transactions_by_error_total counts it as failed_reply" \
		'[ "$(metric "$by_error")" -gt "$bad_handle_before" ]'
	check "binderd_procs counts servicemanager and the service" '[ "$(metric binderd_procs)" -ge 2 ]'
	check "binderd_nodes counts the service's node" '[ "$(metric binderd_nodes)" -ge 1 ]'
	check "binderd_refs counts servicemanager's ref on it" '[ "$(metric binderd_refs)" -ge 1 ]'
	check "binderd_threads is shown" '[ "$(metric binderd_threads)" -ge 1 ]'
	local uid
	uid=$(id -u)
	check "binderd_uid_usage shows uid $uid's connections" \
		'[ "$(metric "binderd_uid_usage{uid=\"$uid\",resource=\"procs\"}")" -ge 2 ]'
	check "binderd_uid_limit shows the limits" \
		'[ -n "$(metric "binderd_uid_limit{resource=\"threads\"}")" ]'
	grep -E "^binderd_" <<<"$metrics" | head -n 40
}

# as_nobody ARGS...: binderctl as nobody (setpriv ARGS first).
as_nobody() {
	out=$(timeout $COMMAND_TIMEOUT setpriv --reuid=nobody "$@" "$binderctl" --socket "$sock" \
		state 2>"$dir/ctl.err")
	status=$?
	err=$(cat "$dir/ctl.err")
}

test_access() {
	check "the control socket is mode 0660, group $CONTROL_GID: $(stat -c '%a %g' "$control")" \
		'[ "$(stat -c "%a %g" "$control")" = "660 $CONTROL_GID" ]'
	ctl state
	check "root reads the state (status $status: $err)" '[ $status -eq 0 ] && grep -q "binder state" <<<"$out"'

	as_nobody --regid=nogroup --clear-groups
	check "nobody cannot connect (status $status: $err)" \
		'[ $status -eq 1 ] && grep -qF "cannot connect to binderd'"'"'s control socket $control: Permission denied (is binderd running? are you root or in its control group?)" <<<"$err"'
	check "nobody saw nothing" '[ -z "$out" ]'

	# Past the socket's mode: binderd's own check refuses.
	as_nobody --regid=nogroup --clear-groups --inh-caps=+dac_override --ambient-caps=+dac_override
	check "nobody past the mode is refused by binderd (status $status: $err)" \
		'[ $status -eq 1 ] && grep -qxF "binderctl: error: permission denied" <<<"$err"'
	check "nobody past the mode saw nothing" '[ -z "$out" ]'
	check "binderd logged the refusal" 'grep -q "control: refused uid 65534" "$dir/binderd.log"'

	as_nobody --regid=nogroup --groups=$CONTROL_GID
	check "a member of the control group (supplementary) reads it (status $status: $err)" \
		'[ $status -eq 0 ] && grep -q "binder state" <<<"$out"'
	as_nobody --regid=$CONTROL_GID --clear-groups
	check "a member of the control group (primary) reads it (status $status: $err)" \
		'[ $status -eq 0 ] && grep -q "binder state" <<<"$out"'

	out=$(timeout $COMMAND_TIMEOUT "$binderctl" --control "$dir/missing.control" state 2>"$dir/ctl.err")
	status=$?
	err=$(cat "$dir/ctl.err")
	check "a missing control socket is named (status $status: $err)" \
		'[ $status -eq 1 ] && grep -qF "cannot connect to binderd'"'"'s control socket $dir/missing.control: No such file or directory" <<<"$err"'
}

test_protocol() {
	local result
	result=$(timeout $((3 * COMMAND_TIMEOUT)) "$control_probe" "$control")
	local status=$?
	echo "$result"
	check "the control socket keeps its limits" '[ $status -eq 0 ]'
}

start_daemons
case $mode in
failed) test_failed ;;
state) test_state ;;
json) test_json ;;
metrics) test_metrics ;;
access) test_access ;;
protocol) test_protocol ;;
*) give_up "unknown mode $mode" ;;
esac
stop_daemons
if [ $failures -ne 0 ]; then
	echo "debug_test $mode: $failures of $checks checks failed" >&2
	show_logs
	rm -rf "$dir"
	exit 1
fi
echo "debug_test $mode: all $checks checks passed"
rm -rf "$dir"
exit 0
