#!/usr/bin/env bash
# readme_blocks.sh - runs every command block of README.md, so that what
# README tells a user to type cannot drift from what the tree does.
#
# Every code block in README must be fenced and name its language:
#   ```sh ...       commands, run by bash; the block must exit 0
#   ```console ...  a transcript: "$ command" lines, each followed by the
#                   output it must print (in order; "..." skips lines)
#   ```c / ```ini / ```text   code, configuration or sample output: not run
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
#   norun: REASON  not run here, for REASON (printed); kept for the few
#                  blocks that need other hosts or minutes of benchmarks
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
if nm "$build_dir/driver/binderd" 2>/dev/null | grep -q __asan_init; then
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
marked_pids() {
	grep -lzx "README_BLOCKS_MARKER=$marker" /proc/[0-9]*/environ 2>/dev/null |
		sed -E 's|^/proc/([0-9]+)/environ$|\1|' | grep -vx "$$"
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
trap stop_everything EXIT

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
	local number=$1 start=$2 background=$3 dir=$work/blocks/$1.console
	mkdir -p "$dir"
	local count
	count=$(split_console "$work/blocks/$number.body" "$dir")
	[ "$count" -gt 0 ] || { fail "$start: a console block with no \"\$ \" command"; return; }
	if [ "$background" = yes ]; then
		(cd "$work" && exec setsid bash "$dir/script") >"$dir/output" 2>&1 &
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
	(cd "$work" && timeout 120 bash "$dir/script") >"$dir/output" 2>&1
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
for head in $(ls -v "$work/blocks"/*.head 2>/dev/null); do
	number=$(basename "$head" .head)
	read -r start language attributes <"$head"
	case $language in
	c | ini | text) continue ;;
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
	kind=$language
	for attribute in $attributes; do
		case $attribute in
		background) background=yes ;;
		daemons) kind=daemons ;;
		demo) kind=demo ;;
		bench) kind=bench ;;
		ci) kind=ci ;;
		binderd=*) private_path=${attribute#binderd=} ;;
		*) fail "$start: unknown attribute '$attribute'" ;;
		esac
	done
	echo "README.md:$start: $kind${private_path:+ (binderd on $private_path)}"
	if [ -n "$private_path" ] &&
		! start_private_binderd "$private_path" "$work/logs/binderd.$number"; then
		fail "$start: the test's binderd on $private_path did not start"
		continue
	fi
	case $kind in
	console) run_console "$number" "$start" "$background" ;;
	daemons) run_daemons "$number" "$start" ;;
	demo) run_demo "$number" "$start" ;;
	bench) run_bench "$number" "$start" ;;
	ci) run_ci "$number" "$start" ;;
	sh) run_sh "$number" "$start" ;;
	esac
	stop_private_binderd
	ran=$((ran + 1))
done

echo "$ran command blocks run, $not_run not run (reasons above), $failures failure(s)"
[ "$failures" -eq 0 ] && [ "$ran" -gt 0 ]
