/* test_support.c - helpers shared by the servicemanager tests. */
#include "test_support.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

binder_context *test_open_context(bool pool)
{
	binder_context *context = NULL;
	int status = binder_context_new(NULL, &context);
	cr_assert_eq(status, 0, "binder_context_new: %s", binder_status_to_string(status));
	if (pool) {
		status = binder_context_start_thread_pool(context);
		cr_assert_eq(status, 0, "start_thread_pool: %s", binder_status_to_string(status));
	}
	return context;
}

pid_t test_spawn_service(const char *name, int delay_ms)
{
	char delay[16];
	snprintf(delay, sizeof(delay), "%d", delay_ms);
	char *argv[] = {(char *)TEST_SERVICE_PATH, (char *)name, delay, NULL};
	pid_t pid;
	int error = posix_spawn(&pid, TEST_SERVICE_PATH, NULL, NULL, argv, environ);
	cr_assert_eq(error, 0, "posix_spawn: %s", strerror(error));
	return pid;
}

void test_kill_service(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

bool test_list_contains(binder_context *context, const char *name)
{
	char **names = NULL;
	size_t count = 0;
	int status = binder_service_manager_list(context, &names, &count);
	cr_assert_eq(status, 0, "list: %s", binder_status_to_string(status));
	bool found = false;
	for (size_t i = 0; i < count; i++)
		found |= strcmp(names[i], name) == 0;
	binder_service_manager_free_names(names, count);
	return found;
}

void test_sleep_ms(int ms)
{
	struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&pause, NULL);
}

int test_echo(binder_object *service, int32_t value, int32_t *answer)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = binder_parcel_write_int32(data, value);
	if (status == 0)
		status = binder_object_transact(service, 1, data, reply, 0);
	if (status == 0)
		status = binder_parcel_read_int32(reply, answer);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}
