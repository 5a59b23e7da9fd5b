#!/bin/sh
# run_fuzzer.sh - runs one of the fuzz targets for a bounded time on a
# scratch copy of its seed corpus (the committed corpus is never written).
# Fails when the fuzzer finds a crash, a leak, a timeout or an out-of-memory;
# the input that did it is left in the scratch directory, whose path is
# printed.
#
# usage: run_fuzzer.sh FUZZER CORPUS_DIRECTORY DICTIONARY SECONDS
set -u
if [ $# -ne 4 ]; then
	echo "usage: $0 FUZZER CORPUS_DIRECTORY DICTIONARY SECONDS" >&2
	exit 2
fi
fuzzer=$1
corpus=$2
dictionary=$3
seconds=$4
name=$(basename "$fuzzer")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX") || exit 2
mkdir "$scratch/corpus" "$scratch/artifacts"
cp "$corpus"/* "$scratch/corpus/"

"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
	-dict="$dictionary" -artifact_prefix="$scratch/artifacts/" -print_final_stats=1 \
	"$scratch/corpus"
status=$?

if [ $status -ne 0 ] || [ -n "$(ls -A "$scratch/artifacts")" ]; then
	echo "$name: FAILED (exit $status); inputs in $scratch/artifacts:" >&2
	ls -l "$scratch/artifacts" >&2
	echo "reproduce with: $fuzzer <input>" >&2
	exit 1
fi
rm -rf "$scratch"
echo "$name: no crash, leak or timeout in ${seconds}s"
exit 0
