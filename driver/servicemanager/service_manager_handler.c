/*
 * service_manager_handler.c - the IServiceManager AIDL interface
 * (frameworks/native/libs/binder/aidl/android/os/IServiceManager.aidl) of
 * the Android generation servicemanager's context speaks (--android: the
 * codes of binder_service_manager_code, the stability words of its
 * parcels) as servicemanager answers it: each call starts with the token;
 * arguments that cannot be read fail the transaction with the read's
 * status (as AIDL stubs do); every reply starts with the AIDL status header
 * (EX_NONE, or an exception and its message).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <binder/service_manager.h>

#include "log.h"
#include "service_manager.h"

/* One call's decoded context, for the methods below. */
struct call {
	struct service_manager *manager;
	uint32_t android; /* the generation spoken */
	enum binder_service_manager_method method;
	binder_parcel *data;
	binder_parcel *reply;
	const struct binder_caller *caller;
	bool refused; /* counted as refused already */
};

static int reply_exception(struct call *call, int32_t exception, const char *message)
{
	log_debug("uid %u pid %d: exception %d (%s)", (unsigned)call->caller->euid,
	          (int)call->caller->pid, (int)exception, message);
	return binder_parcel_write_exception(call->reply, exception, message, 0);
}

/* Answers the call with an exception, counted as refused for reason. */
static int refuse(struct call *call, enum manager_refusal reason, int32_t exception,
                  const char *message)
{
	call->refused = true;
	manager_metrics_refusal(call->manager->metrics, reason);
	return reply_exception(call, exception, message);
}

/* name for the log: only valid names are shown as they are. */
static const char *printable(const char *name)
{
	return service_name_is_valid(name) ? name : "(invalid name)";
}

/* A non-null String (AIDL's String / @utf8InCpp String): a null one fails
 * the call with BINDER_UNEXPECTED_NULL. *name is malloc'ed. */
static int read_name(struct call *call, char **name)
{
	int status = binder_parcel_read_string16(call->data, name);
	if (status)
		return status;
	if (!*name)
		return BINDER_UNEXPECTED_NULL;
	return 0;
}

/* Arguments past the last one: AIDL's enforceNoDataAvail makes that an
 * EX_BAD_PARCELABLE reply. Returns true if the call may go on. */
static bool no_data_left(struct call *call, int *status)
{
	if (binder_parcel_data_available(call->data) == 0)
		return true;
	log_warning("uid %u pid %d: data after the arguments of call %d (a client of another "
	            "Android generation? this servicemanager speaks Android %u)",
	            (unsigned)call->caller->euid, (int)call->caller->pid, (int)call->method,
	            (unsigned)call->android);
	*status = refuse(call, MANAGER_REFUSAL_INVALID, BINDER_EX_BAD_PARCELABLE,
	                 "unexpected data after arguments");
	return false;
}

/* AIDL's marker before a non-null parcelable or union. */
#define AIDL_NOT_NULL 1
/* Service's first member: the binder (Android 15), ServiceWithMetadata (16). */
#define SERVICE_TAG_BINDER 0
/* From Android 16 on the binder is wrapped in ServiceWithMetadata. */
#define SERVICE_WITH_METADATA_ANDROID 16

/* ServiceWithMetadata { @nullable IBinder service; boolean isLazyService; }
 * as a member: the not-null marker, the size (from the size field on),
 * the fields. */
static int write_service_with_metadata(binder_parcel *reply, binder_object *object)
{
	int status = binder_parcel_write_int32(reply, AIDL_NOT_NULL);
	size_t start = binder_parcel_position(reply);
	if (status == 0)
		status = binder_parcel_write_int32(reply, 0); /* the size, below */
	if (status == 0)
		status = binder_parcel_write_object(reply, object);
	if (status == 0)
		status = binder_parcel_write_bool(reply, false);
	size_t end = binder_parcel_position(reply);
	if (status == 0)
		status = binder_parcel_set_position(reply, start);
	if (status == 0)
		status = binder_parcel_write_int32(reply, (int32_t)(end - start));
	if (status == 0)
		status = binder_parcel_set_position(reply, end);
	return status;
}

