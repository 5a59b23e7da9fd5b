#!/usr/bin/env bash
# deploy/demo_two_hosts.sh - the two-host demo: binder across hosts through
# bridged, on one machine.
#
# Host A and host B each get a network namespace of their own, joined by a
# veth pair (A 10.77.0.1/24, B 10.77.0.2/24), and their own binderd socket
# directory. Host B runs binderd, servicemanager, the calculator and callback
# example services and bridged, which exports "calculator" and "worker" to
# host A; host A runs binderd, servicemanager and bridged, which imports
# them. The clients then run on host A: calculator_client (add, sub),
# binder-service (list --long, call), callback_client 5 (the service on B
# calls back a listener on A, which is nested across the link). Then B's
# calculator_service is killed (the name goes away on A) and started again
# (the name comes back and calls work again). Finally everything is stopped
# with SIGTERM and must exit with status 0.
#
# The bridged configs are deploy/bridged-hosta.conf and bridged-hostb.conf,
# with /etc/bridged/, /run/binderd/binder.sock and the addresses rewritten
# for the private run directory; the certificates come from
# certs/make_certs.sh.
#
# Without network namespaces (not root, no CAP_NET_ADMIN, no `ip`, or
# DEMO_NO_NETNS=1) both hosts run in this namespace on the loopback
# addresses 127.0.0.2 (A) and 127.0.0.3 (B), and the demo says so.
#
# Environment:
#   BUILD_DIR      the build with the programs (default: build-demo in the
#                  source tree; scripts/demo.sh builds it)
#   DEMO_NO_NETNS  1: use the loopback fallback even where namespaces work
#   DEMO_PORT      bridged's TCP port on both hosts (default: 7000)
#
# Exit status 0 only when every step worked and printed what it should; on
# a failure it names the step and prints every program's log. Every wait is
# bounded; on any exit a trap stops what it started and removes the
# namespaces and the run directory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-demo}
port=${DEMO_PORT:-7000}
client_timeout=60 # seconds, for each client command

current_step="setup"
step() {
	current_step=$*
	printf '\n== %s\n' "$*"
}
fail() {
	printf '\ndemo: FAILED at "%s": %s\n' "$current_step" "$*" >&2
	exit 1
}

if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
	fail "DEMO_PORT: not a port: $port"
fi

# ---- the programs ----
binderd=$build/driver/binderd
servicemanager=$build/driver/servicemanager/servicemanager
bridged=$build/bridged/bridged
service_tool=$build/tools/service/binder-service
calculator_service=$build/examples/calculator/calculator_service
calculator_client=$build/examples/calculator/calculator_client
callback_service=$build/examples/callback/callback_service
callback_client=$build/examples/callback/callback_client
for program in "$binderd" "$servicemanager" "$bridged" "$service_tool" "$calculator_service" \
	"$calculator_client" "$callback_service" "$callback_client"; do
	[ -x "$program" ] || fail "$program is missing: build first (bash scripts/demo.sh, or
  cmake -S $top -B $build && cmake --build $build), or set BUILD_DIR"
done
command -v openssl >/dev/null || fail "openssl is missing (Debian: apt-get install openssl)"
command -v timeout >/dev/null || fail "timeout (coreutils) is missing"

# ---- state, and the cleanup that runs on any exit ----
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/binder-two-hosts.XXXXXX")
names=() # started programs: "host X: program"
pids=()  # their pids, in start order
netns_a="" netns_b=""
start_seconds=$SECONDS

remove_namespaces() {
	local ns
	for ns in "$netns_a" "$netns_b"; do
		if [ -n "$ns" ]; then ip netns delete "$ns" 2>/dev/null || true; fi
	done
	netns_a="" netns_b=""
}

