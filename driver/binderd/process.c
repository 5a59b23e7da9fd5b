/*
 * process.c - binder processes: one per connection to binderd's socket
 * (the process channel). Handles the process-channel requests (hello,
 * mmap, new thread, security context), hands out handle numbers, wakes
 * threads for process-wide work, and reclaims everything when the process
 * goes away.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "binderd.h"
#include "direct_reads.h"
#include "log.h"
#include "ratelimit.h"

unsigned binderd_hello_timeout_seconds = BINDERD_DEFAULT_HELLO_TIMEOUT_SECONDS;

static void proc_on_request(void *owner, const struct binderd_request *request,
                            const uint8_t *payload, int *fds, size_t fd_count);
static void proc_on_close(void *owner);

static const struct channel_handlers proc_handlers = {
        .on_request = proc_on_request,
        .on_close = proc_on_close,
};

static void read_security_context(struct proc *proc, int fd)
{
	char label[256];
	socklen_t length = sizeof(label) - 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERSEC, label, &length) == 0 && length > 0) {
		label[length] = '\0';
		proc->security_ctx = strdup(label);
	}
}

void proc_accept(int fd)
{
	struct ucred credentials;
	socklen_t length = sizeof(credentials);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0) {
		log_warning("SO_PEERCRED failed: %s", strerror(errno));
		close(fd);
		return;
	}
	static struct ratelimit refusals;
	unsigned long suppressed;
	if (binderd_device.proc_count >= BINDERD_MAX_PROCS) {
		if (ratelimit_allow(&refusals, &suppressed))
			log_warning("refusing pid %d: %zu processes already (%lu more refused)",
			            credentials.pid, binderd_device.proc_count, suppressed);
		close(fd);
		return;
	}
	struct proc *proc = calloc(1, sizeof(*proc));
	if (!proc) {
		close(fd);
		return;
	}
	proc->debug_id = next_debug_id();
	proc->pid = credentials.pid;
	proc->euid = credentials.uid;
	proc->area.memfd = -1;
	proc->pidfd = proc->opened_pidfd = -1;
	TAILQ_INIT(&proc->threads);
	TAILQ_INIT(&proc->waiting_threads);
	work_list_init(&proc->todo);
	work_list_init(&proc->delivered_death);
	read_security_context(proc, fd);
	int error =
	        channel_open(&proc->channel, fd, BINDERD_MAX_PROCESS_PAYLOAD, &proc_handlers, proc);
	if (error == 0) {
		/* A share of the slots per uid, and no slot held without HELLO. */
		error = channel_account_to(&proc->channel, proc->euid, UID_PROCS);
		if (error == 0 && binderd_hello_timeout_seconds)
			error = channel_set_deadline(&proc->channel, binderd_hello_timeout_seconds,
			                             "no hello in time");
		if (error) {
			channel_close(&proc->channel);
			fd = -1;
		}
	}
	if (error) {
		if (error == -EDQUOT && ratelimit_allow(&refusals, &suppressed))
			log_warning("refusing pid %d: uid %u holds %zu connections (%lu more "
			            "refused)",
			            credentials.pid, (unsigned)credentials.uid,
			            uid_budget_used(credentials.uid, UID_PROCS), suppressed);
		if (fd >= 0)
			close(fd);
		free(proc->security_ctx);
		free(proc);
		return;
	}
	peer_pidfd_open(proc, fd);
	TAILQ_INSERT_TAIL(&binderd_device.procs, proc, entry);
	binderd_device.proc_count++;
	debug_object_created(DEBUG_OBJECT_PROC);
	log_debug("proc %d (uid %d) connected", proc->pid, proc->euid);
}

static void reply(struct proc *proc, int32_t status, const void *payload, size_t size,
                  const int *fds, size_t fd_count)
{
	struct iovec iov = {(void *)payload, size};
	channel_send(&proc->channel, BINDERD_MSG_RESULT, status, &iov, payload ? 1 : 0, fds,
	             fd_count);
}

static void close_all(int *fds, size_t count)
{
	for (size_t i = 0; i < count; i++)
		close(fds[i]);
}

/* A label BINDERD_OP_SET_SECURITY_CONTEXT accepts: 1 to
 * BINDERD_MAX_SECURITY_CONTEXT_SIZE bytes of printable ASCII. */
static bool security_context_valid(const uint8_t *label, size_t size)
{
	if (size == 0 || size > BINDERD_MAX_SECURITY_CONTEXT_SIZE)
		return false;
	for (size_t i = 0; i < size; i++)
		if (label[i] < 0x20 || label[i] > 0x7e)
			return false;
	return true;
}

/* A process that may speak for others: root, or binderd's own user. */
static bool proc_trusted(const struct proc *proc)
{
	return proc->euid == 0 || proc->euid == geteuid();
}

