/*
 * raw_figures.c - reads binder_bench's "bench.<name> <value> <unit>"
 * lines back, so that the libbinder figures can be divided by them.
 */
#include "raw_figures.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int raw_figures_read(const char *path, struct raw_figures *figures)
{
	char line[256];
	FILE *file = fopen(path, "re");

	if (!file)
		return -errno;
	figures->count = 0;
	while (fgets(line, sizeof(line), file) && figures->count < RAW_FIGURES_MAX) {
		char name[RAW_FIGURE_NAME_MAX];
		double value;

		if (sscanf(line, "bench.%63s %lf", name, &value) != 2 || !isfinite(value))
			continue;
		snprintf(figures->names[figures->count], RAW_FIGURE_NAME_MAX, "%s", name);
		figures->values[figures->count] = value;
		figures->count++;
	}
	fclose(file);
	return 0;
}

int raw_figure(const struct raw_figures *figures, const char *name, double *value)
{
	for (int i = 0; i < figures->count; i++) {
		if (strcmp(figures->names[i], name) == 0) {
			*value = figures->values[i];
			return 0;
		}
	}
	return -ENOENT;
}
