/*
 * tool_context.c - opening the binder device for one command, and looking
 * a service up by name, with the error messages the commands share.
 */
#include "service_tool.h"

#include "binder/device.h"
#include "binder/service_manager.h"

/* --android: 0 until given. */
static uint32_t tool_android;

void tool_set_android(uint32_t android)
{
	tool_android = android;
}

/* Whether anybody is the context manager: with none, every servicemanager
 * call would fail with a bare "dead object", so say what is wrong. */
static int check_context_manager(binder_context *context, const char *device)
{
	binder_object *manager;
	int status = binder_context_manager(context, &manager);

	if (status == 0) {
		status = binder_object_ping(manager);
		binder_object_unref(manager);
	}
	if (status == BINDER_DEAD_OBJECT)
		tool_error("no context manager on %s (is servicemanager running?)",
		           device ? device : binder_device_default_path());
	else if (status < 0)
		tool_error("cannot reach the context manager: %s", binder_status_to_string(status));
	return status;
}

int tool_open_context(const char *device, bool with_thread_pool, binder_context **out)
{
	struct binder_context_options options;
	int status;

	binder_context_options_init(&options);
	options.device = device;
	/* A client tool serves nothing but death and wait notifications. */
	options.max_threads = 1;
	options.android = tool_android;
	status = binder_context_new(&options, out);
	if (status < 0) {
		tool_error("cannot open the binder device %s: %s", device ? device : "(default)",
		           binder_status_to_string(status));
		return status;
	}
	status = check_context_manager(*out, device);
	if (status < 0) {
		binder_context_close(*out);
		binder_context_unref(*out);
		*out = NULL;
		return status;
	}
	if (with_thread_pool) {
		status = binder_context_start_thread_pool(*out);
		if (status < 0) {
			tool_error("cannot start a binder thread: %s",
			           binder_status_to_string(status));
			binder_context_close(*out);
			binder_context_unref(*out);
			*out = NULL;
		}
	}
	return status;
}

int tool_find_service(binder_context *context, const char *name, binder_object **out)
{
	int status = binder_service_manager_check(context, name, out);

	if (status == BINDER_NAME_NOT_FOUND)
		tool_error("service %s: not found", name);
	else if (status < 0)
		tool_error("service %s: servicemanager says: %s", name,
		           binder_status_to_string(status));
	return status;
}