/* The answer of a get/check method: a @nullable IBinder, or the Service
 * union (binder_service_manager_returns_service) holding it. */
static int write_service(struct call *call, binder_object *object)
{
	if (!binder_service_manager_returns_service(call->android, call->method))
		return binder_parcel_write_object(call->reply, object);
	int status = binder_parcel_write_int32(call->reply, AIDL_NOT_NULL);
	if (status == 0)
		status = binder_parcel_write_int32(call->reply, SERVICE_TAG_BINDER);
	if (status)
		return status;
	if (call->android >= SERVICE_WITH_METADATA_ANDROID)
		return write_service_with_metadata(call->reply, object);
	return binder_parcel_write_object(call->reply, object);
}

/* getService / checkService(String name) -> @nullable IBinder, and
 * getService2 / checkService2 -> Service: what is there now (null if
 * nothing, or if the name is not valid). */
static int get_service(struct call *call)
{
	char *name = NULL;
	int status = read_name(call, &name);
	if (status)
		return status;
	if (no_data_left(call, &status)) {
		const struct service *service =
		        service_name_is_valid(name) ? registry_find(&call->manager->registry, name)
		                                    : NULL;
		log_debug("pid %d looks up '%s': %s", (int)call->caller->pid, printable(name),
		          service ? "found" : "not found");
		if (!service)
			manager_metrics_lookup_missed(call->manager->metrics);
		status = binder_parcel_write_no_exception(call->reply);
		if (status == 0)
			status = write_service(call, service ? service->object : NULL);
	}
	free(name);
	return status;
}

/* Tells every callback registered for service->name about it. */
static void notify_registration(struct service_manager *manager, const char *name,
                                binder_object *object)
{
	binder_object **callbacks;
	size_t count;
	if (notifications_for_name(&manager->notifications, name, &callbacks, &count) != 0) {
		log_warning("out of memory: callbacks for '%s' not told", name);
		return;
	}
	for (size_t i = 0; i < count; i++) {
		int status = notifications_send(callbacks[i], name, object);
		if (status)
			log_debug("onRegistration('%s') failed: %s", name,
			          binder_status_to_string(status));
	}
	notifications_free_callbacks(callbacks, count);
}

/* Registers the checked service; the reply's header when it cannot. */
static int put_service(struct call *call, const struct service *service)
{
	struct service_manager *manager = call->manager;
	uid_t uid = service->owner_uid;
	const struct service *existing = registry_find(&manager->registry, service->name);
	if (!existing && manager->registry.count >= REGISTRY_MAX_SERVICES) {
		quota_log_refusal(&manager->quota, QUOTA_NAMES, uid, "the table is full");
		return refuse(call, MANAGER_REFUSAL_FULL, BINDER_EX_ILLEGAL_STATE,
		              "too many services");
	}
	/* A new name, or one another uid added, counts against this uid. */
	if ((!existing || existing->owner_uid != uid) &&
	    !quota_allows(&manager->quota, QUOTA_NAMES, uid,
	                  registry_count_owned(&manager->registry, uid)))
		return refuse(call, MANAGER_REFUSAL_QUOTA, BINDER_EX_ILLEGAL_STATE,
		              "too many services for this uid");
	int status = death_watch_acquire(&manager->death_watch, service->object);
	if (status) {
		log_warning("cannot watch '%s' for death: %s", service->name,
		            binder_status_to_string(status));
		return refuse(call, MANAGER_REFUSAL_FAILED, BINDER_EX_ILLEGAL_STATE,
		              "cannot link to death");
	}
	binder_object *replaced;
	status = registry_put(&manager->registry, service, &replaced);
	if (status) {
		death_watch_release(&manager->death_watch, service->object);
		bool full = status == -ENOSPC;
		return refuse(call, full ? MANAGER_REFUSAL_FULL : MANAGER_REFUSAL_FAILED,
		              BINDER_EX_ILLEGAL_STATE,
		              full ? "too many services" : "out of memory");
	}
	if (replaced) {
		log_info("service '%s' replaced", service->name);
		death_watch_release(&manager->death_watch, replaced);
		binder_object_unref(replaced);
	}
	log_info("service '%s' added by uid %u pid %d", service->name, (unsigned)service->owner_uid,
	         (int)service->owner_pid);
	manager_metrics_services_changed(manager->metrics, &manager->registry);
	status = binder_parcel_write_no_exception(call->reply);
	/* service is the caller's copy, which stays whole during the calls out. */
	notify_registration(manager, service->name, service->object);
	return status;
}

