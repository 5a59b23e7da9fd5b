/*
 * command_lookup.c - the commands that ask servicemanager about names:
 * list, check, wait, ping.
 */
#include "service_tool.h"

#include "binder/service_manager.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Parses a command with no options but --help and exactly `operands`
 * operands; returns -1 to go on, else an exit status. */
static int parse_plain_command(int argc, char **argv, int operands, const char *synopsis)
{
	/* clang-format off */
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* clang-format on */
	int option;

	while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (option == 'h') {
			printf("usage: binder-service %s\n", synopsis);
			return TOOL_EXIT_OK;
		}
		return tool_usage_error("usage: binder-service %s", synopsis);
	}
	if (argc - optind != operands)
		return tool_usage_error("usage: binder-service %s", synopsis);
	return -1;
}

static void close_context(binder_context *context)
{
	binder_context_close(context);
	binder_context_unref(context);
}

static void print_long_entry(binder_context *context, const char *name)
{
	binder_object *service = NULL;
	char *descriptor = NULL;

	if (binder_service_manager_check(context, name, &service) == 0)
		binder_object_descriptor(service, &descriptor);
	printf("%s [%s]\n", name, descriptor ? descriptor : "");
	free(descriptor);
	binder_object_unref(service);
}

int tool_command_list(const char *device, int argc, char **argv)
{
	/* clang-format off */
	static const struct option options[] = {
		{"long", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* clang-format on */
	binder_context *context;
	bool long_format = false;
	char **names;
	size_t count;
	int option;
	int status;

	while ((option = getopt_long(argc, argv, "lh", options, NULL)) != -1) {
		if (option == 'l') {
			long_format = true;
		} else if (option == 'h') {
			printf("usage: binder-service list [--long]\n");
			return TOOL_EXIT_OK;
		} else {
			return tool_usage_error("usage: binder-service list [--long]");
		}
	}
	if (optind != argc)
		return tool_usage_error("usage: binder-service list [--long]");
	if (tool_open_context(device, false, &context) < 0)
		return TOOL_EXIT_FAILED;
	status = binder_service_manager_list(context, &names, &count);
	if (status < 0) {
		tool_error("cannot list services: %s", binder_status_to_string(status));
		close_context(context);
		return TOOL_EXIT_FAILED;
	}
	for (size_t i = 0; i < count; i++) {
		if (long_format)
			print_long_entry(context, names[i]);
		else
			printf("%s\n", names[i]);
	}
	binder_service_manager_free_names(names, count);
	close_context(context);
	return TOOL_EXIT_OK;
}

int tool_command_check(const char *device, int argc, char **argv)
{
	binder_context *context;
	binder_object *service;
	int exit_status = parse_plain_command(argc, argv, 1, "check NAME");
	const char *name;
	int status;

	if (exit_status >= 0)
		return exit_status;
	name = argv[optind];
	if (tool_open_context(device, false, &context) < 0)
		return TOOL_EXIT_FAILED;
	status = binder_service_manager_check(context, name, &service);
	if (status == 0) {
		printf("Service %s: found\n", name);
		binder_object_unref(service);
	} else if (status == BINDER_NAME_NOT_FOUND) {
		printf("Service %s: not found\n", name);
	} else {
		tool_error("service %s: servicemanager says: %s", name,
		           binder_status_to_string(status));
	}
	close_context(context);
	return status == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAILED;
}

int tool_command_wait(const char *device, int argc, char **argv)
{
	/* clang-format off */
	static const struct option options[] = {
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* clang-format on */
	static const char synopsis[] = "usage: binder-service wait NAME [--timeout MS]";
	int64_t timeout_ms = BINDER_SERVICE_MANAGER_DEFAULT_WAIT_MS;
	binder_context *context;
	binder_object *service;
	const char *name;
	int option;
	int status;

	while ((option = getopt_long(argc, argv, "t:h", options, NULL)) != -1) {
		if (option == 't') {
			if (tool_parse_signed(optarg, 0, INT_MAX, &timeout_ms) < 0)
				return tool_usage_error("--timeout takes milliseconds, 0 to %d",
				                        INT_MAX);
		} else if (option == 'h') {
			printf("%s\n", synopsis);
			return TOOL_EXIT_OK;
		} else {
			return tool_usage_error("%s", synopsis);
		}
	}
	if (argc - optind != 1)
		return tool_usage_error("%s", synopsis);
	name = argv[optind];
	if (tool_open_context(device, true, &context) < 0)
		return TOOL_EXIT_FAILED;
	status = binder_service_manager_get(context, name, (int)timeout_ms, &service);
	if (status == 0) {
		printf("Service %s: found\n", name);
		binder_object_unref(service);
	} else if (status == BINDER_NAME_NOT_FOUND || status == BINDER_TIMED_OUT) {
		printf("Service %s: not found after %lld ms\n", name, (long long)timeout_ms);
	} else {
		tool_error("service %s: servicemanager says: %s", name,
		           binder_status_to_string(status));
	}
	close_context(context);
	return status == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAILED;
}

int tool_command_ping(const char *device, int argc, char **argv)
{
	binder_context *context;
	binder_object *service;
	int exit_status = parse_plain_command(argc, argv, 1, "ping NAME");
	const char *name;
	int status;

	if (exit_status >= 0)
		return exit_status;
	name = argv[optind];
	if (tool_open_context(device, false, &context) < 0)
		return TOOL_EXIT_FAILED;
	status = tool_find_service(context, name, &service);
	if (status == 0) {
		status = binder_object_ping(service);
		if (status == 0)
			printf("%s: alive\n", name);
		else
			tool_error("%s: %s", name, binder_status_to_string(status));
		binder_object_unref(service);
	}
	close_context(context);
	return status == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAILED;
}
