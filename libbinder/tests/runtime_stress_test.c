/*
 * runtime_stress_test.c - stress tests of libbinder's runtime against a
 * private binderd, for the races and leaks the functional tests miss:
 * proxies made and dropped concurrently for one handle, death links
 * hammered from many threads, a proxy dropped while its death is in
 * flight, closing a context under blocked callers and busy pool threads,
 * local objects released on both sides at once, many contexts in a row,
 * and reply buffers freed from other threads. A forked child serves an
 * object as the context manager. Every loop and wait is bounded; nothing
 * here asserts a timing. Run under tests/with_binderd.sh, one test at a
 * time.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "binder/binder.h"

enum {
	CODE_ADD = BINDER_FIRST_CALL_TRANSACTION, /* (a, b) -> a + b */
	CODE_GET_TARGET,    /* -> the child's second object (always the same) */
	CODE_SLEEP_MS,      /* (ms, at most 1000) */
	CODE_BLOCK,         /* blocks until the child is killed (60 s at most) */
	CODE_BLOCKED_COUNT, /* -> how many CODE_BLOCK calls are blocked */
	CODE_HOLD,          /* (count, objects...): the child keeps them */
	CODE_DROP_ALL,      /* the child drops every object it keeps */
	CODE_REPLY_BYTES,   /* (size, seed) -> byte array of (seed + i) & 0xff */
	CODE_START_CALLERS, /* (object, threads): child threads call object */
};

#define MAX_HELD          1024
#define MAX_REPLY_BYTES   8192
#define MAX_CHILD_CALLERS 4

/* ---- failures seen on threads other than the test's ---- */

static atomic_int thread_failures;
static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;
static char first_failure[256];

static void note_failure(const char *format, ...)
{
	va_list arguments;

	if (atomic_fetch_add(&thread_failures, 1) != 0)
		return;
	pthread_mutex_lock(&failure_lock);
	va_start(arguments, format);
	vsnprintf(first_failure, sizeof(first_failure), format, arguments);
	va_end(arguments);
	pthread_mutex_unlock(&failure_lock);
}

static void assert_no_thread_failures(void)
{
	int count = atomic_load(&thread_failures);

	pthread_mutex_lock(&failure_lock);
	cr_assert_eq(count, 0, "%d failures on other threads; the first: %s", count, first_failure);
	pthread_mutex_unlock(&failure_lock);
}

/* ---- small helpers ---- */

static void sleep_ms(int milliseconds)
{
	struct timespec delay = {milliseconds / 1000, (long)(milliseconds % 1000) * 1000000L};

	while (nanosleep(&delay, &delay) != 0)
		;
}

/* Waits (at most max_ms) until *value reaches target; returns the value. */
static int wait_for_count(atomic_int *value, int target, int max_ms)
{
	for (int waited = 0; waited < max_ms && atomic_load(value) < target; waited += 5)
		sleep_ms(5);
	return atomic_load(value);
}

static int count_open_fds(void)
{
	DIR *directory = opendir("/proc/self/fd");
	struct dirent *entry;
	int count = 0;

	if (!directory)
		return -1;
	while ((entry = readdir(directory)))
		if (entry->d_name[0] != '.')
			count++;
	closedir(directory);
	return count - 1; /* the directory's own fd */
}

