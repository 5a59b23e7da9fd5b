#!/usr/bin/env bash
# median_of_runs.sh - reads the "bench.<name> <value> <unit>" lines of
# several runs of one benchmark (stdin, in any order) and prints, per
# figure, the median of its runs as "bench.<name> <median> <unit>" and its
# spread as "bench.<name>_spread <percent> %": (largest - smallest) /
# median, so that one report says how much its figures can be trusted.
# Figures in the order they first appear; a figure's runs must share a
# unit. Other lines are ignored.
#
# usage: median_of_runs.sh < lines     (exit 1 on a unit mismatch)
set -euo pipefail
awk '
/^bench\.[^ ]+ [-0-9.eE+]+ [^ ]+$/ {
	name = $1
	if (!(name in count)) { order[++names] = name; unit[name] = $3 }
	if (unit[name] != $3) {
		printf "median_of_runs: %s in %s and in %s\n", name, unit[name], $3 > "/dev/stderr"
		bad = 1
	}
	value[name, ++count[name]] = $2 + 0
}
END {
	if (bad) exit 1
	for (i = 1; i <= names; i++) {
		name = order[i]; n = count[name]
		# insertion sort of the runs (a handful)
		for (a = 1; a <= n; a++) sorted[a] = value[name, a]
		for (a = 2; a <= n; a++) {
			v = sorted[a]
			for (b = a - 1; b >= 1 && sorted[b] > v; b--) sorted[b + 1] = sorted[b]
			sorted[b + 1] = v
		}
		median = n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
		printf "%s %.3f %s\n", name, median, unit[name]
		if (n > 1 && median != 0) {
			spread = (sorted[n] - sorted[1]) / (median < 0 ? -median : median) * 100
			printf "%s_spread %.1f %%\n", name, spread
		}
	}
}'
