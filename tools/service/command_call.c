/*
 * command_call.c - `binder-service call NAME CODE [ARG...]`: builds the
 * transaction from typed arguments, sends it, and prints the reply as a
 * hex dump or decoded as --reply says.
 */
#include "service_tool.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

static const char call_synopsis[] = "usage: binder-service call NAME CODE [--intf] [--oneway] "
                                    "[--reply TYPE,...] [--hex] [ARG...]";

struct call_request {
	const char *name;
	uint32_t code;
	bool write_own_token;
	bool oneway;
	bool hex_too;
	const char *reply_types;
	char **arguments;
	int argument_count;
};

/* Returns -1 to go on, else an exit status. */
static int parse_call(int argc, char **argv, struct call_request *request)
{
	/* clang-format off */
	static const struct option options[] = {
		{"intf", no_argument, NULL, 'i'},
		{"oneway", no_argument, NULL, 'o'},
		{"reply", required_argument, NULL, 'r'},
		{"hex", no_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* clang-format on */
	uint64_t code;
	int option;

	while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (option) {
		case 'i':
			request->write_own_token = true;
			break;
		case 'o':
			request->oneway = true;
			break;
		case 'r':
			if (tool_check_reply_types(optarg) < 0)
				return TOOL_EXIT_USAGE;
			request->reply_types = optarg;
			break;
		case 'x':
			request->hex_too = true;
			break;
		case 'h':
			printf("%s\n", call_synopsis);
			return TOOL_EXIT_OK;
		default:
			return tool_usage_error("%s", call_synopsis);
		}
	}
	if (argc - optind < 2)
		return tool_usage_error("%s", call_synopsis);
	if (request->oneway && (request->reply_types || request->hex_too))
		return tool_usage_error("--oneway calls have no reply to print");
	request->name = argv[optind];
	if (tool_parse_unsigned(argv[optind + 1], UINT32_MAX, &code) < 0)
		return tool_usage_error("CODE '%s': expected a number, 0 to 0xffffffff",
		                        argv[optind + 1]);
	request->code = (uint32_t)code;
	request->arguments = argv + optind + 2;
	request->argument_count = argc - optind - 2;
	return -1;
}

/* Writes every argument; returns an exit status. */
static int write_arguments(binder_parcel *parcel, const struct call_request *request)
{
	for (int i = 0; i < request->argument_count; i++) {
		int exit_status = tool_write_argument(parcel, request->arguments[i]);

		if (exit_status != TOOL_EXIT_OK)
			return exit_status;
	}
	return TOOL_EXIT_OK;
}

/* Checks the arguments before anything is opened, so that a bad command
 * line fails the same with or without a device. */
static int check_arguments(const struct call_request *request)
{
	binder_parcel *scratch = binder_parcel_new();
	int exit_status;

	if (!scratch) {
		tool_error("out of memory");
		return TOOL_EXIT_FAILED;
	}
	exit_status = write_arguments(scratch, request);
	binder_parcel_free(scratch);
	return exit_status;
}

static int write_own_token(binder_parcel *data, binder_object *service, const char *name)
{
	char *descriptor = NULL;
	int status = binder_object_descriptor(service, &descriptor);

	if (status == 0 && (!descriptor || !*descriptor)) {
		tool_error("service %s has no interface descriptor for --intf", name);
		free(descriptor);
		return TOOL_EXIT_FAILED;
	}
	if (status == 0)
		status = binder_parcel_write_interface_token(data, descriptor);
	free(descriptor);
	if (status < 0) {
		tool_error("service %s: cannot get its interface descriptor: %s", name,
		           binder_status_to_string(status));
		return TOOL_EXIT_FAILED;
	}
	return TOOL_EXIT_OK;
}

static int print_reply(binder_parcel *reply, const struct call_request *request)
{
	if (!request->reply_types || request->hex_too)
		tool_print_parcel_dump(stdout, reply);
	if (!request->reply_types)
		return TOOL_EXIT_OK;
	return tool_decode_reply(stdout, reply, request->reply_types);
}

static int send_call(binder_object *service, const struct call_request *request)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int exit_status = TOOL_EXIT_FAILED;
	int status;

	if (!data || !reply) {
		tool_error("out of memory");
		goto out;
	}
	if (request->write_own_token) {
		exit_status = write_own_token(data, service, request->name);
		if (exit_status != TOOL_EXIT_OK)
			goto out;
	}
	exit_status = write_arguments(data, request);
	if (exit_status != TOOL_EXIT_OK)
		goto out;
	status =
	        binder_object_transact(service, request->code, data, request->oneway ? NULL : reply,
	                               request->oneway ? BINDER_FLAG_ONEWAY : 0);
	if (status == BINDER_POSITIVE_STATUS) {
		/* A status-only reply: a failure, as on Android. */
		tool_error("call %s %u: the service replied with status %" PRId32
		           " (positive status)",
		           request->name, request->code, binder_last_positive_status());
		exit_status = TOOL_EXIT_FAILED;
		goto out;
	}
	if (status < 0) {
		tool_error("call %s %u: %s", request->name, request->code,
		           binder_status_to_string(status));
		exit_status = TOOL_EXIT_FAILED;
		goto out;
	}
	exit_status = request->oneway ? TOOL_EXIT_OK : print_reply(reply, request);
out:
	binder_parcel_free(reply);
	binder_parcel_free(data);
	return exit_status;
}

int tool_command_call(const char *device, int argc, char **argv)
{
	struct call_request request = {0};
	binder_context *context;
	binder_object *service;
	int exit_status = parse_call(argc, argv, &request);

	if (exit_status >= 0)
		return exit_status;
	exit_status = check_arguments(&request);
	if (exit_status != TOOL_EXIT_OK)
		return exit_status;
	if (tool_open_context(device, false, &context) < 0)
		return TOOL_EXIT_FAILED;
	if (tool_find_service(context, request.name, &service) < 0) {
		exit_status = TOOL_EXIT_FAILED;
	} else {
		exit_status = send_call(service, &request);
		binder_object_unref(service);
	}
	binder_context_close(context);
	binder_context_unref(context);
	return exit_status;
}