static void set_security_context(struct proc *proc, const struct binderd_request *request,
                                 const uint8_t *payload)
{
	if (request->arg != 0 || !security_context_valid(payload, request->payload_size)) {
		log_debug("proc %d: bad security context request", proc->pid);
		reply(proc, -EINVAL, NULL, 0, NULL, 0);
		return;
	}
	/* Printable ASCII: safe to log as it is. */
	int size = (int)request->payload_size;
	if (!proc_trusted(proc)) {
		log_warning("proc %d (uid %u) may not set its security context (to \"%.*s\")",
		            proc->pid, (unsigned)proc->euid, size, (const char *)payload);
		reply(proc, -EPERM, NULL, 0, NULL, 0);
		return;
	}
	char *label = strndup((const char *)payload, request->payload_size);
	if (!label) {
		reply(proc, -ENOMEM, NULL, 0, NULL, 0);
		return;
	}
	log_info("proc %d (uid %u) set its security context to \"%s\" (was \"%s\")", proc->pid,
	         (unsigned)proc->euid, label, proc->security_ctx ? proc->security_ctx : "");
	free(proc->security_ctx);
	proc->security_ctx = label;
	reply(proc, 0, NULL, 0, NULL, 0);
}

/* BINDERD_OP_KILL_NODE: one of the process's own nodes dies now. */
static void kill_node(struct proc *proc, const struct binderd_request *request,
                      const uint8_t *payload)
{
	uint64_t cookie;
	if (request->payload_size != sizeof(cookie)) {
		log_debug("proc %d: bad kill-node request", proc->pid);
		reply(proc, -EINVAL, NULL, 0, NULL, 0);
		return;
	}
	memcpy(&cookie, payload, sizeof(cookie));
	struct node *node = node_find(proc, (binder_uintptr_t)request->arg);
	if (!node || node->cookie != cookie) {
		log_debug("proc %d: kill-node: no node %llx", proc->pid,
		          (unsigned long long)request->arg);
		reply(proc, -ENOENT, NULL, 0, NULL, 0);
		return;
	}
	if (node == binderd_device.manager_node) {
		log_warning("proc %d: the context manager's node cannot be killed alone",
		            proc->pid);
		reply(proc, -EINVAL, NULL, 0, NULL, 0);
		return;
	}
	log_debug("proc %d: node %llu (%llx) killed by its owner", proc->pid,
	          (unsigned long long)node->debug_id, (unsigned long long)node->ptr);
	/* The process lives on, and so do its buffers that target the node
	 * (a oneway call being served, say): their strong refs die with the
	 * node, as they would with the process, but the node's memory stays
	 * until the last of them is freed. */
	struct buffer *buffer, *next_buffer;
	HASH_ITER(hh, proc->area.by_offset, buffer, next_buffer)
	{
		if (buffer->target_node == node && !buffer->target_node_tmp) {
			node_inc_tmp(node);
			buffer->target_node_tmp = true;
		}
	}
	node_release(node);
	reply(proc, 0, NULL, 0, NULL, 0);
}

/* A thread channel must be a connected Unix stream socket whose other end
 * is not binderd's: 0, -ENOTSOCK, -ENOTCONN or -EINVAL. */
static int thread_socket_check(int fd)
{
	struct stat status;
	int type = 0, domain = 0;
	socklen_t type_size = sizeof(type), domain_size = sizeof(domain);
	if (fstat(fd, &status) < 0 || !S_ISSOCK(status.st_mode) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_size) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &domain_size) < 0 ||
	    type != SOCK_STREAM || domain != AF_UNIX)
		return -ENOTSOCK;
	struct ucred peer;
	socklen_t peer_size = sizeof(peer);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) < 0 || peer.pid == 0)
		return -ENOTCONN;
	if (peer.pid == getpid())
		return -EINVAL; /* a connection to binderd itself */
	return 0;
}

