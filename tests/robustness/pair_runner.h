/*
 * pair_runner.h - runs one abuse in a child process while the well-behaved
 * pair keeps calling, and asserts (Criterion) that the abuse got its error,
 * that every call of the pair succeeded before, during and after, and that
 * binderd still runs.
 */
#ifndef ROBUSTNESS_PAIR_RUNNER_H
#define ROBUSTNESS_PAIR_RUNNER_H

#include "abuses.h"

/* Criterion timeout of one abuse test, in seconds. */
#define ABUSE_TEST_TIMEOUT 50.0

void run_abuse_beside_pair(const char *name, abuse_function abuse);

#endif
