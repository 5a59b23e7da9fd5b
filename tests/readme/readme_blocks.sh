#!/usr/bin/env bash
# readme_blocks.sh - runs every command block of README.md, so that what
# README tells a user to type cannot drift from what the tree does.
#
# Every code block in README must be fenced and name its language:
#   ```sh ...       commands, run by bash; the block must exit 0
#   ```console ...  a transcript: "$ command" lines, each followed by the
#                   output it must print (in order; "..." skips lines)
#   ```ini ...      a configuration file: written to PATH on host X when
#                   its first line is "# host X: PATH" (see hosts below);
#                   else, like ```c and ```text, code or sample output:
#                   not run
# Words after the language say how a command block runs:
#   background     (console) runs in a terminal of its own for the rest of
#                  the test, as "terminal 1" does; the next block starts
#                  once every output line it shows has appeared
#   daemons        (sh) each line starts a daemon: it must become ready
#                  (binderd: "listening on", servicemanager: "serving") and
#                  stop cleanly (exit 0) on SIGTERM
#   binderd=PATH   a binderd of the test's own listens on PATH meanwhile
#   demo           the demo: run with its build in BUILD_DIR/readme-demo
#   bench          benchmarks: each line must exit 0 and print bench.*
#                  lines; not in a sanitizer build (its figures mean
#                  nothing), and the guest one only where the kernel tests
#                  can boot their guest (qemu, busybox, binder_linux.ko)
#   ci             the CI command itself: it must be what .ci/run runs
#   build          (sh) the build by hand, each line must exit 0. "." and
#                  "build" in its cmake and ctest commands stand for the
#                  source tree and the build under test, and cmake gets
#                  them as the paths that build was configured with (its
#                  cache's): given the work copy's paths instead, cmake
#                  would re-point that build's generated files at the
#                  copy. So "cmake -S . -B build" re-runs the configure
#                  step of the build under test on its own cache (its
#                  CMAKE_BUILD_TYPE, BINDER_SANITIZE, compiler and flags
#                  must come out unchanged: checked), and "cmake --build
#                  build" brings it up to date: seconds, for the build
#                  ctest is running (it rebuilds what changed since, as
#                  for a user). ctest is not run recursively (this test is
#                  one of its tests, and the whole suite takes many
#                  minutes: CI runs it): it lists the tests (ctest -N),
#                  and the list must hold readme_blocks; the output says
#                  so. It lists them in a mount namespace where the
#                  build's Testing/ is a scratch tmpfs: even -N rewrites
#                  Testing/Temporary/LastTest.log, the log of the ctest
#                  run under way (scripts/test.sh searches it for
#                  sanitizer reports)
#   certs          (sh) runs on the "admin" machine of the two hosts; then,
#                  as the comment under README's make_certs.sh line says,
#                  each host NAME named on that line gets DIR/ca.crt,
#                  DIR/NAME.crt and DIR/NAME.key in its own DIR
#   host=X         (console) runs on host X (A or B), not on this machine
#   norun: REASON  not run here, for REASON (printed)
# Hosts: README's two hosts (bridged) are two network namespaces on this
# machine, each with a private /etc/bridged and binderd socket directory,
# running binderd, servicemanager and (host B) calculator_service: see
# two_hosts.sh. Where they cannot be made (no iproute2, a container that
# refuses namespaces), the blocks that need them are skipped with a loud
# "SKIP" and the others still run.
# Blocks run in order, in a copy of the source tree whose build/ is the
# build under test, with the tools a user installs (binder-service) on
# PATH, and BINDER_DEVICE=/tmp/binder.sock (the walkthrough's) unless a
# block sets its own. At the end every process the blocks started is
# stopped (SIGINT, as Ctrl-C, then SIGTERM, then SIGKILL).
#
# usage: readme_blocks.sh SOURCE_DIR BUILD_DIR
# Needs root (binderd's default socket is under /run): exit 77 otherwise.
set -uo pipefail
source_dir=$(cd "$1" && pwd)
build_dir=$(cd "$2" && pwd)
readme=$source_dir/README.md

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (README's binderd uses /run/binderd)"
	exit 77
fi

# ---- the copy of the tree the blocks run in ----
# Fixed under the build directory, so that the demo's own build is reused.
work=$build_dir/readme-work
rm -rf "$work/blocks" "$work/logs"
mkdir -p "$work/blocks" "$work/logs"
for entry in "$source_dir"/* "$source_dir"/.ci; do
	name=$(basename "$entry")
	case $name in build | build-*) continue ;; esac
	ln -sfn "$entry" "$work/$name"
done
ln -sfn "$build_dir" "$work/build"
# "./my_binder_program" in README: a real program written for /dev/binder.
ln -sfn "$build_dir/tests/preload/kernel_program" "$work/my_binder_program"

marker="readme_blocks_$$"
export README_BLOCKS_MARKER=$marker
export PATH=$build_dir/tools/service:$build_dir/tools/binderctl:$PATH
export BINDER_DEVICE=/tmp/binder.sock
export BINDER_LOG=warn
sanitized=no
# (grep reads all of nm's output: with -q, nm could die of SIGPIPE, which
# pipefail would count as no match.)
if nm "$build_dir/driver/binderd" 2>/dev/null | grep __asan_init >/dev/null; then
	sanitized=yes
fi
if [ -n "${ASAN_OPTIONS+x}" ] || [ "$sanitized" = yes ]; then
	# The preload library is linked with the sanitizer runtime.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
fi
rm -f /tmp/binder.sock /tmp/b.sock

failures=0
fail() {
	echo "FAIL: README.md:$*" >&2
	failures=$((failures + 1))
}

# Every process started by a block carries the marker in its environment.
# So do the grep and sed that look for them: only the pids still there
# once they are done count (this shell's forks do not show the marker:
# /proc/PID/environ is the environment a program was started with).
marked_pids() {
	local pid
	for pid in $(grep -lzx "README_BLOCKS_MARKER=$marker" /proc/[0-9]*/environ 2>/dev/null |
		sed -E 's|^/proc/([0-9]+)/environ$|\1|'); do
		[ "$pid" != "$$" ] && [ -e "/proc/$pid" ] && echo "$pid"
	done
}
stop_everything() {
	local signal pids round
	for signal in INT TERM KILL; do
		pids=$(marked_pids)
		[ -z "$pids" ] && return 0
		# shellcheck disable=SC2086 # a list of pids
		kill -s "$signal" $pids 2>/dev/null
		for round in $(seq 50); do
			[ -z "$(marked_pids)" ] && return 0
			sleep 0.1
		done
	done
}
# shellcheck source=two_hosts.sh
source "$(dirname "$0")/two_hosts.sh"
trap 'stop_everything; hosts_remove' EXIT