static void proc_on_request(void *owner, const struct binderd_request *request,
                            const uint8_t *payload, int *fds, size_t fd_count)
{
	struct proc *proc = owner;
	if (!proc->hello_done && request->op != BINDERD_OP_HELLO) {
		close_all(fds, fd_count);
		channel_fail(&proc->channel, "request before hello");
		return;
	}
	switch (request->op) {
	case BINDERD_OP_HELLO: {
		close_all(fds, fd_count);
		if (proc->hello_done || request->arg != BINDERD_PROTOCOL_VERSION ||
		    (request->payload_size != 0 &&
		     request->payload_size != sizeof(struct binderd_hello))) {
			reply(proc, -EPROTO, NULL, 0, NULL, 0);
			channel_fail(&proc->channel, "bad hello");
			return;
		}
		proc->hello_done = true;
		channel_clear_deadline(&proc->channel);
		if (request->payload_size) {
			struct binderd_hello probe;
			memcpy(&probe, payload, sizeof(probe));
			direct_reads_grant(proc, &probe);
		}
		log_debug("proc %d: %s", proc->pid,
		          proc->direct_reads ? "direct reads" : "payloads through send areas");
		struct binderd_hello_reply hello = {
		        .protocol_version = BINDERD_PROTOCOL_VERSION,
		        .pid = proc->pid,
		        .flags = (proc->direct_reads
		                          ? BINDERD_HELLO_DIRECT_READS | BINDERD_HELLO_GATHER_READS
		                          : 0) |
		                 BINDERD_HELLO_INLINE_PAYLOADS | BINDERD_HELLO_QUIET_WRITES |
		                 BINDERD_HELLO_HOLD_COMPLETE | BINDERD_HELLO_KILL_NODE,
		};
		reply(proc, 0, &hello, sizeof(hello), NULL, 0);
		return;
	}
	case BINDERD_OP_MMAP: {
		close_all(fds, fd_count);
		uint64_t user_base;
		if (request->payload_size != sizeof(user_base)) {
			reply(proc, -EINVAL, NULL, 0, NULL, 0);
			return;
		}
		memcpy(&user_base, payload, sizeof(user_base));
		if (request->arg == 0 || request->arg > SIZE_MAX) {
			reply(proc, -EINVAL, NULL, 0, NULL, 0);
			return;
		}
		int error = area_map(&proc->area, (size_t)request->arg, user_base);
		if (error) {
			reply(proc, error, NULL, 0, NULL, 0);
			return;
		}
		reply(proc, 0, NULL, 0, &proc->area.memfd, 1);
		return;
	}
	case BINDERD_OP_NEW_THREAD: {
		if (fd_count != 1) {
			close_all(fds, fd_count);
			reply(proc, -EINVAL, NULL, 0, NULL, 0);
			return;
		}
		int error = thread_socket_check(fds[0]);
		if (error == 0 && proc->thread_count >= BINDERD_MAX_THREADS_PER_PROC)
			error = -EMFILE;
		if (error) {
			close(fds[0]);
			reply(proc, error, NULL, 0, NULL, 0);
			return;
		}
		struct thread *thread = thread_new(proc, fds[0]);
		error = thread ? channel_account_to(&thread->channel, proc->euid, UID_THREADS)
		               : -ENOMEM;
		if (error && thread) {
			log_debug("proc %d: uid %u holds %zu thread channels", proc->pid,
			          (unsigned)proc->euid, uid_budget_used(proc->euid, UID_THREADS));
			thread_release(thread);
		} else if (!error) {
			debug_object_created(DEBUG_OBJECT_THREAD);
			peer_pidfd_watch(proc, &thread->channel);
		}
		reply(proc, error == -EDQUOT ? -EMFILE : error, NULL, 0, NULL, 0);
		return;
	}
	case BINDERD_OP_SET_SECURITY_CONTEXT:
		if (fd_count != 0) {
			close_all(fds, fd_count);
			reply(proc, -EINVAL, NULL, 0, NULL, 0);
			return;
		}
		set_security_context(proc, request, payload);
		return;
	case BINDERD_OP_KILL_NODE:
		if (fd_count != 0) {
			close_all(fds, fd_count);
			reply(proc, -EINVAL, NULL, 0, NULL, 0);
			return;
		}
		kill_node(proc, request, payload);
		return;
	default:
		close_all(fds, fd_count);
		reply(proc, -EINVAL, NULL, 0, NULL, 0);
		return;
	}
}

static void proc_on_close(void *owner)
{
	proc_release(owner);
}

int proc_desc_alloc(struct proc *proc, bool context_manager_node, uint32_t *desc)
{
	size_t start = context_manager_node ? 0 : 1;
	size_t word = proc->desc_search_from;
	for (;; word++) {
		if (word >= proc->desc_bitmap_words) {
			size_t words = proc->desc_bitmap_words ? proc->desc_bitmap_words * 2 : 4;
			uint64_t *bigger = realloc(proc->desc_bitmap, words * sizeof(uint64_t));
			if (!bigger)
				return -ENOMEM;
			memset(bigger + proc->desc_bitmap_words, 0,
			       (words - proc->desc_bitmap_words) * sizeof(uint64_t));
			proc->desc_bitmap = bigger;
			proc->desc_bitmap_words = words;
		}
		uint64_t used = proc->desc_bitmap[word];
		if (word == 0 && start == 1)
			used |= 1; /* desc 0 is only for the context manager */
		if (used == UINT64_MAX) {
			if (word == proc->desc_search_from)
				proc->desc_search_from = word + 1;
			continue;
		}
		unsigned bit = (unsigned)__builtin_ctzll(~used);
		proc->desc_bitmap[word] |= (uint64_t)1 << bit;
		*desc = (uint32_t)(word * 64 + bit);
		return 0;
	}
}