/* addService(String name, IBinder service, boolean allowIsolated,
 * int dumpPriority). */
static int add_service(struct call *call)
{
	char *name = NULL;
	binder_object *object = NULL;
	bool allow_isolated = false;
	int32_t dump_priority = 0;
	int status = read_name(call, &name);
	if (status == 0)
		status = binder_parcel_read_object(call->data, &object);
	if (status == 0)
		status = binder_parcel_read_bool(call->data, &allow_isolated);
	if (status == 0)
		status = binder_parcel_read_int32(call->data, &dump_priority);
	if (status || !no_data_left(call, &status))
		goto out;

	uid_t uid = call->caller->euid;
	if (strnlen(name, SERVICE_NAME_MAX + 1) > SERVICE_NAME_MAX) {
		/* Too long to be matched against the policy's patterns at all. */
		status = refuse(call, MANAGER_REFUSAL_INVALID, BINDER_EX_ILLEGAL_ARGUMENT,
		                "service name too long");
	} else if (!policy_may_add(&call->manager->policy, name, uid)) {
		log_warning("uid %u pid %d may not add '%s': denied by policy", (unsigned)uid,
		            (int)call->caller->pid, printable(name));
		status = refuse(call, MANAGER_REFUSAL_DENIED, BINDER_EX_SECURITY,
		                "denied by policy");
	} else if (!object) {
		status = refuse(call, MANAGER_REFUSAL_INVALID, BINDER_EX_ILLEGAL_ARGUMENT,
		                "null binder");
	} else if (!service_name_is_valid(name)) {
		log_warning("uid %u pid %d: invalid service name", (unsigned)uid,
		            (int)call->caller->pid);
		status = refuse(call, MANAGER_REFUSAL_INVALID, BINDER_EX_ILLEGAL_ARGUMENT,
		                "invalid service name");
	} else {
		struct service service = {
		        .object = object,
		        .allow_isolated = allow_isolated,
		        .dump_priority = dump_priority,
		        .owner_uid = uid,
		        .owner_pid = call->caller->pid,
		};
		snprintf(service.name, sizeof(service.name), "%s", name);
		status = put_service(call, &service);
	}
out:
	binder_object_unref(object);
	free(name);
	return status;
}

struct name_list {
	int32_t dump_priority;
	const char **names;
	size_t count;
};

static void collect_name(const struct service *service, void *user)
{
	struct name_list *list = user;
	if (service->dump_priority & list->dump_priority)
		list->names[list->count++] = service->name;
}

/* listServices(int dumpPriority) -> String[]: the names whose dump
 * priority shares a flag with dumpPriority, sorted. */
static int list_services(struct call *call)
{
	int32_t dump_priority;
	int status = binder_parcel_read_int32(call->data, &dump_priority);
	if (status || !no_data_left(call, &status))
		return status;
	struct registry *registry = &call->manager->registry;
	struct name_list list = {.dump_priority = dump_priority};
	list.names = calloc(registry->count ? registry->count : 1, sizeof(*list.names));
	if (!list.names)
		return BINDER_NO_MEMORY;
	registry_for_each(registry, collect_name, &list);
	status = binder_parcel_write_no_exception(call->reply);
	if (status == 0)
		status = binder_parcel_write_int32(call->reply, (int32_t)list.count);
	for (size_t i = 0; i < list.count && status == 0; i++)
		status = binder_parcel_write_string16(call->reply, list.names[i]);
	free(list.names);
	return status;
}

