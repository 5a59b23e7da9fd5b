/*
 * calculator_service.c - the calculator's local object: checks the
 * interface token, reads the arguments, writes the AIDL exception header
 * and the result, as an AIDL-generated stub does.
 */
#include "calculator.h"

static int calculator_add(binder_parcel *data, binder_parcel *reply)
{
	int32_t a;
	int32_t b;
	int status = binder_parcel_enforce_interface(data, BENCH_CALCULATOR_DESCRIPTOR);

	if (status == 0)
		status = binder_parcel_read_int32(data, &a);
	if (status == 0)
		status = binder_parcel_read_int32(data, &b);
	if (status == 0)
		status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_int32(reply, (int32_t)((uint32_t)a + (uint32_t)b));
	return status;
}

static int calculator_echo(binder_parcel *data, binder_parcel *reply)
{
	const void *bytes;
	size_t length;
	int status = binder_parcel_enforce_interface(data, BENCH_CALCULATOR_DESCRIPTOR);

	if (status == 0)
		status = binder_parcel_read_byte_array(data, &bytes, &length);
	if (status == 0)
		status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_byte_array_borrowed(reply, bytes, length);
	return status;
}

static int calculator_transact(binder_object *self, uint32_t code, binder_parcel *data,
                               binder_parcel *reply, const struct binder_caller *caller,
                               void *user_data)
{
	(void)self;
	(void)caller;
	(void)user_data;
	switch (code) {
	case BENCH_CALCULATOR_ADD:
		return calculator_add(data, reply);
	case BENCH_CALCULATOR_ECHO:
		return calculator_echo(data, reply);
	default:
		return BINDER_UNKNOWN_TRANSACTION;
	}
}

int bench_calculator_new(binder_context *context, binder_object **out)
{
	static const struct binder_local_ops ops = {.transact = calculator_transact};

	return binder_object_new_local(context, BENCH_CALCULATOR_DESCRIPTOR, &ops, NULL, out);
}