void proc_desc_free(struct proc *proc, uint32_t desc)
{
	size_t word = desc / 64;
	if (word >= proc->desc_bitmap_words)
		return;
	proc->desc_bitmap[word] &= ~((uint64_t)1 << (desc % 64));
	if (word < proc->desc_search_from)
		proc->desc_search_from = word;
}

struct thread *proc_select_thread(struct proc *proc)
{
	struct thread *thread = TAILQ_FIRST(&proc->waiting_threads);
	if (thread) {
		TAILQ_REMOVE(&proc->waiting_threads, thread, waiting_entry);
		thread->on_waiting_list = false;
	}
	return thread;
}

void proc_wakeup(struct proc *proc)
{
	if (proc->is_dead)
		return;
	struct thread *thread = proc_select_thread(proc);
	if (thread) {
		wake_thread(thread);
		return;
	}
	/* Nobody waits in a read: tell the threads that poll. */
	TAILQ_FOREACH(thread, &proc->threads, entry)
	{
		if ((thread->looper & LOOPER_POLL) && thread_available_for_proc_work(thread))
			wake_thread(thread);
	}
}

void release_work_list(struct work_list *list)
{
	struct work *work;
	while ((work = work_list_pop(list))) {
		switch (work->type) {
		case WORK_TRANSACTION: {
			struct txn *txn = (struct txn *)work;
			struct buffer *buffer = txn->buffer;
			struct proc *owner = txn->to_proc;
			if (buffer && buffer->target_node && !(txn->flags & TF_ONE_WAY))
				transaction_send_failed_reply(txn, BR_DEAD_REPLY);
			else
				transaction_free(txn);
			/* Undelivered, so nobody will BC_FREE_BUFFER it: free it
			 * here (the kernel leaves it until the process exits),
			 * which also lets the node's next oneway call through. A
			 * dead process's area goes as a whole. */
			if (buffer && owner && !owner->is_dead)
				buffer_free_from_owner(owner, buffer);
			break;
		}
		case WORK_TRANSACTION_COMPLETE:
			free(work);
			break;
		case WORK_DEAD_BINDER_AND_CLEAR:
		case WORK_CLEAR_DEATH_NOTIFICATION: {
			struct death *death = (struct death *)work;
			if (!death->ref)
				free(death);
			break;
		}
		case WORK_DEAD_BINDER:
		case WORK_RETURN_ERROR:
		case WORK_NODE:
			break;
		}
	}
}

void proc_release(struct proc *proc)
{
	if (proc->is_dead)
		return;
	proc->is_dead = true;
	log_debug("proc %d released", proc->pid);
	channel_close(&proc->channel);
	TAILQ_REMOVE(&binderd_device.procs, proc, entry);
	binderd_device.proc_count--;

	if (binderd_device.manager_node && binderd_device.manager_node->proc == proc)
		binderd_device.manager_node = NULL;

	struct thread *thread;
	while ((thread = TAILQ_FIRST(&proc->threads)))
		thread_release(thread);

	/* Nodes die: their holders hear of it. */
	struct node *node, *next_node;
	HASH_ITER(hh, proc->nodes, node, next_node)
	{
		node_release(node);
	}

	/* Refs go: the nodes they held may now be released. */
	struct ref *ref, *next_ref;
	HASH_ITER(hh_desc, proc->refs_by_desc, ref, next_ref)
	{
		ref_delete(ref);
	}

	release_work_list(&proc->todo);
	release_work_list(&proc->delivered_death);

	/* Buffers go with the area. As in the kernel, what their objects held
	 * went with the process's nodes and refs above. */
	struct buffer *buffer, *next_buffer;
	HASH_ITER(hh, proc->area.by_offset, buffer, next_buffer)
	{
		if (buffer->txn) {
			buffer->txn->buffer = NULL;
			buffer->txn = NULL;
		}
	}
	area_unmap(&proc->area);
	free(proc->desc_bitmap);
	proc->desc_bitmap = NULL;
	free(proc->security_ctx);
	proc->security_ctx = NULL;
	peer_pidfd_close(proc);
	direct_reads_end(proc);
	defer_free(proc);
	/* Hand the memory a process used back to the system. */
	trim_memory_later();
}

void proc_release_all(void)
{
	struct proc *proc;
	while ((proc = TAILQ_FIRST(&binderd_device.procs)))
		proc_release(proc);
}
