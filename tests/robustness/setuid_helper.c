/*
 * setuid_helper.c - the set-user-ID-root program of abuse_exec.c (run as a
 * plain program too, with the argument "plain"): it keeps a secret at a
 * known address, writes its first byte of stderr (a NUL), and
 * waits (bounded) for a byte on stdin before it exits. An attacker that
 * execs it keeps binderd's process channel and made stderr its thread
 * channel, so that byte completes a request queued before the exec.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "setuid_helper.h"

/* Longest life of the helper, should nobody release it. */
#define HELPER_LIFETIME_SECONDS 20

int main(int argc, char **argv)
{
	alarm(HELPER_LIFETIME_SECONDS);
	bool plain = argc > 1 && strcmp(argv[1], SETUID_HELPER_PLAIN) == 0;
	if (!plain && geteuid() != 0)
		return SETUID_HELPER_NOT_ROOT;
	void *wanted = (void *)(uintptr_t)SETUID_HELPER_SECRET_ADDRESS;
	void *secret = mmap(wanted, SETUID_HELPER_SECRET_SIZE, PROT_READ | PROT_WRITE,
	                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (secret != wanted)
		return SETUID_HELPER_NO_SECRET;
	memcpy(secret, SETUID_HELPER_SECRET, sizeof(SETUID_HELPER_SECRET));
	static const char first_byte = '\0';
	if (write(STDERR_FILENO, &first_byte, 1) != 1)
		return 1;
	char release;
	if (read(STDIN_FILENO, &release, 1) < 0)
		return 1;
	return 0;
}
