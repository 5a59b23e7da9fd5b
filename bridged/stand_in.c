/*
 * stand_in.c - the local objects that stand for a peer's nodes. Every
 * transaction a local process sends to one, the standard codes included
 * (ping and the interface descriptor are the remote object's to answer),
 * is forwarded to the peer; the reply comes back as the stand-in's reply.
 */
#include "bridge.h"

static int stand_in_transact(binder_object *self, uint32_t code, binder_parcel *data,
                             binder_parcel *reply, const struct binder_caller *caller,
                             void *user_data)
{
	(void)self;
	return calls_forward(user_data, code, data, reply, caller->flags & BINDER_FLAG_ONEWAY);
}

const struct binder_local_ops stand_in_ops = {
        .transact = stand_in_transact,
        .handles_standard_codes = true,
};
