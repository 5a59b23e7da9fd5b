#!/usr/bin/env bash
# readme_paths.sh - every program or library README.md names under build/
# (in its code blocks and `code` spans) is a file the build made: a guard
# against commands that drift from the tree (README once started
# build/driver/servicemanager, a directory). tests/readme/readme_blocks.sh
# runs the blocks themselves.
#
# usage: readme_paths.sh README BUILD_DIR
set -euo pipefail
readme=$1
build_dir=$2

# Lines of fenced code blocks and `code` spans; paths such as build/x/y.
# shellcheck disable=SC2016 # the backquotes are literal
paths=$({
	awk '/^```/ { open = !open; next } open' "$readme"
	grep -oE '`[^`]*build/[A-Za-z0-9_./-]+' "$readme"
} | grep -oE '(^|[^A-Za-z0-9_-])build/[A-Za-z0-9_./-]+' |
	sed -E 's|^[^b]*build/|build/|' |
	sed -E 's|[.]$||' | sort -u)
if [ -z "$paths" ]; then
	echo "FAIL: no build/ paths found in $readme" >&2
	exit 1
fi
failures=0
count=0
for path in $paths; do
	count=$((count + 1))
	if [ ! -f "$build_dir/${path#build/}" ]; then
		echo "FAIL: $readme names $path, which the build did not make as a file" >&2
		failures=$((failures + 1))
	fi
done
[ "$failures" -eq 0 ] || exit 1
echo "ok: the $count build/ paths README names exist"
