/*
 * raw_figures.h - the raw benchmark's figures of the same run, read back
 * from its output ("bench.<name> <value> <unit>" lines), for the ratios.
 */
#ifndef BENCH_RAW_FIGURES_H
#define BENCH_RAW_FIGURES_H

#define RAW_FIGURES_MAX     64
#define RAW_FIGURE_NAME_MAX 64

struct raw_figures {
	int count;
	char names[RAW_FIGURES_MAX][RAW_FIGURE_NAME_MAX];
	double values[RAW_FIGURES_MAX];
};

/* Reads the bench lines of path; other lines are skipped. 0 or -errno. */
int raw_figures_read(const char *path, struct raw_figures *figures);

/* The value of bench.<name>: 0, or -ENOENT if the file had no such line. */
int raw_figure(const struct raw_figures *figures, const char *name, double *value);

#endif
