#!/usr/bin/env bash
# bridge_tls_refusals.sh - what bridged refuses at its door. Hosts A and B
# run as in the scenario (B exports calculator to hosta, A imports it).
# Then openssl s_client and raw TCP connections try B's listener:
#  - a certificate from another CA (named hosta), a certificate of the
#    right CA whose name is not a configured peer (hostc), no client
#    certificate, TLS 1.2: refused in the handshake, and such a client
#    never sees B's Hello (the export list);
#  - hosta's own certificate but no Hello, a malformed first frame, a
#    frame above the size limit: refused, and A's real link stays up;
#  - plaintext bytes (HTTP, junk): refused;
#  - slowloris: connections that send nothing, or half a ClientHello, are
#    closed after handshake_timeout_ms (1000 here); ten at once do not
#    keep A's calls from working meanwhile.
# Each refusal is a "connection N refused" line in B's log naming the
# reason. At the end both bridged are alive, A's link to B never closed,
# and A's calls still work.
# Then the other side of the door: A, restarted with two more peers whose
# addresses are openssl s_server instances, refuses a server certificate
# of another CA and one whose name is not the peer's, and says why.
#   bridge_tls_refusals.sh NAME=PATH...   (see hosts.sh)
source "$(dirname "$0")/hosts.sh" "$@"

E2E_B_SECTIONS='
[export calculator]
peers = hosta
'
E2E_A_SECTIONS='
[import calculator]
peer = hostb
service = calculator
'
hosts_start_cores
# hostc: signed by the right CA, but no peer of B. other/: another CA, with
# a certificate that claims to be hosta.
certs_make "$E2E_CERTS" hostc
certs_make "$E2E_DIR/other" --ca-name "another CA" hosta hostd
service_start b.calculator b calculator "$CALCULATOR_SERVICE"
bridged_start b
bridged_start a
check "A: calculator imported" wait_service a calculator 30
run a 30 "$CALCULATOR_CLIENT" add 2 3
expect 0 "calculator_client add 2 3 on A before the attempts" "2 + 3 = 5"

a_closed_before=$(log_count a.bridged "link [0-9]+ to hostb closed")
refusal='connection [0-9]+ refused'

# tls_attempt DESCRIPTION REASON_ERE CLIENT_ERE FRAME S_CLIENT_ARG...: one
# s_client connection to B, its stdin held open (after the bytes FRAME, a
# printf format, if not empty) until B closes the connection. B must log a
# new refusal matching REASON_ERE; the client's output must match
# CLIENT_ERE (if not empty). The client must not have hung.
tls_attempt() {
	local description=$1 reason=$2 client=$3 frame=$4
	shift 4
	local before fifo=$E2E_DIR/stdin.fifo
	before=$(log_count b.bridged "$refusal \(.*\): .*$reason")
	rm -f "$fifo"
	mkfifo "$fifo"
	# Read-write: the fifo never reaches EOF while we hold it.
	exec 5<>"$fifo"
	[[ -n $frame ]] && printf "$frame" >&5
	e2e_last_command="openssl s_client $*"
	out=$(timeout -k 5 30 openssl s_client -connect "127.0.0.1:$PORT_B" \
		-CAfile "$E2E_CERTS/ca.crt" "$@" <&5 2>&1 | tr -c '[:print:]\n' '.')
	status=${PIPESTATUS[0]}
	err=
	exec 5>&-
	e2e_checks=$((e2e_checks + 1))
	if [[ $status == 124 || $status == 137 ]]; then
		fail_run "$description: the connection stayed open (killed by timeout)"
	else
		e2e_ok "$description: B closed the connection"
	fi
	check "$description: B logs the refusal ($reason)" \
		wait_log b.bridged 20 "$refusal \(.*\): .*$reason" "$((before + 1))"
	if [[ -n $client ]]; then
		e2e_checks=$((e2e_checks + 1))
		if grep -qE -- "$client" <<<"$out"; then
			e2e_ok "$description: the client sees '$client'"
		else
			fail_run "$description: the client's output lacks '$client'"
		fi
	fi
}

