#!/usr/bin/env bash
# tests/lint/run_clang_tidy.sh - runs clang-tidy with the root .clang-tidy
# over the product's C files that the build compiles (from the build's
# compile_commands.json), in parallel. Fails on any warning (the config makes every warning
# an error) and prints them. Run by ctest (lint_tidy).
#   run_clang_tidy.sh SOURCE_DIR BUILD_DIR [CLANG_TIDY]
set -euo pipefail

top=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
clang_tidy=${3:-${CLANG_TIDY:-clang-tidy}}
jobs=${JOBS:-$(nproc)}
# Files per clang-tidy process: fewer processes, same parallelism.
files_per_process=4

if ! command -v "$clang_tidy" >/dev/null; then
	echo "run_clang_tidy: $clang_tidy not found (apt-get install clang-tidy)" >&2
	exit 1
fi
if [ ! -f "$build/compile_commands.json" ]; then
	echo "run_clang_tidy: no $build/compile_commands.json (configure with CMake first)" >&2
	exit 1
fi

# The product sources: the daemons, libbinder, bridged, the tool and the
# examples (not tests, benchmarks, or generated files in the build).
product_dirs='driver|libbinder/src|bridged|tools|examples'
mapfile -t files < <(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$build/compile_commands.json" |
	grep -F "$top/" | grep -vF "$build/" | grep -E "^$top/($product_dirs)/" | sort -u)
if [ ${#files[@]} -eq 0 ]; then
	echo "run_clang_tidy: no sources of $top in $build/compile_commands.json" >&2
	exit 1
fi

output=$(mktemp)
trap 'rm -f "$output"' EXIT
status=0
printf '%s\0' "${files[@]}" |
	xargs -0 -n "$files_per_process" -P "$jobs" \
		"$clang_tidy" -p "$build" --quiet --config-file="$top/.clang-tidy" \
		>"$output" 2>&1 || status=$?
# clang-tidy prints "N warnings generated." for warnings it filtered out
# (system headers): not findings.
findings=$(grep -cE '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' "$output" || true)
if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
	grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' \
		"$output" >&2 || true
	echo "run_clang_tidy: $findings findings in ${#files[@]} files (clang-tidy status $status)" >&2
	exit 1
fi
echo "run_clang_tidy: ${#files[@]} files, no findings"
