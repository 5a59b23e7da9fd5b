#!/usr/bin/env bash
# rogue_test.sh - host B for rogue_peer: a private binderd, servicemanager,
# calculator_service ("calculator", and "hidden", which is not exported),
# callback_service ("worker") and bridged (node hostb, listening on a free
# port of 127.0.0.1, peer hosta without address, calculator and worker
# exported to hosta, one worker thread, small limits). Runs rogue_peer
# against it, then stops everything with SIGTERM.
#
#   rogue_test.sh BINDERD SERVICEMANAGER BRIDGED CALCULATOR_SERVICE \
#                 CALLBACK_SERVICE ROGUE_PEER MAKE_CERTS
#
# Fails if rogue_peer fails, if bridged died meanwhile, did not exit 0 on
# SIGTERM or wrote a sanitizer report, or if another daemon did not exit
# cleanly. Every wait is bounded; logs are printed on failure.
set -u
if [ $# -ne 7 ]; then
	echo "usage: rogue_test.sh BINDERD SERVICEMANAGER BRIDGED CALCULATOR_SERVICE" \
		"CALLBACK_SERVICE ROGUE_PEER MAKE_CERTS" >&2
	exit 2
fi
binderd=$1
servicemanager=$2
bridged=$3
calculator_service=$4
callback_service=$5
rogue_peer=$6
make_certs=$7

dir=$(mktemp -d /tmp/bridge-rogue.XXXXXX)
sock=$dir/binder.sock
# name -> pid, in start order (stopped in reverse).
names=()
declare -A pids=()
rogue_pid=
trap 'kill -TERM $rogue_pid ${pids[*]} 2>/dev/null; rm -rf "$dir"; exit 143' TERM INT

show_logs() {
	for log in "$dir"/*.log; do
		[ -e "$log" ] || continue
		echo "--- ${log##*/}:" >&2
		tail -n 200 "$log" >&2
	done
}

