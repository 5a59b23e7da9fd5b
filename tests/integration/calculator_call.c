/* calculator_call.c - one ICalculate call (see calculator_call.h). */
#include "calculator_call.h"

#include <binder/parcel.h>

#include "calculator.h"

int calculator_call(binder_object *calculator, uint32_t code, int32_t a, int32_t b,
                    int32_t *exception, int32_t *result)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data != NULL && reply != NULL ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, CALCULATOR_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, a);
	if (status == 0)
		status = binder_parcel_write_int32(data, b);
	if (status == 0)
		status = binder_object_transact(calculator, code, data, reply, 0);
	if (status == 0)
		status = binder_parcel_read_exception(reply, exception, NULL, NULL);
	if (status == 0 && *exception == BINDER_EX_NONE)
		status = binder_parcel_read_int32(reply, result);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}
