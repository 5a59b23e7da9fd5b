#!/usr/bin/env bash
# bridge_nested.sh - nested calls across the link keep binder's thread
# semantics: host B serves "nest" (the probe service), exported to hosta
# and imported on A under the same name. On A the probe client starts a
# chain of NEST calls that goes back and forth (A -> B -> A -> ...): each
# call after the first must run, on each side, on the thread that waits in
# the chain, as the kernel's transaction stack makes binder do within one
# host (probe_nest.c checks it and the client prints it).
# NESTED_PART says what is checked:
#  deep (the default): bridged's pools ([bridge] threads) are 1 thread on
#   each side; a chain of 6 calls completes without a deadlock, several
#   times, and so do chains of 2 to 12.
#  chains: pools of 4; 8 chains of 4 calls at once, in rounds.
#   bridge_nested.sh NAME=PATH...  (see hosts.sh; needs PROBE_CLIENT and
#   PROBE_SERVICE)
source "$(dirname "$0")/hosts.sh" "$@"
[[ -n ${PROBE_CLIENT:-} && -n ${PROBE_SERVICE:-} ]] ||
	e2e_die "PROBE_CLIENT=PATH and PROBE_SERVICE=PATH are required"
part=${NESTED_PART:-deep}
case $part in
deep) E2E_THREADS=1 ;;
chains) E2E_THREADS=4 ;;
*) e2e_die "NESTED_PART: deep or chains, not '$part'" ;;
esac

E2E_B_SECTIONS='
[export nest]
peers = hosta
'
E2E_A_SECTIONS='
[import nest]
peer = hostb
service = nest
'
hosts_start_cores
service_start b.nest b nest "$PROBE_SERVICE" nest
bridged_start b
bridged_start a
check "A: nest imported" wait_service a nest 30

waiting="each on the thread waiting in the chain"
if [[ $part == deep ]]; then
	for i in 1 2 3; do
		run a 60 "$PROBE_CLIENT" nest nest 6
		expect 0 "pools of 1: a chain of 6 calls A -> B -> A -> B -> A -> B -> A ($i)" \
			"nest: 6 calls: 6 made, $waiting"
	done
	for calls in 2 3 4 5 7 12; do
		run a 60 "$PROBE_CLIENT" nest nest "$calls"
		expect 0 "pools of 1: a chain of $calls calls" "nest: $calls calls: $calls made, $waiting"
	done
else
	# Rounds of 8 clients at once, each with a chain of 4 calls, until a
	# round loses one or a bridged dies (at most 10 rounds).
	rounds=0
	bad=0
	while ((rounds < 10 && bad == 0)) && daemon_running a.bridged && daemon_running b.bridged; do
		rounds=$((rounds + 1))
		pids=()
		for i in $(seq 1 8); do
			BINDER_DEVICE=$E2E_DIR/a.sock timeout -k 5 90 "$PROBE_CLIENT" nest nest 4 \
				>"$E2E_DIR/chain.$i.out" 2>>"$e2e_clients_log" </dev/null &
			pids+=($!)
		done
		for i in $(seq 1 8); do
			wait "${pids[i - 1]}" || bad=$((bad + 1))
			grep -qxF "nest: 4 calls: 4 made, $waiting" "$E2E_DIR/chain.$i.out" ||
				bad=$((bad + 1))
		done
	done
	check "pools of 4: 8 chains of 4 calls at once, $rounds rounds: each completed on the waiting threads" \
		test "$bad" = 0
fi
check "B's bridged is alive" daemon_running b.bridged
check "A's bridged is alive" daemon_running a.bridged

e2e_finish
