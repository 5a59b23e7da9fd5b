/*
 * fuzz_processes_input.h - the layout of one input of the processes fuzzer
 * (fuzz_processes.c), shared with its seed generator
 * (make_process_seeds.c). All integers are little-endian.
 *
 *   u8  world        bits 0-2: processes minus two (2 to 9, at most
 *                    CLIENT_MAX_PROCESSES); WORLD_* bits below
 *   u8  manager      which process is the context manager (modulo)
 *   u8  object       the manager object's flags (MANAGER_* of fuzz_input.h,
 *                    bits 0-6)
 *   per process:
 *   u8  flags        bits 0-1: threads minus one; PROCESS_* bits below
 *   u8  area         receive area size code (fuzz_area_size)
 *   u16 send_size    then send_size bytes: every thread's send area, and
 *                    the memory that processes with direct reads grant
 *   operations as in fuzz_input.h, until the input ends.
 *
 * In a process that was granted direct reads, every BC_TRANSACTION,
 * BC_REPLY and their _SG forms has BINDERD_TF_DIRECT flipped before it is
 * sent (so that seeds written for send areas read directly), and when it
 * is then set, data pointers below send_size become addresses of our copy
 * of those bytes. In a PROCESS_GATHER process, a transaction without
 * objects has BINDERD_TF_GATHER flipped too; when it is then set with
 * BINDERD_TF_DIRECT, its data pointer names a struct binderd_gather_list
 * in our copy, whose segment addresses below send_size become addresses
 * of our copy in the same way.
 */
#ifndef FUZZ_PROCESSES_INPUT_H
#define FUZZ_PROCESSES_INPUT_H

#define WORLD_COUNT_MASK     0x07u
#define WORLD_SMALL_BUFFERS  0x08u
#define WORLD_BAD_FD_NUMBERS 0x10u
#define WORLD_NO_MANAGER     0x20u
#define WORLD_MANAGER_EXT    0x40u

#define PROCESS_THREADS_MASK 0x03u
#define PROCESS_DIRECT_READS 0x04u /* HELLO offers a probe of our memory */
#define PROCESS_OTHER_UID    0x08u /* connects as PROCESSES_OTHER_UID */
#define PROCESS_DEAF         0x10u /* never reads its thread channels */
#define PROCESS_GATHER       0x20u /* with direct reads: see below */

/* The unprivileged user that PROCESS_OTHER_UID processes connect as, when
 * the fuzzer runs as root ("nobody"). */
#define PROCESSES_OTHER_UID 65534u

#endif
