#!/usr/bin/env bash
# bridge_killed_client.sh - a client on A killed while B's service calls
# it back. Host B serves "worker" (callback_service), imported on A;
# callback_client 1000 on A is SIGKILLed in the middle of its callbacks,
# five times over. Each time:
#  - B's service sees its call to the listener fail and drops it; B's
#    bridged sends the listener's Release;
#  - A's bridged gets the death of the listener it exported to B (it tells
#    B) and, at about the same time, that Release (it frees the export):
#    its death handler must not touch the export once it is freed (the
#    sanitizer build reports a use-after-free otherwise);
#  - both bridged live on and the worker serves the next client.
# To make the two meet, A's bridged logs (at info level) into a pipe the
# test holds full while it kills the client: the death handler then blocks
# in its log line "node N died", so the Release lands while it runs; a
# slow log (journald, a pipe) does the same in production. The pause
# before the log goes on gives the Release time to come; it is not a
# timing assertion (too short a pause would only miss the race). When B's
# Release reaches A before the death does, no handler runs: no race that
# round (a note, not a failure). The client's output is line-buffered
# into a file: if its last onProgress line is the last step, B's service
# may have made all its calls before the kill (then none fails: a note);
# before the last step, the next call must fail.
#   bridge_killed_client.sh NAME=PATH...   (see hosts.sh)
source "$(dirname "$0")/hosts.sh" "$@"

E2E_B_SECTIONS='
[export worker]
peers = hosta
'
E2E_A_SECTIONS='
[import worker]
peer = hostb
service = worker
'
E2E_LOG_LEVEL_A=info
hosts_start_cores
service_start b.worker b worker "$CALLBACK_SERVICE"
bridged_start b
log_pipe a.bridged
bridged_start a
check "A: worker imported" wait_service a worker 30

run a 60 "$CALLBACK_CLIENT" 5
expect 0 "callback_client 5 before" "client: sum(1..5) returned 15" \
	"listener: onFinished(15) on a pool thread"

# In the middle of its callbacks: each one wakes the client's main thread.
client_woken() {
	local switches
	pid_running "$client" || return 0
	switches=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' \
		"/proc/$client/task/$client/status" 2>/dev/null)
	((${switches:-0} >= 100))
}

# until CMD...: CMD succeeds, or A's bridged is gone (no use waiting).
until_or_a_gone() {
	"$@" || ! daemon_running a.bridged
}

killed=0
held=0
for round in 1 2 3 4 5; do
	daemon_running a.bridged || break
	progress=$E2E_DIR/round$round.progress
	# (stdbuf preloads a library: the sanitizer runtime must allow it.)
	BINDER_DEVICE=$E2E_DIR/a.sock ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		stdbuf -oL "$CALLBACK_CLIENT" 1000 >"$progress" \
		2>>"$e2e_clients_log" </dev/null &
	client=$!
	wait_until 30 client_woken
	if ! pid_running "$client"; then
		wait "$client"
		echo "note: round $round: callback_client 1000 ended before it could be killed"
		continue
	fi
	failed_before=$(log_count b.worker "calling the listener failed")
	died_before=$(log_count a.bridged "node [0-9]+ died; telling hostb")
	log_hold a.bridged
	if ! kill -KILL "$client" 2>/dev/null; then
		# It finished its calls between the check and the kill.
		log_resume a.bridged
		wait "$client"
		echo "note: round $round: callback_client 1000 ended before it could be killed"
		continue
	fi
	wait "$client" 2>/dev/null
	killed=$((killed + 1))
	last_step=$(sed -nE 's/^listener: onProgress\(([0-9]+) of 1000\).*/\1/p' "$progress" |
		tail -n 1)
	if [ "${last_step:-0}" -ge 1000 ]; then
		echo "note: round $round: the client had seen every step before the kill"
	else
		wait_until 30 until_or_a_gone e2e_log_has b.worker "calling the listener failed" \
			"$((failed_before + 1))"
		check "round $round: B's service saw its call to the killed client's listener fail (killed after step ${last_step:-0})" \
			e2e_log_has b.worker "calling the listener failed" "$((failed_before + 1))"
	fi
	# The death handler holds in its log line, unless B's Release came
	# first (then no handler runs: the export went with its death link).
	if wait_until 5 until_or_a_gone log_blocked a.bridged && daemon_running a.bridged; then
		held=$((held + 1))
		sleep 1
		log_resume a.bridged
		check "round $round: A's bridged told B of the death" \
			wait_log a.bridged 30 "node [0-9]+ died; telling hostb" "$((died_before + 1))"
	else
		log_resume a.bridged
		echo "note: round $round: the Release came before the death; no race this round"
	fi
	# It may take a moment to fail: let it, then see that it did not.
	run a 60 "$BINDER_SERVICE" ping worker
	expect 0 "round $round: ping worker on A after the kill" "worker: alive"
	check "round $round: A's bridged is alive" daemon_running a.bridged
	check "round $round: B's bridged is alive" daemon_running b.bridged
	daemon_running a.bridged || break
	run a 60 "$CALLBACK_CLIENT" 5
	expect 0 "round $round: callback_client 5 after the kill" \
		"client: sum(1..5) returned 15" "listener: onFinished(15) on a pool thread"
done
check "at least one client was killed in the middle of its callbacks ($killed)" \
	test "$killed" -ge 1
echo "note: in $held of $killed rounds the death handler was held in its log line"

check "B's service is alive" daemon_running b.worker
run a 60 "$BINDER_SERVICE" ping worker
expect 0 "ping worker on A at the end" "worker: alive"

e2e_finish
