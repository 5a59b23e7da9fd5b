/*
 * test_oneway_order.c - 10,000 oneway calls to one object arrive in the
 * order they were sent: the receiver (integration_peer sequence) checks
 * each sequence number, and a final two-way call reports the count and the
 * first call out of order.
 */
#include <criterion/criterion.h>

#include <binder/parcel.h>

#include "protocol.h"
#include "test_support.h"

#define ONEWAY_CALLS   10000
#define REPORT_WAIT_MS 60000

static int send_number(binder_object *sequence, int32_t number)
{
	binder_parcel *data = binder_parcel_new();
	int status = data != NULL ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, SEQUENCE_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, number);
	if (status == 0)
		status = binder_object_transact(sequence, SEQUENCE_RECORD, data, NULL,
		                                BINDER_FLAG_ONEWAY);
	binder_parcel_free(data);
	return status;
}

Test(integration, oneway_calls_in_order, .timeout = 180)
{
	pid_t peer = start_peer("sequence", "sequence", NULL);
	binder_context *context = open_test_context();
	binder_object *sequence = get_test_service(context, "sequence");

	for (int32_t number = 0; number < ONEWAY_CALLS; number++) {
		int status = send_number(sequence, number);
		cr_assert_eq(status, 0, "oneway call %d: %s", number,
		             binder_status_to_string(status));
	}

	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(data, SEQUENCE_DESCRIPTOR), 0);
	cr_assert_eq(binder_parcel_write_int32(data, ONEWAY_CALLS), 0);
	cr_assert_eq(binder_parcel_write_int32(data, REPORT_WAIT_MS), 0);
	cr_assert_eq(binder_object_transact(sequence, SEQUENCE_REPORT, data, reply, 0), 0);
	int32_t exception = -1, count = -1, first_out_of_order = 0, not_oneway = -1;
	cr_assert_eq(binder_parcel_read_exception(reply, &exception, NULL, NULL), 0);
	cr_assert_eq(exception, BINDER_EX_NONE);
	cr_assert_eq(binder_parcel_read_int32(reply, &count), 0);
	cr_assert_eq(binder_parcel_read_int32(reply, &first_out_of_order), 0);
	cr_assert_eq(binder_parcel_read_int32(reply, &not_oneway), 0);
	cr_assert_eq(count, ONEWAY_CALLS, "%d of %d oneway calls arrived", count, ONEWAY_CALLS);
	cr_assert_eq(first_out_of_order, -1, "call %d arrived out of order", first_out_of_order);
	cr_assert_eq(not_oneway, 0, "%d calls were not flagged oneway at the receiver", not_oneway);
	binder_parcel_free(data);
	binder_parcel_free(reply);

	binder_object_unref(sequence);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	stop_and_expect_clean_exit(peer, "sequence peer");
}
