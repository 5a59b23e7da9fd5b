/*
 * preload_real.c - finds libc's own definitions of the functions the
 * LD_PRELOAD library interposes (dlsym(RTLD_NEXT, ...)), once.
 */
#include "preload.h"

#include <dlfcn.h>
#include <pthread.h>

static struct preload_real real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

#define RESOLVE(name) (real.name = (__typeof__(real.name))dlsym(RTLD_NEXT, #name))

static void resolve(void)
{
	RESOLVE(open);
	RESOLVE(open64);
	RESOLVE(openat);
	RESOLVE(openat64);
	RESOLVE(mmap);
	RESOLVE(mmap64);
	RESOLVE(munmap);
	RESOLVE(ioctl);
	RESOLVE(poll);
	RESOLVE(ppoll);
	RESOLVE(close);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(fcntl);
	RESOLVE(fcntl64);
	/* Older libcs have no fcntl64; the plain one does the same on 64-bit. */
	if (!real.fcntl64)
		real.fcntl64 = real.fcntl;
	if (!real.open64)
		real.open64 = real.open;
	if (!real.openat64)
		real.openat64 = real.openat;
	if (!real.mmap64)
		real.mmap64 = (__typeof__(real.mmap64))real.mmap;
}

const struct preload_real *preload_real(void)
{
	pthread_once(&real_once, resolve);
	return &real;
}

__attribute__((constructor)) static void preload_start(void)
{
	preload_real();
}
