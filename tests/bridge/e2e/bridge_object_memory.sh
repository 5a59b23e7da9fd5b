#!/usr/bin/env bash
# bridge_object_memory.sh - bridged's memory over a long run of calls that
# pass objects (issue 8: "Nothing grows without bound over a long run of
# calls that pass objects"). Host B serves "sink" (the probe service),
# exported to hosta and imported on A as "sink@b". On A, the probe client
# calls sink@b's TAKE with a new local object each time; B's service drops
# the object at once (the case where the service lets go of the object
# before bridged's binder threads read the driver's node work). So every
# call makes an export on A's bridged and a stand-in on B's, both of which
# must go again when B releases the object.
#
# The resident size (VmRSS in /proc/PID/status) of both bridged is read
# after a warm-up of MEMORY_WARMUP_CALLS and again after MEMORY_CALLS more
# calls (and a pause for the releases in flight to land); it must not have
# grown by more than MEMORY_GROWTH_LIMIT_KIB on either side. Why 10 MiB:
# what one call leaves behind when an object is never released is an
# export on A (its entry, a proxy, a death link) and a stand-in on B (its
# entry, a local object), some hundreds of bytes on each side, so 100,000
# leaked objects are tens of MiB; what legitimately moves is the heap's
# high-water mark (malloc arenas of the worker threads, the buffers of the
# TLS link), a few MiB at most after the warm-up. Every figure is printed;
# binderd's sizes too (not checked).
#   bridge_object_memory.sh NAME=PATH...   (see hosts.sh; needs
#   PROBE_CLIENT and PROBE_SERVICE)
source "$(dirname "$0")/hosts.sh" "$@"
[[ -n ${PROBE_CLIENT:-} && -n ${PROBE_SERVICE:-} ]] ||
	e2e_die "PROBE_CLIENT=PATH and PROBE_SERVICE=PATH are required"

MEMORY_CALLS=${MEMORY_CALLS:-100000}
MEMORY_WARMUP_CALLS=${MEMORY_WARMUP_CALLS:-10000}
MEMORY_GROWTH_LIMIT_KIB=${MEMORY_GROWTH_LIMIT_KIB:-10240}
# Each call's bound in the client (generous; a loopback link).
call_timeout_s=60
# AddressSanitizer keeps freed memory in a quarantine (256 MiB by default),
# which would show as growth here: in a sanitizer build, the daemons of
# this test run without it (the other tests keep it).
if ldd "$BRIDGED" 2>/dev/null | grep -q libasan; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
	echo "a sanitizer build: ASAN_OPTIONS=$ASAN_OPTIONS"
fi

E2E_B_SECTIONS='
[export sink]
peers = hosta
'
E2E_A_SECTIONS='
[import sink@b]
peer = hostb
service = sink
'
# Debug logs would be a line per object and more.
E2E_LOG_LEVEL_A=${E2E_LOG_LEVEL_A:-info}
E2E_LOG_LEVEL_B=${E2E_LOG_LEVEL_B:-info}
hosts_start_cores
service_start b.sink b sink "$PROBE_SERVICE" sink
bridged_start b
bridged_start a
check "A: sink@b imported" wait_service a sink@b 30

# rss_kib NAME: the daemon's VmRSS in KiB.
rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/${e2e_pid[$1]}/status" 2>/dev/null
}

# sizes: "a.bridged=KiB b.bridged=KiB a.binderd=KiB b.binderd=KiB".
sizes() {
	local name line=
	for name in a.bridged b.bridged a.binderd b.binderd; do
		line+="$name=$(rss_kib "$name") "
	done
	echo "${line% }"
}

# settle: the releases of the last calls are frames and driver work in
# flight: give them a moment (bounded), until both bridged's sizes stop
# moving for a while.
settle() {
	local previous= current tries
	for ((tries = 0; tries < 20; tries++)); do
		sleep 1
		current="$(rss_kib a.bridged) $(rss_kib b.bridged)"
		[[ $current == "$previous" ]] && return 0
		previous=$current
	done
	return 0
}

# pass COUNT WHAT: COUNT calls, each with a new object; all must work.
pass() {
	run a "${E2E_TIME_LIMIT:-150}" "$PROBE_CLIENT" --call-timeout "$call_timeout_s" \
		pass sink@b "$1"
	expect 0 "$2: $1 calls of sink@b, each passing a new object" \
		"summary: $1 ok, 0 failed of $1 calls"
}

pass "$MEMORY_WARMUP_CALLS" "warm-up"
settle
read -r warm_a warm_b < <(echo "$(rss_kib a.bridged) $(rss_kib b.bridged)")
echo "VmRSS after the warm-up ($MEMORY_WARMUP_CALLS calls), KiB: $(sizes)"

pass "$MEMORY_CALLS" "the run"
settle
read -r end_a end_b < <(echo "$(rss_kib a.bridged) $(rss_kib b.bridged)")
echo "VmRSS after $MEMORY_CALLS more calls, KiB: $(sizes)"
growth_a=$((end_a - warm_a))
growth_b=$((end_b - warm_b))
echo "growth over the run, KiB: a.bridged $growth_a, b.bridged $growth_b" \
	"(limit $MEMORY_GROWTH_LIMIT_KIB; per call: a $((growth_a * 1024 / MEMORY_CALLS)) B," \
	"b $((growth_b * 1024 / MEMORY_CALLS)) B)"
check "A's bridged grew by $growth_a KiB over $MEMORY_CALLS calls (limit $MEMORY_GROWTH_LIMIT_KIB)" \
	test "$growth_a" -le "$MEMORY_GROWTH_LIMIT_KIB"
check "B's bridged grew by $growth_b KiB over $MEMORY_CALLS calls (limit $MEMORY_GROWTH_LIMIT_KIB)" \
	test "$growth_b" -le "$MEMORY_GROWTH_LIMIT_KIB"

check "B's bridged is alive" daemon_running b.bridged
check "A's bridged is alive" daemon_running a.bridged
e2e_finish