stop_all() {
	local i
	for ((i = ${#names[@]} - 1; i >= 0; i--)); do
		kill -KILL "${pids[${names[i]}]}" 2>/dev/null
	done
	wait 2>/dev/null
}

give_up() {
	echo "rogue_test: $1" >&2
	show_logs
	stop_all
	rm -rf "$dir"
	exit 1
}

# start NAME CMD...: runs CMD in the background, stderr to NAME.log.
start() {
	local name=$1
	shift
	"$@" 2>"$dir/$name.log" &
	pids[$name]=$!
	names+=("$name")
}

# wait_for NAME WHAT TEST...: until TEST succeeds (20 s at most) while NAME runs.
wait_for() {
	local name=$1 what=$2
	shift 2
	for _ in $(seq 1 400); do
		"$@" && return 0
		kill -0 "${pids[$name]}" 2>/dev/null || give_up "$name exited before $what"
		sleep 0.05
	done
	give_up "$name: no $what within 20 s"
}

# stop NAME: SIGTERM, then at most 30 s for it to exit; sets stopped_status.
stop() {
	local name=$1 pid=${pids[$1]}
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 600); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "rogue_test: $name did not exit within 30 s of SIGTERM" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	stopped_status=0
	wait "$pid" || stopped_status=$?
}

"$make_certs" "$dir/certs" hosta hostb hostc >"$dir/make_certs.log" 2>&1 ||
	give_up "make_certs.sh failed"

start binderd "$binderd" --socket "$sock" --log-level warning
wait_for binderd "socket" test -S "$sock"

: >"$dir/ready"
"$servicemanager" --device "$sock" --log-level warning --ready-fd 3 \
	3>"$dir/ready" 2>"$dir/servicemanager.log" &
pids[servicemanager]=$!
names+=(servicemanager)
wait_for servicemanager "ready" grep -qx ready "$dir/ready"

export BINDER_DEVICE=$sock
start calculator "$calculator_service" calculator
wait_for calculator "readiness" grep -q '"calculator" is ready' "$dir/calculator.log"
start hidden "$calculator_service" hidden
wait_for hidden "readiness" grep -q '"hidden" is ready' "$dir/hidden.log"
start worker "$callback_service" worker
wait_for worker "readiness" grep -q '"worker" is ready' "$dir/worker.log"

# A free port: bridged tries one, and another if it is taken.
port=
for _ in $(seq 1 20); do
	candidate=$((20000 + RANDOM % 40000))
	cat >"$dir/hostb.conf" <<CONF
[bridge]
name = hostb
listen = 127.0.0.1:$candidate
certificate = $dir/certs/hostb.crt
key = $dir/certs/hostb.key
ca = $dir/certs/ca.crt
device = $sock
; One worker: rogue_peer relies on the order in which it handles frames.
threads = 1

; hosta only connects to us.
[peer hosta]

[export calculator]
peers = hosta

[export worker]
peers = hosta

[limits]
max_frame_size = 65536
max_calls_in_flight = 4
; rogue_peer's "times out" check waits this long for a call it never
; answers; every other check answers bridged's calls at once.
call_timeout_ms = 10000
handshake_timeout_ms = 3000
keepalive_interval_ms = 60000
keepalive_timeout_ms = 120000
CONF
	start bridged "$bridged" --config "$dir/hostb.conf" --log-level debug
	for _ in $(seq 1 400); do
		grep -q "node hostb ready" "$dir/bridged.log" && break
		kill -0 "${pids[bridged]}" 2>/dev/null || break
		sleep 0.05
	done
	if grep -q "node hostb ready" "$dir/bridged.log"; then
		port=$candidate
		break
	fi
	kill -0 "${pids[bridged]}" 2>/dev/null && give_up "bridged: not ready within 20 s"
	wait "${pids[bridged]}"
	unset 'names[-1]'
	grep -q "cannot listen" "$dir/bridged.log" || give_up "bridged did not start"
done
[ -n "$port" ] || give_up "no free port found for bridged"

# rogue_peer ends by leaving bridged waiting for it (a call bridged made to
# it, calls of its own queued behind that) and creating $dir/holding: then
# bridged is stopped, as it would be at any moment. ROGUE_PEER_ARGS: more
# arguments, such as --only TEXT (debugging).
# shellcheck disable=SC2086
"$rogue_peer" --port "$port" --certs "$dir/certs" --hold "$dir/holding" \
	${ROGUE_PEER_ARGS:-} &
rogue_pid=$!
for _ in $(seq 1 2000); do
	[ -e "$dir/holding" ] && break
	kill -0 "$rogue_pid" 2>/dev/null || break
	sleep 0.05
done
status=0
if ! kill -0 "${pids[bridged]}" 2>/dev/null; then
	if grep -q "bridged: info: signal" "$dir/bridged.log"; then
		echo "rogue_test: bridged was stopped by a signal from elsewhere during the run" >&2
	else
		echo "rogue_test: bridged died during the run" >&2
	fi
	status=1
fi
stop bridged
if [ "$stopped_status" -ne 0 ]; then
	echo "rogue_test: bridged exited with status $stopped_status on SIGTERM" >&2
	status=1
fi
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer)|runtime error:" \
	"$dir/bridged.log"; then
	echo "rogue_test: sanitizer report from bridged" >&2
	status=1
fi
# rogue_peer's call-timeout check: bridged says which call timed out.
if [ -z "${ROGUE_PEER_ARGS:-}" ] &&
	! grep -qE "link [0-9]+: call [0-9]+ to hosta timed out" "$dir/bridged.log"; then
	echo "rogue_test: bridged did not log the call that timed out" >&2
	status=1
fi
# rogue_peer sees the link close at once (its reads time out after 20 s).
rogue_status=0
wait "$rogue_pid" || rogue_status=$?
rogue_pid=
if [ "$rogue_status" -ne 0 ]; then
	echo "rogue_test: rogue_peer failed (status $rogue_status)" >&2
	status=1
fi

# The others, services first: they are clients of binderd.
for name in worker hidden calculator servicemanager binderd; do
	stop "$name"
	if [ "$stopped_status" -ne 0 ]; then
		echo "rogue_test: $name exited with status $stopped_status" >&2
		status=1
	fi
	if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$dir/$name.log"; then
		echo "rogue_test: sanitizer report from $name" >&2
		status=1
	fi
done

[ "$status" -ne 0 ] && show_logs
rm -rf "$dir"
exit "$status"
