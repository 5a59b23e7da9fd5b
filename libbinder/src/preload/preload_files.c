/*
 * preload_files.c - which fds of the program stand for a binder device,
 * and which mappings are device areas. Lookups by fd are lock-free (one
 * atomic load in a table indexed by fd); changes take a mutex. A device is
 * closed when no fd and no mapping refer to it, as the kernel releases a
 * binder file on its last reference.
 */
#include "preload.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "device_internal.h"

struct preload_file {
	binder_device *device;
	unsigned references; /* fds + the mapping */
	void *area;          /* mapped area, or NULL */
	size_t area_length;
	struct preload_file *next; /* all files */
};

static struct preload_file *files_by_fd[PRELOAD_MAX_FD];
static struct preload_file *all_files;
static unsigned fd_count;     /* fds in files_by_fd */
static unsigned mapped_count; /* files with an area */
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t files_once = PTHREAD_ONCE_INIT;

static void files_before_fork(void)
{
	pthread_mutex_lock(&files_lock);
}

static void files_after_fork_in_parent(void)
{
	pthread_mutex_unlock(&files_lock);
}

/* A child does not inherit the areas (they are MADV_DONTFORK, like the
 * kernel's VM_DONTCOPY): forget them, so that its own mappings at those
 * addresses are left alone. The devices stay, unusable, until closed. */
static void files_after_fork_in_child(void)
{
	struct preload_file *file;

	for (file = all_files; file; file = file->next) {
		if (file->area) {
			binder_device_forget_area(file->device);
			file->area = NULL;
			file->references--;
		}
	}
	__atomic_store_n(&mapped_count, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&files_lock);
}

static void files_start(void)
{
	pthread_atfork(files_before_fork, files_after_fork_in_parent, files_after_fork_in_child);
}

bool preload_any_device(void)
{
	return __atomic_load_n(&fd_count, __ATOMIC_RELAXED) != 0;
}

binder_device *preload_device_for_fd(int fd)
{
	struct preload_file *file;

	if (fd < 0 || fd >= PRELOAD_MAX_FD || !preload_any_device())
		return NULL;
	file = __atomic_load_n(&files_by_fd[fd], __ATOMIC_ACQUIRE);
	return file ? file->device : NULL;
}

/* Removes file from all_files and returns its device if nothing refers
 * to it any more. Caller holds files_lock. */
static binder_device *release_reference(struct preload_file *file)
{
	struct preload_file **link;
	binder_device *device;

	if (--file->references)
		return NULL;
	for (link = &all_files; *link != file; link = &(*link)->next)
		;
	*link = file->next;
	device = file->device;
	free(file);
	return device;
}

int preload_add_device(int fd, binder_device *device)
{
	struct preload_file *file;

	if (fd < 0 || fd >= PRELOAD_MAX_FD)
		return -EMFILE;
	pthread_once(&files_once, files_start);
	file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;
	file->device = device;
	file->references = 1;
	pthread_mutex_lock(&files_lock);
	file->next = all_files;
	all_files = file;
	__atomic_store_n(&files_by_fd[fd], file, __ATOMIC_RELEASE);
	__atomic_add_fetch(&fd_count, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&files_lock);
	return 0;
}

void preload_share_fd(int fd, int new_fd)
{
	struct preload_file *file;
	binder_device *unused = NULL;

	if (fd < 0 || fd >= PRELOAD_MAX_FD || new_fd < 0 || new_fd >= PRELOAD_MAX_FD)
		return;
	pthread_mutex_lock(&files_lock);
	file = files_by_fd[fd];
	if (file) {
		struct preload_file *replaced = files_by_fd[new_fd];

		file->references++;
		__atomic_store_n(&files_by_fd[new_fd], file, __ATOMIC_RELEASE);
		if (replaced)
			unused = release_reference(replaced);
		else
			__atomic_add_fetch(&fd_count, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&files_lock);
	binder_device_close(unused);
}

void preload_drop_fd(int fd)
{
	struct preload_file *file;
	binder_device *unused = NULL;

	if (fd < 0 || fd >= PRELOAD_MAX_FD)
		return;
	pthread_mutex_lock(&files_lock);
	file = files_by_fd[fd];
	if (file) {
		__atomic_store_n(&files_by_fd[fd], NULL, __ATOMIC_RELEASE);
		__atomic_sub_fetch(&fd_count, 1, __ATOMIC_RELAXED);
		unused = release_reference(file);
	}
	pthread_mutex_unlock(&files_lock);
	binder_device_close(unused);
}

void preload_note_mapping(int fd, void *area, size_t length)
{
	struct preload_file *file;

	if (fd < 0 || fd >= PRELOAD_MAX_FD)
		return;
	pthread_mutex_lock(&files_lock);
	file = files_by_fd[fd];
	if (file && !file->area) {
		file->area = area;
		file->area_length = length;
		file->references++;
		__atomic_add_fetch(&mapped_count, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&files_lock);
}

void preload_drop_mapping(void *address, size_t length)
{
	struct preload_file *file;
	binder_device *unused = NULL;

	if (__atomic_load_n(&mapped_count, __ATOMIC_RELAXED) == 0)
		return;
	pthread_mutex_lock(&files_lock);
	for (file = all_files; file; file = file->next) {
		if (!file->area || (char *)address > (char *)file->area ||
		    (char *)address + length < (char *)file->area + file->area_length)
			continue;
		/* The whole area goes: the device must not unmap it again. */
		binder_device_forget_area(file->device);
		file->area = NULL;
		__atomic_sub_fetch(&mapped_count, 1, __ATOMIC_RELAXED);
		unused = release_reference(file);
		break;
	}
	pthread_mutex_unlock(&files_lock);
	binder_device_close(unused);
}
