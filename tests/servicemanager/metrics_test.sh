#!/usr/bin/env bash
# metrics_test.sh - servicemanager's Prometheus metrics (--metrics, and the
# policy's [metrics] listen) against a real binderd, real servicemanagers,
# the real binder-service tool and the test service:
#   metrics_test.sh BINDERD SERVICEMANAGER BINDER_SERVICE TEST_SERVICE
# With the policy's key (port 0: servicemanager logs the port it got) a
# plain HTTP client scrapes /metrics, and the series move as real calls
# are made: an add, a list, a lookup of a missing name, an add the policy
# denies, a wait (a notification registration), a service's death and,
# as root, an add past another uid's quota. Without --metrics nothing
# listens; bad --metrics values, a bad [metrics] key and a port in use are
# refused with a clear error. Every wait is bounded; nothing is timed.
set -u
binderd=$1
servicemanager=$2
tool=$3
test_service=$4

# Polls of 0.05 s: at most 20 s for anything to happen.
POLLS=400
NOBODY=65534

dir=$(mktemp -d /tmp/servicemanager-metrics.XXXXXX)
# Reachable by every uid: the quota check runs a service as another uid.
chmod 755 "$dir"
sock=$dir/binder.sock
binderd_pid=
manager_pid=
service_pids=()
failures=0
checks=0