/* Reads (String name, IServiceCallback callback) and checks them; on a
 * bad argument writes the exception and returns false. */
static bool read_registration(struct call *call, char **name, binder_object **callback, int *status)
{
	*status = read_name(call, name);
	if (*status == 0)
		*status = binder_parcel_read_object(call->data, callback);
	if (*status || !no_data_left(call, status))
		return false;
	if (!service_name_is_valid(*name)) {
		*status = refuse(call, MANAGER_REFUSAL_INVALID, BINDER_EX_ILLEGAL_ARGUMENT,
		                 "invalid service name");
		return false;
	}
	if (!*callback) {
		*status = refuse(call, MANAGER_REFUSAL_INVALID, BINDER_EX_NULL_POINTER,
		                 "null callback");
		return false;
	}
	return true;
}

/* registerForNotifications(String name, IServiceCallback callback): the
 * callback hears of every later add of name, and now if it is there. */
static int register_for_notifications(struct call *call)
{
	struct service_manager *manager = call->manager;
	char *name = NULL;
	binder_object *callback = NULL;
	int status;
	if (!read_registration(call, &name, &callback, &status))
		goto out;
	if (binder_object_is_local(callback)) {
		status = refuse(call, MANAGER_REFUSAL_INVALID, BINDER_EX_ILLEGAL_STATE,
		                "callback is not remote");
		goto out;
	}
	uid_t uid = call->caller->euid;
	if (manager->notifications.count >= NOTIFICATIONS_MAX) {
		quota_log_refusal(&manager->quota, QUOTA_NOTIFICATIONS, uid, "the table is full");
		status = refuse(call, MANAGER_REFUSAL_FULL, BINDER_EX_ILLEGAL_STATE,
		                "too many registrations");
		goto out;
	}
	if (!quota_allows(&manager->quota, QUOTA_NOTIFICATIONS, uid,
	                  notifications_count_owned(&manager->notifications, uid))) {
		status = refuse(call, MANAGER_REFUSAL_QUOTA, BINDER_EX_ILLEGAL_STATE,
		                "too many registrations for this uid");
		goto out;
	}
	status = death_watch_acquire(&manager->death_watch, callback);
	if (status) {
		status = refuse(call, MANAGER_REFUSAL_FAILED, BINDER_EX_ILLEGAL_STATE,
		                "cannot link to death");
		goto out;
	}
	status = notifications_add(&manager->notifications, name, callback, uid);
	if (status) {
		death_watch_release(&manager->death_watch, callback);
		status = refuse(call,
		                status == -ENOSPC ? MANAGER_REFUSAL_FULL : MANAGER_REFUSAL_FAILED,
		                BINDER_EX_ILLEGAL_STATE, "too many registrations");
		goto out;
	}
	log_debug("pid %d waits for '%s'", (int)call->caller->pid, name);
	manager_metrics_notifications_changed(manager->metrics, manager->notifications.count);
	status = binder_parcel_write_no_exception(call->reply);
	const struct service *service = registry_find(&manager->registry, name);
	if (service) {
		binder_object *object = binder_object_ref(service->object);
		notifications_send(callback, name, object);
		binder_object_unref(object);
	}
out:
	binder_object_unref(callback);
	free(name);
	return status;
}

