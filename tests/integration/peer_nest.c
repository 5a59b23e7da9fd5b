/* peer_nest.c - integration_peer's "nest" role: serves an INest object (see
 * nest_object.h) as NAME, for the nested-calls test. */
#include <stdio.h>

#include <binder/service_manager.h>

#include "nest_object.h"
#include "peer.h"

int peer_run_nest(int argc, char **argv)
{
	if (argc != 1)
		return 2;
	binder_context *context;
	int status = peer_open_context(0, &context);
	if (status != 0)
		return status;
	/* More threads than the test needs: a nested call that came back on
	 * another thread than the waiting one would show in the records. */
	binder_object *nest = NULL;
	status = nest_object_new(context, &nest);
	if (status == 0)
		status = binder_service_manager_add(context, argv[0], nest);
	if (status == 0)
		peer_wait_for_stop();
	else
		peer_log("nest: %s", binder_status_to_string(status));
	int close_status = binder_context_close(context);
	binder_object_unref(nest);
	binder_context_unref(context);
	return status == 0 ? close_status : status;
}
