#!/usr/bin/env bash
# bridge_metrics.sh - bridged's Prometheus metrics ([bridge] metrics): both
# bridged serve /metrics (a bare port: on 127.0.0.1 only), a plain HTTP
# client scrapes them, and the counters move as calls cross: A's outgoing
# calls, round trips, failures and bytes, B's incoming calls, the link's
# gauge at 1 on both sides, TLS handshakes done and failed (a client
# that speaks plain text to B's bridge port). A's bridged restarted without
# the key listens on its bridge port only; B then counts a reconnect.
#   bridge_metrics.sh NAME=PATH...   (see hosts.sh)
source "$(dirname "$0")/hosts.sh" "$@"

CALLS=5

METRICS_A=$(e2e_pick_port)
e2e_ports_used+=("$METRICS_A")
METRICS_B=$(e2e_pick_port)
e2e_ports_used+=("$METRICS_B")

# A second [bridge] section adds to the first one hosts.sh writes.
E2E_B_SECTIONS="
[bridge]
metrics = $METRICS_B

[export calculator]
peers = hosta
"
E2E_A_SECTIONS="
[bridge]
metrics = 127.0.0.1:$METRICS_A

[import calculator]
peer = hostb
service = calculator
"

# scrape PORT: GET /metrics from 127.0.0.1:PORT into $scraped (status in
# $scrape_status), with curl if there is one, else bash's /dev/tcp.
scrape() {
	local port=$1
	if command -v curl >/dev/null; then
		scraped=$(curl -sS --fail --max-time 10 "http://127.0.0.1:$port/metrics" 2>&1)
		scrape_status=$?
	else
		scraped=$(timeout 10 bash -c '
			exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 7
			printf "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
			cat <&3' _ "$port" 2>&1)
		scrape_status=$?
		[[ $scrape_status == 0 && $scraped == "HTTP/1."?" 200 "* ]] || scrape_status=22
		scraped=${scraped#*$'\r\n\r\n'}
	fi
	[[ $scrape_status == 0 ]]
}

# value SELECTOR: the sample of that series in $scraped ("" if none).
value() {
	awk -v selector="$1" 'index($0, selector " ") == 1 { print $NF }' <<<"$scraped"
}

# moved_by SELECTOR BEFORE AT_LEAST: the sample is at least BEFORE + AT_LEAST.
moved_by() {
	local now
	now=$(value "$1")
	[[ -n $now ]] && (($(printf '%.0f' "$now") >= $2 + $3))
}

# The TCP ports the process listens on (its own sockets, from /proc), as
# ADDRESS:PORT in hex the way /proc/net/tcp writes them.
listening() {
	local pid=$1 fd inodes=" "
	for fd in /proc/"$pid"/fd/*; do
		local target
		target=$(readlink "$fd" 2>/dev/null) || continue
		[[ $target == socket:\[*\] ]] && inodes+="${target//[^0-9]/} "
	done
	awk -v inodes="$inodes" '$4 == "0A" && index(inodes, " " $10 " ") { print $2 }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null | sort
}

hex_port() {
	printf '%04X' "$1"
}

hosts_start_cores
service_start b.calculator b calculator "$CALCULATOR_SERVICE"
bridged_start b
bridged_start a
check "A: calculator imported" wait_service a calculator 30

# ---- where they listen: a bare port means 127.0.0.1
check "A's metrics listen on 127.0.0.1:$METRICS_A" \
	eval 'listening "${e2e_pid[a.bridged]}" | grep -qx "0100007F:$(hex_port "$METRICS_A")"'
check "B's metrics (a bare port) listen on 127.0.0.1:$METRICS_B" \
	eval 'listening "${e2e_pid[b.bridged]}" | grep -qx "0100007F:$(hex_port "$METRICS_B")"'

# ---- before the calls
check "A's /metrics answers" scrape "$METRICS_A"
check "the text format's HELP and TYPE lines" \
	eval 'grep -qx "# TYPE bridged_calls_total counter" <<<"$scraped" &&
	      grep -qx "# TYPE bridged_call_round_trip_seconds histogram" <<<"$scraped"'
check "A: the link to hostb is up (gauge 1)" \
	test "$(value 'bridged_peer_connected{peer="hostb"}')" = 1
check "A: a TLS handshake counted" moved_by 'bridged_tls_handshakes_total' 0 1
out_before=$(value 'bridged_calls_total{peer="hostb",direction="outgoing"}')
trips_before=$(value 'bridged_call_round_trip_seconds_count{peer="hostb"}')
failed_before=$(value 'bridged_call_failures_total{peer="hostb",kind="other"}')
sent_before=$(value 'bridged_bytes_total{peer="hostb",direction="out"}')
check "A: the series exist before any call" \
	test -n "$out_before" -a -n "$trips_before" -a -n "$failed_before" -a -n "$sent_before"
check "B's /metrics answers" scrape "$METRICS_B"
in_before=$(value 'bridged_calls_total{peer="hosta",direction="incoming"}')
check "B: the incoming calls series exists" test -n "$in_before"

# ---- calls through the bridge
bad=0
for i in $(seq 1 "$CALLS"); do
	run a 30 "$CALCULATOR_CLIENT" add "$i" 1
	[[ $status == 0 && $out == "$i + 1 = $((i + 1))" ]] || bad=$((bad + 1))
done
check "$CALLS calls through the bridge ($bad wrong)" test "$bad" = 0
run a 30 "$BINDER_SERVICE" call calculator 77 --intf
expect_failure "a call of an unknown code fails"

# ---- the counters moved
check "A's /metrics answers after the calls" scrape "$METRICS_A"
check "A: outgoing calls moved by at least $((CALLS + 1))" \
	moved_by 'bridged_calls_total{peer="hostb",direction="outgoing"}' "$out_before" $((CALLS + 1))
check "A: round trips observed for the $CALLS answered calls" \
	moved_by 'bridged_call_round_trip_seconds_count{peer="hostb"}' "$trips_before" "$CALLS"
check "A: the failed call counted (kind other)" \
	moved_by 'bridged_call_failures_total{peer="hostb",kind="other"}' "$failed_before" 1
check "A: bytes out moved" \
	moved_by 'bridged_bytes_total{peer="hostb",direction="out"}' "$sent_before" 1
check "A: bytes in counted" moved_by 'bridged_bytes_total{peer="hostb",direction="in"}' 0 1
check "A: no call in flight now" test "$(value 'bridged_calls_in_flight{peer="hostb"}')" = 0
check "A: the link is still up" test "$(value 'bridged_peer_connected{peer="hostb"}')" = 1
check "B's /metrics answers after the calls" scrape "$METRICS_B"
check "B: incoming calls moved by at least $((CALLS + 1))" \
	moved_by 'bridged_calls_total{peer="hosta",direction="incoming"}' "$in_before" $((CALLS + 1))
check "B: the link to hosta is up (gauge 1)" \
	test "$(value 'bridged_peer_connected{peer="hosta"}')" = 1
check "B: no reconnect yet" test "$(value 'bridged_peer_reconnects_total{peer="hosta"}')" = 0

# ---- a failed TLS handshake: plain text on B's bridge port
failures_before=$(value 'bridged_tls_handshake_failures_total')
timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET / HTTP/1.0\r\n\r\n" >&3 &&
	cat <&3 >/dev/null' _ "$PORT_B" 2>/dev/null
b_counted_a_failed_handshake() {
	scrape "$METRICS_B" && moved_by 'bridged_tls_handshake_failures_total' "$failures_before" 1
}
check "B: a connection that is not TLS counts as a failed handshake" \
	wait_until 30 b_counted_a_failed_handshake

# ---- without the key: nothing but the bridge listens
daemon_stop a.bridged
b_sees_hosta_down() {
	scrape "$METRICS_B" && [[ $(value 'bridged_peer_connected{peer="hosta"}') == 0 ]]
}
check "B: the link to hosta is down (gauge 0) once A's bridged stopped" \
	wait_until 30 b_sees_hosta_down
E2E_A_SECTIONS='
[import calculator]
peer = hostb
service = calculator
'
bridged_start a
check "A (no metrics key): calculator imported again" wait_service a calculator 30
check "A (no metrics key) listens on its bridge port only" \
	test "$(listening "${e2e_pid[a.bridged]}" | sed 's/.*://')" = "$(hex_port "$PORT_A")"
check "A (no metrics key): nothing answers on the old metrics port" eval '! scrape "$METRICS_A"'
run a 30 "$CALCULATOR_CLIENT" add 2 3
expect 0 "calls still work" "2 + 3 = 5"
b_sees_hosta_again() {
	scrape "$METRICS_B" && [[ $(value 'bridged_peer_connected{peer="hosta"}') == 1 ]] &&
		moved_by 'bridged_peer_reconnects_total{peer="hosta"}' 0 1
}
check "B: the link to hosta is up again, one reconnect counted" \
	wait_until 30 b_sees_hosta_again

e2e_finish