# ---- extract the blocks ----
# blocks/N.head: "LINE LANG ATTRS...", blocks/N.body: the lines.
awk -v out="$work/blocks" '
	/^```/ {
		if (!open) {
			count++
			open = 1
			head = substr($0, 4)
			printf "%d %s\n", NR, head > (out "/" count ".head")
			printf "" > (out "/" count ".body")
		} else {
			open = 0
		}
		next
	}
	open { print > (out "/" count ".body") }
	!open && /^    [^ ]/ && previous == "" { printf "%d\n", NR > (out "/indented") }
	{ previous = $0 }
' "$readme"
if [ -s "$work/blocks/indented" ]; then
	while read -r line; do
		fail "$line: an indented code block; fence it and name its language"
	done <"$work/blocks/indented"
fi

# Does output file $1 hold the lines of file $2 in order ("..." skips)?
# Prints the first line it could not find.
has_lines_in_order() {
	awk '
		FILENAME == ARGV[1] { sub(/[ \t\r]+$/, ""); if ($0 != "...") want[++count] = $0; next }
		{ sub(/[ \t\r]+$/, "") }
		next_wanted == 0 { next_wanted = 1 }
		next_wanted <= count && $0 == want[next_wanted] { next_wanted++ }
		END {
			if (next_wanted == 0) next_wanted = 1
			if (next_wanted <= count) { print want[next_wanted]; exit 1 }
		}
	' "$2" "$1"
}

# Waits (bounded) until pattern appears in file, or the pid is gone.
wait_for_line() {
	local file=$1 pattern=$2 pid=$3 round
	for round in $(seq 300); do
		grep -qE "$pattern" "$file" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || { grep -qE "$pattern" "$file" 2>/dev/null; return; }
		sleep 0.1
	done
	return 1
}

start_private_binderd() {
	local path=$1 log=$2
	rm -f "$path"
	"$build_dir/driver/binderd" --socket "$path" --manager-uid any 2>"$log" &
	private_binderd=$!
	wait_for_line "$log" "listening on" "$private_binderd"
}
stop_private_binderd() {
	[ -n "${private_binderd:-}" ] || return 0
	kill -TERM "$private_binderd" 2>/dev/null
	wait "$private_binderd" 2>/dev/null
	private_binderd=
}

# A console block split into a script with markers between its commands
# and, per command, the lines it must print.
split_console() {
	local body=$1 dir=$2 index=0 line
	: >"$dir/script"
	while IFS= read -r line || [ -n "$line" ]; do
		if [ "${line#\$ }" != "$line" ]; then
			index=$((index + 1))
			: >"$dir/expect.$index"
			printf 'printf "\\n@@ %d\\n"\n%s\n' "$index" "${line#\$ }" >>"$dir/script"
		elif [ "$index" -gt 0 ]; then
			printf '%s\n' "$line" >>"$dir/expect.$index"
		fi
	done <"$body"
	echo "$index"
}

run_console() {
	local number=$1 start=$2 background=$3 host=$4 dir=$work/blocks/$1.console
	mkdir -p "$dir"
	host_command=()
	[ -z "$host" ] || host_prefix "$host"
	local count
	count=$(split_console "$work/blocks/$number.body" "$dir")
	[ "$count" -gt 0 ] || { fail "$start: a console block with no \"\$ \" command"; return; }
	if [ "$background" = yes ]; then
		(cd "$work" && exec "${host_command[@]}" setsid bash "$dir/script") >"$dir/output" 2>&1 &
		local pid=$! index want round missing
		for round in $(seq 300); do
			missing=
			for index in $(seq "$count"); do
				missing=$(has_lines_in_order "$dir/output" "$dir/expect.$index") || break
			done
			[ -z "$missing" ] && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if [ -n "$missing" ]; then
			fail "$start: (background) never printed: $missing"
			sed 's/^/    | /' "$dir/output" >&2
		fi
		return
	fi
	(cd "$work" && timeout 120 "${host_command[@]}" bash "$dir/script") >"$dir/output" 2>&1
	local index
	for index in $(seq "$count"); do
		awk -v want="@@ $index" '$0 == want { on = 1; next } /^@@ [0-9]+$/ { on = 0 } on' \
			"$dir/output" >"$dir/output.$index"
		if ! missing=$(has_lines_in_order "$dir/output.$index" "$dir/expect.$index"); then
			fail "$start: \"$(sed -n "$index"p <(grep '^\$ ' "$work/blocks/$number.body"))\" did not print: $missing"
			sed 's/^/    | /' "$dir/output.$index" >&2
		fi
	done
}

run_daemons() {
	local number=$1 start=$2 line index=0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		[ -z "${line// /}" ] && continue
		index=$((index + 1))
		local log=$work/logs/block$number.$index
		(cd "$work" && eval "exec $line") 2>"$log" >&2 &
		local pid=$!
		if ! wait_for_line "$log" "listening on|serving as the context manager" "$pid"; then
			fail "$start: \"$line\" did not become ready"
			sed 's/^/    | /' "$log" >&2
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			continue
		fi
		kill -TERM "$pid"
		local status=0
		wait "$pid" || status=$?
		[ "$status" -eq 0 ] || fail "$start: \"$line\" exited $status on SIGTERM"
	done <"$work/blocks/$number.body"
}

run_sh() {
	local number=$1 start=$2
	local log=$work/logs/block$number
	if ! (cd "$work" && timeout 300 bash -e "$work/blocks/$number.body") >"$log" 2>&1; then
		fail "$start: the block failed"
		sed 's/^/    | /' "$log" >&2
	fi
}

run_demo() {
	local number=$1 start=$2
	local log=$work/logs/block$number
	if ! (cd "$work" && BUILD_DIR=$build_dir/readme-demo timeout 900 \
		bash -e "$work/blocks/$number.body") >"$log" 2>&1; then
		fail "$start: the demo failed"
		tail -n 40 "$log" | sed 's/^/    | /' >&2
	fi
}

# Can this machine boot the kernel tests' guest? (tests/kernel/CMakeLists.txt)
guest_can_run() {
	command -v qemu-system-x86_64 >/dev/null && command -v busybox >/dev/null || return 1
	local module version
	for module in /lib/modules/*/kernel/drivers/android/binder_linux.ko; do
		[ -e "$module" ] || continue
		version=${module#/lib/modules/}
		version=${version%%/*}
		[ -e "/boot/vmlinuz-$version" ] && return 0
	done
	return 1
}

run_bench() {
	local number=$1 start=$2 line index=0
	if [ "$sanitized" = yes ]; then
		echo "not run: README.md:$start: benchmarks of a sanitizer build (the plain build runs them)"
		return
	fi
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		[ -z "${line// /}" ] && continue
		index=$((index + 1))
		if [[ $line == *run_bench_guest* ]] && ! guest_can_run; then
			echo "not run: README.md:$start: \"$line\": no qemu, busybox or kernel with binder here"
			continue
		fi
		local log=$work/logs/block$number.$index
		if ! (cd "$work" && eval "timeout 600 $line") >"$log" 2>&1; then
			fail "$start: \"$line\" failed"
			tail -n 20 "$log" | sed 's/^/    | /' >&2
		elif ! grep -q '^bench\.' "$log"; then
			fail "$start: \"$line\" printed no bench.* line"
		else
			grep -c '^bench\.' "$log" | sed "s|^|README.md:$start: \"$line\": |; s|\$| figures|"
		fi
	done <"$work/blocks/$number.body"
}

# The build block: see "build" at the top.
build_settings() {
	grep -E '^(CMAKE_HOME_DIRECTORY|CMAKE_CACHEFILE_DIR|CMAKE_BUILD_TYPE|CMAKE_C_COMPILER|CMAKE_C_FLAGS|BINDER_[A-Z_]+)[:=]' \
		"$build_dir/CMakeCache.txt"
}
run_build() {
	local number=$1 start=$2 log=$work/logs/block$1 started=$SECONDS
	build_settings >"$work/logs/build.settings.before"
	# The block's commands, through functions that give cmake and ctest
	# the real paths of "." and "build".
	local wrappers='
real_path() {
	case $1 in
	.) printf "%s" "$README_SOURCE_DIR" ;;
	build) printf "%s" "$README_BUILD_DIR" ;;
	*) printf "%s" "$1" ;;
	esac
}
cmake() {
	local argument arguments=()
	for argument in "$@"; do arguments+=("$(real_path "$argument")"); done
	echo "+ cmake ${arguments[*]}"
	command cmake "${arguments[@]}"
}
ctest() {
	local argument arguments=()
	for argument in "$@"; do arguments+=("$(real_path "$argument")"); done
	echo "+ ctest ${arguments[*]} -N: listed, not run (this test is one of them; CI runs them all)"
	if ! [ -d "$README_BUILD_DIR/Testing" ]; then
		command ctest "${arguments[@]}" -N
		return
	fi
	# Its Testing/ a scratch tmpfs: -N too rewrites LastTest.log there.
	unshare --mount --propagation private sh -c \
		"mount -t tmpfs readme-ctest \"\$0/Testing\" && exec \"\$@\"" \
		"$README_BUILD_DIR" ctest "${arguments[@]}" -N
}
'
	# The paths the build was configured with, so that nothing changes.
	local cached_source cached_build line
	cached_source=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build_dir/CMakeCache.txt")
	cached_build=$(sed -n 's/^CMAKE_CACHEFILE_DIR:INTERNAL=//p' "$build_dir/CMakeCache.txt")
	if ! [ "$cached_source/CMakeLists.txt" -ef "$source_dir/CMakeLists.txt" ] ||
		! [ "$cached_build" -ef "$build_dir" ]; then
		fail "$start: the build under test is not a build of $source_dir in $build_dir"
		return
	fi
	: >"$log"
	# Line by line: each must exit 0 (bash -e would let "a && b" fail).
	while IFS= read -r line || [ -n "$line" ]; do
		[ -z "${line// /}" ] && continue
		if ! (cd "$work" && README_SOURCE_DIR=$cached_source README_BUILD_DIR=$cached_build \
			timeout 300 bash -c "$wrappers$line") >>"$log" 2>&1; then
			fail "$start: \"$line\" failed"
			tail -n 40 "$log" | sed 's/^/    | /' >&2
			return
		fi
	done <"$work/blocks/$number.body"
	grep -E '^\+ |^Total Tests' "$log" | sed "s|^|README.md:$start: |"
	build_settings >"$work/logs/build.settings.after"
	if diff -u "$work/logs/build.settings.before" "$work/logs/build.settings.after" >&2; then
		echo "README.md:$start: the build under test kept its settings; $((SECONDS - started)) s"
	else
		fail "$start: the build under test was configured differently (above)"
	fi
	if ! grep -qE '^Total Tests: [1-9]' "$log" || ! grep -qE 'Test +#[0-9]+: readme_blocks$' "$log"; then
		fail "$start: ctest did not list the tests (readme_blocks among them)"
		tail -n 20 "$log" | sed 's/^/    | /' >&2
	fi
}

# The certs block: run on the admin machine, then the certificates copied.
run_certs() {
	local number=$1 start=$2 log=$work/logs/block$1 line arguments dir
	host_prefix admin
	if ! (cd "$work" && timeout 120 "${host_command[@]}" bash -e "$work/blocks/$number.body") \
		>"$log" 2>&1; then
		fail "$start: the block failed (on the admin machine)"
		sed 's/^/    | /' "$log" >&2
		return
	fi
	line=$(grep -m 1 'make_certs\.sh' "$work/blocks/$number.body")
	line=${line%%#*}
	read -ra arguments <<<"${line#*make_certs.sh}"
	while [ "${#arguments[@]}" -gt 0 ] && [ "${arguments[0]#-}" != "${arguments[0]}" ]; do
		[ "${arguments[0]}" = --ca-name ] && arguments=("${arguments[@]:1}")
		arguments=("${arguments[@]:1}")
	done
	dir=${arguments[0]:-}
	if [ -z "$dir" ] || [ "${#arguments[@]}" -lt 2 ]; then
		fail "$start: no \"make_certs.sh DIR HOST...\" line to copy the certificates of"
		return
	fi
	hosts_copy_certs "$dir" "${arguments[@]:1}" || fail "$start: copying the certificates failed"
}

# An ini block whose first line is "# host X: PATH": PATH on host X.
run_ini() {
	local number=$1 start=$2 host=$3 path=$4
	host_prefix "$host"
	if ! "${host_command[@]}" sh -c 'cat >"$1"' ini "$path" <"$work/blocks/$number.body"; then
		fail "$start: cannot write $path on host $host"
		return
	fi
	echo "README.md:$start: written to $path on host $host"
}

# needs_hosts LINE WHAT: are the two hosts there? If not, a loud SKIP.
hosts_skip_said=no
needs_hosts() {
	hosts_setup "$1" && return 0
	if [ "$hosts_skip_said" = no ]; then
		echo "################################################################"
		echo "SKIP: README's two hosts cannot be made here: $hosts_unavailable"
		echo "(they need root, iproute2 and util-linux's nsenter and unshare);"
		echo "the blocks that run on them are not run, the others are"
		echo "################################################################"
		hosts_skip_said=yes
	fi
	echo "SKIP: README.md:$1: $2: no two hosts here"
	return 1
}

run_ci() {
	local number=$1 start=$2 line
	while IFS= read -r line || [ -n "$line" ]; do
		[ -z "$line" ] && continue
		grep -qF "$line" "$source_dir/.ci/run" ||
			fail "$start: \"$line\" is not what .ci/run runs"
	done <"$work/blocks/$number.body"
}

# ---- run them ----
ran=0
not_run=0
skipped=0
host_file_pattern='^# host ([A-Za-z]+): (/[^ ]+)$'
for head in $(ls -v "$work/blocks"/*.head 2>/dev/null); do
	number=$(basename "$head" .head)
	read -r start language attributes <"$head"
	case $language in
	ini)
		first=$(head -n 1 "$work/blocks/$number.body")
		[[ $first =~ $host_file_pattern ]] || continue
		host=${BASH_REMATCH[1]}
		host=${host^^}
		path=${BASH_REMATCH[2]}
		if [ "$host" != A ] && [ "$host" != B ]; then
			fail "$start: \"$first\": README's hosts are host A and host B"
			continue
		fi
		if ! needs_hosts "$start" "a config for host $host"; then
			skipped=$((skipped + 1))
			continue
		fi
		run_ini "$number" "$start" "$host" "$path"
		ran=$((ran + 1))
		continue
		;;
	c | text) continue ;;
	sh | console) ;;
	"") fail "$start: a fenced block without a language"; continue ;;
	*) fail "$start: unknown block language '$language'"; continue ;;
	esac
	if [[ $attributes == *norun:* ]]; then
		echo "not run: README.md:$start: ${attributes#*norun: }"
		not_run=$((not_run + 1))
		continue
	fi
	private_path=
	background=no
	host=
	kind=$language
	for attribute in $attributes; do
		case $attribute in
		background) background=yes ;;
		daemons) kind=daemons ;;
		demo) kind=demo ;;
		bench) kind=bench ;;
		ci) kind=ci ;;
		build) kind=build ;;
		certs) kind=certs ;;
		host=A | host=B) host=${attribute#host=} ;;
		binderd=*) private_path=${attribute#binderd=} ;;
		*) fail "$start: unknown attribute '$attribute'" ;;
		esac
	done
	if [ "$kind" = certs ] || [ -n "$host" ]; then
		if ! needs_hosts "$start" "$kind${host:+ on host $host}"; then
			skipped=$((skipped + 1))
			continue
		fi
	fi
	echo "README.md:$start: $kind${private_path:+ (binderd on $private_path)}${host:+ on host $host}"
	if [ -n "$private_path" ] &&
		! start_private_binderd "$private_path" "$work/logs/binderd.$number"; then
		fail "$start: the test's binderd on $private_path did not start"
		continue
	fi
	case $kind in
	console) run_console "$number" "$start" "$background" "$host" ;;
	build) run_build "$number" "$start" ;;
	certs) run_certs "$number" "$start" ;;
	daemons) run_daemons "$number" "$start" ;;
	demo) run_demo "$number" "$start" ;;
	bench) run_bench "$number" "$start" ;;
	ci) run_ci "$number" "$start" ;;
	sh) run_sh "$number" "$start" ;;
	esac
	stop_private_binderd
	ran=$((ran + 1))
done

# Everything stopped here (not only by the exit trap), so that what the
# programs print as they exit, a leak report, is in their logs: ctest's
# log, which scripts/test.sh searches for sanitizer reports, has only this
# script's output, so the logs are searched here.
stop_everything
hosts_remove
for log in $(grep -rlE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
	"$work/logs" "$work/hosts" "$work"/blocks/*.console/output 2>/dev/null); do
	echo "FAIL: a sanitizer report in ${log#"$work"/}:" >&2
	sed 's/^/    | /' "$log" >&2
	failures=$((failures + 1))
done

echo "$ran command blocks run, $not_run not run (reasons above), $skipped skipped (no two hosts here: SKIP above), $failures failure(s)"
[ "$failures" -eq 0 ] && [ "$ran" -gt 0 ]
