# hosts.sh - the fixture of bridged's end-to-end tests: two "hosts" on this
# machine, each with its own binderd, servicemanager and bridged, talking
# mutual TLS 1.3 over 127.0.0.1. Sourced by each test script:
#
#   source hosts.sh NAME=PATH...
#
# with NAME one of BINDERD SERVICEMANAGER BRIDGED CALCULATOR_SERVICE
# CALCULATOR_CLIENT CALLBACK_SERVICE CALLBACK_CLIENT BINDER_SERVICE (the
# programs, from CMake) and SOURCE_DIR (the source tree, for
# certs/make_certs.sh). Every one is required. Optional: PROBE_SERVICE and
# PROBE_CLIENT (tests/bridge/probe), TOOL_TEST_SERVICE and BINDERCTL
# (binderd's state), for the scripts that use them.
#
# What it gives the test:
#  - E2E_DIR, a private temporary directory; E2E_CERTS=$E2E_DIR/certs with
#    a CA and the certificates of hosta and hostb (certs_make adds more).
#  - host_start a|b: binderd and servicemanager of that host (host "a" is
#    hosta, "b" hostb); bridged_start a|b: its bridged, with a config made
#    from E2E_LIMITS and E2E_A_SECTIONS / E2E_B_SECTIONS (see
#    bridged_config), on a free port (retried elsewhere if the port is
#    taken). B listens; A listens too and connects to B.
#  - daemon_start NAME HOST CMD... (any daemon on that host's device, log
#    in $E2E_DIR/NAME.log), daemon_stop (SIGTERM: must exit 0 with no
#    sanitizer report), daemon_kill (SIGKILL), daemon_restart, and
#    daemon_running.
#  - log_pipe NAME before NAME starts: its output goes through a pipe that
#    log_hold fills (the next line it logs blocks its thread: log_blocked)
#    and log_resume drains. E2E_LOG_LEVEL_A / E2E_LOG_LEVEL_B: the log
#    levels of the two bridged (default debug).
#  - run HOST SECONDS CMD...: a client on that host under `timeout`; sets
#    $out, $err and $status. expect, expect_failure, check, fail: the
#    assertions. wait_until, wait_service, wait_gone, wait_log: polls, each
#    bounded in time.
#  - e2e_finish: stops every daemon (each must exit 0 on SIGTERM), checks
#    every log for sanitizer reports, prints the logs if anything failed,
#    and exits with the test's status.
#  - A third host "c" (hostc): certs_make "$E2E_CERTS" hostc, host_start c,
#    bridged_start c with E2E_C_SECTIONS; only A and B get a peer section
#    of their own, the rest is the test's (see bridged_config).
#  - E2E_ADDRESS_A / _B / _C: the address each bridged listens on (default
#    127.0.0.1); E2E_NETNS_A / _B / _C: a network namespace that host's
#    bridged runs in (`ip netns exec`; the test makes it). Only bridged
#    needs the network: binderd's socket is a path, reachable from any
#    namespace. e2e_on_exit_hooks: commands the exit trap runs last (on
#    every exit path), e.g. removing those namespaces.
#
# Nothing waits without a bound: every client runs under `timeout`, every
# poll has a deadline, and a watchdog ends the whole test (cleanly, logs
# printed) after E2E_TIME_LIMIT seconds (default 150). Tests never assert
# timings; the deadlines are generous so that a slow (sanitizer) build
# passes too. On any exit the trap kills what is still running and removes
# E2E_DIR (kept when E2E_KEEP=1).

set -u -o pipefail