/* unregisterForNotifications(String name, IServiceCallback callback). */
static int unregister_for_notifications(struct call *call)
{
	struct service_manager *manager = call->manager;
	char *name = NULL;
	binder_object *callback = NULL;
	int status;
	if (!read_registration(call, &name, &callback, &status))
		goto out;
	if (!notifications_remove(&manager->notifications, name, callback)) {
		status = refuse(call, MANAGER_REFUSAL_INVALID, BINDER_EX_ILLEGAL_STATE,
		                "nothing to unregister");
		goto out;
	}
	death_watch_release(&manager->death_watch, callback);
	manager_metrics_notifications_changed(manager->metrics, manager->notifications.count);
	status = binder_parcel_write_no_exception(call->reply);
out:
	binder_object_unref(callback);
	free(name);
	return status;
}

/* isDeclared(String name) -> boolean: there are no VINTF manifests here. */
static int is_declared(struct call *call)
{
	char *name = NULL;
	int status = read_name(call, &name);
	if (status == 0 && no_data_left(call, &status)) {
		status = binder_parcel_write_no_exception(call->reply);
		if (status == 0)
			status = binder_parcel_write_bool(call->reply, false);
	}
	free(name);
	return status;
}

/* The method code names in android's IServiceManager; false if none. */
static bool method_of_code(uint32_t android, uint32_t code,
                           enum binder_service_manager_method *method)
{
	for (int candidate = 0; candidate < BINDER_SERVICE_MANAGER_METHOD_COUNT; candidate++) {
		if (binder_service_manager_code(android, candidate) == code) {
			*method = candidate;
			return true;
		}
	}
	return false;
}

int service_manager_transact(binder_object *self, uint32_t code, binder_parcel *data,
                             binder_parcel *reply, const struct binder_caller *caller,
                             void *user_data)
{
	uint32_t android = binder_context_android(binder_object_context(self));
	struct call call = {.manager = user_data,
	                    .android = android,
	                    .data = data,
	                    .reply = reply,
	                    .caller = caller};
	struct manager_metrics *metrics = call.manager->metrics;
	if (code == 0 || !method_of_code(android, code, &call.method)) {
		manager_metrics_call(metrics, BINDER_SERVICE_MANAGER_METHOD_COUNT);
		manager_metrics_refusal(metrics, MANAGER_REFUSAL_INVALID);
		return BINDER_UNKNOWN_TRANSACTION;
	}
	manager_metrics_call(metrics, call.method);
	/* Null binders in the reply carry this generation's stability too. */
	int status = binder_parcel_set_android(reply, android);
	if (status) {
		manager_metrics_refusal(metrics, MANAGER_REFUSAL_FAILED);
		return status;
	}
	status = binder_parcel_enforce_interface(data, BINDER_SERVICE_MANAGER_DESCRIPTOR);
	if (status) {
		log_warning("uid %u pid %d: call %u without the IServiceManager token: %s",
		            (unsigned)caller->euid, (int)caller->pid, code,
		            binder_status_to_string(status));
		manager_metrics_refusal(metrics, MANAGER_REFUSAL_INVALID);
		return status;
	}
	switch (call.method) {
	case BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE:
	case BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE2:
	case BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE:
	case BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE2:
		status = get_service(&call);
		break;
	case BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE:
		status = add_service(&call);
		break;
	case BINDER_SERVICE_MANAGER_METHOD_LIST_SERVICES:
		status = list_services(&call);
		break;
	case BINDER_SERVICE_MANAGER_METHOD_REGISTER_FOR_NOTIFICATIONS:
		status = register_for_notifications(&call);
		break;
	case BINDER_SERVICE_MANAGER_METHOD_UNREGISTER_FOR_NOTIFICATIONS:
		status = unregister_for_notifications(&call);
		break;
	default:
		status = is_declared(&call);
		break;
	}
	if (status) {
		log_debug("uid %u pid %d: call %u failed: %s", (unsigned)caller->euid,
		          (int)caller->pid, code, binder_status_to_string(status));
		/* Arguments that did not read, or a reply that could not be made. */
		if (!call.refused)
			manager_metrics_refusal(metrics, status == BINDER_NO_MEMORY
			                                         ? MANAGER_REFUSAL_FAILED
			                                         : MANAGER_REFUSAL_INVALID);
	}
	return status;
}
