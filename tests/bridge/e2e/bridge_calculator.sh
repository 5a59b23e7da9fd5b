#!/usr/bin/env bash
# bridge_calculator.sh - the bridge's scenario, as a user runs it: host B
# serves "calculator" and exports it to hosta; host A imports it as
# "calculator" and as "calculator@b", and the unchanged calculator_client
# and binder-service on A call it. Also: a service B serves but does not
# export to A never appears on A (B logs the refusal), ping, many calls in
# a row and at once; a service's own positive status and a permission-denied
# status come back to A's caller as they left B's service.
# File descriptors cannot cross: a call carrying one (refused by A's
# bridged) and a reply carrying an object then one (tool_test_service's
# OBJECTS, refused by B's bridged) fail with "file descriptors not allowed"
# and a log line naming the call; 100 refused calls and 200 refused replies
# leave both bridged's open fds as they were, and B's export of the service
# with the count it had (its one import comes back when the service dies:
# "node N released").
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

[export tool.fd]
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

[import tool.fd]
peer = hostb
service = tool.fd
'
hosts_start_cores
service_start b.calculator b calculator "$CALCULATOR_SERVICE"
service_start b.secret b secret "$CALCULATOR_SERVICE" secret
service_start b.tool b tool.test "$TOOL_TEST_SERVICE"
service_start b.toolfd b tool.fd "$TOOL_TEST_SERVICE" tool.fd
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
FDS_REFUSED="file descriptors not allowed"
printf 'not for the network\n' >"$E2E_DIR/fd-file"
run a 30 "$BINDER_SERVICE" call calculator 1 --intf "fd:$E2E_DIR/fd-file" i32:1
expect_failure "a call carrying a file descriptor fails: $FDS_REFUSED" \
	"^binder-service: call calculator 1: $FDS_REFUSED$"
check "A's bridged logs the refused call, naming the service" \
	wait_log a.bridged 20 "a call of code 1 to calculator \(hostb's calculator, node [0-9]+\) carries a file descriptor, which cannot cross to hostb: refused \($FDS_REFUSED\)"
run a 30 "$CALCULATOR_CLIENT" add 20 22
expect 0 "calls work after the refused descriptor" "20 + 22 = 42"

# A reply with an object then a descriptor (code 5, OBJECTS): B's bridged
# exports the object (the service itself, exported already) before it
# meets the fd, then takes that back.
check "A: tool.fd imported" wait_service a tool.fd 30
check "B's bridged exported tool.fd" \
	wait_log b.bridged 20 "exporting tool.fd to hosta as node [0-9]+"
fd_node=$(grep -oE "exporting tool.fd to hosta as node [0-9]+" "$E2E_DIR/b.bridged.log" |
	tail -n 1 | grep -oE "[0-9]+$")
run a 30 "$BINDER_SERVICE" call tool.fd 5 --reply ex,binder,fd
expect_failure "a reply carrying a file descriptor fails on A: $FDS_REFUSED" \
	"^binder-service: call tool.fd 5: $FDS_REFUSED$"
check "B's bridged logs the refused reply, naming the call" \
	wait_log b.bridged 20 "the reply to hosta's call of code 5 to node $fd_node carries a file descriptor, which cannot cross to hosta: refused \($FDS_REFUSED\)"
check "B's bridged took back the reference the reply counted" \
	wait_log b.bridged 20 "a parcel refused \($FDS_REFUSED\): 1 references taken back, 0 new exports dropped"
check "A's bridged logs the refused reply, naming the service" \
	wait_log a.bridged 20 "a call of code 5 to tool.fd \(hostb's tool.fd, node $fd_node\): hostb answered \"$FDS_REFUSED\" \(its reply carried a file descriptor, which cannot cross hosts\)"

# fd_count NAME: how many fds daemon NAME has open.
fd_count() {
	local fds=("/proc/${e2e_pid[$1]}"/fd/*)
	echo "${#fds[@]}"
}

# refuse_fds CALLS REPLIES: that many calls carrying an fd (calculator 1)
# and calls whose reply carries an object then an fd (tool.fd 5); counts
# in $refused_bad those that did not fail with exactly $FDS_REFUSED.
refuse_fds() {
	local i
	refused_bad=0
	for ((i = 0; i < $1; i++)); do
		run a 30 "$BINDER_SERVICE" call calculator 1 --intf "fd:$E2E_DIR/fd-file" i32:1
		[[ $status == 1 && $err == "binder-service: call calculator 1: $FDS_REFUSED" ]] ||
			refused_bad=$((refused_bad + 1))
	done
	for ((i = 0; i < $2; i++)); do
		run a 30 "$BINDER_SERVICE" call tool.fd 5
		[[ $status == 1 && $err == "binder-service: call tool.fd 5: $FDS_REFUSED" ]] ||
			refused_bad=$((refused_bad + 1))
	done
}

# A warm-up first (pool threads start on demand, each with its socket to
# binderd), then 200 refused replies (the objects are counted there) and
# 100 refused calls (sized for a slow sanitizer build). A pool grows by
# E2E_THREADS at most: on A the two imports' contexts, on B the main
# context and the link's workers: far fewer fds than the 100 a leak of
# one per call would add.
REPLY_REFUSALS=200
CALL_REFUSALS=100
WARM_UP=10
refuse_fds "$WARM_UP" "$WARM_UP"
fds_a=$(fd_count a.bridged)
fds_b=$(fd_count b.bridged)
refuse_fds "$CALL_REFUSALS" "$REPLY_REFUSALS"
check "$CALL_REFUSALS calls and $REPLY_REFUSALS replies refused, each $FDS_REFUSED ($refused_bad not)" \
	test "$refused_bad" = 0
fds_slack=$((2 * E2E_THREADS))
check "A's bridged has the fds it had ($fds_a before, $(fd_count a.bridged) after)" \
	test "$(fd_count a.bridged)" -le "$((fds_a + fds_slack))"
check "B's bridged has the fds it had ($fds_b before, $(fd_count b.bridged) after)" \
	test "$(fd_count b.bridged)" -le "$((fds_b + fds_slack))"
# Every refused reply so far: the first one, the warm-up and the 200.
check "B's bridged took back every reply's reference" \
	wait_log b.bridged 20 "a parcel refused \($FDS_REFUSED\): 1 references taken back, 0 new exports dropped" "$((1 + WARM_UP + REPLY_REFUSALS))"
run a 30 "$BINDER_SERVICE" call tool.fd 1 --intf --reply ex,i32 i32:40 i32:2
expect 0 "tool.fd still answers after the refusals" "ex: none" "i32: 42"
# The export's count is back where it was (1, A's import) only if every
# refused reply gave back what it counted: when the service dies, A
# releases its one reference and B frees the export.
daemon_stop b.toolfd
check "A's import of tool.fd dies with the service" \
	wait_log a.bridged 30 "tool.fd: the service died on hostb"
check "B's export of tool.fd is released (its count was 1 again)" \
	wait_log b.bridged 30 "link [0-9]+: node $fd_node released"

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