e2e_program=${0##*/}
e2e_failures=0
e2e_checks=0

e2e_die() {
	echo "$e2e_program: $1" >&2
	exit 2
}

# ---- arguments

e2e_programs=(BINDERD SERVICEMANAGER BRIDGED CALCULATOR_SERVICE CALCULATOR_CLIENT
	CALLBACK_SERVICE CALLBACK_CLIENT BINDER_SERVICE)
for e2e_arg in "$@"; do
	case $e2e_arg in
	BINDERD=* | SERVICEMANAGER=* | BRIDGED=* | CALCULATOR_SERVICE=* | CALCULATOR_CLIENT=* | \
		CALLBACK_SERVICE=* | CALLBACK_CLIENT=* | BINDER_SERVICE=* | SOURCE_DIR=* | \
		PROBE_SERVICE=* | PROBE_CLIENT=* | TOOL_TEST_SERVICE=* | BINDERCTL=*)
		printf -v "${e2e_arg%%=*}" '%s' "${e2e_arg#*=}"
		;;
	*) e2e_die "usage: $e2e_program NAME=PATH... (${e2e_programs[*]} SOURCE_DIR); got '$e2e_arg'" ;;
	esac
done
for e2e_name in "${e2e_programs[@]}"; do
	[[ -n ${!e2e_name:-} ]] || e2e_die "$e2e_name=PATH is required"
	[[ -x ${!e2e_name} ]] || e2e_die "$e2e_name: ${!e2e_name} is not an executable"
done
for e2e_name in PROBE_SERVICE PROBE_CLIENT TOOL_TEST_SERVICE BINDERCTL; do
	[[ -z ${!e2e_name:-} || -x ${!e2e_name} ]] ||
		e2e_die "$e2e_name: ${!e2e_name} is not an executable"
done
[[ -n ${SOURCE_DIR:-} && -x $SOURCE_DIR/certs/make_certs.sh ]] ||
	e2e_die "SOURCE_DIR=DIR is required (with certs/make_certs.sh)"
command -v openssl >/dev/null || e2e_die "openssl not found"
unset BINDER_DEVICE

# ---- time

