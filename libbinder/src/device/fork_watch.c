/*
 * fork_watch.c - counts forks (pthread_atfork child handler) so that the
 * device layer can see cheaply that it runs in a child that inherited a
 * device it must not use, and caches the process id for process_vm_readv.
 */
#include "fork_watch.h"

#include <pthread.h>
#include <unistd.h>

static pthread_once_t fork_watch_once = PTHREAD_ONCE_INIT;
static unsigned long fork_generation;
static pid_t self_pid;

static void fork_watch_in_child(void)
{
	__atomic_add_fetch(&fork_generation, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&self_pid, getpid(), __ATOMIC_RELAXED);
}

static void fork_watch_start(void)
{
	__atomic_store_n(&self_pid, getpid(), __ATOMIC_RELAXED);
	pthread_atfork(NULL, NULL, fork_watch_in_child);
}

unsigned long binder_fork_generation(void)
{
	pthread_once(&fork_watch_once, fork_watch_start);
	return __atomic_load_n(&fork_generation, __ATOMIC_RELAXED);
}

pid_t binder_self_pid(void)
{
	pthread_once(&fork_watch_once, fork_watch_start);
	return __atomic_load_n(&self_pid, __ATOMIC_RELAXED);
}
