#!/usr/bin/env bash
# Runs binder_bench, then libbinder_bench, against one private binderd
# (started and stopped by tests/with_binderd.sh; the two run in turn through
# bench/run_both.sh) and prints only the "bench.<name> <value> <unit>" lines
# on stdout; diagnostics go to stderr.
#
# Usage: bench/run_bench.sh [--build-dir DIR] [binder_bench options...]
#   DIR defaults to $BINDER_BUILD_DIR, else build/ at the top of the repo.
#   Options after it go to binder_bench (e.g. --quick); --quick, --verbose
#   and --device go to libbinder_bench too.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=${BINDER_BUILD_DIR:-$repo/build}
if [ "${1:-}" = --build-dir ]; then
	if [ $# -lt 2 ]; then
		echo "run_bench: --build-dir needs a directory" >&2
		exit 2
	fi
	build=$2
	shift 2
fi
binderd=$build/driver/binderd
bench=$build/bench/binder_bench
libbinder_bench=$build/bench/libbinder_bench
for program in "$binderd" "$bench" "$libbinder_bench"; do
	if [ ! -x "$program" ]; then
		echo "run_bench: $program not found: build first (cmake -S $repo -B $build && cmake --build $build)" >&2
		exit 2
	fi
done
output=$("$repo/tests/with_binderd.sh" "$binderd" "$here/run_both.sh" "$bench" "$libbinder_bench" "$@")
status=$?
printf '%s\n' "$output" | grep '^bench\.'
exit "$status"