# Milliseconds since the epoch (EPOCHREALTIME is seconds with 6 decimals;
# the separator follows the locale).
now_ms() {
	local t=${EPOCHREALTIME//[.,]/}
	echo $((10#$t / 1000))
}

# wait_until SECONDS CMD...: true as soon as CMD succeeds, false when it
# did not within SECONDS. CMD must itself be bounded.
wait_until() {
	local limit=$1
	shift
	local deadline=$(($(now_ms) + limit * 1000))
	while :; do
		"$@" && return 0
		(($(now_ms) < deadline)) || return 1
		sleep 0.1
	done
}

# ---- the test's directory, the cleanup trap and the watchdog

e2e_start_ms=$(now_ms)
E2E_DIR=$(mktemp -d /tmp/bridge-e2e.XXXXXX) || e2e_die "cannot make a temporary directory"
E2E_CERTS=$E2E_DIR/certs
e2e_clients_log=$E2E_DIR/clients.log
: >"$e2e_clients_log"

declare -A e2e_pid=()   # NAME -> pid of the running instance ("" once gone)
declare -A e2e_host=()  # NAME -> a|b
declare -A e2e_cmd=()   # NAME -> its command line, quoted for eval
declare -A e2e_count=() # NAME -> how often it was started
e2e_order=()            # names in first-start order
declare -A e2e_reader=() # NAME -> pid of the reader of its log pipe (log_pipe)
e2e_watchdog=
e2e_finished=
e2e_on_exit_hooks=() # commands (eval'd) the exit trap runs last

e2e_show_logs() {
	local log
	echo "======== logs of $e2e_program (in $E2E_DIR)" >&2
	for log in "$E2E_DIR"/*.log; do
		[[ -e $log ]] || continue
		echo "-------- ${log##*/}:" >&2
		if (($(wc -l <"$log") > 400)); then
			echo "(first 100 and last 300 lines)" >&2
			head -n 100 "$log" >&2
			echo "[...]" >&2
			tail -n 300 "$log" >&2
		else
			cat "$log" >&2
		fi
	done
	echo "======== end of the logs" >&2
}

# Kills what still runs: bridged first, binderd last (reverse start order),
# SIGTERM then, after a while, SIGKILL.
e2e_kill_all() {
	local i name pid pids=()
	for pid in "${e2e_reader[@]}"; do
		kill -CONT "$pid" 2>/dev/null
	done
	for ((i = ${#e2e_order[@]} - 1; i >= 0; i--)); do
		name=${e2e_order[i]}
		pid=${e2e_pid[$name]:-}
		[[ -n $pid ]] || continue
		kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
		e2e_pid[$name]=
	done
	if ((${#pids[@]})); then
		wait_until 10 e2e_all_gone "${pids[@]}" || kill -KILL "${pids[@]}" 2>/dev/null
		wait "${pids[@]}" 2>/dev/null
	fi
	e2e_end_readers
}

e2e_all_gone() {
	local pid
	for pid; do
		pid_running "$pid" && return 1
	done
	return 0
}

e2e_on_exit() {
	local status=$?
	trap - EXIT TERM INT
	if [[ -n $e2e_watchdog ]]; then
		kill -TERM "$e2e_watchdog" 2>/dev/null
		wait "$e2e_watchdog" 2>/dev/null
	fi
	if [[ -z $e2e_finished ]]; then
		echo "$e2e_program: ended early (status $status)" >&2
		((status == 0)) && status=1
		e2e_kill_all
		e2e_show_logs
	fi
	local hook
	for hook in "${e2e_on_exit_hooks[@]}"; do
		eval "$hook"
	done
	if [[ ${E2E_KEEP:-0} == 1 ]]; then
		echo "$e2e_program: kept $E2E_DIR" >&2
	else
		rm -rf -- "$E2E_DIR"
	fi
	exit "$status"
}
trap e2e_on_exit EXIT
trap 'echo "$e2e_program: stopped by a signal (time limit?)" >&2; exit 143' TERM INT

# The watchdog: after E2E_TIME_LIMIT seconds, SIGTERM to the test, whose
# trap stops everything and prints the logs.
(
	trap 'kill "$e2e_sleep" 2>/dev/null; exit 0' TERM
	sleep "${E2E_TIME_LIMIT:-150}" &
	e2e_sleep=$!
	wait "$e2e_sleep"
	echo "$e2e_program: time limit of ${E2E_TIME_LIMIT:-150} s reached" >&2
	kill -TERM $$
) &
e2e_watchdog=$!

# ---- assertions

# Seconds since the test began, for the output (never asserted on).
e2e_elapsed() {
	local ms=$(($(now_ms) - e2e_start_ms))
	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

e2e_ok() {
	echo "[$(e2e_elapsed)s] ok: $1"
}

fail() {
	e2e_failures=$((e2e_failures + 1))
	echo "[$(e2e_elapsed)s] FAIL: $1" >&2
}

# fail_run DESCRIPTION: fail, with what the last `run` did.
fail_run() {
	fail "$1"
	echo "  command: ${e2e_last_command:-}" >&2
	echo "  status: ${status:-}" >&2
	echo "  stdout: ${out:-}" >&2
	echo "  stderr: ${err:-}" >&2
}

# check DESCRIPTION CMD...: CMD must succeed.
check() {
	local description=$1
	shift
	e2e_checks=$((e2e_checks + 1))
	if "$@"; then
		e2e_ok "$description"
	else
		fail "$description"
	fi
}

# run HOST SECONDS CMD...: runs CMD with HOST's binder device, under
# `timeout SECONDS` (then SIGKILL 5 s later); sets out, err and status
# (124 or 137: it timed out). Its stderr also goes to clients.log, which is
# checked for sanitizer reports.
run() {
	local host=$1 limit=$2
	shift 2
	e2e_last_command="[$host] $*"
	out=$(BINDER_DEVICE=$E2E_DIR/$host.sock timeout -k 5 "$limit" "$@" \
		</dev/null 2>"$E2E_DIR/client.err")
	status=$?
	err=$(<"$E2E_DIR/client.err")
	{
		echo "=== $e2e_last_command: status $status"
		[[ -n $err ]] && echo "$err"
	} >>"$e2e_clients_log"
	return 0
}

# expect STATUS DESCRIPTION [LINE]...: the last `run` exited with STATUS and
# printed each LINE (a whole line) on stdout.
expect() {
	local want=$1 description=$2 line
	shift 2
	e2e_checks=$((e2e_checks + 1))
	if [[ $status != "$want" ]]; then
		fail_run "$description: exit status $status, expected $want"
		return 1
	fi
	for line; do
		if ! grep -qxF -- "$line" <<<"$out"; then
			fail_run "$description: no line '$line'"
			return 1
		fi
	done
	e2e_ok "$description"
}

# expect_failure DESCRIPTION [STDERR_ERE]: the last `run` failed by itself
# (non-zero, not killed by its timeout: no hang), and its stderr matches
# STDERR_ERE if given.
expect_failure() {
	local description=$1 pattern=${2:-}
	e2e_checks=$((e2e_checks + 1))
	if [[ $status == 0 ]]; then
		fail_run "$description: it succeeded"
		return 1
	fi
	if [[ $status == 124 || $status == 137 ]]; then
		fail_run "$description: it hung (killed by timeout)"
		return 1
	fi
	if [[ -n $pattern ]] && ! grep -qE -- "$pattern" <<<"$err"; then
		fail_run "$description: stderr does not match '$pattern'"
		return 1
	fi
	e2e_ok "$description"
}

# ---- processes

# Whether pid runs (a zombie does not).
pid_running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

pid_gone() {
	! pid_running "$1"
}

# daemon_start NAME HOST CMD...: starts CMD in the background with
# BINDER_DEVICE set to HOST's device ("-": none), stdout and stderr
# appended to $E2E_DIR/NAME.log (each start marked there).
daemon_start() {
	local name=$1 host=$2
	shift 2
	if [[ -n ${e2e_pid[$name]:-} ]]; then
		fail "daemon_start $name: it runs already"
		return 1
	fi
	[[ -n ${e2e_count[$name]:-} ]] || e2e_order+=("$name")
	e2e_count[$name]=$((${e2e_count[$name]:-0} + 1))
	e2e_host[$name]=$host
	e2e_cmd[$name]=$(printf '%q ' "$@")
	local log=$E2E_DIR/$name.log output=$E2E_DIR/$name.log
	echo "=== $name: start ${e2e_count[$name]}: $*" >>"$log"
	[[ -n ${e2e_reader[$name]:-} ]] && output=$E2E_DIR/$name.fifo
	if [[ $host == - ]]; then
		"$@" </dev/null >>"$output" 2>&1 &
	else
		BINDER_DEVICE=$E2E_DIR/$host.sock "$@" </dev/null >>"$output" 2>&1 &
	fi
	e2e_pid[$name]=$!
}

# log_pipe NAME: NAME (started next, once: it cannot be restarted) writes
# its output into a pipe that a reader copies into NAME.log, so that the
# test can hold NAME's logging (log_hold: a writing thread blocks) and let
# it go on (log_resume). Empty lines are dropped (the filler).
log_pipe() {
	local name=$1 fifo=$E2E_DIR/$1.fifo
	mkfifo "$fifo" || e2e_die "cannot make $fifo"
	grep --line-buffered -v '^$' <"$fifo" >>"$E2E_DIR/$name.log" &
	e2e_reader[$name]=$!
}

# log_hold NAME: stops the reader and fills the pipe, so that the next
# line NAME logs blocks the thread that logs it.
log_hold() {
	local fifo=$E2E_DIR/$1.fifo
	kill -STOP "${e2e_reader[$1]}"
	# Stopped (not still reading) before the pipe is filled.
	wait_until 10 e2e_pid_stopped "${e2e_reader[$1]}"
	yes '' | dd of="$fifo" bs=4096 oflag=nonblock iflag=fullblock 2>/dev/null
	yes '' | dd of="$fifo" bs=1 oflag=nonblock 2>/dev/null
	return 0
}

e2e_pid_stopped() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} == T ]]
}

log_resume() {
	kill -CONT "${e2e_reader[$1]}" 2>/dev/null
}

# log_blocked NAME: a thread of NAME is blocked writing to its stdout or
# stderr (the pipe is full).
log_blocked() {
	local pid=${e2e_pid[$1]:-} task syscall
	[[ -n $pid ]] || return 1
	# Read by this shell itself (no fork), NAME's parent: Yama's ptrace
	# scope 1 lets an ancestor read /proc/PID/task/TID/syscall.
	for task in /proc/"$pid"/task/*; do
		{ read -r syscall <"$task/syscall"; } 2>/dev/null || continue
		[[ $syscall =~ ^1\ 0x[12]\  ]] && return 0
	done
	return 1
}

# The readers end with their writers (EOF); a held one is let go first.
e2e_end_readers() {
	local name pid
	for name in "${!e2e_reader[@]}"; do
		pid=${e2e_reader[$name]}
		kill -CONT "$pid" 2>/dev/null
		wait_until 10 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		unset "e2e_reader[$name]"
	done
}

daemon_restart() {
	local name=$1
	eval "daemon_start \"\$name\" \"\${e2e_host[\$name]}\" ${e2e_cmd[$name]}"
}

daemon_running() {
	[[ -n ${e2e_pid[$1]:-} ]] && pid_running "${e2e_pid[$1]}"
}

# The status the daemon ended with, once it ended (reaps it); sets
# e2e_status.
e2e_reap() {
	local name=$1 pid=${e2e_pid[$1]}
	e2e_status=0
	wait "$pid" 2>/dev/null || e2e_status=$?
	e2e_pid[$name]=
	echo "=== $name: ended with status $e2e_status" >>"$E2E_DIR/$name.log"
}

# daemon_stop NAME: SIGTERM; it must exit 0 within 30 s, with no sanitizer
# report in its log.
daemon_stop() {
	local name=$1 pid=${e2e_pid[$1]:-}
	e2e_checks=$((e2e_checks + 1))
	if [[ -z $pid ]]; then
		fail "daemon_stop $name: it does not run"
		return 1
	fi
	if ! pid_running "$pid"; then
		e2e_reap "$name"
		fail "$name exited by itself before it was stopped (status $e2e_status)"
		return 1
	fi
	# A held log would keep it from logging its way out.
	[[ -n ${e2e_reader[$name]:-} ]] && log_resume "$name"
	kill -TERM "$pid"
	if ! wait_until 30 pid_gone "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		e2e_reap "$name"
		fail "$name did not stop within 30 s of SIGTERM"
		return 1
	fi
	e2e_reap "$name"
	if [[ $e2e_status != 0 ]]; then
		fail "$name exited with status $e2e_status after SIGTERM"
		return 1
	fi
	if ! e2e_log_clean "$E2E_DIR/$name.log"; then
		fail "$name: sanitizer report in its log"
		return 1
	fi
	e2e_ok "$name stopped cleanly"
}

# daemon_kill NAME: SIGKILL (it must still be running).
daemon_kill() {
	local name=$1 pid=${e2e_pid[$1]:-}
	if [[ -z $pid ]] || ! pid_running "$pid"; then
		fail "daemon_kill $name: it does not run"
		[[ -n $pid ]] && e2e_reap "$name"
		return 1
	fi
	kill -KILL "$pid"
	wait_until 30 pid_gone "$pid" || fail "$name survived SIGKILL for 30 s"
	e2e_reap "$name"
}

e2e_sanitizer_pattern='ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer)|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'

e2e_log_clean() {
	! grep -qE -- "$e2e_sanitizer_pattern" "$@" 2>/dev/null
}

# ---- logs

# log_count NAME ERE: how many lines of NAME's log match.
log_count() {
	grep -cE -- "$2" "$E2E_DIR/$1.log" 2>/dev/null
}

# e2e_log_has NAME ERE [MIN]: at least MIN (default 1) lines match.
e2e_log_has() {
	local count
	count=$(log_count "$1" "$2")
	((${count:-0} >= ${3:-1}))
}

# wait_log NAME SECONDS ERE [MIN]: waits for MIN (default 1) matching lines.
wait_log() {
	wait_until "$2" e2e_log_has "$1" "$3" "${4:-1}"
}

# wait_ready NAME SECONDS ERE: waits until NAME's log has a line matching
# ERE (true if NAME still runs then) or NAME exited (false).
wait_ready() {
	wait_until "$2" e2e_ready_or_gone "$1" "$3" && daemon_running "$1" && e2e_log_has "$1" "$3"
}

e2e_ready_or_gone() {
	e2e_log_has "$1" "$2" || ! daemon_running "$1"
}

# ---- certificates

# certs_make DIR [ARG...]: make_certs.sh DIR ARGS, quietly (output in
# certs.log).
certs_make() {
	"$SOURCE_DIR/certs/make_certs.sh" "$@" >>"$E2E_DIR/certs.log" 2>&1 ||
		e2e_die "make_certs.sh $* failed: $(cat "$E2E_DIR/certs.log")"
}

# ---- hosts

# host_start HOST: binderd on $E2E_DIR/HOST.sock, then servicemanager on
# it, ready when servicemanager says so on its ready fd.
host_start() {
	local host=$1 sock=$E2E_DIR/$1.sock
	daemon_start "$host.binderd" - "$BINDERD" --socket "$sock"
	wait_until 30 test -S "$sock" ||
		e2e_die "host $host: binderd did not make $sock within 30 s"
	: >"$E2E_DIR/$host.ready"
	# The ready fd: a file written once servicemanager is the context
	# manager.
	local log=$E2E_DIR/$host.servicemanager.log
	e2e_order+=("$host.servicemanager")
	e2e_count[$host.servicemanager]=1
	e2e_host[$host.servicemanager]=$host
	echo "=== $host.servicemanager: start 1" >>"$log"
	"$SERVICEMANAGER" --device "$sock" --ready-fd 3 3>"$E2E_DIR/$host.ready" \
		</dev/null >>"$log" 2>&1 &
	e2e_pid[$host.servicemanager]=$!
	wait_until 30 grep -qx ready "$E2E_DIR/$host.ready" ||
		e2e_die "host $host: servicemanager did not become ready within 30 s"
}

# A port for a listener: one in 20000..30999 (below the ephemeral range),
# starting at a point that depends on our pid and chance, skipping those
# that something listens on. The caller retries if the bind still fails.
e2e_pick_port() {
	local port=$((20000 + ($$ * 37 + RANDOM) % 11000)) tries
	for ((tries = 0; tries < 200; tries++)); do
		if ! e2e_port_used "$port" && [[ " ${e2e_ports_used[*]:-} " != *" $port "* ]]; then
			echo "$port"
			return
		fi
		port=$((20000 + (port - 20000 + 1 + RANDOM % 97) % 11000))
	done
	echo "$port"
}
e2e_ports_used=()

e2e_port_used() {
	if command -v ss >/dev/null; then
		ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
	fi
	# Something answers a connection there.
	timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# The limits every test's bridged gets: handshake timeout short enough to
# test, reconnects quick. E2E_LIMITS (lines "key = value") adds or
# overrides (bridged refuses a duplicate key: give each key once).
E2E_LIMITS=${E2E_LIMITS:-}
E2E_A_SECTIONS=${E2E_A_SECTIONS:-}
E2E_B_SECTIONS=${E2E_B_SECTIONS:-}
E2E_C_SECTIONS=${E2E_C_SECTIONS:-}
E2E_ADDRESS_A=${E2E_ADDRESS_A:-127.0.0.1}
E2E_ADDRESS_B=${E2E_ADDRESS_B:-127.0.0.1}
E2E_ADDRESS_C=${E2E_ADDRESS_C:-127.0.0.1}
E2E_NETNS_A=${E2E_NETNS_A:-}
E2E_NETNS_B=${E2E_NETNS_B:-}
E2E_NETNS_C=${E2E_NETNS_C:-}
E2E_THREADS=${E2E_THREADS:-4}

e2e_limits() {
	local key value
	declare -A limits=(
		[handshake_timeout_ms]=1000
		[reconnect_min_ms]=100
		[reconnect_max_ms]=1000
		[call_timeout_ms]=30000
	)
	while IFS='=' read -r key value; do
		key=${key//[[:space:]]/}
		value=${value//[[:space:]]/}
		[[ -n $key ]] && limits[$key]=$value
	done <<<"$E2E_LIMITS"
	echo "[limits]"
	for key in "${!limits[@]}"; do
		echo "$key = ${limits[$key]}"
	done
}

# bridged_config HOST: writes $E2E_DIR/HOST.conf (hostHOST, listening on
# E2E_ADDRESS_HOST:PORT_HOST; A has B's address, B accepts A), then
# E2E_A_SECTIONS, E2E_B_SECTIONS or E2E_C_SECTIONS, in which @PORT_X@ and
# @ADDRESS_X@ (X one of A B C) become that host's port and address (a host
# whose port is named must have started first). Certificate paths are
# relative: resolved against the config's directory.
bridged_config() {
	local host=$1 port_var=PORT_${1^^} address_var=E2E_ADDRESS_${1^^} sections_var=E2E_${1^^}_SECTIONS
	local sections=${!sections_var} other
	for other in A B C; do
		local other_port=PORT_$other other_address=E2E_ADDRESS_$other
		sections=${sections//@PORT_$other@/${!other_port:-}}
		sections=${sections//@ADDRESS_$other@/${!other_address}}
	done
	{
		echo "; made by $e2e_program"
		echo "[bridge]"
		echo "name = host$host"
		echo "listen = ${!address_var}:${!port_var}"
		echo "certificate = certs/host$host.crt"
		echo "key = certs/host$host.key"
		echo "ca = certs/ca.crt"
		echo "threads = $E2E_THREADS"
		echo
		if [[ $host == a ]]; then
			echo "[peer hostb]"
			echo "address = $E2E_ADDRESS_B:$PORT_B"
		elif [[ $host == b ]]; then
			echo "[peer hosta]"
		fi
		echo
		e2e_limits
		echo
		echo "$sections"
	} >"$E2E_DIR/$host.conf"
}

# bridged_start HOST: writes its config and starts its bridged; ready once
# it logs "node hostHOST ready". A port that turns out to be taken is
# replaced by another (up to 5 times); the port stays the same across
# restarts (A's config names B's).
bridged_start() {
	local host=$1 port_var=PORT_${1^^} tries
	for ((tries = 0; tries < 5; tries++)); do
		if [[ -z ${!port_var:-} ]]; then
			printf -v "$port_var" '%s' "$(e2e_pick_port)"
			e2e_ports_used+=("${!port_var}")
		fi
		bridged_config "$host"
		local before
		before=$(log_count "$host.bridged" "node host$host ready")
		local level_var=E2E_LOG_LEVEL_${host^^} netns_var=E2E_NETNS_${host^^} prefix=()
		[[ -n ${!netns_var} ]] && prefix=(ip netns exec "${!netns_var}")
		daemon_start "$host.bridged" "$host" "${prefix[@]}" "$BRIDGED" \
			--config "$E2E_DIR/$host.conf" --log-level "${!level_var:-debug}"
		if ! wait_until 30 e2e_bridged_started "$host" "$((${before:-0} + 1))"; then
			e2e_die "host $host: bridged was not ready within 30 s"
		fi
		daemon_running "$host.bridged" && return 0
		e2e_reap "$host.bridged"
		if tail -n 5 "$E2E_DIR/$host.bridged.log" | grep -q "cannot listen"; then
			echo "host $host: port ${!port_var} taken, trying another" >&2
			printf -v "$port_var" '%s' ""
			continue
		fi
		e2e_die "host $host: bridged exited with status $e2e_status at start"
	done
	e2e_die "host $host: no free port found"
}

# bridged_restart HOST: the same config, the same port (retried for a
# while if the port is busy, which it should not be).
bridged_restart() {
	local host=$1 before
	before=$(log_count "$host.bridged" "node host$host ready")
	daemon_restart "$host.bridged"
	wait_until 30 e2e_bridged_started "$host" "$((${before:-0} + 1))" ||
		e2e_die "host $host: bridged was not ready within 30 s of its restart"
	daemon_running "$host.bridged" || e2e_die "host $host: bridged exited at its restart"
}

# It is ready (its COUNTth "ready" line) or it exited.
e2e_bridged_started() {
	e2e_log_has "$1.bridged" "node host$1 ready" "$2" || ! daemon_running "$1.bridged"
}

# hosts_start: certificates, both hosts, both bridged (B first: A's
# config needs B's port). Services are the test's to start before or
# after.
hosts_start() {
	hosts_start_cores
	bridged_start b
	bridged_start a
}

hosts_start_cores() {
	certs_make "$E2E_CERTS" hosta hostb
	host_start a
	host_start b
}

# service_start NAME HOST PROGRAM [ARG...]: a service, ready once HOST's
# servicemanager knows SERVICE_NAME (the last ARG, else the program's
# default name given as E2E_SERVICE_NAME).
service_start() {
	local name=$1 host=$2 service=$3
	shift 3
	daemon_start "$name" "$host" "$@"
	wait_until 30 e2e_service_started "$name" "$host" "$service" ||
		e2e_die "$name: $service not served within 30 s"
	daemon_running "$name" || e2e_die "$name: exited at its start"
}

# The service is served, or its program exited.
e2e_service_started() {
	! daemon_running "$1" && return 0
	run "$2" 20 "$BINDER_SERVICE" check "$3"
	[[ $status == 0 ]]
}

# ---- services seen through servicemanager

# wait_service HOST NAME SECONDS: NAME is (or becomes) served on HOST.
wait_service() {
	run "$1" "$(($3 + 15))" "$BINDER_SERVICE" wait "$2" --timeout "$(($3 * 1000))"
	[[ $status == 0 ]]
}

# service_absent HOST NAME: HOST's servicemanager does not know NAME now.
service_absent() {
	run "$1" 20 "$BINDER_SERVICE" check "$2"
	[[ $status == 1 && $out == "Service $2: not found" ]]
}

# wait_gone HOST NAME SECONDS: NAME is (or becomes) unknown on HOST.
wait_gone() {
	wait_until "$3" service_absent "$1" "$2"
}

# ---- the end

# e2e_finish: stops every daemon still running (bridged first, binderd
# last), checks that each exited 0 on SIGTERM and that no log holds a
# sanitizer report, prints the logs on failure, exits.
e2e_finish() {
	local i name
	for ((i = ${#e2e_order[@]} - 1; i >= 0; i--)); do
		name=${e2e_order[i]}
		[[ -n ${e2e_pid[$name]:-} ]] && daemon_stop "$name"
	done
	e2e_end_readers
	e2e_checks=$((e2e_checks + 1))
	local log dirty=
	for log in "$E2E_DIR"/*.log; do
		[[ -e $log ]] || continue
		if ! e2e_log_clean "$log"; then
			fail "sanitizer report in ${log##*/}"
			dirty=1
		fi
	done
	[[ -z $dirty ]] && e2e_ok "no sanitizer report in any log"
	e2e_finished=1
	if ((e2e_failures)); then
		e2e_show_logs
		echo "$e2e_program: $e2e_failures of $e2e_checks checks failed" >&2
		exit 1
	fi
	echo "$e2e_program: all $e2e_checks checks passed in $(e2e_elapsed) s"
	exit 0
}
