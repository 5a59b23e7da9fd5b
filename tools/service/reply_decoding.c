/*
 * reply_decoding.c - `call --reply TYPE,...`: reads the reply as the
 * listed types in order and prints one "TYPE: VALUE" line per value.
 * Strings are printed in double quotes with C escapes; null values as
 * null; an AIDL exception ends the decoding.
 */
#include "service_tool.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How much of an unknown type name an error message quotes. */
#define TYPE_NAME_QUOTED_AT_MOST 32
/* A byte array longer than this is printed as its first bytes and "...". */
#define BYTES_PRINTED_AT_MOST 256

/* Each reader prints "TYPE: VALUE\n" and returns a parcel status, or
 * REPLY_EXCEPTION after printing an AIDL exception. */
#define REPLY_EXCEPTION 1

static void print_quoted(FILE *stream, const char *text, size_t length)
{
	fputc('"', stream);
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '"' || c == '\\')
			fprintf(stream, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", stream);
		else if (c == '\t')
			fputs("\\t", stream);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stream, "\\x%02x", c);
		else
			fputc(c, stream); /* ASCII, or a byte of UTF-8 */
	}
	fputc('"', stream);
}

static const char *exception_name(int32_t exception)
{
	switch (exception) {
	case BINDER_EX_SECURITY:
		return "security";
	case BINDER_EX_BAD_PARCELABLE:
		return "bad parcelable";
	case BINDER_EX_ILLEGAL_ARGUMENT:
		return "illegal argument";
	case BINDER_EX_NULL_POINTER:
		return "null pointer";
	case BINDER_EX_ILLEGAL_STATE:
		return "illegal state";
	case BINDER_EX_NETWORK_MAIN_THREAD:
		return "network on main thread";
	case BINDER_EX_UNSUPPORTED_OPERATION:
		return "unsupported operation";
	case BINDER_EX_SERVICE_SPECIFIC:
		return "service specific";
	case BINDER_EX_PARCELABLE:
		return "parcelable";
	case BINDER_EX_TRANSACTION_FAILED:
		return "transaction failed";
	default:
		return "unknown exception";
	}
}

static int read_exception(FILE *stream, binder_parcel *reply)
{
	int32_t exception;
	int32_t service_error;
	char *message = NULL;
	int status = binder_parcel_read_exception(reply, &exception, &message, &service_error);

	if (status < 0)
		return status;
	if (exception == BINDER_EX_NONE) {
		fputs("ex: none\n", stream);
		free(message);
		return 0;
	}
	fprintf(stream, "ex: %s (%" PRId32 ")", exception_name(exception), exception);
	if (exception == BINDER_EX_SERVICE_SPECIFIC)
		fprintf(stream, " error %" PRId32, service_error);
	if (message) {
		fputc(' ', stream);
		print_quoted(stream, message, strlen(message));
	}
	fputc('\n', stream);
	free(message);
	return REPLY_EXCEPTION;
}

static int read_i32(FILE *stream, binder_parcel *reply)
{
	int32_t value;
	int status = binder_parcel_read_int32(reply, &value);

	if (status == 0)
		fprintf(stream, "i32: %" PRId32 "\n", value);
	return status;
}

static int read_u32(FILE *stream, binder_parcel *reply)
{
	uint32_t value;
	int status = binder_parcel_read_uint32(reply, &value);

	if (status == 0)
		fprintf(stream, "u32: %" PRIu32 "\n", value);
	return status;
}

static int read_i64(FILE *stream, binder_parcel *reply)
{
	int64_t value;
	int status = binder_parcel_read_int64(reply, &value);

	if (status == 0)
		fprintf(stream, "i64: %" PRId64 "\n", value);
	return status;
}

static int read_u64(FILE *stream, binder_parcel *reply)
{
	uint64_t value;
	int status = binder_parcel_read_uint64(reply, &value);

	if (status == 0)
		fprintf(stream, "u64: %" PRIu64 "\n", value);
	return status;
}

static int read_float(FILE *stream, binder_parcel *reply)
{
	float value;
	int status = binder_parcel_read_float(reply, &value);

	if (status == 0)
		fprintf(stream, "f: %.9g\n", (double)value);
	return status;
}

static int read_double(FILE *stream, binder_parcel *reply)
{
	double value;
	int status = binder_parcel_read_double(reply, &value);

	if (status == 0)
		fprintf(stream, "d: %.17g\n", value);
	return status;
}

static int read_bool(FILE *stream, binder_parcel *reply)
{
	bool value;
	int status = binder_parcel_read_bool(reply, &value);

	if (status == 0)
		fprintf(stream, "b: %s\n", value ? "true" : "false");
	return status;
}

static int read_string8(FILE *stream, binder_parcel *reply)
{
	const char *value;
	int status = binder_parcel_read_string8(reply, &value);

	if (status < 0)
		return status;
	fputs("s8: ", stream);
	if (value)
		print_quoted(stream, value, strlen(value));
	else
		fputs("null", stream);
	fputc('\n', stream);
	return 0;
}

static int read_string16(FILE *stream, binder_parcel *reply)
{
	char *value;
	int status = binder_parcel_read_string16(reply, &value);

	if (status < 0)
		return status;
	fputs("s16: ", stream);
	if (value)
		print_quoted(stream, value, strlen(value));
	else
		fputs("null", stream);
	fputc('\n', stream);
	free(value);
	return 0;
}

