#!/usr/bin/env bash
# bridge_link_cut.sh - the link between the hosts cut for a while, then
# restored: host A and host B in network namespaces of their own, joined by
# a veth pair (netns.sh); B serves "calculator" and exports it to hosta, A
# imports it as "calculator@b". nftables in B's namespace drops every
# packet (the cut) until the test removes the rule (the restore).
#  1. A quiet cut: a call during the cut fails by itself with a clear error
#     (bridged's call timeout, or the link's end), well within the client's
#     own bound; A's bridged drops the silent link (keepalive timeout), the
#     name leaves A and calls fail cleanly; A keeps trying to connect and
#     fails. After the restore, A reconnects, imports again, and calls
#     work.
#  2. A cut in the middle of a stream of calls (one client, a lookup and a
#     call each time, a status each; the client is paused while the rule
#     goes in, so the cut never misses a fast stream): every call either
#     returns the right result or fails with a clear error (none is wrong,
#     none hangs), some fail during the cut, and the calls after the
#     restore work again.
# Only outcomes are checked: where in the stream the cut falls, or how many
# calls fail, depends on the machine, and is printed, not asserted.
# Skipped (exit 77) where network namespaces or nftables cannot be used.
#   bridge_link_cut.sh NAME=PATH...   (see hosts.sh; needs PROBE_CLIENT)
source "$(dirname "$0")/hosts.sh" "$@"
source "$(dirname "$0")/netns.sh"
[[ -n ${PROBE_CLIENT:-} ]] || e2e_die "PROBE_CLIENT=PATH is required"

# Calls to a silent peer fail after 3 s; a link silent for 4 s is dropped
# (pings every 0.5 s keep a quiet but working link alive).
E2E_LIMITS='
call_timeout_ms = 3000
keepalive_interval_ms = 500
keepalive_timeout_ms = 4000
'
# The client's own bound on each call: far above bridged's 3 s, so that a
# call that bridged does not end shows as a hang (exit status 3).
client_call_timeout_s=30
# The calls of the stream (part 2): far more than can fail during a cut
# (each failed call takes seconds), so the last ones run after the restore.
STREAM_CALLS=${STREAM_CALLS:-1000}
# Calls of the stream before the cut.
STREAM_CALLS_BEFORE_CUT=30

netns_setup

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
check "A: calculator@b imported over the veth pair" wait_service a calculator@b 30
check "A: calculator imported over the veth pair" wait_service a calculator 30

clear_failure='failed: (timed out|dead object|lookup of calculator@b: name not found)'

# calls_work WHAT: 20 calls of calculator@b all right, and the unchanged
# tools too.
calls_work() {
	run a 120 "$PROBE_CLIENT" --call-timeout "$client_call_timeout_s" add calculator@b 20
	expect 0 "$1: 20 calls of calculator@b" "summary: 20 ok, 0 failed, 0 wrong of 20 calls"
	run a 60 "$CALCULATOR_CLIENT" add 2 3
	expect 0 "$1: calculator_client add 2 3" "2 + 3 = 5"
	run a 60 "$BINDER_SERVICE" call calculator@b 1 --intf --reply ex,i32 i32:40 i32:2
	expect 0 "$1: binder-service call calculator@b" "ex: none" "i32: 42"
}

# reconnected WHAT LINKS_BEFORE: A's link to B comes up again and the names
# are served again.
reconnected() {
	check "$1: A reconnected to B" \
		wait_log a.bridged 60 "peer hostb: link [0-9]+ up" "$(($2 + 1))"
	check "$1: calculator@b served on A again" wait_service a calculator@b 30
	check "$1: calculator served on A again" wait_service a calculator 30
}

calls_work "before the cut"

# ---- 1. a quiet cut
links_up=$(log_count a.bridged "peer hostb: link [0-9]+ up")
links_closed=$(log_count a.bridged "link [0-9]+ to hostb closed")
check "the cut: nftables in B's namespace drops every packet" link_cut_start

run a 60 "$PROBE_CLIENT" --call-timeout "$client_call_timeout_s" add calculator@b 1
echo "  a call at the start of the cut: $(grep '^call 1:' <<<"$out")"
expect 1 "a call during the cut fails by itself (no hang)"
check "a call during the cut fails with a clear error" \
	grep -qE "^call 1: $clear_failure\$" <<<"$out"

check "A's bridged drops the silent link" \
	wait_log a.bridged 30 "link [0-9]+ to hostb closed" "$((links_closed + 1))"
