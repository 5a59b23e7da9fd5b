#!/usr/bin/env bash
# scripts/check_format.sh - fails when a C source or header of the tree
# differs from what clang-format makes of it with the root .clang-format.
# Checks the files git knows (tracked, and new ones not ignored); outside a
# git checkout, every *.c/*.h under the tree except build directories.
# Prints the files that differ and how to fix them. Run by ctest (lint_format).
#   scripts/check_format.sh [CLANG_FORMAT]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
clang_format=${1:-${CLANG_FORMAT:-clang-format}}
cd "$top"

if ! command -v "$clang_format" >/dev/null; then
	echo "check_format: $clang_format not found (apt-get install clang-format)" >&2
	exit 1
fi

files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	while IFS= read -r -d '' file; do
		[ -f "$file" ] && files+=("$file")
	done < <(git ls-files -z --cached --others --exclude-standard -- '*.c' '*.h')
else
	while IFS= read -r -d '' file; do
		files+=("$file")
	done < <(find . -path './build*' -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print0)
fi
if [ ${#files[@]} -eq 0 ]; then
	echo "check_format: no C files found under $top" >&2
	exit 1
fi

# One clang-format for all files (one per file is slow); its warnings name
# the files that differ.
report=$("$clang_format" --dry-run --Werror "${files[@]}" 2>&1) && status=0 || status=$?
mapfile -t unformatted < <(sed -n 's/^\(.*\.[ch]\):[0-9]*:[0-9]*: .*clang-format-violations.*/\1/p' \
	<<<"$report" | sort -u)
if [ "$status" -ne 0 ] && [ ${#unformatted[@]} -eq 0 ]; then
	echo "check_format: $clang_format failed:" >&2
	echo "$report" >&2
	exit 1
fi

if [ ${#unformatted[@]} -ne 0 ]; then
	echo "check_format: ${#unformatted[@]} of ${#files[@]} files are not formatted:" >&2
	printf '  %s\n' "${unformatted[@]}" >&2
	echo "fix with: clang-format -i ${unformatted[*]}" >&2
	echo "first differences:" >&2
	head -n 20 <<<"$report" >&2
	exit 1
fi
echo "check_format: ${#files[@]} files formatted"
