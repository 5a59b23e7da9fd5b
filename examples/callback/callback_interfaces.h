/*
 * callback_interfaces.h - the two interfaces of the callback example,
 * shared by callback_service and callback_client.
 *
 * In AIDL they would read:
 *
 *     interface IListener {                       // the client implements it
 *         boolean onProgress(int step, int total); // FIRST_CALL_TRANSACTION
 *         oneway void onFinished(int result);      // FIRST_CALL_TRANSACTION + 1
 *     }
 *     interface IWorker {                         // the service implements it
 *         int sum(int n, IListener listener);      // FIRST_CALL_TRANSACTION
 *     }
 *
 * The client makes a local IListener object and passes it as an argument of
 * IWorker.sum(). The service adds 1 + 2 + ... + n; after each step it calls
 * listener.onProgress(step, n), a two-way call, whose answer says whether
 * to go on; at the end it calls listener.onFinished(sum), a oneway call,
 * and then returns the sum.
 *
 * What the example shows about binder:
 *  - an object passed in a call reaches the other process as a proxy, on
 *    which that process can call methods like on any other service;
 *  - onProgress arrives while the client's main thread is waiting in sum():
 *    binder runs it on that very thread (a nested call), so the client needs
 *    no extra thread for it;
 *  - onFinished is oneway: the service does not wait, and the client
 *    handles it on a thread of its pool, possibly before or after sum()
 *    returns.
 *
 * Descriptors are the plain interface names (no package).
 */
#ifndef EXAMPLES_CALLBACK_INTERFACES_H
#define EXAMPLES_CALLBACK_INTERFACES_H

#include <binder/binder.h>

#define LISTENER_DESCRIPTOR "IListener"
#define WORKER_DESCRIPTOR   "IWorker"

/* The name the service registers with servicemanager. */
#define WORKER_SERVICE_NAME "worker"

/* The largest n the worker accepts. */
#define WORKER_MAX_STEPS 1000

enum listener_code {
	/* request: token, int32 step, int32 total. reply: exception header,
	 * bool keep_going */
	LISTENER_ON_PROGRESS = BINDER_FIRST_CALL_TRANSACTION,
	/* oneway request: token, int32 result */
	LISTENER_ON_FINISHED = BINDER_FIRST_CALL_TRANSACTION + 1,
};

enum worker_code {
	/* request: token, int32 n, IListener listener. reply: exception
	 * header, int32 sum */
	WORKER_SUM = BINDER_FIRST_CALL_TRANSACTION,
};

#endif
