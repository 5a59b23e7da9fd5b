#!/usr/bin/env bash
# Runs bridge_bench: binder calls from host A to a service on host B through
# bridged over mutual TLS 1.3, both "hosts" on this machine over loopback,
# with the floors measured in the same run. Builds nothing. Prints only the
# "bench.<name> <value> <unit>" lines on stdout; diagnostics go to stderr.
#
# Usage: bench/run_bridge_bench.sh [--repeat N] [--build-dir DIR] [--threads N]
#                                  [--keep] [--perf-bridged A|B]
#                                  [bridge_bench options...]
#   DIR defaults to $BINDER_BUILD_DIR, else build/ at the top of the repo.
#   --threads N: bridged's [bridge] threads on both hosts (default 16).
#   --keep: keep the temporary directory (configs, certificates, logs).
#   --perf-bridged A|B: record that host's bridged with `perf record -g`
#   during the run; perf.data and a report are left in the kept directory.
#   --repeat N runs the whole benchmark N times, fresh hosts each
#   time, and prints each figure's median with its spread
#   (bench/median_of_runs.sh).
#   Other options go to bridge_bench (--quick, --verbose, --object-calls N,
#   --timeout S).
#
# What runs, in a temporary directory: certificates (certs/make_certs.sh:
# hosta, hostb), for each host a binderd and a servicemanager, on host B
# the calculator ("bridge_bench serve", added as bench.calculator) and a
# bridged exporting it to hosta, on host A a bridged importing it as
# bench.calculator@hostb; then bridge_bench on host A. Every wait is
# bounded; every process is stopped on exit (also on failure or a signal);
# the exit status is non-zero if any step failed, including a bridged that
# died or did not stop cleanly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=${BINDER_BUILD_DIR:-$repo/build}
# --repeat N may come anywhere: taken out here, the rest runs N times.
repeat=
arguments=()
while (($#)); do
	if [ "$1" = --repeat ]; then
		if [ $# -lt 2 ] || ! [[ $2 =~ ^[1-9][0-9]?$ ]]; then
			echo "run_bridge_bench: --repeat needs a count from 1 to 99" >&2
			exit 2
		fi
		repeat=$2
		shift 2
		continue
	fi
	arguments+=("$1")
	shift
done
set -- ${arguments[@]+"${arguments[@]}"}
if [ -n "$repeat" ]; then
	lines=
	for ((run = 1; run <= repeat; run++)); do
		echo "run_bridge_bench: run $run of $repeat" >&2
		output=$("$0" "$@")
		status=$?
		if [ "$status" -ne 0 ]; then
			printf '%s\n' "$output"
			exit "$status"
		fi
		lines+=$output$'\n'
	done
	printf '%s' "$lines" | "$here/median_of_runs.sh"
	exit $?
fi
threads=16
keep=0
perf_host=
bench_options=()
while (($#)); do
	case $1 in
	--build-dir)
		(($# >= 2)) || {
			echo "run_bridge_bench: --build-dir needs a directory" >&2
			exit 2
		}
		build=$2
		shift 2
		;;
	--threads)
		(($# >= 2)) && [[ $2 =~ ^[0-9]+$ ]] && (($2 >= 1 && $2 <= 64)) || {
			echo "run_bridge_bench: --threads needs a number 1..64" >&2
			exit 2
		}
		threads=$2
		shift 2
		;;
	--keep)
		keep=1
		shift
		;;
	--perf-bridged)
		(($# >= 2)) && [[ $2 == A || $2 == B ]] || {
			echo "run_bridge_bench: --perf-bridged needs A or B" >&2
			exit 2
		}
		perf_host=$2
		keep=1
		shift 2
		;;
	*)
		bench_options+=("$1")
		shift
		;;
	esac
done

binderd=$build/driver/binderd
servicemanager=$build/driver/servicemanager/servicemanager
bridged=$build/bridged/bridged
service_tool=$build/tools/service/binder-service
bench=$build/bench/bridge_bench
for program in "$binderd" "$servicemanager" "$bridged" "$service_tool" "$bench"; do
	if [ ! -x "$program" ]; then
		echo "run_bridge_bench: $program not found: build first (cmake -S $repo -B $build && cmake --build $build)" >&2
		exit 2
	fi
done
if [ -n "$perf_host" ] && ! command -v perf >/dev/null; then
	echo "run_bridge_bench: perf not found" >&2
	exit 2
fi

dir=$(mktemp -d /tmp/bridge-bench.XXXXXX) || exit 1
# name -> pid of every process started here, in start order.
names=()
pids=()
stopping=0
status=0

log() {
	echo "run_bridge_bench: $*" >&2
}

# Prints the last lines of every log (after a failure).
show_logs() {
	local file
	for file in "$dir"/*.log; do
		[ -s "$file" ] || continue
		echo "---- ${file##*/} (last 20 lines)" >&2
		tail -n 20 "$file" >&2
	done
}

fail() {
	log "$*"
	show_logs
	status=1
	exit 1
}

# start NAME LOG COMMAND...: runs COMMAND in the background.
start() {
	local name=$1 logfile=$2
	shift 2
	"$@" >"$dir/$logfile" 2>&1 &
	names+=("$name")
	pids+=($!)
}

pid_of() {
	local i
	for i in "${!names[@]}"; do
		if [ "${names[i]}" = "$1" ]; then
			echo "${pids[i]}"
			return 0
		fi
	done
	return 1
}

# A process that ended and was waited for: stop_all leaves it (its pid may
# be reused).
forget() {
	local i
	for i in "${!names[@]}"; do
		[ "${names[i]}" = "$1" ] && pids[i]=0
	done
}

# Stops every process, newest first: SIGTERM, then up to 30 s, then
# SIGKILL. A bridged that does not exit 0 fails the run.
stop_all() {
	local i pid name code deadline
	((stopping)) && return
	stopping=1
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		pid=${pids[i]}
		name=${names[i]}
		((pid > 0)) || continue
		kill -TERM "$pid" 2>/dev/null || true
		deadline=$((SECONDS + 30))
		while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
			sleep 0.05
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "$name (pid $pid) did not stop in 30 s: killed"
			kill -KILL "$pid" 2>/dev/null
			[[ $name == bridged* ]] && ((status == 0)) && status=1
		fi
		wait "$pid" 2>/dev/null
		code=$?
		if [[ $name == bridged* ]] && ((code != 0)); then
			log "$name exited with status $code"
			((status == 0)) && status=1
		fi
	done
}

on_exit() {
	stop_all
	if ((status != 0)); then
		show_logs
	fi
	if ((keep)); then
		log "kept $dir"
	else
		rm -rf "$dir"
	fi
	exit "$status"
}
trap on_exit EXIT
trap 'log "interrupted"; status=143; exit 143' TERM INT HUP

# wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds.
wait_for() {
	local seconds=$1 what=$2
	shift 2
	local deadline=$((SECONDS + seconds))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || fail "timed out after ${seconds} s waiting for $what"
		sleep 0.05
	done
}

alive() {
	local name
	for name in "$@"; do
		kill -0 "$(pid_of "$name")" 2>/dev/null || fail "$name died"
	done
}

# A free TCP port on loopback (random; checked against the listening ones).
free_port() {
	local port used
	used=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://')
	for _ in $(seq 1 100); do
		port=$((20000 + RANDOM % 40000))
		if ! grep -qx "$port" <<<"$used"; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

log "setting up in $dir"
certs=$dir/certs
"$repo/certs/make_certs.sh" "$certs" hosta hostb >"$dir/make_certs.log" 2>&1 ||
	fail "make_certs.sh failed"

for host in a b; do
	start "binderd_$host" "binderd_$host.log" "$binderd" --socket "$dir/$host.sock" --log-level warning
done
for host in a b; do
	wait_for 10 "binderd $host's socket" test -S "$dir/$host.sock"
	alive "binderd_$host"
	BINDER_DEVICE=$dir/$host.sock start "servicemanager_$host" "servicemanager_$host.log" \
		"$servicemanager" --log-level warning
done
for host in a b; do
	wait_for 10 "servicemanager on $host" "$service_tool" --device "$dir/$host.sock" list
	alive "servicemanager_$host"
done

BINDER_DEVICE=$dir/b.sock start service_b service_b.log "$bench" serve
wait_for 15 "the calculator on host B" \
	"$service_tool" --device "$dir/b.sock" wait bench.calculator --timeout 1000
alive service_b

port_b=$(free_port) || fail "no free port"
cat >"$dir/b.conf" <<EOF
[bridge]
name = hostb
listen = 127.0.0.1:$port_b
certificate = certs/hostb.crt
key = certs/hostb.key
ca = certs/ca.crt
threads = $threads

[peer hosta]

[export bench.calculator]
peers = hosta
EOF
cat >"$dir/a.conf" <<EOF
[bridge]
name = hosta
certificate = certs/hosta.crt
key = certs/hosta.key
ca = certs/ca.crt
threads = $threads

[peer hostb]
address = 127.0.0.1:$port_b

[import bench.calculator@hostb]
peer = hostb
service = bench.calculator
EOF
# B listens (its port is free once it logs that); A connects.
BINDER_DEVICE=$dir/b.sock start bridged_b bridged_b.log "$bridged" --config "$dir/b.conf"
wait_for 10 "bridged on host B to listen" grep -q "listening on" "$dir/bridged_b.log"
alive bridged_b
BINDER_DEVICE=$dir/a.sock start bridged_a bridged_a.log "$bridged" --config "$dir/a.conf"
wait_for 20 "the import bench.calculator@hostb on host A" \
	"$service_tool" --device "$dir/a.sock" wait bench.calculator@hostb --timeout 1000
alive bridged_a bridged_b
log "two hosts up (bridged threads=$threads); measuring"

perf_pid=
if [ -n "$perf_host" ]; then
	target=$(pid_of "bridged_${perf_host,,}")
	# cpu-clock: the hardware cycles event records nothing in some VMs.
	perf record -e cpu-clock -g -F 999 -o "$dir/perf.data" -p "$target" \
		>"$dir/perf_record.log" 2>&1 &
	perf_pid=$!
	names+=(perf)
	pids+=("$perf_pid")
	sleep 0.5
fi

# In the background: a signal's trap runs only once the foreground command
# is over, but it interrupts wait (and stop_all stops the newest first).
timeout --kill-after=10 1000 "$bench" --device "$dir/a.sock" \
	--service bench.calculator@hostb --certs "$certs" \
	--rss-pid "hosta=$(pid_of bridged_a)" --rss-pid "hostb=$(pid_of bridged_b)" \
	${bench_options[@]+"${bench_options[@]}"} >"$dir/bench.out" &
bench_pid=$!
names+=(bridge_bench)
pids+=("$bench_pid")
wait "$bench_pid"
bench_status=$?
forget bridge_bench
grep '^bench\.' "$dir/bench.out"

if [ -n "$perf_pid" ]; then
	kill -INT "$perf_pid" 2>/dev/null
	wait "$perf_pid" 2>/dev/null
	forget perf
	perf report -i "$dir/perf.data" --no-children --stdio --percent-limit 1 \
		>"$dir/perf_report.txt" 2>/dev/null
	log "perf report of bridged on host $perf_host: $dir/perf_report.txt"
fi

if ((bench_status != 0)); then
	log "bridge_bench exited with status $bench_status"
	status=1
fi
for name in bridged_a bridged_b service_b; do
	kill -0 "$(pid_of "$name")" 2>/dev/null || {
		log "$name died during the run"
		status=1
	}
done
exit "$status"