# raw_attempt DESCRIPTION REASON_ERE BYTES: a plain TCP connection to B
# that sends BYTES (a printf format; empty: nothing) and reads until B
# closes it.
raw_attempt() {
	local description=$1 reason=$2 bytes=$3 before
	before=$(log_count b.bridged "$refusal \(\?\): .*$reason")
	e2e_last_command="raw TCP to B: '$bytes'"
	raw_connection "$bytes"
	status=$?
	out=
	err=
	e2e_checks=$((e2e_checks + 1))
	if [[ $status == 0 ]]; then
		e2e_ok "$description: B closed the connection"
	elif [[ $status == 3 ]]; then
		fail_run "$description: cannot connect to B"
	else
		fail_run "$description: the connection stayed open (killed by timeout)"
	fi
	check "$description: B logs the refusal ($reason)" \
		wait_log b.bridged 20 "$refusal \(\?\): .*$reason" "$((before + 1))"
}

# raw_connection BYTES: 0 once B closed it, 3 if it cannot connect, 124 or
# 137 if B kept it open for 30 s.
raw_connection() {
	timeout -k 5 30 bash -c '
		trap "" PIPE
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 3
		[[ -n $2 ]] && printf "$2" >&3
		cat <&3 >/dev/null 2>&1
		exit 0' raw "$PORT_B" "$1" 2>/dev/null
}

# ---- refused in the TLS handshake; none of them sees B's Hello
tls_attempt "a certificate of another CA" "certificate verify failed" "alert unknown ca" "" \
	-cert "$E2E_DIR/other/hosta.crt" -key "$E2E_DIR/other/hosta.key"
check "the other CA's client did not get B's exports" eval '! grep -q calculator <<<"$out"'
tls_attempt "the right CA, but hostc is no peer of B" "names no configured peer" "" "" \
	-cert "$E2E_CERTS/hostc.crt" -key "$E2E_CERTS/hostc.key"
check "hostc did not get B's exports" eval '! grep -q calculator <<<"$out"'
tls_attempt "no client certificate" "did not return a certificate" \
	"alert certificate required" ""
check "a client without a certificate did not get B's exports" \
	eval '! grep -q calculator <<<"$out"'
tls_attempt "TLS 1.2 (with hosta's certificate)" "unsupported protocol" \
	"alert protocol version" "" -tls1_2 \
	-cert "$E2E_CERTS/hosta.crt" -key "$E2E_CERTS/hosta.key"
check "a TLS 1.2 client did not get B's exports" eval '! grep -q calculator <<<"$out"'

# ---- hosta's own certificate, but no proper Hello: refused after TLS
tls_attempt "hosta's certificate, then nothing (no Hello)" \
	"handshake took too long" "" "" \
	-cert "$E2E_CERTS/hosta.crt" -key "$E2E_CERTS/hosta.key"
# The positive control of the "exports" checks above: a client that gets
# through TLS with hosta's certificate does get B's Hello.
check "hosta's certificate gets B's Hello (its exports)" eval 'grep -q calculator <<<"$out"'
tls_attempt "hosta's certificate, then a frame that is no Hello" "bad frame in the handshake" \
	"" '\0\0\0\020garbage garbage!' \
	-cert "$E2E_CERTS/hosta.crt" -key "$E2E_CERTS/hosta.key"
tls_attempt "hosta's certificate, then a frame above the size limit" "above the size limit" \
	"" '\377\377\377\377garbage' \
	-cert "$E2E_CERTS/hosta.crt" -key "$E2E_CERTS/hosta.key"
run a 30 "$CALCULATOR_CLIENT" add 2 3
expect 0 "A's calls work after the false hostas" "2 + 3 = 5"

# ---- plaintext
raw_attempt "plaintext HTTP" "TLS: " 'GET / HTTP/1.0\r\nHost: hostb\r\n\r\n'
raw_attempt "plaintext junk" "TLS: " 'hello bridged, this is not TLS\n\0\1\2\3\4\5\6\7\n'

# ---- slowloris
raw_attempt "slowloris: connect, send nothing" "the handshake took too long" ""
raw_attempt "slowloris: half a ClientHello" "the handshake took too long" '\026\003\001\002\000\001'

before=$(log_count b.bridged "$refusal \(\?\): the handshake took too long")
pids=()
for i in $(seq 1 10); do
	raw_connection "" &
	pids+=($!)
done
run a 30 "$CALCULATOR_CLIENT" add 40 2
expect 0 "A's calls work while ten slowloris connections wait" "40 + 2 = 42"
bad=0
for pid in "${pids[@]}"; do
	wait "$pid" || bad=$((bad + 1))
done
check "B closed the ten slowloris connections ($bad not)" test "$bad" = 0
check "B logs ten more slow handshakes" \
	wait_log b.bridged 20 "$refusal \(\?\): the handshake took too long" "$((before + 10))"

