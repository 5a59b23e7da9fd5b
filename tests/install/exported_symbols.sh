#!/usr/bin/env bash
# exported_symbols.sh - checks that the installed libraries (libbinder.so
# and libbinder.a) export exactly the public API: the functions declared in
# the public headers (include/binder/*.h), no more (an internal function
# leaked: hidden visibility lost, or a BINDER_API on the wrong declaration)
# and no fewer (a public declaration without BINDER_API, or never defined).
#
# usage: exported_symbols.sh CC INCLUDE_DIR[:INCLUDE_DIR...] LIBRARY...
# The declarations come from the compiler itself (-aux-info), so every
# prototype counts, however it is written. A .so is read for its dynamic
# symbols, a .a for its global ones.
set -euo pipefail

cc=$1
IFS=: read -r -a include_dirs <<<"$2"
shift 2
libraries=("$@")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A file that includes every public header.
for dir in "${include_dirs[@]}"; do
	for header in "$dir"/binder/*.h; do
		[ -e "$header" ] && echo "#include \"binder/$(basename "$header")\""
	done
done | sort -u >"$work/all.c"
include_flags=()
for dir in "${include_dirs[@]}"; do
	include_flags+=("-I$dir")
done
# -aux-info is gcc's (clang has none): fall back on gcc, else skip (77).
if ! "$cc" -std=gnu11 -aux-info "$work/declarations" -fsyntax-only "${include_flags[@]}" \
	"$work/all.c" 2>/dev/null; then
	if ! command -v gcc >/dev/null; then
		echo "SKIP: $cc has no -aux-info and there is no gcc" >&2
		exit 77
	fi
	gcc -std=gnu11 -aux-info "$work/declarations" -fsyntax-only "${include_flags[@]}" "$work/all.c"
fi

# "/* /path/include/binder/x.h:12:NC */ extern int binder_f (int);": keep
# the public headers' lines, and the name before the first " (".
grep -E '^/\* [^ ]*/binder/[a-z_]+\.h:' "$work/declarations" |
	sed -E 's|^/\* [^*]*\*/ ||' |
	awk '{ i = index($0, " ("); head = substr($0, 1, i - 1); n = split(head, words, /[ *]+/); print words[n] }' |
	sort -u >"$work/declared"

if [ ! -s "$work/declared" ]; then
	echo "FAIL: no declarations found in the public headers" >&2
	exit 1
fi

status=0
for library in "${libraries[@]}"; do
	case $library in
	*.a) nm_flags=(-g) ;;
	*) nm_flags=(-D) ;;
	esac
	# posix format: "name type value size"; an archive adds "member:" lines.
	nm "${nm_flags[@]}" --defined-only --format=posix "$library" | awk 'NF >= 2 { print $1 }' |
		grep -vxE '_init|_fini|_edata|_end|__bss_start' | sort -u >"$work/exported"
	leaked=$(comm -13 "$work/declared" "$work/exported")
	missing=$(comm -23 "$work/declared" "$work/exported")
	if [ -n "$leaked" ]; then
		echo "FAIL: $library exports what no public header declares (internal symbols leak):" >&2
		printf '  %s\n' "${leaked//$'\n'/$'\n'  }" >&2
		status=1
	fi
	if [ -n "$missing" ]; then
		echo "FAIL: $library lacks what a public header declares (missing BINDER_API?):" >&2
		printf '  %s\n' "${missing//$'\n'/$'\n'  }" >&2
		status=1
	fi
	if [ -z "$leaked" ] && [ -z "$missing" ]; then
		echo "ok: $(basename "$library") exports the $(wc -l <"$work/declared") public functions, nothing else"
	fi
done
exit $status
