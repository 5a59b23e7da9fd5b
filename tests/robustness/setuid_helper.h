/*
 * setuid_helper.h - what abuse_exec.c and its setuid-root helper program
 * (setuid_helper.c) agree on: where the helper keeps a secret, and what.
 */
#ifndef ROBUSTNESS_SETUID_HELPER_H
#define ROBUSTNESS_SETUID_HELPER_H

/* Free in a plain and in an AddressSanitizer address space (high memory:
 * above ASan's shadow, below its allocator at 0x600000000000 and below
 * executables and libraries). */
#define SETUID_HELPER_SECRET_ADDRESS 0x4a0000000000ull
#define SETUID_HELPER_SECRET         "root-only secret of the setuid helper"
/* The helper's mapping there: the secret, then zeros. A call of all of
 * it is large enough for binderd's process_vm_readv path (64 KiB up). */
#define SETUID_HELPER_SECRET_SIZE (128u << 10)

/* The helper's argument to run as a plain program (not set-user-ID). */
#define SETUID_HELPER_PLAIN "plain"

/* Exit statuses of the helper, besides 0. */
#define SETUID_HELPER_NOT_ROOT  3 /* the set-user-ID bit did not take */
#define SETUID_HELPER_NO_SECRET 4 /* could not map the secret's page */

#endif