# ---- nothing of that disturbed the real link
check "B's bridged is alive" daemon_running b.bridged
check "A's bridged is alive" daemon_running a.bridged
check "A's link to B never closed" \
	test "$(log_count a.bridged "link [0-9]+ to hostb closed")" = "$a_closed_before"
check "B's link to A never closed" test "$(log_count b.bridged "link [0-9]+ to hosta closed")" = 0
run a 30 "$CALCULATOR_CLIENT" add 2 3
expect 0 "calculator_client add 2 3 on A at the end" "2 + 3 = 5"
run a 30 "$BINDER_SERVICE" call calculator 2 --intf --reply ex,i32 i32:50 i32:8
expect 0 "binder-service call on A at the end" "ex: none" "i32: 42"

# ---- what bridged refuses when it is the one that connects
# Two TLS servers (openssl s_server) pose as peers A connects to: hostd
# shows a certificate of another CA (named hostd), hoste shows the right
# CA's certificate for hostc. A, restarted with both as peers, must refuse
# each in the handshake, say why, and keep its link to B.
fake_pids=()
fake_server() {
	local name=$1 port=$2 certificate=$3 key=$4
	timeout -k 5 120 openssl s_server -accept "127.0.0.1:$port" -cert "$certificate" \
		-key "$key" -tls1_3 -www -naccept 1000 >"$E2E_DIR/fake.$name.log" 2>&1 </dev/null &
	fake_pids+=($!)
	check "a TLS server poses as $name on port $port" wait_until 10 e2e_port_used "$port"
}
PORT_D=$(e2e_pick_port)
e2e_ports_used+=("$PORT_D")
PORT_E=$(e2e_pick_port)
e2e_ports_used+=("$PORT_E")
fake_server hostd "$PORT_D" "$E2E_DIR/other/hostd.crt" "$E2E_DIR/other/hostd.key"
fake_server hoste "$PORT_E" "$E2E_CERTS/hostc.crt" "$E2E_CERTS/hostc.key"
E2E_A_SECTIONS="$E2E_A_SECTIONS
[peer hostd]
address = 127.0.0.1:$PORT_D

[peer hoste]
address = 127.0.0.1:$PORT_E
"
daemon_stop a.bridged
bridged_config a
bridged_restart a
check "A refuses hostd, whose certificate is of another CA" \
	wait_log a.bridged 20 "cannot reach hostd \(127\.0\.0\.1:$PORT_D\): TLS: .*certificate verify failed"
check "A refuses hoste, whose certificate names hostc" \
	wait_log a.bridged 20 "cannot reach hoste \(127\.0\.0\.1:$PORT_E\): TLS: .*certificate verify failed"
check "A tries hostd again (backoff)" \
	wait_log a.bridged 20 "cannot reach hostd \(127\.0\.0\.1:$PORT_D\): TLS: " 2
# Backoff with jitter (hosts.sh: reconnect_min_ms 100, reconnect_max_ms
# 1000): the Nth wait before trying hostd again lies in the upper half of a
# delay that doubles from 100 ms up to 1000 ms, and the waits are jittered
# (not all exactly half or all of their delay).
backoff_ok() {
	local delay=100 wait count=0 jittered=0
	while read -r wait; do
		((count < 6)) || break
		count=$((count + 1))
		if ((wait < delay / 2 || wait > delay)); then
			echo "wait $count before hostd: $wait ms, not within $((delay / 2))..$delay" >&2
			return 1
		fi
		((wait != delay / 2 && wait != delay)) && jittered=$((jittered + 1))
		delay=$((delay * 2 > 1000 ? 1000 : delay * 2))
	done < <(grep -oE "peer hostd: connecting again in [0-9]+ ms" "$E2E_DIR/a.bridged.log" |
		grep -oE "[0-9]+ ms" | grep -oE "[0-9]+")
	((count == 6 && jittered > 0))
}
check "A waited 6 times before trying hostd again" \
	wait_log a.bridged 30 "peer hostd: connecting again in [0-9]+ ms" 6
check "A's waits double from 100 ms up to 1000 ms, each jittered within its upper half" backoff_ok
check "A never took hostd or hoste for a peer" \
	eval '! e2e_log_has a.bridged "TLS up with host[de]"'
check "A: calculator imported again after its restart" wait_service a calculator 30
run a 30 "$CALCULATOR_CLIENT" add 2 3
expect 0 "A's calls work beside the refused servers" "2 + 3 = 5"
check "A's bridged is alive" daemon_running a.bridged
kill "${fake_pids[@]}" 2>/dev/null
wait "${fake_pids[@]}" 2>/dev/null

e2e_finish
