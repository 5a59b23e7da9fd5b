#!/usr/bin/env bash
# Runs the benchmark (the arguments are its command line: binder_bench, or
# run_both.sh with binder_bench and libbinder_bench, or run_bridge_bench.sh)
# and passes only if it succeeded and printed every expected figure exactly
# once, as "bench.<name> <number> <unit>". It never judges the numbers
# themselves. The libbinder lines are expected when the command mentions
# libbinder_bench; only the bridge lines when it mentions run_bridge_bench.
set -u
expected=(
	"unix_pingpong_64b_p50 us"
	"unix_pingpong_64b_p99 us"
	"unix_echo_1mib_throughput GB/s"
	"relay_calls_per_s_1t calls/s"
	"relay_calls_per_s_8t calls/s"
	"shm_call_64b_p50 us"
	"shm_call_64b_p99 us"
	"shm_calls_per_s_8t calls/s"
	"call_64b_p50 us"
	"call_64b_p99 us"
	"call_4kib_p50 us"
	"call_4kib_p99 us"
	"call_64kib_p50 us"
	"call_64kib_p99 us"
	"call_1mib_p50 us"
	"call_1mib_p99 us"
	"call_1mib_throughput GB/s"
	"calls_per_s_1t calls/s"
	"calls_per_s_2t calls/s"
	"calls_per_s_8t calls/s"
	"calls_per_s_32t calls/s"
	"call_64b_p50_10_handles us"
	"call_64b_p50_100000_handles us"
	"ratio_call_64b_p50_to_unix_p50 x"
	"ratio_1mib_throughput_to_unix x"
	"ratio_calls_per_s_1t_to_relay x"
	"ratio_calls_per_s_8t_to_relay x"
	"ratio_call_64b_p50_to_shm_p50 x"
	"ratio_shm_calls_per_s_8t_to_calls_per_s_8t x"
	"ratio_100000_to_10_handles_p50 x"
)
libbinder_expected=(
	"libbinder.call_add_p50 us"
	"libbinder.call_add_p99 us"
	"libbinder.calls_per_s_1t calls/s"
	"libbinder.calls_per_s_8t calls/s"
	"libbinder.call_1mib_throughput GB/s"
	"ratio_libbinder_to_raw_call_64b_p50 x"
	"ratio_libbinder_to_raw_call_64b_p99 x"
	"ratio_libbinder_to_raw_calls_per_s_1t x"
	"ratio_libbinder_to_raw_calls_per_s_8t x"
	"ratio_libbinder_to_raw_1mib_throughput x"
)
# bridge_bench's lines. Names are extended regular expressions here: the
# RSS lines are named after the count of object calls (100k, or 2k with
# --quick) and may be negative (VmRSS can shrink).
bridge_expected=(
	"tls\.pingpong_64b_p50 us"
	"tls\.pingpong_64b_p99 us"
	"tls\.echo_1mib_throughput GB/s"
	"bridge\.local_call_64b_p50 us"
	"bridge\.local_call_64b_p99 us"
	"bridge\.call_64b_p50 us"
	"bridge\.call_64b_p99 us"
	"bridge\.call_4kib_p50 us"
	"bridge\.call_4kib_p99 us"
	"bridge\.call_64kib_p50 us"
	"bridge\.call_64kib_p99 us"
	"bridge\.call_1mib_p50 us"
	"bridge\.call_1mib_p99 us"
	"bridge\.call_1mib_throughput GB/s"
	"bridge\.calls_per_s_1t calls/s"
	"bridge\.calls_per_s_16t calls/s"
	"bridge\.rss_growth_[0-9]+k?_object_calls_hosta -?KiB"
	"bridge\.rss_growth_[0-9]+k?_object_calls_hostb -?KiB"
	"bridge\.rss_growth_[0-9]+k?_object_calls -?KiB"
	"ratio_bridge_64b_p50_to_floor x"
	"ratio_bridge_1mib_throughput_to_tls x"
	"ratio_bridge_calls_per_s_16t_to_grpc_5k x"
)
bridge=0
case " $* " in
*run_bridge_bench*) bridge=1 ;;
*libbinder_bench*) expected+=("${libbinder_expected[@]}") ;;
esac
output=$("$@")
status=$?
printf '%s\n' "$output"
if [ "$status" -ne 0 ]; then
	echo "check_bench_lines: the benchmark exited with status $status" >&2
	exit 1
fi
failed=0
if ((bridge)); then
	for entry in "${bridge_expected[@]}"; do
		name=${entry% *}
		unit=${entry##* }
		sign=
		if [ "${unit#"-?"}" != "$unit" ]; then
			sign=-?
			unit=${unit#"-?"}
		fi
		matches=$(printf '%s\n' "$output" | grep -cE "^bench\.$name $sign[0-9]+(\.[0-9]+)? ${unit//\//\\/}\$")
		if [ "$matches" -ne 1 ]; then
			echo "check_bench_lines: expected one line 'bench.${name//\\/} <number> $unit', found $matches" >&2
			failed=1
		fi
	done
	exit "$failed"
fi
for entry in "${expected[@]}"; do
	name=${entry% *}
	unit=${entry##* }
	matches=$(printf '%s\n' "$output" | grep -cE "^bench\.${name//./\\.} [0-9]+(\.[0-9]+)? ${unit//\//\\/}\$")
	if [ "$matches" -ne 1 ]; then
		echo "check_bench_lines: expected one line 'bench.$name <number> $unit', found $matches" >&2
		failed=1
	fi
done
exit "$failed"
