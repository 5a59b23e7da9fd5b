/*
 * main.c - entry point of the conformance suite: Criterion's runner, with
 * one job by default because the tests share the device's single context
 * manager and must run one after the other.
 */
#include <criterion/criterion.h>
#include <criterion/options.h>

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	criterion_options.jobs = 1;
	int result = 0;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
