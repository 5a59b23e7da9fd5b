/*
 * call_arguments.c - the typed arguments of `binder-service call`
 * ("i32:5", "s16:hello", "fd:/etc/hostname", ...) written into a parcel.
 */
#include "service_tool.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static int bad_number(const char *argument, int error)
{
	if (error == -ERANGE)
		return tool_usage_error("argument '%s': value out of range", argument);
	return tool_usage_error("argument '%s': not a number", argument);
}

static int written(const char *argument, int status)
{
	if (status == BINDER_BAD_VALUE)
		return tool_usage_error("argument '%s': not valid UTF-8", argument);
	if (status < 0) {
		tool_error("argument '%s': cannot write it: %s", argument,
		           binder_status_to_string(status));
		return TOOL_EXIT_FAILED;
	}
	return TOOL_EXIT_OK;
}

static int write_signed(binder_parcel *parcel, const char *argument, const char *text,
                        bool is_64_bit)
{
	int64_t value;
	int error = tool_parse_signed(text, is_64_bit ? INT64_MIN : INT32_MIN,
	                              is_64_bit ? INT64_MAX : INT32_MAX, &value);

	if (error < 0)
		return bad_number(argument, error);
	if (is_64_bit)
		return written(argument, binder_parcel_write_int64(parcel, value));
	return written(argument, binder_parcel_write_int32(parcel, (int32_t)value));
}

static int write_unsigned(binder_parcel *parcel, const char *argument, const char *text,
                          bool is_64_bit)
{
	uint64_t value;
	int error = tool_parse_unsigned(text, is_64_bit ? UINT64_MAX : UINT32_MAX, &value);

	if (error < 0)
		return bad_number(argument, error);
	if (is_64_bit)
		return written(argument, binder_parcel_write_uint64(parcel, value));
	return written(argument, binder_parcel_write_uint32(parcel, (uint32_t)value));
}

static int write_floating(binder_parcel *parcel, const char *argument, const char *text,
                          bool is_double)
{
	double value;
	int error = tool_parse_double(text, &value);

	if (error < 0)
		return bad_number(argument, error);
	if (is_double)
		return written(argument, binder_parcel_write_double(parcel, value));
	if (isfinite(value) && fabs(value) > FLT_MAX)
		return bad_number(argument, -ERANGE);
	return written(argument, binder_parcel_write_float(parcel, (float)value));
}

static int write_bool(binder_parcel *parcel, const char *argument, const char *text)
{
	if (strcmp(text, "true") == 0)
		return written(argument, binder_parcel_write_bool(parcel, true));
	if (strcmp(text, "false") == 0)
		return written(argument, binder_parcel_write_bool(parcel, false));
	return tool_usage_error("argument '%s': b: takes true or false", argument);
}

static int write_file(binder_parcel *parcel, const char *argument, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int status;

	if (fd < 0) {
		tool_error("argument '%s': cannot open %s: %s", argument, path, strerror(errno));
		return TOOL_EXIT_FAILED;
	}
	/* The parcel keeps its own duplicate until it is freed. */
	status = binder_parcel_write_dup_fd(parcel, fd);
	close(fd);
	return written(argument, status);
}

int tool_write_argument(binder_parcel *parcel, const char *argument)
{
	const char *colon = strchr(argument, ':');
	const char *value = colon ? colon + 1 : NULL;
	size_t type_length = colon ? (size_t)(colon - argument) : strlen(argument);

#define TYPE_IS(name) (type_length == strlen(name) && strncmp(argument, name, type_length) == 0)
	if (!colon) {
		if (TYPE_IS("null16"))
			return written(argument, binder_parcel_write_string16(parcel, NULL));
		if (TYPE_IS("null8"))
			return written(argument, binder_parcel_write_string8(parcel, NULL));
		return tool_usage_error("argument '%s': expected TYPE:VALUE, null8 or null16",
		                        argument);
	}
	if (TYPE_IS("i32") || TYPE_IS("i64"))
		return write_signed(parcel, argument, value, TYPE_IS("i64"));
	if (TYPE_IS("u32") || TYPE_IS("u64"))
		return write_unsigned(parcel, argument, value, TYPE_IS("u64"));
	if (TYPE_IS("f") || TYPE_IS("d"))
		return write_floating(parcel, argument, value, TYPE_IS("d"));
	if (TYPE_IS("b"))
		return write_bool(parcel, argument, value);
	if (TYPE_IS("s8"))
		return written(argument, binder_parcel_write_string8(parcel, value));
	if (TYPE_IS("s16"))
		return written(argument, binder_parcel_write_string16(parcel, value));
	if (TYPE_IS("fd"))
		return write_file(parcel, argument, value);
	if (TYPE_IS("intf")) {
		if (!*value)
			return tool_usage_error("argument '%s': empty descriptor", argument);
		return written(argument, binder_parcel_write_interface_token(parcel, value));
	}
#undef TYPE_IS
	return tool_usage_error("argument '%s': unknown type '%.*s'", argument, (int)type_length,
	                        argument);
}
