/*
 * calculator_proxy.c - calls to the calculator as AIDL-generated proxy
 * code makes them: new parcels per call, the interface token first, the
 * exception header read back before the result.
 */
#include "calculator.h"

#include <string.h>

/* Sends code with data and checks the reply's exception header. */
static int call(binder_object *calculator, uint32_t code, binder_parcel *data, binder_parcel *reply)
{
	int32_t exception;
	int status = binder_object_transact(calculator, code, data, reply, 0);

	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, NULL, NULL);
	if (status == 0 && exception != BINDER_EX_NONE)
		status = BINDER_BAD_VALUE;
	return status;
}

int bench_calculator_add(binder_object *calculator, int32_t a, int32_t b, int32_t *sum)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;

	if (status == 0)
		status = binder_parcel_write_interface_token(data, BENCH_CALCULATOR_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, a);
	if (status == 0)
		status = binder_parcel_write_int32(data, b);
	if (status == 0)
		status = call(calculator, BENCH_CALCULATOR_ADD, data, reply);
	if (status == 0)
		status = binder_parcel_read_int32(reply, sum);
	binder_parcel_free(reply);
	binder_parcel_free(data);
	return status;
}

bool bench_echo_check_every_byte;

int bench_calculator_echo(binder_object *calculator, const void *bytes, size_t length)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	const void *echoed;
	size_t echoed_length;
	int status = data && reply ? 0 : BINDER_NO_MEMORY;

	if (status == 0)
		status = binder_parcel_write_interface_token(data, BENCH_CALCULATOR_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_byte_array(data, bytes, length);
	if (status == 0)
		status = call(calculator, BENCH_CALCULATOR_ECHO, data, reply);
	if (status == 0)
		status = binder_parcel_read_byte_array(reply, &echoed, &echoed_length);
	/* The length and the first bytes are checked, not every byte: the
	 * figure is about the IPC. A smoke run checks every byte. */
	size_t checked = bench_echo_check_every_byte || length < 64 ? length : 64;
	if (status == 0 &&
	    (!echoed || echoed_length != length || memcmp(echoed, bytes, checked) != 0))
		status = BINDER_BAD_VALUE;
	binder_parcel_free(reply);
	binder_parcel_free(data);
	return status;
}
