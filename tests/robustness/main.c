/*
 * main.c - the robustness suite's runner: starts the echo service (the
 * well-behaved pair's service, context manager of the binderd named by
 * $BINDER_DEVICE) for the whole run, then runs the Criterion tests. Run it
 * through tests/with_binderd.sh, with --jobs 1.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "echo_pair.h"

int main(int argc, char **argv)
{
	struct criterion_test_set *tests = criterion_initialize();
	int result = 0;
	if (criterion_handle_args(argc, argv, true)) {
		pid_t service = echo_service_start();
		if (service < 0) {
			fprintf(stderr, "robustness: cannot start the echo service: %s\n",
			        strerror(-service));
			result = 1;
		} else {
			result = !criterion_run_all_tests(tests);
			echo_service_stop(service);
		}
	}
	criterion_finalize(tests);
	return result;
}
