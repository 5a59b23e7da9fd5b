/*
 * fuzz_processes.c - libFuzzer target for what binderd shares between
 * processes: up to CLIENT_MAX_PROCESSES fake processes in one input, some
 * connected as another user (when the fuzzer runs as root) whose budgets
 * (uid_budget.h) are set small here so that the inputs reach them, some
 * that never read their answers, and some granted direct reads of this
 * process's memory (the direct-read path of transactions). The layout is
 * in fuzz_processes_input.h; the operations are those of the write-stream
 * target (fuzz_ops.c). At the end everything is closed and nothing may be
 * left behind, budgets included.
 */
#include <linux/android/binder.h>
#include <string.h>
#include <unistd.h>

#include "binderd.h"
#include "fake_client.h"
#include "fuzz_common.h"
#include "fuzz_input.h"
#include "fuzz_ops.h"
#include "fuzz_processes_input.h"
#include "uid_budget.h"

/* The other user's budgets: small, so that a few processes reach them. */
#define FUZZ_UID_MAX_PROCS   4u
#define FUZZ_UID_MAX_THREADS 8u
#define FUZZ_UID_MAX_FDS     16u
#define FUZZ_UID_MAX_OUTPUT  (256u * 1024u)
#define FUZZ_MIN_PROCESSES   2u
#define FUZZ_MEMORY_SIZE     UINT16_MAX

/* What processes with direct reads grant: a copy of the send area. */
static uint8_t granted_memory[FUZZ_MEMORY_SIZE];
static size_t granted_size;
/* Which processes send their objectless transactions gathered. */
static bool gathers[CLIENT_MAX_PROCESSES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	uid_budget_set_limit(UID_PROCS, FUZZ_UID_MAX_PROCS);
	uid_budget_set_limit(UID_THREADS, FUZZ_UID_MAX_THREADS);
	uid_budget_set_limit(UID_FDS_IN_FLIGHT, FUZZ_UID_MAX_FDS);
	uid_budget_set_limit(UID_QUEUED_OUTPUT, FUZZ_UID_MAX_OUTPUT);
	return 0;
}

static void point_into_granted_memory(binder_uintptr_t *pointer)
{
	if (*pointer < granted_size)
		*pointer = (binder_uintptr_t)(uintptr_t)(granted_memory + *pointer);
}

/* A gather list wholly in our copy: its segments point into it too. */
static void point_list_into_granted_memory(binder_uintptr_t list_address)
{
	struct binderd_gather_list list;
	uint64_t start = (uint64_t)(uintptr_t)granted_memory;
	if (list_address < start || granted_size < sizeof(list) ||
	    list_address - start > granted_size - sizeof(list))
		return;
	uint8_t *at = granted_memory + (list_address - start);
	memcpy(&list, at, sizeof(list));
	for (size_t i = 0; i < BINDERD_MAX_GATHER_SEGMENTS; i++) {
		binder_uintptr_t address = list.segments[i].address;
		point_into_granted_memory(&address);
		list.segments[i].address = address;
	}
	memcpy(at, &list, sizeof(list));
}

