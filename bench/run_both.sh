#!/usr/bin/env bash
# Runs the raw benchmark and then the libbinder one on the same device
# ($BINDER_DEVICE, e.g. under tests/with_binderd.sh), giving libbinder_bench
# the raw figures for its ratio lines. Prints both outputs; fails if either
# failed.
#
# Usage: bench/run_both.sh BINDER_BENCH LIBBINDER_BENCH [options...]
#   Every option goes to binder_bench; --quick, --verbose and --device PATH
#   go to libbinder_bench too.
set -u
if [ $# -lt 2 ]; then
	echo "usage: run_both.sh BINDER_BENCH LIBBINDER_BENCH [options...]" >&2
	exit 2
fi
raw_bench=$1
libbinder_bench=$2
shift 2
shared=()
arguments=("$@")
for ((i = 0; i < ${#arguments[@]}; i++)); do
	case ${arguments[i]} in
	--quick | --verbose) shared+=("${arguments[i]}") ;;
	--device) shared+=(--device "${arguments[i + 1]:-}") ;;
	--device=*) shared+=("${arguments[i]}") ;;
	esac
done
raw_output=$(mktemp /tmp/binder-bench-raw.XXXXXX)
trap 'rm -f "$raw_output"' EXIT
"$raw_bench" "$@" >"$raw_output"
raw_status=$?
cat "$raw_output"
if [ "$raw_status" -ne 0 ]; then
	echo "run_both: binder_bench exited with status $raw_status" >&2
	exit "$raw_status"
fi
"$libbinder_bench" --raw "$raw_output" ${shared[@]+"${shared[@]}"}
status=$?
if [ "$status" -ne 0 ]; then
	echo "run_both: libbinder_bench exited with status $status" >&2
fi
exit "$status"
