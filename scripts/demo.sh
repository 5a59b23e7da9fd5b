#!/usr/bin/env bash
# scripts/demo.sh - the demo: on a fresh Debian 12 machine (as root, or as
# any user once the packages are there) installs the build dependencies,
# builds binderd, servicemanager and the examples in build-demo/, starts
# binderd on a private socket, servicemanager and the calculator service,
# runs the calculator client (an add and a sub), then the callback example,
# and stops everything. Exit status 0 when every step worked and printed
# what it should.
#
# Environment: BUILD_DIR (default: build-demo in the source tree); JOBS
# (default: nproc) for the build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-demo}
jobs=${JOBS:-$(nproc)}

# What the build needs (scripts/test.sh installs these and the test tools).
packages=(
	build-essential cmake pkg-config
	libevent-dev libssl-dev libprotobuf-c-dev protobuf-c-compiler
	uthash-dev libinih-dev
)

step() { printf '\n== %s\n' "$*"; }
fail() {
	printf 'demo: FAILED: %s\n' "$*" >&2
	exit 1
}

# ---- packages ----
missing=()
for package in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || fail "missing packages (${missing[*]}); run as root to install them"
	step "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ---- build ----
targets=(binderd servicemanager binder-service calculator_service calculator_client
	callback_service callback_client)
step "building ${targets[*]} in $build"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBINDER_TESTS=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}" >/dev/null
binderd=$build/driver/binderd
servicemanager=$build/driver/servicemanager/servicemanager
service_tool=$build/tools/service/binder-service
examples=$build/examples
for program in "$binderd" "$servicemanager" "$service_tool" \
	"$examples/calculator/calculator_service" \
	"$examples/calculator/calculator_client" "$examples/callback/callback_service" \
	"$examples/callback/callback_client"; do
	[ -x "$program" ] || fail "the build did not make $program"
done

# ---- run ----
run_dir=$(mktemp -d /tmp/binder-demo.XXXXXX)
started=() # pids, in start order
# On any exit: stop what is still running (newest first), keep the logs
# when something failed.
cleanup() {
	local status=$?
	for ((i = ${#started[@]} - 1; i >= 0; i--)); do
		kill -KILL "${started[i]}" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ "$status" -ne 0 ]; then
		for log in "$run_dir"/*.log; do
			[ -s "$log" ] && printf -- '--- %s:\n%s\n' "$(basename "$log")" "$(cat "$log")" >&2
		done
	fi
	rm -rf "$run_dir"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# wait_for WHAT SECONDS COMMAND...: runs COMMAND every 0.1 s until it works.
wait_for() {
	local what=$1 tries=$(($2 * 10))
	shift 2
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "$what did not happen within ${tries}00 ms"
}

# stop NAME PID: SIGTERM, then a bounded wait for a clean exit.
stop() {
	local name=$1 pid=$2
	kill -TERM "$pid" 2>/dev/null || fail "$name is not running any more"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "$name did not stop within 10 s of SIGTERM"
	local status=0
	wait "$pid" || status=$?
	[ "$status" -eq 0 ] || fail "$name exited with status $status"
	echo "stopped $name"
}

# run_and_check EXPECTED COMMAND...: shows the command and its output, and
# checks that the output contains EXPECTED.
run_and_check() {
	local expected=$1 output
	shift
	printf '$ %s\n' "${*#"$top"/}"
	output=$("$@") || fail "$(basename "$1") failed"
	printf '%s\n' "$output"
	grep -qF -- "$expected" <<<"$output" || fail "expected \"$expected\""
}

socket=$run_dir/binder.sock
step "starting binderd on $socket"
"$binderd" --socket "$socket" --log-level warning 2>"$run_dir/binderd.log" &
binderd_pid=$!
started+=("$binderd_pid")
wait_for "binderd listening" 10 test -S "$socket"
echo "binderd is running (pid $binderd_pid)"
export BINDER_DEVICE=$socket

step "starting servicemanager"
# It writes "ready" on --ready-fd once it is the context manager.
"$servicemanager" --device "$socket" --log-level warning --ready-fd 3 \
	3>"$run_dir/servicemanager.ready" 2>"$run_dir/servicemanager.log" &
servicemanager_pid=$!
started+=("$servicemanager_pid")
wait_for "servicemanager ready" 10 grep -qs ready "$run_dir/servicemanager.ready"
echo "servicemanager is the context manager (pid $servicemanager_pid)"

step "starting the calculator service"
"$examples/calculator/calculator_service" 2>"$run_dir/calculator_service.log" &
calculator_pid=$!
started+=("$calculator_pid")
wait_for "calculator_service ready" 10 grep -qs "is ready" "$run_dir/calculator_service.log"
cat "$run_dir/calculator_service.log"

step "calling it"
run_and_check "2 + 3 = 5" "$examples/calculator/calculator_client" add 2 3
run_and_check "7 - 10 = -3" "$examples/calculator/calculator_client" sub 7 10

step "the same with the generic binder-service tool"
run_and_check "calculator [ICalculate]" "$service_tool" list --long
run_and_check "i32: 5" "$service_tool" call calculator 1 --intf --reply ex,i32 i32:2 i32:3

step "the callback example: the client passes a listener, the service calls it back"
"$examples/callback/callback_service" 2>"$run_dir/callback_service.log" &
callback_pid=$!
started+=("$callback_pid")
wait_for "callback_service ready" 10 grep -qs "is ready" "$run_dir/callback_service.log"
cat "$run_dir/callback_service.log"
run_and_check "listener: onFinished(15)" "$examples/callback/callback_client" 5

step "stopping everything"
stop callback_service "$callback_pid"
stop calculator_service "$calculator_pid"
stop servicemanager "$servicemanager_pid"
stop binderd "$binderd_pid"
started=()

step "the demo worked"
