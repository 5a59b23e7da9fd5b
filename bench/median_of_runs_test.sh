#!/usr/bin/env bash
# median_of_runs_test.sh - median_of_runs.sh on known runs: medians of odd
# and even counts, the spread, figures in first-seen order, other lines
# ignored, a single run without a spread line, a unit mismatch refused.
set -u
here=$(cd "$(dirname "$0")" && pwd)
failures=0
expect() {
	local name=$1 input=$2 want=$3 got
	got=$(printf '%b' "$input" | "$here/median_of_runs.sh" 2>/dev/null)
	if [ "$got" != "$(printf '%b' "$want")" ]; then
		echo "FAIL: $name: got:" >&2
		printf '%s\n' "$got" >&2
		failures=$((failures + 1))
	fi
}
expect "three runs" \
	'bench.b 5 x\nbench.a 12 us\nnoise line\nbench.a 10 us\nbench.b 7 x\nbench.a 11 us\nbench.b 6 x\n' \
	'bench.b 6.000 x\nbench.b_spread 33.3 %\nbench.a 11.000 us\nbench.a_spread 18.2 %'
expect "two runs: the mean of the middle two" 'bench.a 10 us\nbench.a 20 us\n' \
	'bench.a 15.000 us\nbench.a_spread 66.7 %'
expect "one run: no spread" 'bench.a 10.5 GB/s\n' 'bench.a 10.500 GB/s'
if printf 'bench.a 1 us\nbench.a 2 ms\n' | "$here/median_of_runs.sh" >/dev/null 2>&1; then
	echo "FAIL: a unit mismatch was accepted" >&2
	failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] && echo "median_of_runs: all checks passed"
[ "$failures" -eq 0 ]
