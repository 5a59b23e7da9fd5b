#!/usr/bin/env bash
# bridge_callback.sh - callbacks across the bridge: host B serves "worker"
# (callback_service) and exports it to hosta; on host A the unchanged
# callback_client passes its local listener to worker.sum(5): B's service
# calls the listener back on A five times (each a nested call that must
# run on A's main thread, which waits in sum()), then onFinished (oneway)
# on a pool thread, and sum returns 15. Repeated, with a listener that
# says stop, and with several clients at once.
#   bridge_callback.sh NAME=PATH...   (see hosts.sh)
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
hosts_start_cores
service_start b.worker b worker "$CALLBACK_SERVICE"
bridged_start b
bridged_start a
check "A: worker imported" wait_service a worker 30

main_thread="on the main thread, waiting in sum()"

# expect_sum N: callback_client N printed every progress step on the main
# thread, the sum and onFinished.
expect_sum() {
	local n=$1 step lines=()
	for ((step = 1; step <= n; step++)); do
		lines+=("listener: onProgress($step of $n) $main_thread -> go on")
	done
	expect 0 "$2" "${lines[@]}" "client: sum(1..$n) returned $((n * (n + 1) / 2))" \
		"listener: onFinished($((n * (n + 1) / 2))) on a pool thread"
	check "$2: no progress call on another thread" \
		eval '! grep -q "a pool thread ->" <<<"$out"'
}

run a 60 "$CALLBACK_CLIENT" 5
expect_sum 5 "callback_client 5 through the bridge (the first call of the link)"
for i in 1 2 3; do
	run a 60 "$CALLBACK_CLIENT" 5
	expect_sum 5 "callback_client 5, again ($i)"
done
run a 60 "$CALLBACK_CLIENT" 20
expect_sum 20 "callback_client 20"

# The listener says stop at step 3: the service stops there.
run a 60 "$CALLBACK_CLIENT" 5 3
expect 0 "callback_client 5 3 (stop at step 3)" \
	"listener: onProgress(3 of 5) $main_thread -> stop" \
	"client: sum(1..5) returned 6" "listener: onFinished(6) on a pool thread"
check "no progress call after the stop" eval '! grep -q "onProgress(4 of 5)" <<<"$out"'

# Several clients at once, each with its own listener: rounds of 8 (each
# client asking for sum(1..n), n from 1 to 5 by round), until a round
# loses something or a bridged dies (at most 20 rounds). The oneway
# onFinished is the last use of the listener before the service drops it:
# B forwards that call and then the listener's Release, and A must run the
# call before it lets go of the listener, as binder does. (A's bridged once
# ran Releases on its worker pool and oneway calls on its oneway thread: a
# Release could overtake the call, which then found "unknown node"; about
# one client in ten lost onFinished and failed after waiting 10 s.) The
# clients also exit while their listener's Release is on its way: see
# bridge_killed_client.sh for the race that makes with the death handler.
rounds=0
bad=0
while ((rounds < 20 && bad == 0)) && daemon_running a.bridged && daemon_running b.bridged; do
	rounds=$((rounds + 1))
	n=$((rounds % 5 + 1))
	pids=()
	for i in $(seq 1 8); do
		BINDER_DEVICE=$E2E_DIR/a.sock timeout -k 5 90 "$CALLBACK_CLIENT" "$n" \
			>"$E2E_DIR/parallel.$i.out" 2>>"$e2e_clients_log" </dev/null &
		pids+=($!)
	done
	for i in $(seq 1 8); do
		wait "${pids[i - 1]}" || bad=$((bad + 1))
		out=$(<"$E2E_DIR/parallel.$i.out")
		grep -qxF "client: sum(1..$n) returned $((n * (n + 1) / 2))" <<<"$out" ||
			bad=$((bad + 1))
		grep -qxF "listener: onFinished($((n * (n + 1) / 2))) on a pool thread" <<<"$out" ||
			bad=$((bad + 1))
		[[ $(grep -c "$main_thread -> go on" <<<"$out") == "$n" ]] || bad=$((bad + 1))
	done
done
check "8 callback clients at once, $rounds rounds: every sum, progress and onFinished came" \
	test "$bad" = 0

check "B's bridged is alive" daemon_running b.bridged
check "A's bridged is alive" daemon_running a.bridged
check "no refused call in A's log" eval '! e2e_log_has a.bridged "refused"'
check "no refused call in B's log" eval '! e2e_log_has b.bridged "refused"'

run a 60 "$CALLBACK_CLIENT" 5
expect_sum 5 "callback_client 5 at the end"

# ---- every listener goes home
# Each client's listener is exported by A's bridged to B; B's service drops
# it when sum() ends, so B's bridged must send its Release and A's bridged
# lets go of the listener ("node N released" in A's debug log), before or
# after the client exits ("node N died"). A listener that died on A and was
# never released is held on both sides until the link ends: over a long
# run, without bound.
# The race that used to lose it: the stand-in's last remote reference goes
# while the parcel that brought it is still being delivered (the service's
# reply and the driver's BR_RELEASE reach two threads at once);
# nodes_done_delivering looks again when the delivery ends.
unreleased_listeners() {
	local node
	grep -oE "link [0-9]+: node [0-9]+ died" "$E2E_DIR/a.bridged.log" | sed 's/ died$//' |
		sort -u | while read -r node; do
		grep -qF "$node released" "$E2E_DIR/a.bridged.log" || echo "$node"
	done
}
no_unreleased_listener() {
	[[ -z $(unreleased_listeners) ]]
}
wait_until 20 no_unreleased_listener
unreleased=$(unreleased_listeners | wc -l)
died=$(grep -cE "link [0-9]+: node [0-9]+ died" "$E2E_DIR/a.bridged.log")
check "every listener B was given is released ($unreleased of the $died that died on A never were)" \
	test "$unreleased" = 0

e2e_finish