static int read_bytes(FILE *stream, binder_parcel *reply)
{
	const void *bytes;
	size_t length;
	int status = binder_parcel_read_byte_array(reply, &bytes, &length);

	if (status < 0)
		return status;
	if (!bytes) {
		fputs("bytes: null\n", stream);
		return 0;
	}
	fprintf(stream, "bytes: [%zu]", length);
	for (size_t i = 0; i < length && i < BYTES_PRINTED_AT_MOST; i++)
		fprintf(stream, " %02x", ((const uint8_t *)bytes)[i]);
	fputs(length > BYTES_PRINTED_AT_MOST ? " ...\n" : "\n", stream);
	return 0;
}

static int read_binder(FILE *stream, binder_parcel *reply)
{
	binder_object *object;
	char *descriptor = NULL;
	int status = binder_parcel_read_object(reply, &object);

	if (status < 0)
		return status;
	if (!object) {
		fputs("binder: null\n", stream);
		return 0;
	}
	if (binder_object_descriptor(object, &descriptor) < 0)
		descriptor = NULL;
	if (binder_object_is_local(object))
		fprintf(stream, "binder: local [%s]\n", descriptor ? descriptor : "");
	else
		fprintf(stream, "binder: handle %" PRId32 " [%s]\n", binder_object_handle(object),
		        descriptor ? descriptor : "");
	free(descriptor);
	binder_object_unref(object);
	return 0;
}

static int read_fd(FILE *stream, binder_parcel *reply)
{
	char link[64];
	char target[PATH_MAX];
	ssize_t length;
	int fd;
	int status = binder_parcel_read_fd(reply, &fd);

	if (status < 0)
		return status;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	length = readlink(link, target, sizeof(target) - 1);
	if (length < 0)
		length = 0;
	target[length] = '\0';
	fprintf(stream, "fd: %d (%s)\n", fd, length ? target : "?");
	return 0;
}

struct reply_type {
	const char *name;
	int (*read)(FILE *stream, binder_parcel *reply);
};

static const struct reply_type reply_types[] = {
        {"ex", read_exception}, {"i32", read_i32},     {"u32", read_u32},
        {"i64", read_i64},      {"u64", read_u64},     {"f", read_float},
        {"d", read_double},     {"b", read_bool},      {"s8", read_string8},
        {"s16", read_string16}, {"bytes", read_bytes}, {"binder", read_binder},
        {"fd", read_fd},
};

static const struct reply_type *find_reply_type(const char *name, size_t length)
{
	for (size_t i = 0; i < sizeof(reply_types) / sizeof(reply_types[0]); i++) {
		if (strlen(reply_types[i].name) == length &&
		    strncmp(reply_types[i].name, name, length) == 0)
			return &reply_types[i];
	}
	return NULL;
}

/* Calls visit for each comma-separated name of types; stops at the first
 * unknown one (returns -EINVAL) or when visit returns non-zero. */
static int for_each_type(const char *types,
                         int (*visit)(const struct reply_type *type, void *state), void *state)
{
	const char *name = types;

	for (;;) {
		size_t length = strcspn(name, ",");
		const struct reply_type *type = find_reply_type(name, length);
		int result;

		if (!type) {
			tool_usage_error("--reply: unknown type '%.*s' (ex i32 u32 i64 u64 f d b "
			                 "s8 s16 bytes binder fd)",
			                 (int)(length > TYPE_NAME_QUOTED_AT_MOST
			                               ? TYPE_NAME_QUOTED_AT_MOST
			                               : length),
			                 name);
			return -EINVAL;
		}
		result = visit(type, state);
		if (result)
			return result;
		if (!name[length])
			return 0;
		name += length + 1;
	}
}

static int accept_type(const struct reply_type *type, void *state)
{
	(void)type;
	(void)state;
	return 0;
}

int tool_check_reply_types(const char *types)
{
	return for_each_type(types, accept_type, NULL);
}

struct decoding {
	FILE *stream;
	binder_parcel *reply;
	int exit_status;
};

static int decode_one(const struct reply_type *type, void *state)
{
	struct decoding *decoding = state;
	size_t position = binder_parcel_position(decoding->reply);
	int status = type->read(decoding->stream, decoding->reply);

	if (status == REPLY_EXCEPTION) {
		decoding->exit_status = TOOL_EXIT_REPLY;
		return 1;
	}
	if (status < 0) {
		fflush(decoding->stream);
		tool_error("reply: cannot read %s at offset %zu of %zu: %s", type->name, position,
		           binder_parcel_data_size(decoding->reply),
		           binder_status_to_string(status));
		decoding->exit_status = TOOL_EXIT_REPLY;
		return 1;
	}
	return 0;
}

int tool_decode_reply(FILE *stream, binder_parcel *reply, const char *types)
{
	struct decoding decoding = {.stream = stream, .reply = reply, .exit_status = TOOL_EXIT_OK};
	size_t left;

	binder_parcel_set_position(reply, 0);
	for_each_type(types, decode_one, &decoding);
	left = binder_parcel_data_available(reply);
	if (decoding.exit_status == TOOL_EXIT_OK && left > 0) {
		fflush(stream);
		tool_error("note: %zu bytes of the reply were not decoded", left);
	}
	return decoding.exit_status;
}