check "A's bridged says why" e2e_log_has a.bridged "the peer is silent \(keepalive timeout\)"
check "calculator@b leaves A" wait_gone a calculator@b 30
check "calculator leaves A" wait_gone a calculator 30
run a 60 "$PROBE_CLIENT" --call-timeout "$client_call_timeout_s" add calculator@b 1 --lookup-each
expect 1 "a call while the link is down fails by itself"
check "it fails with a clear error" grep -qE "^call 1: $clear_failure\$" <<<"$out"
run a 60 "$CALCULATOR_CLIENT" add 2 3
expect_failure "calculator_client fails while the link is down" 'no service "calculator"'
connect_attempts=$(log_count a.bridged "peer hostb: connecting again")
check "A keeps trying to connect through the cut, and fails" \
	wait_log a.bridged 30 "peer hostb: connecting again" "$((connect_attempts + 2))"
check "B's bridged also dropped the silent link" \
	wait_log b.bridged 30 "the peer is silent \(keepalive timeout\)"
check "no new link came up during the cut" \
	test "$(log_count a.bridged "peer hostb: link [0-9]+ up")" = "$links_up"

check "the restore: the rule is removed" link_cut_end
reconnected "after the quiet cut" "$links_up"
calls_work "after the quiet cut"

# ---- 2. a cut in the middle of a stream of calls
links_up=$(log_count a.bridged "peer hostb: link [0-9]+ up")
links_closed=$(log_count a.bridged "link [0-9]+ to hostb closed")
stream_out=$E2E_DIR/stream.out
BINDER_DEVICE=$E2E_DIR/a.sock timeout -k 5 "${E2E_TIME_LIMIT:-150}" "$PROBE_CLIENT" \
	--call-timeout "$client_call_timeout_s" add calculator@b "$STREAM_CALLS" --lookup-each \
	--pause-after "$STREAM_CALLS_BEFORE_CUT" >"$stream_out" 2>>"$e2e_clients_log" </dev/null &
stream_pid=$!

stream_reached() {
	grep -qE "^call $1: " "$stream_out"
}
# The client stops itself after call $STREAM_CALLS_BEFORE_CUT
# (--pause-after) while the rule goes in, so that the cut falls in the
# middle of the stream however fast its calls are.
stream_paused() {
	local client state
	client=$(pgrep -P "$stream_pid") || return 1
	state=$(ps -o stat= -p "$client") || return 1
	[[ $state == T* ]]
}
check "the stream of calls runs" wait_until 60 stream_reached "$STREAM_CALLS_BEFORE_CUT"
check "the stream pauses itself for the cut" wait_until 60 stream_paused
stream_client=$(pgrep -P "$stream_pid")
check "the stream has calls left for the cut" eval '! stream_reached "$((STREAM_CALLS_BEFORE_CUT + 1))"'
check "the cut, during the stream" link_cut_start
check "the stream goes on" kill -CONT "$stream_client"
check "A's bridged drops the silent link" \
	wait_log a.bridged 30 "link [0-9]+ to hostb closed" "$((links_closed + 1))"
check "the restore, during the stream" link_cut_end
reconnected "after the cut in the stream" "$links_up"

stream_status=0
wait_until 120 pid_gone "$stream_pid" || kill -KILL "$stream_pid" 2>/dev/null
wait "$stream_pid" || stream_status=$?
out=$(<"$stream_out")
summary=$(grep '^summary:' <<<"$out")
failed_lines=$(grep -E '^call [0-9]+: failed' <<<"$out")
echo "  the stream: $summary"
[[ -n $failed_lines ]] && sed 's/^/    /' <<<"$failed_lines"
check "the stream ended by itself (status $stream_status: not killed, no call hung)" \
	test "$stream_status" = 0 -o "$stream_status" = 1
check "every call of the stream has its line" \
	test "$(grep -cE '^call [0-9]+: ' <<<"$out")" = "$STREAM_CALLS"
check "no call of the stream returned a wrong result" \
	eval '! grep -qE "^call [0-9]+: wrong" <<<"$out"'
check "every failed call of the stream failed with a clear error" \
	eval '! grep -E "^call [0-9]+: failed" <<<"$out" | grep -vqE "$clear_failure\$"'
check "some calls failed during the cut" test -n "$failed_lines"
check "the last call of the stream, after the restore, worked" \
	grep -qx "call $STREAM_CALLS: ok" <<<"$out"
calls_work "after the cut in the stream"

check "B's bridged is alive" daemon_running b.bridged
check "A's bridged is alive" daemon_running a.bridged
e2e_finish
