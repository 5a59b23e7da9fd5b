#!/usr/bin/env bash
# run_bench_guest.sh - the benchmark on the real kernel driver and on binderd,
# both inside one qemu guest (tests/kernel/run_in_guest.sh), so the two are
# measured in the same run on the same (emulated) machine. Prints the guest's
# bench lines as bench.kernel.* and bench.binderd.*, then one
# bench.ratio_binderd_to_kernel.<name> line per figure measured in time
# (binderd / kernel: above 1 means binderd is slower) or in rate
# (kernel / binderd).
#
# Usage: bench/run_bench_guest.sh [--build-dir DIR] [--handles N] [--full] [--repeat N]
# Default: --quick runs with 1000 handles (the 6.1 kernel acquires handles in
# time quadratic in their count, which is minutes under emulation).
# Emulation is noisy: the kernel and binderd runs alternate --repeat times
# (default 3) in one guest, and each figure is the median of its runs with
# its spread (bench/median_of_runs.sh); the ratios divide the medians.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$top/build
handles=1000
mode=--quick
repeat=3
usage() {
	echo "usage: $0 [--build-dir DIR] [--handles N] [--full] [--repeat N]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build_dir=$2; shift 2 ;;
	--handles) handles=$2; shift 2 ;;
	--full) mode=; shift ;;
	--repeat)
		[[ ${2:-} =~ ^[1-9][0-9]?$ ]] || usage
		repeat=$2
		shift 2
		;;
	*) usage ;;
	esac
done
bench=$build_dir/bench/binder_bench
binderd=$build_dir/driver/binderd
[ -x "$bench" ] && [ -x "$binderd" ] || { echo "$0: build $bench and $binderd first" >&2; exit 1; }

output=$(mktemp)
trap 'rm -f "$output"' EXIT
one_round="binder_bench $mode --handles $handles --device /dev/binder | sed 's/^bench[.]/bench.kernel./'; binder_bench $mode --handles $handles --device /tmp/binderd.sock | sed 's/^bench[.]/bench.binderd./'"
guest_command="round=0; while [ \$round -lt $repeat ]; do $one_round; round=\$((round + 1)); done"
"$top/tests/kernel/run_in_guest.sh" --timeout 900 --file "$bench" --binderd "$binderd" \
	-- sh -c "$guest_command" >"$output" 2>&1 || {
	echo "$0: the guest run failed:" >&2
	cat "$output" >&2
	exit 1
}
tr -d '\r' <"$output" | "$top/bench/median_of_runs.sh" >"$output.clean"
mv "$output.clean" "$output"
grep -E '^bench\.(kernel|binderd)\.' "$output"
awk '
/^bench\.kernel\./ { name = substr($1, 14); kernel[name] = $2; unit[name] = $3 }
/^bench\.binderd\./ { name = substr($1, 15); binderd[name] = $2 }
END {
	for (name in kernel) {
		# The floors (unix_, relay_, shm_) do not use the device: their
		# two rounds measure the same thing.
		if (!(name in binderd) || name ~ /^(ratio|unix|relay|shm)_/ || name ~ /_spread$/)
			continue
		k = kernel[name] + 0; b = binderd[name] + 0
		if (k == 0 || b == 0) continue
		if (unit[name] == "us") r = b / k; else r = k / b
		printf "bench.ratio_binderd_to_kernel.%s %.2f x\n", name, r
	}
}' "$output" | sort
