#!/usr/bin/env bash
# Runs binder_bench, then libbinder_bench, against one private binderd
# (started and stopped by tests/with_binderd.sh; the two run in turn through
# bench/run_both.sh) and prints only the "bench.<name> <value> <unit>" lines
# on stdout; diagnostics go to stderr.
#
# Usage: bench/run_bench.sh [--build-dir DIR] [--repeat N] [binder_bench options...]
#   DIR defaults to $BINDER_BUILD_DIR, else build/ at the top of the repo.
#   --repeat N runs the whole benchmark N times (a fresh binderd each time)
#   and prints each figure's median with its spread (bench/median_of_runs.sh).
#   Options after it go to binder_bench (e.g. --quick); --quick, --verbose
#   and --device go to libbinder_bench too.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=${BINDER_BUILD_DIR:-$repo/build}
repeat=1
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir)
		if [ $# -lt 2 ]; then
			echo "run_bench: --build-dir needs a directory" >&2
			exit 2
		fi
		build=$2
		shift 2
		;;
	--repeat)
		if [ $# -lt 2 ] || ! [[ $2 =~ ^[1-9][0-9]?$ ]]; then
			echo "run_bench: --repeat needs a count from 1 to 99" >&2
			exit 2
		fi
		repeat=$2
		shift 2
		;;
	*) break ;;
	esac
done
binderd=$build/driver/binderd
bench=$build/bench/binder_bench
libbinder_bench=$build/bench/libbinder_bench
for program in "$binderd" "$bench" "$libbinder_bench"; do
	if [ ! -x "$program" ]; then
		echo "run_bench: $program not found: build first (cmake -S $repo -B $build && cmake --build $build)" >&2
		exit 2
	fi
done
lines=
for ((run = 1; run <= repeat; run++)); do
	[ "$repeat" -gt 1 ] && echo "run_bench: run $run of $repeat" >&2
	output=$("$repo/tests/with_binderd.sh" "$binderd" "$here/run_both.sh" "$bench" \
		"$libbinder_bench" "$@")
	status=$?
	if [ "$status" -ne 0 ]; then
		printf '%s\n' "$output" | grep '^bench\.'
		exit "$status"
	fi
	lines+=$(printf '%s\n' "$output" | grep '^bench\.')$'\n'
done
if [ "$repeat" -eq 1 ]; then
	printf '%s' "$lines"
else
	printf '%s' "$lines" | "$here/median_of_runs.sh"
fi