cleanup() {
	local status=$? i
	trap - EXIT TERM INT
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		if [ -n "${pids[i]}" ]; then kill -KILL "${pids[i]}" 2>/dev/null || true; fi
	done
	wait 2>/dev/null || true
	remove_namespaces
	if [ "$status" -ne 0 ]; then
		local log
		for log in "$run_dir"/*.log; do
			if [ -s "$log" ]; then
				printf -- '--- log %s:\n%s\n' "$(basename "$log")" "$(cat "$log")" >&2
			fi
		done
		printf 'demo: exit status %d after %d s\n' "$status" $((SECONDS - start_seconds)) >&2
	fi
	rm -rf "$run_dir"
	exit "$status"
}
trap cleanup EXIT
trap 'fail "interrupted"' TERM INT

# ---- helpers ----

# wait_for WHAT SECONDS COMMAND...: runs COMMAND every 0.1 s until it
# succeeds, at most SECONDS.
wait_for() {
	local what=$1 tries=$(($2 * 10)) i
	shift 2
	for ((i = 0; i < tries; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "$what did not happen within $((tries / 10)) s"
}

# The command prefix that runs a program on host a or b: in its namespace
# (if any), with BINDER_DEVICE naming its binderd.
on_host() {
	local host=$1 ns socket
	if [ "$host" = a ]; then ns=$netns_a socket=$run_dir/hosta/binder.sock; else
		ns=$netns_b socket=$run_dir/hostb/binder.sock
	fi
	prefix=()
	if [ -n "$ns" ]; then prefix=(ip netns exec "$ns"); fi
	prefix+=(env "BINDER_DEVICE=$socket")
}

# start HOST LOG PROGRAM ARGS...: starts PROGRAM on HOST in the background,
# its stderr (and stdout) into $run_dir/LOG.log; sets $started_pid. `ip
# netns exec` and `env` exec, so the pid is the program's own.
start() {
	local host=$1 log=$2
	shift 2
	on_host "$host"
	"${prefix[@]}" "$@" >"$run_dir/$log.log" 2>&1 &
	started_pid=$!
	pids+=("$started_pid")
	names+=("host ${host^^}: $(basename "$1")")
}

forget() { # forget PID: a program that is gone on purpose
	local i
	for i in "${!pids[@]}"; do
		if [ "${pids[i]}" = "$1" ]; then pids[i]=""; fi
	done
}

# stop INDEX: SIGTERM to the INDEXth started program, a bounded wait, and
# its exit status must be 0.
stop() {
	local name=${names[$1]} pid=${pids[$1]} status=0 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || fail "$name (pid $pid) is not running any more"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then fail "$name did not stop within 10 s of SIGTERM"; fi
	wait "$pid" || status=$?
	pids[$1]=""
	[ "$status" -eq 0 ] || fail "$name exited with status $status after SIGTERM"
	echo "$name: exited with status 0"
}

short() { # a program path as the demo shows it
	local text=$*
	text=${text//$build\//}
	text=${text//$run_dir\//}
	printf '%s' "$text"
}

# run HOST EXPECTED_STATUS EXPECTED_TEXT PROGRAM ARGS...: runs a client on
# HOST, shows the command and its output, checks its exit status and that
# the output contains EXPECTED_TEXT.
run() {
	local host=$1 expected_status=$2 expected=$3 output status=0
	shift 3
	step "host ${host^^}: $(short "$(basename "$1")" "${@:2}")"
	on_host "$host"
	printf '$ %s\n' "$(short "$@")"
	output=$(timeout "$client_timeout" "${prefix[@]}" "$@" 2>&1) || status=$?
	if [ -n "$output" ]; then printf '%s\n' "$output"; fi
	((status != 124)) || fail "$(basename "$1") did not finish within $client_timeout s"
	((status == expected_status)) ||
		fail "$(basename "$1") exited with status $status, expected $expected_status"
	grep -qF -- "$expected" <<<"$output" || fail "expected \"$expected\" in the output"
}

# name_absent HOST NAME: servicemanager on HOST answers that NAME is not there.
name_absent() {
	on_host "$1"
	local output
	output=$(timeout 5 "${prefix[@]}" "$service_tool" check "$2" 2>&1) || true
	grep -qF "Service $2: not found" <<<"$output"
}

# show_log LOG PATTERN: the log lines that match (for the reader; no check).
show_log() {
	grep -E -- "$2" "$run_dir/$1.log" 2>/dev/null | sed "s/^/  [$1] /" || true
}

# ---- the network ----
# make_namespaces: two namespaces joined by a veth pair; non-zero (with the
# reason on stderr) where that cannot be done.
make_namespaces() {
	command -v ip >/dev/null || {
		echo "the ip command (iproute2) is missing"
		return 1
	}
	[ "$(id -u)" -eq 0 ] || {
		echo "not root"
		return 1
	}
	local tag=$$
	netns_a=binder-demo-a-$tag
	netns_b=binder-demo-b-$tag
	ip netns add "$netns_a" &&
		ip netns add "$netns_b" &&
		ip link add "bdemo${tag}a" netns "$netns_a" type veth peer name "bdemo${tag}b" netns "$netns_b" &&
		ip -n "$netns_a" addr add 10.77.0.1/24 dev "bdemo${tag}a" &&
		ip -n "$netns_b" addr add 10.77.0.2/24 dev "bdemo${tag}b" &&
		ip -n "$netns_a" link set lo up &&
		ip -n "$netns_b" link set lo up &&
		ip -n "$netns_a" link set "bdemo${tag}a" up &&
		ip -n "$netns_b" link set "bdemo${tag}b" up &&
		ip netns exec "$netns_a" true
}

if [ "${DEMO_NO_NETNS:-0}" = 1 ]; then
	step "network: DEMO_NO_NETNS=1, so no namespaces: both hosts on loopback addresses"
	address_a=127.0.0.2 address_b=127.0.0.3
elif make_namespaces >"$run_dir/netns.log" 2>&1; then
	step "network: namespaces $netns_a (host A) and $netns_b (host B), joined by a veth pair"
	address_a=10.77.0.1 address_b=10.77.0.2
	ip -n "$netns_a" -brief addr show dev "bdemo$$a" | sed 's/^/  host A: /'
	ip -n "$netns_b" -brief addr show dev "bdemo$$b" | sed 's/^/  host B: /'
else
	remove_namespaces
	reason=$(tr '\n' ' ' <"$run_dir/netns.log")
	step "network: cannot make network namespaces (${reason% }): falling back to loopback addresses"
	address_a=127.0.0.2 address_b=127.0.0.3
fi
echo "host A is $address_a, host B is $address_b; bridged listens on port $port"

# ---- certificates and configs ----
step "certificates: a CA, and hosta and hostb signed by it (certs/make_certs.sh)"
mkdir -p "$run_dir/certs" "$run_dir/hosta" "$run_dir/hostb"
"$top/certs/make_certs.sh" "$run_dir/certs" hosta hostb >"$run_dir/make_certs.log" 2>&1 ||
	fail "make_certs.sh failed: $(cat "$run_dir/make_certs.log")"
sed "s|^|  |; s|$run_dir/||g" "$run_dir/make_certs.log"

step "configs: deploy/bridged-hosta.conf and deploy/bridged-hostb.conf, for this run"
for host in a b; do
	sed -e "s|/etc/bridged/|$run_dir/certs/|g" \
		-e "s|/run/binderd/binder.sock|$run_dir/host$host/binder.sock|g" \
		-e "s|10\.77\.0\.1:7000|$address_a:$port|g" \
		-e "s|10\.77\.0\.2:7000|$address_b:$port|g" \
		"$top/deploy/bridged-host$host.conf" >"$run_dir/host$host/bridged.conf"
	! grep -qE '/etc/bridged|/run/binderd' "$run_dir/host$host/bridged.conf" ||
		fail "deploy/bridged-host$host.conf: a path was not rewritten"
	grep -qF "$address_b:$port" "$run_dir/host$host/bridged.conf" ||
		fail "deploy/bridged-host$host.conf: host B's address 10.77.0.2:7000 is not in it"
	grep -E '^(name|listen|address|peers|peer|service) *=|^\[(export|import|peer) ' \
		"$run_dir/host$host/bridged.conf" | tr '\n' ' ' | sed "s/^/  host ${host^^}: /; s/ *$/\n/"
	output=$("$bridged" --config "$run_dir/host$host/bridged.conf" --check 2>&1) ||
		fail "bridged --check refused the host ${host^^} config: $output"
	printf '  %s\n' "$(short "$output")"
done

# ---- host B ----
step "host B: starting binderd"
start b binderd_b "$binderd" --socket "$run_dir/hostb/binder.sock" --log-level warning
wait_for "host B's binderd listening" 10 test -S "$run_dir/hostb/binder.sock"
echo "binderd on host B (pid $started_pid): $(short "$run_dir/hostb/binder.sock")"

step "host B: starting servicemanager"
# It writes "ready" on --ready-fd once it is the context manager.
start b servicemanager_b "$servicemanager" --log-level warning --ready-fd 3 \
	3>"$run_dir/servicemanager_b.ready"
wait_for "host B's servicemanager ready" 10 grep -qs ready "$run_dir/servicemanager_b.ready"
echo "servicemanager on host B (pid $started_pid) is the context manager"

step "host B: starting calculator_service and callback_service"
start b calculator_service_b "$calculator_service"
calculator_pid=$started_pid
start b callback_service_b "$callback_service"
wait_for "calculator_service ready" 10 grep -qs "is ready" "$run_dir/calculator_service_b.log"
wait_for "callback_service ready" 10 grep -qs "is ready" "$run_dir/callback_service_b.log"
cat "$run_dir/calculator_service_b.log" "$run_dir/callback_service_b.log"

step "host B: starting bridged (exports calculator and worker to hosta)"
start b bridged_b "$bridged" --config "$run_dir/hostb/bridged.conf"
wait_for "host B's bridged ready" 10 grep -qs "node hostb ready" "$run_dir/bridged_b.log"
show_log bridged_b 'listening|ready'

# ---- host A ----
step "host A: starting binderd"
start a binderd_a "$binderd" --socket "$run_dir/hosta/binder.sock" --log-level warning
wait_for "host A's binderd listening" 10 test -S "$run_dir/hosta/binder.sock"
echo "binderd on host A (pid $started_pid): $(short "$run_dir/hosta/binder.sock")"

step "host A: starting servicemanager"
# It writes "ready" on --ready-fd once it is the context manager.
start a servicemanager_a "$servicemanager" --log-level warning --ready-fd 3 \
	3>"$run_dir/servicemanager_a.ready"
wait_for "host A's servicemanager ready" 10 grep -qs ready "$run_dir/servicemanager_a.ready"
echo "servicemanager on host A (pid $started_pid) is the context manager"

step "host A: starting bridged (imports calculator and worker from hostb)"
start a bridged_a "$bridged" --config "$run_dir/hosta/bridged.conf"
wait_for "host A's bridged ready" 10 grep -qs "node hosta ready" "$run_dir/bridged_a.log"
run a 0 "Service calculator: found" "$service_tool" wait calculator --timeout 15000
run a 0 "Service worker: found" "$service_tool" wait worker --timeout 15000
show_log bridged_a 'link .* up|imported'

# ---- the clients, on host A ----
run a 0 "2 + 3 = 5" "$calculator_client" add 2 3
run a 0 "7 - 10 = -3" "$calculator_client" sub 7 10
run a 0 "calculator [ICalculate]" "$service_tool" list --long
run a 0 "i32: 5" "$service_tool" call calculator 1 --intf --reply ex,i32 i32:2 i32:3
run a 0 "listener: onFinished(15)" "$callback_client" 5
if grep -qF "warning" "$run_dir/callback_service_b.log"; then
	fail "callback_service on host B: $(cat "$run_dir/callback_service_b.log")"
fi

# ---- a remote death, and the service coming back ----
step "host B: kill -KILL calculator_service (pid $calculator_pid)"
status=0
# (Both in one block with stderr closed: bash would report "Killed".)
{
	kill -KILL "$calculator_pid"
	wait "$calculator_pid" || status=$?
} 2>/dev/null
forget "$calculator_pid"
[ "$status" -eq 137 ] || fail "calculator_service: exit status $status, expected 137 (SIGKILL)"
echo "calculator_service on host B is gone (status $status)"

step "host A: waiting until calculator leaves servicemanager"
wait_for "calculator leaving host A's servicemanager" 15 name_absent a calculator
show_log bridged_b 'died; telling hosta'
show_log bridged_a 'calculator: the service died'
run a 1 "Service calculator: not found" "$service_tool" check calculator
run a 1 'no service "calculator"' "$calculator_client" add 2 3

step "host B: starting calculator_service again"
mv "$run_dir/calculator_service_b.log" "$run_dir/calculator_service_b_killed.log"
start b calculator_service_b "$calculator_service"
wait_for "calculator_service ready" 10 grep -qs "is ready" "$run_dir/calculator_service_b.log"
cat "$run_dir/calculator_service_b.log"

run a 0 "Service calculator: found" "$service_tool" wait calculator --timeout 15000
show_log bridged_a 'imported calculator' | tail -n 1
run a 0 "2 + 3 = 5" "$calculator_client" add 2 3
run a 0 "listener: onFinished(15)" "$callback_client" 5

# ---- the end ----
step "stopping everything with SIGTERM"
# Host A first (bridged, then the daemons), then host B's bridged, its
# services and its daemons: each after what uses it.
order=()
for prefix_name in "host A: bridged" "host A: servicemanager" "host A: binderd" \
	"host B: bridged" "host B: callback_service" "host B: calculator_service" \
	"host B: servicemanager" "host B: binderd"; do
	for i in "${!names[@]}"; do
		if [ "${names[i]}" = "$prefix_name" ] && [ -n "${pids[i]}" ]; then order+=("$i"); fi
	done
done
for i in "${order[@]}"; do
	current_step="stopping ${names[i]}"
	stop "$i"
done
for i in "${!pids[@]}"; do
	[ -z "${pids[i]}" ] || fail "${names[i]} was not stopped"
done
remove_namespaces

step "the demo worked ($((SECONDS - start_seconds)) s)"
