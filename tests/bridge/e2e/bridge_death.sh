#!/usr/bin/env bash
# bridge_death.sh - death across the bridge. Host B serves "calculator",
# exported to hosta and imported on A as "calculator" and "calculator@b".
#  1. SIGKILL of B's calculator_service: on A both names go (polled, with
#     a bound), calls fail cleanly (an error, no hang); the service comes
#     back on B: the names come back on A and calls work.
#  2. SIGKILL of B's bridged: A's names go, calls fail cleanly; B's
#     bridged restarts: A reconnects (backoff), the names are served again
#     and calls work.
#  3. The same once more with SIGTERM (a clean stop of B's bridged).
#   bridge_death.sh NAME=PATH...   (see hosts.sh)
source "$(dirname "$0")/hosts.sh" "$@"

E2E_B_SECTIONS='
[export calculator]
peers = hosta
'
E2E_A_SECTIONS='
[import calculator]
peer = hostb
service = calculator

[import calculator@b]
peer = hostb
service = calculator
'
hosts_start_cores
service_start b.calculator b calculator "$CALCULATOR_SERVICE"
bridged_start b
bridged_start a

# both_served WHAT: A serves both names and add works through each.
both_served() {
	check "$1: calculator back on A" wait_service a calculator 30
	check "$1: calculator@b back on A" wait_service a calculator@b 30
	run a 30 "$CALCULATOR_CLIENT" add 2 3
	expect 0 "$1: calculator_client add 2 3" "2 + 3 = 5"
	run a 30 "$BINDER_SERVICE" call calculator@b 1 --intf --reply ex,i32 i32:20 i32:22
	expect 0 "$1: binder-service call calculator@b" "ex: none" "i32: 42"
}

# both_gone WHAT [quick]: both names leave A within a bound; calls fail,
# no hang. Unless quick, calculator_client too (it waits 5 s for the name).
both_gone() {
	check "$1: calculator gone from A" wait_gone a calculator 30
	check "$1: calculator@b gone from A" wait_gone a calculator@b 30
	if [[ ${2:-} != quick ]]; then
		run a 30 "$CALCULATOR_CLIENT" add 2 3
		expect_failure "$1: calculator_client fails" 'no service "calculator"'
	fi
	run a 30 "$BINDER_SERVICE" call calculator@b 1 --intf --reply ex,i32 i32:2 i32:3
	expect_failure "$1: binder-service call calculator@b fails" "not found"
	run a 30 "$BINDER_SERVICE" ping calculator
	expect_failure "$1: ping calculator fails"
}

both_served "at the start"

# ---- 1. the service dies on B
daemon_kill b.calculator
# At once, before A may have heard of the death: the call fails, no hang.
run a 30 "$BINDER_SERVICE" call calculator@b 1 --intf --reply ex,i32 i32:2 i32:3
expect_failure "a call right after B's service was killed fails"
both_gone "B's calculator_service killed"
check "B's bridged told A of the death" wait_log b.bridged 20 "node [0-9]+ died; telling hosta"
check "A's bridged saw the import die" \
	wait_log a.bridged 20 "calculator@b: the service died on hostb"
check "B's bridged is alive" daemon_running b.bridged
check "A's bridged is alive" daemon_running a.bridged

daemon_restart b.calculator
check "B serves calculator again" wait_service b calculator 30
both_served "B's calculator_service restarted"

# Twice: a death after a re-import works as well.
daemon_kill b.calculator
both_gone "B's calculator_service killed again" quick
daemon_restart b.calculator
both_served "B's calculator_service restarted again"

# ---- 2. B's bridged dies
daemon_kill b.bridged
run a 30 "$BINDER_SERVICE" call calculator@b 1 --intf --reply ex,i32 i32:2 i32:3
expect_failure "a call right after B's bridged was killed fails"
both_gone "B's bridged killed"
check "A's bridged saw the link close" wait_log a.bridged 20 "link [0-9]+ to hostb closed"
check "A's bridged is alive" daemon_running a.bridged
check "B's calculator_service is alive" daemon_running b.calculator
# A keeps trying (B's port refuses meanwhile): let a few attempts fail.
wait_log a.bridged 20 "peer hostb: connecting again" 3

links_before=$(log_count a.bridged "peer hostb: link [0-9]+ up")
bridged_restart b
check "A reconnected to B's new bridged" \
	wait_log a.bridged 30 "peer hostb: link [0-9]+ up" "$((links_before + 1))"
both_served "B's bridged restarted"

# ---- 3. B's bridged stops cleanly (SIGTERM), then comes back
daemon_stop b.bridged
both_gone "B's bridged stopped" quick
links_before=$(log_count a.bridged "peer hostb: link [0-9]+ up")
bridged_restart b
check "A reconnected again" \
	wait_log a.bridged 30 "peer hostb: link [0-9]+ up" "$((links_before + 1))"
both_served "B's bridged restarted after a clean stop"

check "A's bridged is alive at the end" daemon_running a.bridged
e2e_finish
