#!/usr/bin/env bash
# binder-service against real processes. Run under tests/with_services.sh
# (binderd + servicemanager, BINDER_DEVICE exported):
#   tool_test.sh BINDER_SERVICE TOOL_TEST_SERVICE
# Starts the test service, then checks list, check, wait, ping, call with
# typed arguments and decoded replies, and the errors for bad input, an
# unknown service, a refused call and a dead service. Every command is
# bounded by `timeout`; the test never judges timings.
set -u
tool=$1
service_program=$2
dir=$(mktemp -d /tmp/tool-test.XXXXXX)
service_pid=
failures=0
checks=0

cleanup() {
	[ -n "$service_pid" ] && kill -TERM "$service_pid" 2>/dev/null && wait "$service_pid"
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# run CMD...: runs the tool with CMD, sets $out, $err and $status.
run() {
	out=$(timeout 20 "$tool" "$@" 2>"$dir/stderr")
	status=$?
	err=$(cat "$dir/stderr")
}

fail() {
	echo "FAIL: $1" >&2
	echo "  command status: $status" >&2
	echo "  stdout: $out" >&2
	echo "  stderr: $err" >&2
	failures=$((failures + 1))
}

# expect STATUS DESCRIPTION [stdout line]...: the last command exited with
# STATUS and printed each given line (whole lines) on stdout.
expect() {
	local want_status=$1 description=$2
	shift 2
	checks=$((checks + 1))
	if [ "$status" -ne "$want_status" ]; then
		fail "$description: exit status $status, expected $want_status"
		return
	fi
	for line in "$@"; do
		if ! grep -qxF -- "$line" <<<"$out"; then
			fail "$description: no line '$line'"
			return
		fi
	done
}

# expect_error STATUS DESCRIPTION TEXT: exit STATUS and TEXT on stderr.
expect_error() {
	checks=$((checks + 1))
	if [ "$status" -ne "$1" ]; then
		fail "$2: exit status $status, expected $1"
	elif ! grep -qF -- "$3" <<<"$err"; then
		fail "$2: stderr lacks '$3'"
	fi
}

"$service_program" tool.test 2>"$dir/service.log" &
service_pid=$!

# --- wait, list, check, ping
run wait tool.test --timeout 10000
expect 0 "wait for the test service" "Service tool.test: found"
run list
expect 0 "list" "tool.test"
run list --long
expect 0 "list --long" "tool.test [binder.tool.ITest]"
run check tool.test
expect 0 "check a service" "Service tool.test: found"
run check no.such.service
expect 1 "check a missing service" "Service no.such.service: not found"
run wait no.such.service --timeout 300
expect 1 "wait times out" "Service no.such.service: not found after 300 ms"
run ping tool.test
expect 0 "ping" "tool.test: alive"
run ping no.such.service
expect_error 1 "ping a missing service" "not found"

# --- calls with typed arguments, decoded replies
run call tool.test 1 --intf --reply ex,i32 i32:2 i32:3
expect 0 "add with --intf" "ex: none" "i32: 5"
run call tool.test 1 intf:binder.tool.ITest i32:-7 i32:0x10 --reply ex,i32
expect 0 "add with intf:" "ex: none" "i32: 9"
run call tool.test 2 --reply i32,u32,i64,u64,f,d,b,b,s8,s16,s16,s8 \
	i32:-5 u32:0xffffffff i64:-9000000000 u64:18446744073709551615 f:1.5 d:-2.25 \
	b:true b:false s8:hello 's16:héllo "wörld"' null16 null8
expect 0 "echo of every value type" "i32: -5" "u32: 4294967295" "i64: -9000000000" \
	"u64: 18446744073709551615" "f: 1.5" "d: -2.25" "b: true" "b: false" 's8: "hello"' \
	's16: "héllo \"wörld\""' "s16: null" "s8: null"
run call tool.test 2 i32:1 i32:2
expect 0 "hex dump" "Result: Parcel(00000001 00000002                   '........        ')"
run call tool.test 2 s16:abcdefgh
expect 0 "multi-line hex dump" "Result: Parcel(" \
	"  0x00000000: 00000008 00620061 00640063 00660065 '....a.b.c.d.e.f.'" \
	"  0x00000010: 00680067 00000000                   'g.h.....        ')"
run call tool.test 2 --hex --reply i32 i32:7
expect 0 "--hex with --reply" "Result: Parcel(00000007                            '....            ')" "i32: 7"
printf 'file contents\n' >"$dir/file"
run call tool.test 3 "fd:$dir/file" --reply ex,s8
expect 0 "fd argument" "ex: none" 's8: "file contents\n"'
run call tool.test 5 --reply ex,binder,fd
expect 0 "binder and fd in the reply" "ex: none" "fd: $(sed -n 's/^fd: \([0-9]*\) .*/\1/p' <<<"$out") (/dev/null)"
grep -qE '^binder: handle [0-9]+ \[binder.tool.ITest\]$' <<<"$out" || fail "binder in the reply"
run call tool.test 5
expect 0 "objects listed after the dump" "Result: Parcel("
grep -qE '^Object at 0x[0-9a-f]{8}: binder \(handle [0-9]+\)$' <<<"$out" || fail "binder object line"
grep -qE '^Object at 0x[0-9a-f]{8}: fd [0-9]+$' <<<"$out" || fail "fd object line"
run call tool.test 4 --intf --reply ex,i32
expect 3 "AIDL exception" 'ex: service specific (-8) error 42 "it failed"'
run call tool.test 2 --reply i32,i32 i32:1
expect_error 3 "reply shorter than --reply" "reply: cannot read i32 at offset 4"
run call tool.test 1 --oneway --intf i32:1 i32:2
expect 0 "oneway call"

# --- failed calls
run call tool.test 1 i32:1 i32:2
expect_error 1 "call without the interface token" "call tool.test 1: "
run call tool.test 6
expect_error 1 "status returned by the service" "call tool.test 6: "
run call tool.test 8
expect_error 1 "positive status returned by the service" \
	"call tool.test 8: the service replied with status 42 (positive status)"
[ -z "$out" ] || fail "a positive status printed a reply"
run call tool.test 99
expect_error 1 "unknown code" "call tool.test 99: "
run call no.such.service 1 i32:1
expect_error 1 "call a missing service" "service no.such.service: not found"
run call tool.test 2 "fd:$dir/no-such-file"
expect_error 1 "fd of a missing file" "cannot open $dir/no-such-file"

# --- bad command lines (exit 2), before any device is opened
run call tool.test 1 x32:5
expect_error 2 "unknown type prefix" "unknown type 'x32'"
run call tool.test 1 i32:abc
expect_error 2 "non-numeric" "not a number"
run call tool.test 1 i32:2147483648
expect_error 2 "i32 out of range" "out of range"
run call tool.test 1 u32:-1
expect_error 2 "u32 negative" "out of range"
run call tool.test 1 i64:99999999999999999999
expect_error 2 "i64 out of range" "out of range"
run call tool.test 1 f:1e40
expect_error 2 "float out of range" "out of range"
run call tool.test 1 b:maybe
expect_error 2 "bad bool" "true or false"
run call tool.test 1 i32:
expect_error 2 "empty number" "not a number"
run call tool.test 1 hello
expect_error 2 "argument without a type" "expected TYPE:VALUE"
run call tool.test notacode
expect_error 2 "bad code" "CODE 'notacode'"
run call tool.test 0x100000000
expect_error 2 "code out of range" "CODE '0x100000000'"
run call tool.test 1 --reply ex,zz
expect_error 2 "bad reply type" "unknown type 'zz'"
run call tool.test
expect_error 2 "call without a code" "usage: binder-service call"
run frobnicate
expect_error 2 "unknown command" "unknown command 'frobnicate'"
run
expect_error 2 "no command" "no command given"
run wait tool.test --timeout -1
expect_error 2 "negative timeout" "--timeout takes milliseconds"
run --help
expect 0 "--help" "SYNOPSIS"
status=0
out=$(BINDER_DEVICE=$dir/no-such.sock timeout 20 "$tool" call x 1 i32:z 2>"$dir/stderr") || status=$?
err=$(cat "$dir/stderr")
expect_error 2 "bad argument with no device" "not a number"
run --device "$dir/no-such.sock" list
expect_error 1 "no device" "cannot open the binder device $dir/no-such.sock"

# --- wait for a service that comes later; a clean stop of the service
# The waiter starts first. A second, shorter wait for the same name runs to
# its end (300 ms, "not found"): the name is absent, and the first waiter,
# started before it with a far longer timeout, must still be waiting, with
# nothing printed. Only then is the service started, and the waiter must
# return with it.
timeout 20 "$tool" wait tool.late --timeout 15000 >"$dir/late.out" 2>"$dir/late.err" &
waiter_pid=$!
run wait tool.late --timeout 300
expect 1 "tool.late is absent while the waiter waits" "Service tool.late: not found after 300 ms"
checks=$((checks + 1))
if ! kill -0 "$waiter_pid" 2>/dev/null || [ -s "$dir/late.out" ]; then
	status=0
	wait "$waiter_pid" || status=$?
	out=$(cat "$dir/late.out")
	err=$(cat "$dir/late.err")
	fail "wait returned before the service was added"
fi
"$service_program" tool.late 2>"$dir/late-service.log" &
late_pid=$!
status=0
wait "$waiter_pid" || status=$?
out=$(cat "$dir/late.out")
err=$(cat "$dir/late.err")
expect 0 "wait for a service added later" "Service tool.late: found"
run list
expect 0 "list with two services" "tool.late" "tool.test"
kill -TERM "$late_pid"
status=0
wait "$late_pid" || status=$?
out=
err=$(cat "$dir/late-service.log")
expect 0 "the test service stops cleanly on SIGTERM"
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$dir/late-service.log"; then
	fail "sanitizer report from the test service"
fi

# --- a service that dies during a call
run call tool.test 7
expect_error 1 "service died during the call" "call tool.test 7: dead object"
for _ in $(seq 1 600); do
	kill -0 "$service_pid" 2>/dev/null || break
	sleep 0.05
done
if kill -0 "$service_pid" 2>/dev/null; then
	fail "the test service did not exit on code 7"
else
	wait "$service_pid"
	service_pid=
fi
gone=
for _ in $(seq 1 600); do
	run check tool.test
	if [ "$status" -eq 1 ]; then
		gone=1
		break
	fi
	sleep 0.05
done
[ -n "$gone" ] || fail "servicemanager still lists the dead service"

if [ "$failures" -ne 0 ]; then
	echo "tool_test: $failures of $checks checks failed" >&2
	echo "--- test service log:" >&2
	cat "$dir/service.log" >&2
	exit 1
fi
echo "tool_test: all $checks checks passed"
