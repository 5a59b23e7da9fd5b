/*
 * fuzz_common.c - the input cursor, the setup and the end-of-input checks
 * that every binderd fuzz target shares (fuzz_common.h).
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "binderd.h"
#include "fake_client.h"

/* binderd's loop; main.c, which defines it in binderd, is not linked. */
struct event_base *binderd_event_base;

int fuzz_null_fd = -1;

bool take_u8(struct cursor *cursor, uint8_t *value)
{
	if (cursor->at >= cursor->size)
		return false;
	*value = cursor->data[cursor->at++];
	return true;
}

uint16_t take_u16(struct cursor *cursor)
{
	uint8_t low = 0, high = 0;
	take_u8(cursor, &low);
	take_u8(cursor, &high);
	return (uint16_t)(low | high << 8);
}

const uint8_t *take_bytes(struct cursor *cursor, size_t *size)
{
	size_t left = cursor->size - cursor->at;
	if (*size > left)
		*size = left;
	const uint8_t *bytes = cursor->data + cursor->at;
	cursor->at += *size;
	return bytes;
}

size_t count_open_fds(void)
{
	DIR *directory = opendir("/proc/self/fd");
	if (!directory)
		fuzz_fail("cannot list /proc/self/fd");
	size_t count = 0;
	struct dirent *entry;
	while ((entry = readdir(directory)))
		if (entry->d_name[0] != '.')
			count++;
	closedir(directory);
	return count;
}

void fuzz_setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	client_trace = getenv("FUZZ_BINDERD_TRACE") != NULL;
	binderd_event_base = event_base_new();
	channel_layer_init(binderd_event_base, after_event);
	fuzz_null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (!binderd_event_base || fuzz_null_fd < 0)
		fuzz_fail("cannot set up (event base or /dev/null)");
}

void fuzz_release_and_check_clean(size_t fds_before)
{
	proc_release_all();
	after_event();
	if (binderd_device.proc_count != 0)
		fuzz_fail("%zu processes left after all were released", binderd_device.proc_count);
	if (binderd_device.manager_node)
		fuzz_fail("the context manager node outlived every process");
	if (!TAILQ_EMPTY(&binderd_device.dead_nodes))
		fuzz_fail("dead nodes left after every process was released");
	if (wakeups_pending())
		fuzz_fail("wakeups pending for released threads");
	int events = event_base_get_num_events(binderd_event_base, EVENT_BASE_COUNT_ADDED);
	if (events != 0)
		fuzz_fail("%d events still registered after every process was released", events);
	size_t fds_after = count_open_fds();
	if (fds_after != fds_before)
		fuzz_fail("%zu fds open before the input, %zu after", fds_before, fds_after);
}
