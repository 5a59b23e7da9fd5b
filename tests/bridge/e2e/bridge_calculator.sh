#!/usr/bin/env bash
# bridge_calculator.sh - the bridge's scenario, as a user runs it: host B
# serves "calculator" and exports it to hosta; host A imports it as
# "calculator" and as "calculator@b", and the unchanged calculator_client
# and binder-service on A call it. Also: a service B serves but does not
# export to A never appears on A (B logs the refusal), ping, many calls in
# a row and at once, and a call carrying a file descriptor fails cleanly;
# a service's own positive status and a permission-denied status come
# back to A's caller as they left B's service.
#   bridge_calculator.sh NAME=PATH...   (see hosts.sh)
source "$(dirname "$0")/hosts.sh" "$@"

# B: "calculator" for hosta; "secret" only for hostc (a peer, but not A).
E2E_B_SECTIONS='
[peer hostc]

[export calculator]
peers = hosta

[export secret]
peers = hostc

[export tool.test]
peers = hosta
'
# A: calculator under two local names, and secret, which B refuses.
E2E_A_SECTIONS='
[import calculator]
peer = hostb
service = calculator

[import calculator@b]
peer = hostb
service = calculator

[import secret]
peer = hostb
service = secret

[import tool.test]
peer = hostb
service = tool.test
'
hosts_start_cores
service_start b.calculator b calculator "$CALCULATOR_SERVICE"
service_start b.secret b secret "$CALCULATOR_SERVICE" secret
service_start b.tool b tool.test "$TOOL_TEST_SERVICE"
bridged_start b
bridged_start a

check "A: calculator imported" wait_service a calculator 30
check "A: calculator@b imported" wait_service a calculator@b 30

# ---- the unchanged client and binder-service on A
run a 30 "$CALCULATOR_CLIENT" add 2 3
expect 0 "calculator_client add 2 3 on A" "2 + 3 = 5"
run a 30 "$CALCULATOR_CLIENT" sub 2 3
expect 0 "calculator_client sub 2 3 on A" "2 - 3 = -1"
run a 30 "$CALCULATOR_CLIENT" add -2147483648 2147483647
expect 0 "calculator_client add of the extremes" "-2147483648 + 2147483647 = -1"
# The service's AIDL exception crosses back.
run a 30 "$CALCULATOR_CLIENT" add 2147483647 1
expect_failure "an overflow: the service's exception reaches the client" "exception"

run a 30 "$BINDER_SERVICE" list --long
expect 0 "binder-service list --long on A" "calculator [ICalculate]" "calculator@b [ICalculate]"
run a 30 "$BINDER_SERVICE" call calculator 1 --intf --reply ex,i32 i32:2 i32:3
expect 0 "binder-service call calculator add" "ex: none" "i32: 5"
run a 30 "$BINDER_SERVICE" call calculator 2 --intf --reply ex,i32 i32:2 i32:3
expect 0 "binder-service call calculator sub" "ex: none" "i32: -1"
run a 30 "$BINDER_SERVICE" call calculator@b 1 --intf --reply ex,i32 i32:40 i32:2
expect 0 "binder-service call calculator@b add" "ex: none" "i32: 42"
run a 30 "$BINDER_SERVICE" call calculator@b 1 intf:ICalculate i32:-7 i32:0x10 --reply ex,i32
expect 0 "binder-service call calculator@b with intf:" "ex: none" "i32: 9"
run a 30 "$BINDER_SERVICE" ping calculator
expect 0 "ping calculator on A" "calculator: alive"
run a 30 "$BINDER_SERVICE" ping calculator@b
expect 0 "ping calculator@b on A" "calculator@b: alive"
# A call the service refuses (no interface token): a clean failure.
run a 30 "$BINDER_SERVICE" call calculator 1 i32:2 i32:3
expect_failure "a call without the interface token fails" "call calculator 1: "
# An unknown code: the service's status comes back.
run a 30 "$BINDER_SERVICE" call calculator 77 --intf
expect_failure "an unknown transaction code fails"

# ---- statuses that replace a reply cross as they are
check "A: tool.test imported" wait_service a tool.test 30
run a 30 "$BINDER_SERVICE" call tool.test 8
expect_failure "a service's positive status reaches A" \
	"call tool.test 8: the service replied with status 42 \\(positive status\\)"
run a 30 "$BINDER_SERVICE" call tool.test 6
expect_failure "a service's permission-denied status reaches A" "permission denied"
run a 30 "$BINDER_SERVICE" call tool.test 1 --intf --reply ex,i32 i32:40 i32:2
expect 0 "tool.test still answers after them" "ex: none" "i32: 42"

# ---- file descriptors cannot cross hosts: a clean failure on A
printf 'not for the network\n' >"$E2E_DIR/fd-file"
run a 30 "$BINDER_SERVICE" call calculator 1 --intf "fd:$E2E_DIR/fd-file" i32:1
expect_failure "a call carrying a file descriptor fails"
check "A's bridged logs the refused file descriptor" \
	wait_log a.bridged 20 "file descriptor.*cannot cross"
run a 30 "$CALCULATOR_CLIENT" add 20 22
expect 0 "calls work after the refused descriptor" "20 + 22 = 42"

# ---- many calls, one after the other and at once
bad=0
for i in $(seq 1 20); do
	run a 30 "$CALCULATOR_CLIENT" add "$i" "$((i * 1000))"
	[[ $status == 0 && $out == "$i + $((i * 1000)) = $((i * 1001))" ]] || bad=$((bad + 1))
done
check "20 calls in a row, every result right ($bad wrong)" test "$bad" = 0

pids=()
for i in $(seq 1 8); do
	BINDER_DEVICE=$E2E_DIR/a.sock timeout -k 5 60 "$CALCULATOR_CLIENT" add "$i" 100 \
		>"$E2E_DIR/parallel.$i.out" 2>>"$e2e_clients_log" </dev/null &
	pids+=($!)
done
bad=0
for i in $(seq 1 8); do
	wait "${pids[i - 1]}" || bad=$((bad + 1))
	[[ $(<"$E2E_DIR/parallel.$i.out") == "$i + 100 = $((i + 100))" ]] || bad=$((bad + 1))
done
check "8 clients at once, every result right ($bad wrong)" test "$bad" = 0

# ---- a service not exported to A: refused by B, never on A
check "B's bridged logs that hosta asked for secret and was refused" \
	wait_log b.bridged 30 "hosta asked for secret, which is not exported to it"
check "A's bridged logs the refusal" \
	wait_log a.bridged 30 "secret: hostb has no secret for us \(permission denied\)"
run a 30 "$BINDER_SERVICE" check secret
expect 1 "secret is not on A" "Service secret: not found"
run a 30 "$BINDER_SERVICE" wait secret --timeout 2000
expect 1 "secret does not appear on A" "Service secret: not found after 2000 ms"
run a 30 "$BINDER_SERVICE" list
check "A's list has no secret" eval '[[ $status == 0 ]] && ! grep -qx secret <<<"$out"'
run b 30 "$BINDER_SERVICE" call secret 1 --intf --reply ex,i32 i32:1 i32:1
expect 0 "secret itself works on B" "ex: none" "i32: 2"
check "A asked for secret once: no retry of a refusal" \
	test "$(log_count b.bridged 'asked for secret')" = 1

# ---- both bridged still there, and A's calls still work
check "B's bridged is alive" daemon_running b.bridged
check "A's bridged is alive" daemon_running a.bridged
run a 30 "$CALCULATOR_CLIENT" add 2 3
expect 0 "calculator_client add 2 3 at the end" "2 + 3 = 5"

e2e_finish