cleanup() {
	# shellcheck disable=SC2086 # the pids may be empty: no argument then
	kill -TERM "${service_pids[@]}" $manager_pid $binderd_pid 2>/dev/null
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

fail() {
	echo "FAIL: $1" >&2
	failures=$((failures + 1))
}

# check DESCRIPTION CMD...: CMD must succeed.
check() {
	local description=$1
	shift
	checks=$((checks + 1))
	"$@" || fail "$description"
}

# wait_until CMD...: polls CMD until it succeeds, at most POLLS times.
wait_until() {
	for _ in $(seq 1 "$POLLS"); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

show_logs() {
	local log
	for log in "$dir"/*.log; do
		echo "--- $log:" >&2
		cat "$log" >&2
	done
}

give_up() {
	echo "metrics_test: $1" >&2
	show_logs
	exit 1
}

# ---- binderd
"$binderd" --socket "$sock" --log-level warning 2>"$dir/binderd.log" &
binderd_pid=$!
socket_there() { [ -S "$sock" ]; }
wait_until socket_there || give_up "binderd did not create $sock"
export BINDER_DEVICE=$sock

# start_manager LOG ARGS...: servicemanager with ARGS, at info level (it logs
# the metrics address), until it says ready on fd 3 or exits.
start_manager() {
	local log=$1
	shift
	: >"$dir/ready"
	"$servicemanager" --device "$sock" --ready-fd 3 "$@" 3>"$dir/ready" 2>"$dir/$log" &
	manager_pid=$!
	manager_ready() {
		[ "$(cat "$dir/ready")" = ready ] || ! kill -0 "$manager_pid" 2>/dev/null
	}
	wait_until manager_ready
	[ "$(cat "$dir/ready")" = ready ] || give_up "servicemanager $* did not become ready"
}

# no_sanitizer_report LOG: fails (and shows it) if LOG has one.
no_sanitizer_report() {
	if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$dir/$1"; then
		cat "$dir/$1" >&2
		return 1
	fi
}

# stop_manager LOG: SIGTERM; it must exit 0 with no sanitizer report.
stop_manager() {
	local status=0
	kill -TERM "$manager_pid"
	wait "$manager_pid" || status=$?
	manager_pid=
	check "servicemanager exits 0 on SIGTERM (status $status)" [ "$status" -eq 0 ]
	check "no sanitizer report from servicemanager ($1)" no_sanitizer_report "$1"
}

# The TCP sockets process PID listens on (from /proc), one per line.
listening() {
	local pid=$1 fd target inodes=" "
	for fd in /proc/"$pid"/fd/*; do
		target=$(readlink "$fd" 2>/dev/null) || continue
		[[ $target == socket:\[*\] ]] && inodes+="${target//[^0-9]/} "
	done
	awk -v inodes="$inodes" '$4 == "0A" && index(inodes, " " $10 " ") { print $2 }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# scrape: GET /metrics from 127.0.0.1:$port into $scraped, with curl if
# there is one, else bash's /dev/tcp.
scrape() {
	local status
	if command -v curl >/dev/null; then
		scraped=$(curl -sS --fail --max-time 10 "http://127.0.0.1:$port/metrics" 2>&1)
		status=$?
	else
		scraped=$(timeout 10 bash -c '
			exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 7
			printf "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
			cat <&3' _ "$port" 2>&1)
		status=$?
		[[ $status == 0 && $scraped == "HTTP/1."?" 200 "* ]] || status=22
		scraped=${scraped#*$'\r\n\r\n'}
	fi
	[[ $status == 0 ]]
}

# value SELECTOR: its sample in $scraped ("" if none).
value() {
	awk -v selector="$1" 'index($0, selector " ") == 1 { print $NF }' <<<"$scraped"
}

# is SELECTOR N: a fresh scrape shows the sample at N.
is() {
	scrape && [[ $(value "$1") == "$2" ]]
}

# at_least SELECTOR N: a fresh scrape shows the sample at N or more.
at_least() {
	local now
	scrape || return 1
	now=$(value "$1")
	[[ -n $now ]] && ((now >= $2))
}

# run_tool ARGS...: binder-service, bounded; sets $out and $status.
run_tool() {
	out=$(timeout 20 "$tool" "$@" 2>&1)
	status=$?
}

# start_service NAME [setpriv ARGS...]: the test service adding NAME; waits
# until it says whether it could. Sets $added ("added" or the error).
start_service() {
	local name=$1
	shift
	"$@" "$test_service" "$name" >"$dir/$name.out" 2>"$dir/$name.log" &
	service_pids+=($!)
	last_service_pid=$!
	said() { [ -s "$dir/$name.out" ]; }
	wait_until said
	added=$(head -n 1 "$dir/$name.out")
}

uid=$(id -u)
cat >"$dir/policy.ini" <<EOF
[add]
metrics.* = *
* =

[limits]
names_per_uid = 1

[metrics]
listen = 127.0.0.1:0
EOF

# ==== with the policy's [metrics] listen (port 0: the log says which)
start_manager policy.log --policy "$dir/policy.ini"
port=$(sed -n 's|.*metrics on http://127\.0\.0\.1:\([0-9][0-9]*\)/metrics$|\1|p' \
	"$dir/policy.log")
[ -n "$port" ] || give_up "servicemanager did not log its metrics address"
check "servicemanager listens on its metrics port" \
	[ "$(listening "$manager_pid" | wc -l)" -eq 1 ]
check "a scrape of /metrics answers" scrape
check "no services at first" is servicemanager_services 0
check "the names limit is the policy's" is servicemanager_names_per_uid_limit 1
check "the notifications limit is the default" \
	at_least servicemanager_notifications_per_uid_limit 1

# ---- an add, a list, a lookup of a missing name
start_service metrics.one
check "the test service adds metrics.one ($added)" [ "$added" = added ]
one_pid=$last_service_pid
check "one add_service call" is 'servicemanager_calls_total{method="add_service"}' 1
check "one service" is servicemanager_services 1
check "uid $uid holds one name" is "servicemanager_uid_names{uid=\"$uid\"}" 1
run_tool list
check "binder-service list shows metrics.one" grep -qx metrics.one <<<"$out"
check "one list_services call" is 'servicemanager_calls_total{method="list_services"}' 1
run_tool check metrics.missing
check "binder-service check of a missing name exits 1" [ "$status" -eq 1 ]
check "one check_service call" is 'servicemanager_calls_total{method="check_service"}' 1
check "one lookup not found" is servicemanager_lookups_not_found_total 1

# ---- an add the policy denies
start_service denied.name
check "the policy denies denied.name ($added)" [ "$added" != added ]
check "one add refused: denied" is 'servicemanager_calls_refused_total{reason="denied"}' 1
check "still one service" is servicemanager_services 1

# ---- a wait: a notification registration while it waits
timeout 30 "$tool" wait metrics.later --timeout 20000 >"$dir/wait.out" 2>&1 &
wait_pid=$!
check "a waiter registers for notifications" \
	wait_until is servicemanager_notification_registrations 1
check "a register_for_notifications call" \
	at_least 'servicemanager_calls_total{method="register_for_notifications"}' 1
start_service metrics.later
check "the test service adds metrics.later ($added)" [ "$added" = added ]
wait_status=0
wait "$wait_pid" || wait_status=$?
check "binder-service wait finds metrics.later (status $wait_status)" [ "$wait_status" -eq 0 ]
check "the waiter's registration is gone" \
	wait_until is servicemanager_notification_registrations 0
check "two services" is servicemanager_services 2

# ---- a death
kill -KILL "$one_pid"
{ wait "$one_pid"; } 2>/dev/null # not "Killed" in the output
check "metrics.one's death is counted" wait_until is servicemanager_service_deaths_total 1
check "one service left" wait_until is servicemanager_services 1

# ---- another uid past its quota (as root only: servicemanager's own uid
# has no quota)
if [ "$uid" -eq 0 ] && command -v setpriv >/dev/null; then
	as_nobody=(setpriv --reuid "$NOBODY" --regid "$NOBODY" --clear-groups)
	start_service metrics.nobody.1 "${as_nobody[@]}"
	check "uid $NOBODY adds metrics.nobody.1 ($added)" [ "$added" = added ]
	check "uid $NOBODY holds one name" is "servicemanager_uid_names{uid=\"$NOBODY\"}" 1
	start_service metrics.nobody.2 "${as_nobody[@]}"
	check "uid $NOBODY is refused a second name ($added)" [ "$added" != added ]
	check "one add refused: quota" is 'servicemanager_calls_refused_total{reason="quota"}' 1
fi

# ---- a port in use: a second servicemanager on the same one
status=0
timeout 20 "$servicemanager" --device "$dir/nonexistent.sock" --metrics "127.0.0.1:$port" \
	2>"$dir/in-use.log" || status=$?
check "a metrics port in use: exit 1 (status $status)" [ "$status" -eq 1 ]
check "a metrics port in use: says so" \
	grep -q "cannot serve metrics on 127.0.0.1:$port: Address already in use" "$dir/in-use.log"
check "a metrics port in use: no sanitizer report" no_sanitizer_report in-use.log

kill -TERM "${service_pids[@]}" 2>/dev/null
stop_manager policy.log

# ==== without --metrics: nothing listens
start_manager plain.log
no_metrics_logged() { ! grep -q "metrics on" "$dir/plain.log"; }
check "without --metrics no metrics address is logged" no_metrics_logged
check "without --metrics servicemanager listens on no TCP port" \
	[ -z "$(listening "$manager_pid")" ]
stop_manager plain.log

# ==== bad values: exit 2 (options) or 1 (policy file), with the reason
for bad in 65536 123456 -1 localhost:80 127.0.0.1 127.0.0.1: 1.2.3.4:x '[::1]' ''; do
	status=0
	timeout 20 "$servicemanager" --device "$dir/nonexistent.sock" --metrics "$bad" \
		2>"$dir/bad.log" || status=$?
	check "--metrics '$bad': exit 2 (status $status)" [ "$status" -eq 2 ]
	check "--metrics '$bad': says why" grep -qE "^servicemanager: --metrics: '.*': bad (port|address)" \
		"$dir/bad.log"
done
printf '[metrics]\nlisten = nowhere\n' >"$dir/bad.ini"
status=0
timeout 20 "$servicemanager" --device "$dir/nonexistent.sock" --policy "$dir/bad.ini" \
	2>"$dir/bad.log" || status=$?
check "[metrics] listen = nowhere: exit 1 (status $status)" [ "$status" -eq 1 ]
check "[metrics] listen = nowhere: says why" grep -q "line 2: listen: 'nowhere': bad address" \
	"$dir/bad.log"
check "[metrics] listen = nowhere: no sanitizer report" no_sanitizer_report bad.log

if [ "$failures" -ne 0 ]; then
	echo "metrics_test: $failures of $checks checks failed" >&2
	show_logs
	exit 1
fi
echo "metrics_test: $checks checks passed"
