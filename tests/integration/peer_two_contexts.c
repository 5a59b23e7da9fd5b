/*
 * peer_two_contexts.c - integration_peer's "two_contexts" role: one process
 * with two binder contexts, each owning one ITwoContexts object registered
 * under its own name (protocol.h). A call on the second object closes the
 * first context, which must kill the first object only.
 */
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "peer.h"
#include "protocol.h"

static int two_contexts_transact(binder_object *self, uint32_t code, binder_parcel *data,
                                 binder_parcel *reply, const struct binder_caller *caller,
                                 void *user_data)
{
	(void)self;
	(void)caller;
	/* user_data: the first context, for the second object; NULL for the
	 * first object. */
	binder_context *first = user_data;
	if (code != TWO_CONTEXTS_ECHO && !(code == TWO_CONTEXTS_CLOSE_FIRST && first != NULL))
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, TWO_CONTEXTS_DESCRIPTOR);
	if (status != 0)
		return status;
	int32_t result;
	if (code == TWO_CONTEXTS_ECHO) {
		status = binder_parcel_read_int32(data, &result);
		if (status != 0)
			return status;
		result++;
	} else {
		/* This thread belongs to the second context: it may close the
		 * first one, which waits for the first one's threads. */
		result = binder_context_close(first);
	}
	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_int32(reply, result);
	return status;
}

/* Makes context's object (user_data as above) and registers it as name. */
static int publish(binder_context *context, const char *name, void *user_data, binder_object **out)
{
	const struct binder_local_ops ops = {.transact = two_contexts_transact};
	int status =
	        binder_object_new_local(context, TWO_CONTEXTS_DESCRIPTOR, &ops, user_data, out);
	if (status == 0)
		status = binder_service_manager_add(context, name, *out);
	if (status != 0)
		peer_log("two_contexts: cannot publish %s: %s", name,
		         binder_status_to_string(status));
	return status;
}

int peer_run_two_contexts(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	binder_context *first = NULL, *second = NULL;
	binder_object *first_object = NULL, *second_object = NULL;
	int status = peer_open_context(0, &first);
	if (status == 0)
		status = peer_open_context(0, &second);
	if (status == 0)
		status = publish(first, argv[0], NULL, &first_object);
	if (status == 0)
		status = publish(second, argv[1], first, &second_object);
	if (status == 0)
		peer_wait_for_stop();
	/* Closing twice is allowed: the first may be closed already. */
	int close_status = 0;
	if (second != NULL)
		close_status = binder_context_close(second);
	if (first != NULL && close_status == 0)
		close_status = binder_context_close(first);
	if (close_status != 0)
		peer_log("two_contexts: close: %s", binder_status_to_string(close_status));
	binder_object_unref(first_object);
	binder_object_unref(second_object);
	binder_context_unref(first);
	binder_context_unref(second);
	return status == 0 ? close_status : status;
}