static long resident_kib(void)
{
	FILE *file = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;

	if (!file)
		return -1;
	if (fscanf(file, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(file);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int call_add(binder_object *object, int32_t a, int32_t b, int32_t *sum)
{
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	int status = BINDER_NO_MEMORY;

	if (data && reply) {
		binder_parcel_write_int32(data, a);
		binder_parcel_write_int32(data, b);
		status = binder_object_transact(object, CODE_ADD, data, reply, 0);
		if (status == 0)
			status = binder_parcel_read_int32(reply, sum);
	}
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

static int call_with_int(binder_object *object, uint32_t code, int32_t value, int32_t *answer)
{
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	int status = BINDER_NO_MEMORY;

	if (data && reply) {
		binder_parcel_write_int32(data, value);
		status = binder_object_transact(object, code, data, reply, 0);
		if (status == 0 && answer)
			status = binder_parcel_read_int32(reply, answer);
	}
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

/* ---- the service (in the child; CODE_SLEEP_MS also in the test process) ---- */

static binder_object *child_target;
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static binder_object *held[MAX_HELD];
static int held_count;
static atomic_int blocked_calls;

static void *child_caller_thread(void *argument)
{
	binder_object *object = argument;

	/* Until the object's process closes its context or dies. */
	for (int i = 0; i < 500; i++)
		if (call_with_int(object, CODE_SLEEP_MS, 20, NULL) != 0)
			break;
	binder_object_unref(object);
	return NULL;
}

static int start_child_callers(binder_parcel *data)
{
	binder_object *object = NULL;
	int32_t threads = 0;
	int status = binder_parcel_read_object(data, &object);

	if (status == 0)
		status = binder_parcel_read_int32(data, &threads);
	if (status == 0 && (!object || threads < 1 || threads > MAX_CHILD_CALLERS))
		status = BINDER_BAD_VALUE;
	for (int i = 0; status == 0 && i < threads; i++) {
		pthread_t thread;

		if (pthread_create(&thread, NULL, child_caller_thread, binder_object_ref(object))) {
			binder_object_unref(object);
			status = BINDER_NO_MEMORY;
		} else {
			pthread_detach(thread);
		}
	}
	binder_object_unref(object);
	return status;
}

static int hold_objects(binder_parcel *data)
{
	int32_t count = 0;
	int status = binder_parcel_read_int32(data, &count);

	if (status == 0 && (count < 0 || count > MAX_HELD))
		return BINDER_BAD_VALUE;
	for (int32_t i = 0; status == 0 && i < count; i++) {
		binder_object *object = NULL;

		status = binder_parcel_read_object(data, &object);
		if (status)
			break;
		pthread_mutex_lock(&held_lock);
		if (held_count < MAX_HELD) {
			held[held_count++] = object;
			object = NULL;
		} else {
			status = BINDER_NO_MEMORY;
		}
		pthread_mutex_unlock(&held_lock);
		binder_object_unref(object);
	}
	return status;
}

static void drop_all_objects(void)
{
	binder_object *dropping[MAX_HELD];
	int count;

	pthread_mutex_lock(&held_lock);
	count = held_count;
	memcpy(dropping, held, sizeof(held[0]) * (size_t)count);
	held_count = 0;
	pthread_mutex_unlock(&held_lock);
	for (int i = 0; i < count; i++)
		binder_object_unref(dropping[i]);
}

static int reply_bytes(binder_parcel *data, binder_parcel *reply)
{
	static __thread uint8_t bytes[MAX_REPLY_BYTES];
	int32_t size = 0, seed = 0;
	int status = binder_parcel_read_int32(data, &size);

	if (status == 0)
		status = binder_parcel_read_int32(data, &seed);
	if (status)
		return status;
	if (size < 0 || size > MAX_REPLY_BYTES)
		return BINDER_BAD_VALUE;
	for (int32_t i = 0; i < size; i++)
		bytes[i] = (uint8_t)(seed + i);
	return binder_parcel_write_byte_array(reply, bytes, (size_t)size);
}

static int service_transact(binder_object *self, uint32_t code, binder_parcel *data,
                            binder_parcel *reply, const struct binder_caller *caller,
                            void *user_data)
{
	int32_t a = 0, b = 0;
	int status;
	(void)self;
	(void)caller;
	(void)user_data;

	switch (code) {
	case CODE_ADD:
		if (binder_parcel_read_int32(data, &a) || binder_parcel_read_int32(data, &b))
			return BINDER_BAD_VALUE;
		return binder_parcel_write_int32(reply, a + b);
	case CODE_GET_TARGET:
		return binder_parcel_write_object(reply, child_target);
	case CODE_SLEEP_MS:
		status = binder_parcel_read_int32(data, &a);
		if (status == 0 && a >= 0 && a <= 1000)
			sleep_ms(a);
		return status;
	case CODE_BLOCK:
		atomic_fetch_add(&blocked_calls, 1);
		/* Far beyond the caller's 10 s wait for every call to block:
		 * a call must not end by itself before the close. */
		for (int i = 0; i < 6000; i++)
			sleep_ms(10);
		atomic_fetch_sub(&blocked_calls, 1);
		return 0;
	case CODE_BLOCKED_COUNT:
		return binder_parcel_write_int32(reply, atomic_load(&blocked_calls));
	case CODE_HOLD:
		return hold_objects(data);
	case CODE_DROP_ALL:
		drop_all_objects();
		return 0;
	case CODE_REPLY_BYTES:
		return reply_bytes(data, reply);
	case CODE_START_CALLERS:
		return start_child_callers(data);
	default:
		return BINDER_UNKNOWN_TRANSACTION;
	}
}

static const struct binder_local_ops service_ops = {.transact = service_transact};

static void serve_as_manager(int ready_fd)
{
	binder_context *context;
	binder_object *object;
	char byte = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(120);
	if (binder_context_new(NULL, &context) ||
	    binder_object_new_local(context, "stress.IService", &service_ops, NULL, &object) ||
	    binder_object_new_local(context, "stress.ITarget", &service_ops, NULL, &child_target) ||
	    binder_context_become_manager(context, object) ||
	    binder_context_start_thread_pool(context))
		_exit(2);
	if (write(ready_fd, &byte, 1) != 1)
		_exit(3);
	close(ready_fd);
	binder_context_join_thread_pool(context);
	_exit(0);
}

/* Forks a child serving an object as the context manager; returns its pid
 * once it is the manager (10 s at most). */
static pid_t start_service(void)
{
	struct pollfd entry = {.events = POLLIN};
	int ready[2];
	char byte;
	pid_t pid;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(ready[0]);
		serve_as_manager(ready[1]);
	}
	close(ready[1]);
	entry.fd = ready[0];
	cr_assert_eq(poll(&entry, 1, 10000), 1, "the service did not start");
	cr_assert_eq(read(ready[0], &byte, 1), 1, "the service did not become the manager");
	close(ready[0]);
	return pid;
}

static void stop_service(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static binder_context *open_context_with_pool(void)
{
	binder_context *context = NULL;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_start_thread_pool(context), 0);
	return context;
}

static void close_context(binder_context *context)
{
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}

/* ---- 1. one handle, proxies made and dropped on many threads ---- */

#define HANDLE_WORKERS    8
#define HANDLE_DROPPERS   2
#define HANDLE_ITERATIONS 1500

struct handle_stress {
	binder_object *manager;
	_Atomic(binder_object *) shared;
	atomic_int workers_done;
	atomic_int answered;
	atomic_int dropped;
};

struct handle_worker {
	struct handle_stress *stress;
	int number;
};

static void *handle_worker_thread(void *argument)
{
	struct handle_worker *worker = argument;
	struct handle_stress *stress = worker->stress;
	binder_parcel *empty = binder_parcel_new(), *reply = binder_parcel_new();

	for (int i = 0; i < HANDLE_ITERATIONS; i++) {
		binder_object *target = NULL, *previous;
		int32_t sum = 0;
		int status =
		        binder_object_transact(stress->manager, CODE_GET_TARGET, empty, reply, 0);

		if (status) {
			note_failure("worker %d: GET_TARGET: %s", worker->number,
			             binder_status_to_string(status));
			break;
		}
		atomic_fetch_add(&stress->answered, 1);
		status = binder_parcel_read_object(reply, &target);
		if (status || !target || binder_object_is_local(target)) {
			note_failure("worker %d: no proxy in the reply (%s)", worker->number,
			             binder_status_to_string(status));
			binder_object_unref(target);
			break;
		}
		/* The reply parcel holds the proxy too: reset it half the time
		 * so the next read has to find or make the proxy again. */
		if (i % 2)
			binder_parcel_reset(reply);
		status = call_add(target, i, worker->number, &sum);
		if (status || sum != i + worker->number) {
			note_failure("worker %d: add(%d, %d) gave %d (%s)", worker->number, i,
			             worker->number, sum, binder_status_to_string(status));
			binder_object_unref(target);
			break;
		}
		atomic_fetch_add(&stress->answered, 1);
		/* Every third proxy goes to the droppers instead. */
		if (i % 3 == 0) {
			previous = atomic_exchange(&stress->shared, target);
			binder_object_unref(previous);
		} else {
			binder_object_unref(target);
		}
	}
	binder_parcel_free(empty);
	binder_parcel_free(reply);
	atomic_fetch_add(&stress->workers_done, 1);
	return NULL;
}

static void *handle_dropper_thread(void *argument)
{
	struct handle_stress *stress = argument;

	/* Bounded: the workers finish in HANDLE_ITERATIONS calls each. */
	for (int i = 0; i < 2000000 && atomic_load(&stress->workers_done) < HANDLE_WORKERS; i++) {
		binder_object *proxy = atomic_exchange(&stress->shared, NULL);

		if (!proxy) {
			sched_yield();
			continue;
		}
		if (i % 8 == 0 && binder_object_ping(proxy) != 0)
			note_failure("dropper: ping of a live proxy failed");
		binder_object_unref(proxy);
		atomic_fetch_add(&stress->dropped, 1);
	}
	return NULL;
}

Test(runtime_stress, one_handle_proxies_on_many_threads, .timeout = 120)
{
	pid_t pid = start_service();
	binder_context *context = open_context_with_pool();
	struct handle_stress stress = {0};
	struct handle_worker workers[HANDLE_WORKERS];
	pthread_t worker_threads[HANDLE_WORKERS], dropper_threads[HANDLE_DROPPERS];
	binder_object *target = NULL;
	binder_parcel *reply = binder_parcel_new();
	int32_t sum = 0;

	cr_assert_eq(binder_context_manager(context, &stress.manager), 0);
	cr_assert_eq(binder_object_ping(stress.manager), 0);
	for (int i = 0; i < HANDLE_WORKERS; i++) {
		workers[i] = (struct handle_worker){&stress, i};
		cr_assert_eq(
		        pthread_create(&worker_threads[i], NULL, handle_worker_thread, &workers[i]),
		        0);
	}
	for (int i = 0; i < HANDLE_DROPPERS; i++)
		cr_assert_eq(
		        pthread_create(&dropper_threads[i], NULL, handle_dropper_thread, &stress),
		        0);
	for (int i = 0; i < HANDLE_WORKERS; i++)
		pthread_join(worker_threads[i], NULL);
	for (int i = 0; i < HANDLE_DROPPERS; i++)
		pthread_join(dropper_threads[i], NULL);
	assert_no_thread_failures();
	cr_assert_eq(atomic_load(&stress.answered), HANDLE_WORKERS * HANDLE_ITERATIONS * 2,
	             "every call is answered");
	cr_log_info("one handle: %d calls, %d proxies dropped by other threads",
	            atomic_load(&stress.answered), atomic_load(&stress.dropped));
	binder_object_unref(atomic_exchange(&stress.shared, NULL));

	/* The handle still works from a fresh proxy afterwards. */
	cr_assert_eq(binder_object_transact(stress.manager, CODE_GET_TARGET, NULL, reply, 0), 0);
	cr_assert_eq(binder_parcel_read_object(reply, &target), 0);
	cr_assert_eq(call_add(target, 40, 2, &sum), 0);
	cr_assert_eq(sum, 42);
	binder_object_unref(target);
	binder_parcel_free(reply);
	binder_object_unref(stress.manager);
	close_context(context);
	stop_service(pid);
}

/* ---- 2. death links hammered from many threads, then the death ---- */

#define DEATH_LINKERS        6
#define DEATH_CALLERS        2
#define DEATH_MAX_COOKIES    16 /* per linker */
#define DEATH_OPERATIONS     3000
#define DEATH_MAX_OPERATIONS 300000
#define DEATH_MIN_CALLS      400
#define DEATH_SPARSE_ROUNDS  8
#define DEATH_COOKIES        (DEATH_LINKERS * DEATH_MAX_COOKIES)

static atomic_int death_fired[DEATH_COOKIES];
static atomic_int death_fired_total;
static atomic_int death_wrong_object;
static atomic_int death_sentinel_fired;
static binder_object *death_expected_proxy;

/* Linked last: recipients are called in the order they were linked, so
 * once it has run, every recipient the death calls has been called. */
static void on_sentinel_death(binder_object *who, void *cookie)
{
	(void)who;
	(void)cookie;
	atomic_fetch_add(&death_sentinel_fired, 1);
}

static void on_counted_death(binder_object *who, void *cookie)
{
	atomic_int *slot = cookie;

	if (who != death_expected_proxy || binder_object_is_alive(who))
		atomic_fetch_add(&death_wrong_object, 1);
	atomic_fetch_add(slot, 1);
	atomic_fetch_add(&death_fired_total, 1);
}

struct death_linker {
	binder_object *proxy;
	int number;
	int cookies; /* how many of its DEATH_MAX_COOKIES it uses */
	unsigned seed;
	atomic_int *calls; /* the callers' count: start once they run */
	bool linked[DEATH_MAX_COOKIES];
};

static void *death_linker_thread(void *argument)
{
	struct death_linker *linker = argument;

	for (int waited = 0; waited < 10000 && atomic_load(linker->calls) < DEATH_CALLERS; waited++)
		sleep_ms(1);
	/* At least DEATH_OPERATIONS, and on while the calls have not had
	 * their share (bounded). */
	for (int i = 0; i < DEATH_OPERATIONS ||
	                (i < DEATH_MAX_OPERATIONS && atomic_load(linker->calls) < DEATH_MIN_CALLS);
	     i++) {
		int index = rand_r(&linker->seed) % linker->cookies;
		atomic_int *cookie = &death_fired[linker->number * DEATH_MAX_COOKIES + index];
		bool again = rand_r(&linker->seed) % 8 == 0; /* the wrong operation on purpose */
		bool link = linker->linked[index] ? again : !again;
		int expected, status;

		if (link) {
			status = binder_object_link_to_death(linker->proxy, on_counted_death,
			                                     cookie);
			expected = linker->linked[index] ? BINDER_ALREADY_EXISTS : 0;
		} else {
			status = binder_object_unlink_to_death(linker->proxy, on_counted_death,
			                                       cookie);
			expected = linker->linked[index] ? 0 : BINDER_NAME_NOT_FOUND;
		}
		if (status != expected) {
			note_failure("linker %d: %s of cookie %d gave %s, expected %s",
			             linker->number, link ? "link" : "unlink", index,
			             binder_status_to_string(status),
			             binder_status_to_string(expected));
			return NULL;
		}
		if (status == 0)
			linker->linked[index] = link;
	}
	return NULL;
}

struct death_caller {
	binder_object *proxy;
	atomic_int *linkers_done;
	atomic_int *calls;
};

static void *death_caller_thread(void *argument)
{
	struct death_caller *caller = argument;

	for (int i = 0; i < 100000 && atomic_load(caller->linkers_done) < DEATH_LINKERS; i++) {
		int32_t sum = 0;
		int status = call_add(caller->proxy, i, 1, &sum);

		if (status || sum != i + 1) {
			note_failure("caller: add during linking gave %s",
			             binder_status_to_string(status));
			break;
		}
		atomic_fetch_add(caller->calls, 1);
	}
	return NULL;
}

/* One round on a fresh service: linkers each toggle cookies_per_linker
 * recipients (few: the proxy's link count often goes back to zero, so its
 * driver registration comes and goes), then the service is killed. */
static void death_links_round(int round, int cookies_per_linker)
{
	pid_t pid = start_service();
	binder_context *context = open_context_with_pool();
	struct death_linker linkers[DEATH_LINKERS];
	struct death_caller callers[DEATH_CALLERS];
	pthread_t linker_threads[DEATH_LINKERS], caller_threads[DEATH_CALLERS];
	atomic_int linkers_done = 0, calls = 0;
	binder_object *proxy;
	int expected_total = 0, fired_total;

	for (int i = 0; i < DEATH_COOKIES; i++)
		atomic_store(&death_fired[i], 0);
	atomic_store(&death_fired_total, 0);
	cr_assert_eq(binder_context_manager(context, &proxy), 0);
	cr_assert_eq(binder_object_ping(proxy), 0);
	death_expected_proxy = proxy;
	for (int i = 0; i < DEATH_CALLERS; i++) {
		callers[i] = (struct death_caller){proxy, &linkers_done, &calls};
		cr_assert_eq(
		        pthread_create(&caller_threads[i], NULL, death_caller_thread, &callers[i]),
		        0);
	}
	for (int i = 0; i < DEATH_LINKERS; i++) {
		memset(&linkers[i], 0, sizeof(linkers[i]));
		linkers[i].proxy = proxy;
		linkers[i].number = i;
		linkers[i].cookies = cookies_per_linker;
		linkers[i].seed = 1234u + (unsigned)(round * DEATH_LINKERS + i);
		linkers[i].calls = &calls;
		cr_assert_eq(
		        pthread_create(&linker_threads[i], NULL, death_linker_thread, &linkers[i]),
		        0);
	}
	for (int i = 0; i < DEATH_LINKERS; i++) {
		pthread_join(linker_threads[i], NULL);
		atomic_fetch_add(&linkers_done, 1);
	}
	for (int i = 0; i < DEATH_CALLERS; i++)
		pthread_join(caller_threads[i], NULL);
	assert_no_thread_failures();
	cr_assert_eq(atomic_load(&death_fired_total), 0, "a recipient fired before the death");
	for (int i = 0; i < DEATH_LINKERS; i++)
		for (int j = 0; j < cookies_per_linker; j++)
			expected_total += linkers[i].linked[j];
	cr_log_info("death links round %d: %d calls meanwhile, %d of %d recipients left linked",
	            round, atomic_load(&calls), expected_total, DEATH_LINKERS * cookies_per_linker);

	atomic_store(&death_sentinel_fired, 0);
	cr_assert_eq(binder_object_link_to_death(proxy, on_sentinel_death, NULL), 0);

	stop_service(pid);
	cr_assert_eq(wait_for_count(&death_sentinel_fired, 1, 10000), 1,
	             "round %d: the death was not delivered", round);
	fired_total = atomic_load(&death_fired_total);
	for (int i = 0; i < DEATH_LINKERS; i++)
		for (int j = 0; j < cookies_per_linker; j++)
			cr_expect_eq(
			        atomic_load(&death_fired[i * DEATH_MAX_COOKIES + j]),
			        linkers[i].linked[j] ? 1 : 0,
			        "round %d linker %d cookie %d (%s at the death) fired %d times",
			        round, i, j, linkers[i].linked[j] ? "linked" : "unlinked",
			        atomic_load(&death_fired[i * DEATH_MAX_COOKIES + j]));
	cr_assert_eq(fired_total, expected_total, "round %d: %d recipients fired, %d were linked",
	             round, fired_total, expected_total);
	cr_assert_eq(atomic_load(&death_wrong_object), 0, "a recipient got the wrong object");
	/* The death is known (the sentinel's link): calls fail at once. */
	cr_assert_eq(binder_object_ping(proxy), BINDER_DEAD_OBJECT);
	cr_assert_not(binder_object_is_alive(proxy));
	cr_assert_eq(binder_object_link_to_death(proxy, on_counted_death, &death_fired[0]),
	             BINDER_DEAD_OBJECT);
	binder_object_unref(proxy);
	close_context(context);
}

Test(runtime_stress, death_links_from_many_threads, .timeout = 180)
{
	death_links_round(0, DEATH_MAX_COOKIES);
	for (int round = 1; round <= DEATH_SPARSE_ROUNDS; round++)
		death_links_round(round, 1 + round % 2);
}

/* ---- 2b. death links on proxies made and dropped by many threads ---- */

#define CHURN_THREADS    4
#define CHURN_ITERATIONS 1500
#define CHURN_ROUNDS     4

static atomic_int churn_fired[CHURN_THREADS + 1];

static void on_churn_death(binder_object *who, void *cookie)
{
	(void)who;
	atomic_fetch_add((atomic_int *)cookie, 1);
}

struct churn_thread {
	binder_context *context;
	int number;
};

static void *churn_thread(void *argument)
{
	struct churn_thread *churn = argument;

	/* Each proxy's last unref clears its registration with the driver
	 * while another thread may make the next proxy and link it. */
	for (int i = 0; i < CHURN_ITERATIONS; i++) {
		binder_object *proxy = NULL;
		int status = binder_context_manager(churn->context, &proxy);

		if (status == 0) {
			status = binder_object_link_to_death(proxy, on_churn_death,
			                                     &churn_fired[churn->number]);
			/* Still linked from before on a proxy another thread held. */
			if (status == BINDER_ALREADY_EXISTS)
				status = 0;
		}
		binder_object_unref(proxy);
		if (status) {
			note_failure("churn %d: %s", churn->number,
			             binder_status_to_string(status));
			break;
		}
	}
	return NULL;
}

Test(runtime_stress, death_links_on_proxies_made_and_dropped, .timeout = 120)
{
	for (int round = 0; round < CHURN_ROUNDS; round++) {
		pid_t pid = start_service();
		binder_context *context = open_context_with_pool();
		struct churn_thread churns[CHURN_THREADS];
		pthread_t threads[CHURN_THREADS];
		binder_object *proxy;

		for (int i = 0; i <= CHURN_THREADS; i++)
			atomic_store(&churn_fired[i], 0);
		for (int i = 0; i < CHURN_THREADS; i++) {
			churns[i] = (struct churn_thread){context, i};
			cr_assert_eq(pthread_create(&threads[i], NULL, churn_thread, &churns[i]),
			             0);
		}
		for (int i = 0; i < CHURN_THREADS; i++)
			pthread_join(threads[i], NULL);
		assert_no_thread_failures();
		/* Every proxy of the churn is gone with its links: a fresh one. */
		cr_assert_eq(binder_context_manager(context, &proxy), 0);
		cr_assert_eq(binder_object_ping(proxy), 0);
		cr_assert_eq(binder_object_link_to_death(proxy, on_churn_death,
		                                         &churn_fired[CHURN_THREADS]),
		             0);
		stop_service(pid);
		wait_for_count(&churn_fired[CHURN_THREADS], 1, 10000);
		sleep_ms(100);
		cr_assert_eq(atomic_load(&churn_fired[CHURN_THREADS]), 1,
		             "round %d: the linked recipient fired %d times", round,
		             atomic_load(&churn_fired[CHURN_THREADS]));
		for (int i = 0; i < CHURN_THREADS; i++)
			cr_assert_eq(atomic_load(&churn_fired[i]), 0,
			             "round %d: a recipient of a dropped proxy fired", round);
		binder_object_unref(proxy);
		close_context(context);
	}
}

/* ---- 3. the last unref of a proxy while its death is in flight ---- */

#define RELEASE_ROUNDS 30

static atomic_int release_fired;
static atomic_int release_fired_by_cookie[4];
static atomic_int release_alive_in_recipient;

static void on_release_round_death(binder_object *who, void *cookie)
{
	intptr_t index = (intptr_t)cookie;

	/* who is valid during the call, even when the user dropped it. */
	if (binder_object_is_alive(who) || binder_object_handle(who) != 0)
		atomic_fetch_add(&release_alive_in_recipient, 1);
	if (index >= 1 && index <= 3)
		atomic_fetch_add(&release_fired_by_cookie[index], 1);
	atomic_fetch_add(&release_fired, 1);
}

static long elapsed_us(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000L + (now.tv_nsec - since->tv_nsec) / 1000;
}

struct release_race {
	pthread_barrier_t start;
	pid_t service;
	long kill_delay_us;
};

static void *release_killer_thread(void *argument)
{
	struct release_race *race = argument;

	pthread_barrier_wait(&race->start);
	if (race->kill_delay_us > 0)
		usleep((useconds_t)race->kill_delay_us);
	kill(race->service, SIGKILL);
	return NULL;
}

/* A service, a context with a pool, the manager's proxy with three
 * recipients linked. */
static binder_context *linked_manager(pid_t *service, binder_object **proxy)
{
	binder_context *context;

	*service = start_service();
	context = open_context_with_pool();
	cr_assert_eq(binder_context_manager(context, proxy), 0);
	cr_assert_eq(binder_object_ping(*proxy), 0);
	for (int cookie = 0; cookie < 3; cookie++)
		cr_assert_eq(binder_object_link_to_death(*proxy, on_release_round_death,
		                                         (void *)(intptr_t)(cookie + 1)),
		             0);
	return context;
}

Test(runtime_stress, proxy_released_while_death_in_flight, .timeout = 180)
{
	int fired_rounds = 0, status;
	long latency_us;
	struct timespec killed;
	binder_context *context;
	binder_object *proxy;
	pid_t service;

	/* How long a death takes to arrive here (not asserted): the rounds
	 * drop the proxy from a little before the kill to twice that after. */
	context = linked_manager(&service, &proxy);
	clock_gettime(CLOCK_MONOTONIC, &killed);
	kill(service, SIGKILL);
	cr_assert_eq(wait_for_count(&release_fired, 3, 10000), 3, "no death delivered");
	latency_us = elapsed_us(&killed);
	waitpid(service, &status, 0);
	binder_object_unref(proxy);
	close_context(context);
	atomic_store(&release_fired, 0);
	if (latency_us < 100)
		latency_us = 100;

	for (int round = 0; round < RELEASE_ROUNDS; round++) {
		/* The unref lands this long after the kill (negative: before). */
		long offset_us = -latency_us / 2 + round * (latency_us * 5 / 2) / RELEASE_ROUNDS;
		struct release_race race = {.kill_delay_us = offset_us < 0 ? -offset_us : 0};
		pthread_t killer;
		int before;

		for (int cookie = 1; cookie <= 3; cookie++)
			atomic_store(&release_fired_by_cookie[cookie], 0);
		context = linked_manager(&race.service, &proxy);
		before = atomic_load(&release_fired);
		pthread_barrier_init(&race.start, NULL, 2);
		cr_assert_eq(pthread_create(&killer, NULL, release_killer_thread, &race), 0);
		pthread_barrier_wait(&race.start);
		if (offset_us > 0)
			usleep((useconds_t)offset_us);
		binder_object_unref(proxy);
		pthread_join(killer, NULL);
		pthread_barrier_destroy(&race.start);
		waitpid(race.service, &status, 0);

		/* The pool may still be delivering: let it, then close. */
		sleep_ms(20);
		for (int cookie = 1; cookie <= 3; cookie++)
			cr_assert_leq(atomic_load(&release_fired_by_cookie[cookie]), 1,
			              "round %d: recipient %d fired twice", round, cookie);
		if (atomic_load(&release_fired) > before)
			fired_rounds++;
		close_context(context);
	}
	cr_assert_eq(atomic_load(&release_alive_in_recipient), 0,
	             "a recipient saw a live proxy or a wrong handle");
	cr_log_info("death in flight: death took %ld us; recipients fired in %d of %d rounds",
	            latency_us, fired_rounds, RELEASE_ROUNDS);
}

/* ---- 4. closing a context under blocked callers and busy pool threads ---- */

#define CLOSE_ROUNDS          5
#define CLOSE_BLOCKED_CALLERS 4

static atomic_int busy_handler_calls;

static int busy_transact(binder_object *self, uint32_t code, binder_parcel *data,
                         binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	atomic_fetch_add(&busy_handler_calls, 1);
	return service_transact(self, code, data, reply, caller, user_data);
}

static const struct binder_local_ops busy_ops = {.transact = busy_transact};

struct blocked_caller {
	binder_object *proxy;
	atomic_int *started;
	int status;
};

static void *blocked_caller_thread(void *argument)
{
	struct blocked_caller *caller = argument;

	atomic_fetch_add(caller->started, 1);
	caller->status = binder_object_transact(caller->proxy, CODE_BLOCK, NULL, NULL, 0);
	return NULL;
}

Test(runtime_stress, close_under_blocked_calls_and_busy_pool, .timeout = 180)
{
	for (int round = 0; round < CLOSE_ROUNDS; round++) {
		pid_t pid = start_service();
		binder_context *context = open_context_with_pool();
		struct blocked_caller callers[CLOSE_BLOCKED_CALLERS];
		pthread_t threads[CLOSE_BLOCKED_CALLERS];
		atomic_int started = 0;
		binder_object *proxy, *busy;
		binder_parcel *data = binder_parcel_new();
		int32_t blocked = 0;
		int handled_before;

		cr_assert_eq(binder_context_manager(context, &proxy), 0);
		cr_assert_eq(
		        binder_object_new_local(context, "stress.IBusy", &busy_ops, NULL, &busy),
		        0);
		/* The child's threads call back into busy, keeping our pool busy. */
		handled_before = atomic_load(&busy_handler_calls);
		binder_parcel_write_object(data, busy);
		binder_parcel_write_int32(data, 2);
		cr_assert_eq(binder_object_transact(proxy, CODE_START_CALLERS, data, NULL, 0), 0);
		binder_parcel_free(data);
		cr_assert_geq(wait_for_count(&busy_handler_calls, handled_before + 4, 10000),
		              handled_before + 4, "the pool got no calls");

		for (int i = 0; i < CLOSE_BLOCKED_CALLERS; i++) {
			callers[i] = (struct blocked_caller){proxy, &started, 1};
			cr_assert_eq(pthread_create(&threads[i], NULL, blocked_caller_thread,
			                            &callers[i]),
			             0);
		}
		/* Wait until the child has all of them blocked. */
		for (int waited = 0; waited < 10000 && blocked < CLOSE_BLOCKED_CALLERS;
		     waited += 10) {
			cr_assert_eq(call_with_int(proxy, CODE_BLOCKED_COUNT, 0, &blocked), 0);
			if (blocked < CLOSE_BLOCKED_CALLERS)
				sleep_ms(10);
		}
		cr_assert_eq(blocked, CLOSE_BLOCKED_CALLERS, "round %d: callers not blocked",
		             round);

		cr_assert_eq(binder_context_close(context), 0, "round %d", round);
		for (int i = 0; i < CLOSE_BLOCKED_CALLERS; i++) {
			pthread_join(threads[i], NULL);
			cr_assert_eq(callers[i].status, BINDER_DEAD_OBJECT,
			             "round %d: a blocked call returned %s", round,
			             binder_status_to_string(callers[i].status));
		}
		cr_assert_eq(binder_object_ping(proxy), BINDER_DEAD_OBJECT);
		cr_assert_not(binder_object_is_alive(proxy));
		cr_assert_eq(binder_context_close(context), 0, "closing twice");
		binder_object_unref(proxy);
		binder_object_unref(busy);
		binder_context_unref(context);
		stop_service(pid);
	}
}

/* ---- 5. local objects released by the holder and the owner at once ---- */

#define RELEASE_OBJECTS       64
#define RELEASE_OBJECT_ROUNDS 20

struct counted_object {
	atomic_int last_remote;
	atomic_int destroyed;
	atomic_int destroyed_before_last_remote;
};

static struct counted_object counted[RELEASE_OBJECTS];
static atomic_int counted_destroyed_total;

static void on_counted_last_remote(binder_object *self, void *user_data)
{
	struct counted_object *object = user_data;

	if (binder_object_user_data(self) != user_data)
		note_failure("on_last_remote_reference got another object");
	atomic_fetch_add(&object->last_remote, 1);
}

static void on_counted_destroy(void *user_data)
{
	struct counted_object *object = user_data;

	if (atomic_load(&object->last_remote) == 0)
		atomic_fetch_add(&object->destroyed_before_last_remote, 1);
	atomic_fetch_add(&object->destroyed, 1);
	atomic_fetch_add(&counted_destroyed_total, 1);
}

static const struct binder_local_ops counted_ops = {
        .transact = service_transact,
        .on_last_remote_reference = on_counted_last_remote,
        .destroy = on_counted_destroy,
};

struct owner_drop {
	binder_object **objects;
	pthread_barrier_t *start;
};

static void *owner_drop_thread(void *argument)
{
	struct owner_drop *drop = argument;

	pthread_barrier_wait(drop->start);
	for (int i = 0; i < RELEASE_OBJECTS; i++) {
		binder_object_unref(drop->objects[i]);
		drop->objects[i] = NULL;
	}
	return NULL;
}

Test(runtime_stress, local_objects_released_on_both_sides, .timeout = 120)
{
	pid_t pid = start_service();
	binder_context *context = open_context_with_pool();
	binder_object *proxy, *objects[RELEASE_OBJECTS];

	cr_assert_eq(binder_context_manager(context, &proxy), 0);
	for (int round = 0; round < RELEASE_OBJECT_ROUNDS; round++) {
		binder_parcel *data = binder_parcel_new();
		pthread_barrier_t start;
		struct owner_drop drop = {objects, &start};
		pthread_t owner;
		int status;

		memset(counted, 0, sizeof(counted));
		atomic_store(&counted_destroyed_total, 0);
		for (int i = 0; i < RELEASE_OBJECTS; i++)
			cr_assert_eq(binder_object_new_local(context, "stress.ICounted",
			                                     &counted_ops, &counted[i],
			                                     &objects[i]),
			             0);
		/* Half in one parcel, the rest one per call. */
		binder_parcel_write_int32(data, RELEASE_OBJECTS / 2);
		for (int i = 0; i < RELEASE_OBJECTS / 2; i++)
			binder_parcel_write_object(data, objects[i]);
		cr_assert_eq(binder_object_transact(proxy, CODE_HOLD, data, NULL, 0), 0);
		for (int i = RELEASE_OBJECTS / 2; i < RELEASE_OBJECTS; i++) {
			binder_parcel_reset(data);
			binder_parcel_write_int32(data, 1);
			binder_parcel_write_object(data, objects[i]);
			cr_assert_eq(binder_object_transact(proxy, CODE_HOLD, data, NULL, 0), 0);
		}
		binder_parcel_free(data);
		cr_assert_eq(atomic_load(&counted_destroyed_total), 0,
		             "round %d: destroyed while held", round);

		pthread_barrier_init(&start, NULL, 2);
		cr_assert_eq(pthread_create(&owner, NULL, owner_drop_thread, &drop), 0);
		pthread_barrier_wait(&start);
		status = binder_object_transact(proxy, CODE_DROP_ALL, NULL, NULL, 0);
		pthread_join(owner, NULL);
		pthread_barrier_destroy(&start);
		cr_assert_eq(status, 0);

		wait_for_count(&counted_destroyed_total, RELEASE_OBJECTS, 10000);
		sleep_ms(50); /* a second destroy would show now */
		for (int i = 0; i < RELEASE_OBJECTS; i++) {
			cr_assert_eq(atomic_load(&counted[i].last_remote), 1,
			             "round %d object %d: on_last_remote_reference ran %d times",
			             round, i, atomic_load(&counted[i].last_remote));
			cr_assert_eq(atomic_load(&counted[i].destroyed), 1,
			             "round %d object %d: destroy ran %d times", round, i,
			             atomic_load(&counted[i].destroyed));
			cr_assert_eq(atomic_load(&counted[i].destroyed_before_last_remote), 0,
			             "round %d object %d: destroyed while the child held it", round,
			             i);
		}
	}
	assert_no_thread_failures();
	binder_object_unref(proxy);
	close_context(context);
	stop_service(pid);
}

/* ---- 6. a thousand contexts in a row ---- */

#define CONTEXTS_IN_A_ROW 1000
#define CONTEXTS_WARM_UP  20

static void context_with_one_call(int iteration)
{
	binder_context *context;
	binder_object *manager;
	int32_t sum = 0;
	int status;

	status = binder_context_new(NULL, &context);
	cr_assert_eq(status, 0, "context %d: %s", iteration, binder_status_to_string(status));
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	status = call_add(manager, iteration, 1, &sum);
	cr_assert_eq(status, 0, "context %d: %s", iteration, binder_status_to_string(status));
	cr_assert_eq(sum, iteration + 1);
	binder_object_unref(manager);
	close_context(context);
}

Test(runtime_stress, thousand_contexts_in_a_row, .timeout = 180)
{
	pid_t pid = start_service();
	int fds_before, fds_after;
	long rss_before, rss_after;
	struct mallinfo2 heap_before, heap_after;

	for (int i = 0; i < CONTEXTS_WARM_UP; i++)
		context_with_one_call(i);
	fds_before = count_open_fds();
	rss_before = resident_kib();
	heap_before = mallinfo2();
	for (int i = CONTEXTS_WARM_UP; i < CONTEXTS_IN_A_ROW; i++)
		context_with_one_call(i);
	fds_after = count_open_fds();
	rss_after = resident_kib();
	heap_after = mallinfo2();
	cr_log_info("%d contexts: fds %d -> %d, RSS %ld -> %ld KiB (%+ld), heap in use %zu -> %zu "
	            "bytes (%+ld)",
	            CONTEXTS_IN_A_ROW, fds_before, fds_after, rss_before, rss_after,
	            rss_after - rss_before, heap_before.uordblks, heap_after.uordblks,
	            (long)heap_after.uordblks - (long)heap_before.uordblks);
	cr_assert_eq(fds_after, fds_before, "fds leaked: %d before, %d after", fds_before,
	             fds_after);
	/* Loose: a context's leftovers (a thread state is over 1 KiB) would
	 * show as hundreds of KiB. mallinfo2 says 0 under the sanitizers,
	 * whose leak checker covers this there. */
	if (heap_before.uordblks)
		cr_assert_lt((long)heap_after.uordblks - (long)heap_before.uordblks,
		             256L * (CONTEXTS_IN_A_ROW - CONTEXTS_WARM_UP),
		             "the heap grew by over 256 bytes per context");
	stop_service(pid);
}

/* ---- 7. reply buffers freed on other threads, area not exhausted ---- */

#define REPLY_CALLS      20000
#define REPLY_SIZE       2048
#define REPLY_PARCELS    8
#define REPLY_AREA_BYTES (1u << 20)

/* A bounded queue of parcels between two threads. */
struct parcel_queue {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	binder_parcel *items[REPLY_PARCELS];
	int32_t seeds[REPLY_PARCELS];
	int head, count;
};

static void queue_init(struct parcel_queue *queue)
{
	memset(queue, 0, sizeof(*queue));
	pthread_mutex_init(&queue->lock, NULL);
	pthread_cond_init(&queue->changed, NULL);
}

static void queue_destroy(struct parcel_queue *queue)
{
	pthread_mutex_destroy(&queue->lock);
	pthread_cond_destroy(&queue->changed);
}

static void queue_put(struct parcel_queue *queue, binder_parcel *parcel, int32_t seed)
{
	pthread_mutex_lock(&queue->lock);
	/* Never full: only REPLY_PARCELS parcels exist. */
	queue->items[(queue->head + queue->count) % REPLY_PARCELS] = parcel;
	queue->seeds[(queue->head + queue->count) % REPLY_PARCELS] = seed;
	queue->count++;
	pthread_cond_broadcast(&queue->changed);
	pthread_mutex_unlock(&queue->lock);
}

/* NULL after 10 s without an item. */
static binder_parcel *queue_take(struct parcel_queue *queue, int32_t *seed)
{
	struct timespec deadline;
	binder_parcel *parcel = NULL;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	pthread_mutex_lock(&queue->lock);
	while (queue->count == 0)
		if (pthread_cond_timedwait(&queue->changed, &queue->lock, &deadline))
			break;
	if (queue->count) {
		parcel = queue->items[queue->head];
		*seed = queue->seeds[queue->head];
		queue->head = (queue->head + 1) % REPLY_PARCELS;
		queue->count--;
	}
	pthread_mutex_unlock(&queue->lock);
	return parcel;
}

struct reply_stress {
	struct parcel_queue empty, filled;
	int checked;
};

static void *reply_freer_thread(void *argument)
{
	struct reply_stress *stress = argument;

	for (int i = 0; i < REPLY_CALLS; i++) {
		int32_t seed = 0;
		size_t length = 0;
		const void *bytes = NULL;
		binder_parcel *reply = queue_take(&stress->filled, &seed);

		if (!reply) {
			note_failure("freer: no reply after %d", i);
			return NULL;
		}
		if (seed >= 0) {
			const uint8_t *byte;

			if (binder_parcel_read_byte_array(reply, &bytes, &length) ||
			    length != REPLY_SIZE) {
				note_failure("freer: reply %d has no %d bytes", seed, REPLY_SIZE);
				return NULL;
			}
			byte = bytes;
			for (size_t j = 0; j < length; j++)
				if (byte[j] != (uint8_t)(seed + (int32_t)j)) {
					note_failure("freer: reply %d byte %zu is wrong", seed, j);
					return NULL;
				}
			stress->checked++;
		}
		/* Most replies go back to the driver from here; every fifth
		 * stays for the caller's next transact to reset. */
		if (i % 5)
			binder_parcel_reset(reply);
		queue_put(&stress->empty, reply, 0);
	}
	return NULL;
}

Test(runtime_stress, replies_freed_on_other_threads, .timeout = 180)
{
	pid_t pid = start_service();
	struct binder_context_options options;
	binder_context *context;
	binder_object *proxy;
	binder_parcel *data = binder_parcel_new(), *reply;
	struct reply_stress stress;
	pthread_t freer;
	int failed_call = -1, failed_status = 0;

	binder_context_options_init(&options);
	options.area_size = REPLY_AREA_BYTES;
	cr_assert_eq(binder_context_new(&options, &context), 0);
	cr_assert_eq(binder_context_manager(context, &proxy), 0);
	queue_init(&stress.empty);
	queue_init(&stress.filled);
	stress.checked = 0;
	for (int i = 0; i < REPLY_PARCELS; i++)
		queue_put(&stress.empty, binder_parcel_new(), 0);
	cr_assert_eq(pthread_create(&freer, NULL, reply_freer_thread, &stress), 0);

	for (int i = 0; i < REPLY_CALLS; i++) {
		int32_t seed = 0;
		int status;

		reply = queue_take(&stress.empty, &seed);
		if (!reply) {
			failed_call = i;
			break;
		}
		binder_parcel_reset(data);
		binder_parcel_write_int32(data, REPLY_SIZE);
		binder_parcel_write_int32(data, i);
		status = failed_call < 0
		                 ? binder_object_transact(proxy, CODE_REPLY_BYTES, data, reply, 0)
		                 : failed_status;
		if (status && failed_call < 0) {
			failed_call = i;
			failed_status = status;
		}
		/* The freer must see every item to end, even after a failure. */
		queue_put(&stress.filled, reply, status ? -1 : i);
	}
	pthread_join(freer, NULL);
	cr_assert_eq(failed_call, -1, "call %d of %d failed: %s", failed_call, REPLY_CALLS,
	             binder_status_to_string(failed_status));
	assert_no_thread_failures();
	cr_assert_eq(stress.checked, REPLY_CALLS);
	for (int i = 0; i < REPLY_PARCELS; i++) {
		int32_t seed;

		binder_parcel_free(queue_take(&stress.empty, &seed));
	}
	queue_destroy(&stress.empty);
	queue_destroy(&stress.filled);
	binder_parcel_free(data);
	binder_object_unref(proxy);
	close_context(context);
	stop_service(pid);
}