/* world->adjust_stream: see fuzz_processes_input.h. */
static void adjust_direct(struct client_world *world, struct client_thread *thread, uint8_t *stream,
                          size_t size)
{
	if (!world->processes[thread->process].direct_reads)
		return;
	size_t position = 0;
	while (size - position >= sizeof(uint32_t)) {
		uint32_t cmd;
		memcpy(&cmd, stream + position, sizeof(cmd));
		position += sizeof(cmd);
		size_t argument_size = _IOC_SIZE(cmd);
		if (size - position < argument_size)
			return;
		if (cmd == BC_TRANSACTION || cmd == BC_REPLY || cmd == BC_TRANSACTION_SG ||
		    cmd == BC_REPLY_SG) {
			struct binder_transaction_data tr;
			memcpy(&tr, stream + position, sizeof(tr));
			tr.flags ^= BINDERD_TF_DIRECT;
			if (gathers[thread->process] && tr.offsets_size == 0)
				tr.flags ^= BINDERD_TF_GATHER;
			if (tr.flags & BINDERD_TF_DIRECT) {
				point_into_granted_memory(&tr.data.ptr.buffer);
				point_into_granted_memory(&tr.data.ptr.offsets);
			}
			if ((tr.flags & BINDERD_TF_DIRECT) && (tr.flags & BINDERD_TF_GATHER))
				point_list_into_granted_memory(tr.data.ptr.buffer);
			memcpy(stream + position, &tr, sizeof(tr));
		}
		position += argument_size;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor cursor = {data, size, 0};
	uint8_t world_flags, manager, manager_flags;
	if (!take_u8(&cursor, &world_flags) || !take_u8(&cursor, &manager) ||
	    !take_u8(&cursor, &manager_flags))
		return -1; /* not worth keeping */
	size_t process_count = FUZZ_MIN_PROCESSES + (world_flags & WORLD_COUNT_MASK);
	if (process_count > CLIENT_MAX_PROCESSES)
		process_count = CLIENT_MAX_PROCESSES;
	struct client_process_config configs[CLIENT_MAX_PROCESSES];
	uint8_t process_flags[CLIENT_MAX_PROCESSES];
	for (size_t i = 0; i < process_count; i++) {
		uint8_t flags = 0, area_code = 0;
		take_u8(&cursor, &flags);
		take_u8(&cursor, &area_code);
		process_flags[i] = flags;
		configs[i] = (struct client_process_config){
		        .area_size = fuzz_area_size(area_code),
		        .threads = 1 + (flags & PROCESS_THREADS_MASK),
		        .direct_reads = (flags & PROCESS_DIRECT_READS) != 0,
		        .map_area = true,
		        .deaf = (flags & PROCESS_DEAF) != 0,
		        .other_euid = (flags & PROCESS_OTHER_UID) != 0,
		        .euid = PROCESSES_OTHER_UID,
		};
	}
	granted_size = take_u16(&cursor);
	const uint8_t *send_area = take_bytes(&cursor, &granted_size);
	memcpy(granted_memory, send_area, granted_size);

	size_t fds_before = count_open_fds();
	static struct client_world world;
	int error = world_init(&world, send_area, granted_size, fuzz_null_fd,
	                       (world_flags & WORLD_BAD_FD_NUMBERS) != 0,
	                       (world_flags & WORLD_SMALL_BUFFERS) != 0);
	if (error < 0)
		fuzz_fail("cannot set up the world: %s", strerror(-error));
	world.adjust_stream = adjust_direct;
	memset(gathers, 0, sizeof(gathers));
	for (size_t i = 0; i < process_count; i++) {
		gathers[world.process_count] = (process_flags[i] & PROCESS_GATHER) != 0;
		error = world_add_process(&world, &configs[i]);
		/* Another user's process may be refused (its budget): not ours. */
		if (error < 0 && !configs[i].other_euid)
			fuzz_fail("cannot set up process %zu: %s", i, strerror(-error));
	}
	world_pump(&world);
	if (!(world_flags & WORLD_NO_MANAGER) && world.process_count > 0) {
		make_context_manager(&world, manager, (world_flags & WORLD_MANAGER_EXT) != 0,
		                     manager_flags & ~SMALL_SOCKET_BUFFERS);
		world_pump(&world);
	}
	play(&world, &cursor);

	world_close(&world);
	world_pump(&world);
	fuzz_release_and_check_clean(fds_before);
	for (enum uid_resource resource = 0; resource < UID_RESOURCE_COUNT; resource++)
		if (uid_budget_used(PROCESSES_OTHER_UID, resource) != 0 ||
		    uid_budget_used(getuid(), resource) != 0)
			fuzz_fail("%s still charged after every process was released",
			          uid_resource_name(resource));
	return 0;
}
