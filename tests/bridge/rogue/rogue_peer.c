/*
 * rogue_peer.c - a misbehaving peer of a real bridged ("host B").
 *
 * It connects to bridged as the configured peer hosta (a valid certificate
 * of the test CA), sends a valid Hello and then abuses the protocol of
 * proto/bridge.proto, checking after each abuse that bridged answers as the
 * protocol says (an Error frame, an error Reply, a busy Reply, a closed
 * connection only where the stream cannot be resynchronised) and that a
 * legitimate call still works afterwards. Every frame bridged sends must
 * pass the frame codec's checks (bridged/frame.c), as a real peer's would.
 *
 *     rogue_peer --port PORT --certs DIR [--only TEXT] [--skip TEXT]...
 *                [--hold FILE]
 *
 * --only runs only the checks whose name contains TEXT, --skip not those
 * whose name contains TEXT (for debugging).
 * --hold makes the last check leave bridged waiting for us (a call it
 * made to us, calls of ours queued behind it), create FILE and wait for
 * the connection to close: the caller then stops bridged (SIGTERM).
 *
 * What host B must run (tests/bridge/rogue/rogue_test.sh sets it up):
 * bridged named hostb listening on 127.0.0.1:PORT with [peer hosta],
 * threads = 1 (one worker: frames that go to the workers are handled in
 * order, which the checks rely on), exporting "calculator"
 * (calculator_service) and "worker" (callback_service) to hosta, and a
 * service "hidden" it runs but does not export. DIR holds ca.crt and the
 * keys and certificates of hosta and hostc (a host of the CA that B does
 * not know).
 *
 * Output: one "ok" or "not ok" line per check (TAP-like) on stdout, the
 * reasons on stderr. Exit status 0 when every check passed.
 *
 * Every read waits at most READ_TIMEOUT_S seconds (SO_RCVTIMEO); the whole
 * run is bounded by an alarm.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "binder/status.h"
#include "frame.h"

#define READ_TIMEOUT_S 20
#define RUN_TIMEOUT_S  100
/* The largest frame we accept, announced in our Hello. */
#define OWN_MAX_FRAME_SIZE (1u << 20)
/* The node id we give our listener object (IListener) in calls to worker. */
#define LISTENER_NODE 1
/* An id no side ever gave out on these links. */
#define UNKNOWN_NODE 987654321u

/* The example services' transaction codes (FIRST_CALL_TRANSACTION...). */
#define CODE_ADD         1
#define CODE_SUM         1
#define CODE_ON_PROGRESS 1
#define ROGUE_OWN_NAME   "hosta"
#define ROGUE_PEER_NAME  "hostb"
#define ROGUE_STRANGER   "hostc"

static const char *certs_dir;
static int port;
static int failures;
static int checks;
static const char *current_check;
/* From host B's Hello. */
static uint32_t b_max_frame_size;
static uint32_t b_max_calls;

/* ---- reporting ---- */

__attribute__((format(printf, 1, 2))) static void fail(const char *format, ...)
{
	va_list arguments;
	fprintf(stderr, "rogue_peer: FAIL [%s]: ", current_check ? current_check : "setup");
	va_start(arguments, format);
	vfprintf(stderr, format, arguments);
	va_end(arguments);
	fputc('\n', stderr);
	failures++;
}

__attribute__((format(printf, 1, 2))) static void note(const char *format, ...)
{
	va_list arguments;
	fprintf(stderr, "rogue_peer: [%s] ", current_check ? current_check : "setup");
	va_start(arguments, format);
	vfprintf(stderr, format, arguments);
	va_end(arguments);
	fputc('\n', stderr);
}

/* A one-line description of a frame, for messages. */
static const char *describe(const Bridge__Frame *frame)
{
	static char text[1400];
	switch (frame->body_case) {
	case BRIDGE__FRAME__BODY_ERROR:
		snprintf(text, sizeof(text), "Error(call %" PRIu64 ", status %d: %s)",
		         frame->error->call_id, frame->error->status,
		         frame->error->message ? frame->error->message : "");
		break;
	case BRIDGE__FRAME__BODY_REPLY:
		snprintf(text, sizeof(text), "Reply(call %" PRIu64 ", status %d, %zu bytes)",
		         frame->reply->call_id, frame->reply->status, frame->reply->data.len);
		break;
	case BRIDGE__FRAME__BODY_TRANSACTION:
		snprintf(text, sizeof(text),
		         "Transaction(call %" PRIu64 ", chain %" PRIu64 ", node %" PRIu64
		         ", code %u, flags %u)",
		         frame->transaction->call_id, frame->transaction->chain_id,
		         frame->transaction->target_node, frame->transaction->code,
		         frame->transaction->flags);
		break;
	case BRIDGE__FRAME__BODY_IMPORT_REPLY:
		snprintf(text, sizeof(text),
		         "ImportReply(request %" PRIu64 ", status %d, node %" PRIu64 ", '%s')",
		         frame->import_reply->request_id, frame->import_reply->status,
		         frame->import_reply->node_id,
		         frame->import_reply->descriptor ? frame->import_reply->descriptor : "");
		break;
	case BRIDGE__FRAME__BODY_PONG:
		snprintf(text, sizeof(text), "Pong(%" PRIu64 ")", frame->pong->nonce);
		break;
	case BRIDGE__FRAME__BODY_RELEASE:
		snprintf(text, sizeof(text), "Release(node %" PRIu64 ", count %" PRIu64 ")",
		         frame->release->node_id, frame->release->count);
		break;
	default:
		snprintf(text, sizeof(text), "%s", frame_kind_name(frame));
	}
	return text;
}

/* ---- TLS sessions ---- */

enum io { IO_OK, IO_CLOSED, IO_TIMEOUT, IO_BAD };

static const char *io_name(enum io io)
{
	switch (io) {
	case IO_OK:
		return "ok";
	case IO_CLOSED:
		return "the connection closed";
	case IO_TIMEOUT:
		return "nothing within the read timeout";
	default:
		return "a bad frame from bridged";
	}
}

struct session {
	int fd;
	SSL_CTX *context;
	SSL *ssl;
	bool closed;
	uint64_t next_call_id;
	uint64_t next_chain_id;
	uint64_t next_nonce;
	uint64_t next_request_id;
	unsigned releases; /* Releases of our nodes seen */
	unsigned oneways;  /* oneway calls to our listener seen */
};

static SSL_CTX *tls_context(const char *name)
{
	char certificate[4096], key[4096], ca[4096];
	snprintf(certificate, sizeof(certificate), "%s/%s.crt", certs_dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", certs_dir, name);
	snprintf(ca, sizeof(ca), "%s/ca.crt", certs_dir);
	SSL_CTX *context = SSL_CTX_new(TLS_client_method());
	if (!context)
		return NULL;
	SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION);
	SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (SSL_CTX_use_certificate_chain_file(context, certificate) != 1 ||
	    SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(context, ca, NULL) != 1) {
		ERR_print_errors_fp(stderr);
		SSL_CTX_free(context);
		return NULL;
	}
	SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
	return context;
}

static void session_free(struct session *session)
{
	if (!session)
		return;
	if (session->ssl) {
		if (!session->closed)
			SSL_shutdown(session->ssl);
		SSL_free(session->ssl);
	}
	if (session->fd >= 0)
		close(session->fd);
	SSL_CTX_free(session->context);
	free(session);
}

/* TCP and TLS to host B, with the certificate of name. */
/* Connections made while this is set get a tiny receive buffer. */
static bool small_receive_buffer;

static struct session *session_connect(const char *name)
{
	struct session *session = calloc(1, sizeof(*session));
	if (!session) {
		fail("out of memory");
		return NULL;
	}
	session->fd = -1;
	session->next_call_id = 1;
	session->next_chain_id = 1; /* odd: bridged's chains on a link it accepted are even */
	session->next_nonce = 1;
	session->next_request_id = 1;
	session->context = tls_context(name);
	if (!session->context) {
		fail("cannot load the certificate of %s from %s", name, certs_dir);
		goto fail;
	}
	session->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (session->fd < 0) {
		fail("socket: %s", strerror(errno));
		goto fail;
	}
	struct timeval timeout = {READ_TIMEOUT_S, 0};
	setsockopt(session->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(session->fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	int one = 1;
	setsockopt(session->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (small_receive_buffer) {
		int size = 4096;
		setsockopt(session->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(session->fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
		fail("connect to 127.0.0.1:%d: %s (is bridged still there?)", port,
		     strerror(errno));
		goto fail;
	}
	session->ssl = SSL_new(session->context);
	if (!session->ssl) {
		fail("SSL_new failed");
		goto fail;
	}
	SSL_set_fd(session->ssl, session->fd);
	SSL_set1_host(session->ssl, ROGUE_PEER_NAME);
	SSL_set_tlsext_host_name(session->ssl, ROGUE_PEER_NAME);
	if (SSL_connect(session->ssl) != 1) {
		unsigned long code = ERR_get_error();
		fail("TLS handshake with bridged failed: %s",
		     code ? ERR_reason_error_string(code) : strerror(errno));
		ERR_clear_error();
		goto fail;
	}
	return session;
fail:
	session_free(session);
	return NULL;
}

static enum io read_exact(struct session *session, uint8_t *buffer, size_t size)
{
	size_t done = 0;
	while (done < size) {
		int count = SSL_read(session->ssl, buffer + done, (int)(size - done));
		if (count > 0) {
			done += (size_t)count;
			continue;
		}
		int error = SSL_get_error(session->ssl, count);
		int saved = errno;
		ERR_clear_error();
		if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ||
		    (error == SSL_ERROR_SYSCALL && (saved == EAGAIN || saved == EWOULDBLOCK)))
			return IO_TIMEOUT;
		session->closed = true;
		return IO_CLOSED;
	}
	return IO_OK;
}

/* Reads one frame and checks it as bridged checks ours. */
static enum io receive(struct session *session, Bridge__Frame **out)
{
	uint8_t header[FRAME_HEADER_SIZE];
	uint32_t size;
	enum io io = read_exact(session, header, sizeof(header));
	if (io != IO_OK)
		return io;
	if (frame_read_length(header, OWN_MAX_FRAME_SIZE, &size) != 0) {
		fail("bridged sent a frame length of %u",
		     (unsigned)header[0] << 24 | (unsigned)header[1] << 16 |
		             (unsigned)header[2] << 8 | header[3]);
		return IO_BAD;
	}
	uint8_t *body = malloc(size);
	if (!body)
		return IO_BAD;
	io = read_exact(session, body, size);
	if (io != IO_OK) {
		free(body);
		if (io == IO_CLOSED)
			fail("bridged closed the connection in the middle of a frame");
		return io == IO_CLOSED ? IO_BAD : io;
	}
	char error[256];
	int status = frame_decode(body, size, OWN_MAX_FRAME_SIZE, out, error, sizeof(error));
	free(body);
	if (status != 0) {
		fail("bridged sent a frame the codec refuses: %s", error);
		return IO_BAD;
	}
	return IO_OK;
}

static bool send_bytes_reporting(struct session *session, const void *bytes, size_t size,
                                 bool report)
{
	size_t done = 0;
	while (done < size) {
		size_t chunk = size - done > (1u << 30) ? (1u << 30) : size - done;
		int count = SSL_write(session->ssl, (const uint8_t *)bytes + done, (int)chunk);
		if (count <= 0) {
			ERR_clear_error();
			if (report)
				fail("cannot send %zu bytes to bridged (%s)", size,
				     strerror(errno));
			return false;
		}
		done += (size_t)count;
	}
	return true;
}

static bool send_bytes(struct session *session, const void *bytes, size_t size)
{
	return send_bytes_reporting(session, bytes, size, true);
}

/* A buffer of encoded frames, sent in one go (floods). */
struct batch {
	uint8_t *bytes;
	size_t size;
	size_t capacity;
};

static bool batch_add_bytes(struct batch *batch, const void *bytes, size_t size)
{
	if (batch->size + size > batch->capacity) {
		size_t capacity = batch->capacity ? batch->capacity : 4096;
		while (capacity < batch->size + size)
			capacity *= 2;
		uint8_t *grown = realloc(batch->bytes, capacity);
		if (!grown) {
			fail("out of memory");
			return false;
		}
		batch->bytes = grown;
		batch->capacity = capacity;
	}
	memcpy(batch->bytes + batch->size, bytes, size);
	batch->size += size;
	return true;
}

static bool batch_add(struct batch *batch, const Bridge__Frame *frame)
{
	uint8_t *bytes;
	size_t size;
	if (frame_encode(frame, UINT32_MAX, &bytes, &size) != 0) {
		fail("cannot encode a %s frame", frame_kind_name(frame));
		return false;
	}
	bool ok = batch_add_bytes(batch, bytes, size);
	free(bytes);
	return ok;
}

static bool batch_send(struct session *session, struct batch *batch)
{
	bool ok = send_bytes(session, batch->bytes, batch->size);
	free(batch->bytes);
	memset(batch, 0, sizeof(*batch));
	return ok;
}

static bool send_frame(struct session *session, const Bridge__Frame *frame)
{
	struct batch batch = {0};
	if (!batch_add(&batch, frame)) {
		free(batch.bytes);
		return false;
	}
	return batch_send(session, &batch);
}

/* ---- frames ---- */

static void ping_frame(Bridge__Frame *frame, Bridge__Ping *ping, uint64_t nonce)
{
	bridge__ping__init(ping);
	ping->nonce = nonce;
	bridge__frame__init(frame);
	frame->body_case = BRIDGE__FRAME__BODY_PING;
	frame->ping = ping;
}

/* A frame bridged may send at any time: a Ping (answered), a Release of a
 * node of ours, a oneway call to our listener. True if frame was one (and
 * is freed). */
static bool background(struct session *session, Bridge__Frame *frame)
{
	switch (frame->body_case) {
	case BRIDGE__FRAME__BODY_PING: {
		Bridge__Pong pong = BRIDGE__PONG__INIT;
		pong.nonce = frame->ping->nonce;
		Bridge__Frame answer = BRIDGE__FRAME__INIT;
		answer.body_case = BRIDGE__FRAME__BODY_PONG;
		answer.pong = &pong;
		send_frame(session, &answer);
		break;
	}
	case BRIDGE__FRAME__BODY_RELEASE:
		if (frame->release->node_id != LISTENER_NODE)
			return false;
		session->releases++;
		break;
	case BRIDGE__FRAME__BODY_TRANSACTION:
		if (frame->transaction->target_node != LISTENER_NODE ||
		    !(frame->transaction->flags & FRAME_FLAG_ONEWAY))
			return false;
		session->oneways++;
		break;
	default:
		return false;
	}
	frame_free(frame);
	return true;
}

typedef bool (*match_fn)(const Bridge__Frame *frame, uint64_t argument);

static bool match_reply(const Bridge__Frame *frame, uint64_t call_id)
{
	return frame->reply->call_id == call_id;
}

static bool match_pong(const Bridge__Frame *frame, uint64_t nonce)
{
	return frame->pong->nonce == nonce;
}

static bool match_import_reply(const Bridge__Frame *frame, uint64_t request_id)
{
	return frame->import_reply->request_id == request_id;
}

static bool match_call_to(const Bridge__Frame *frame, uint64_t node)
{
	return frame->transaction->target_node == node &&
	       !(frame->transaction->flags & FRAME_FLAG_ONEWAY);
}

/* Reads frames until one of kind want that match accepts; anything else
 * but background frames fails the check. NULL on failure (reported). */
static Bridge__Frame *expect(struct session *session, Bridge__Frame__BodyCase want, match_fn match,
                             uint64_t argument, const char *what)
{
	for (;;) {
		Bridge__Frame *frame;
		enum io io = receive(session, &frame);
		if (io != IO_OK) {
			if (io != IO_BAD)
				fail("waiting for %s: %s", what, io_name(io));
			return NULL;
		}
		if (frame->body_case == want && (!match || match(frame, argument)))
			return frame;
		if (background(session, frame))
			continue;
		fail("waiting for %s, bridged sent %s", what, describe(frame));
		frame_free(frame);
		return NULL;
	}
}

/* A Ping, answered by the loop thread after every frame sent before it. */
static bool ping_barrier(struct session *session, const char *what)
{
	Bridge__Frame frame;
	Bridge__Ping ping;
	uint64_t nonce = session->next_nonce++;
	ping_frame(&frame, &ping, nonce);
	if (!send_frame(session, &frame))
		return false;
	char label[200];
	snprintf(label, sizeof(label), "the Pong %s", what);
	Bridge__Frame *pong = expect(session, BRIDGE__FRAME__BODY_PONG, match_pong, nonce, label);
	frame_free(pong);
	return pong != NULL;
}

static uint64_t send_import_request(struct session *session, const char *name)
{
	Bridge__ImportRequest request = BRIDGE__IMPORT_REQUEST__INIT;
	request.request_id = session->next_request_id++;
	request.name = (char *)name;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_IMPORT_REQUEST;
	frame.import_request = &request;
	return send_frame(session, &frame) ? request.request_id : 0;
}

/* An ImportRequest answered by the (single) worker after every frame sent
 * before it that went to the workers: a not exported name, no side
 * effect. */
static bool worker_barrier(struct session *session, const char *what)
{
	uint64_t request = send_import_request(session, "not-exported");
	if (!request)
		return false;
	char label[200];
	snprintf(label, sizeof(label), "the ImportReply %s", what);
	Bridge__Frame *reply = expect(session, BRIDGE__FRAME__BODY_IMPORT_REPLY, match_import_reply,
	                              request, label);
	frame_free(reply);
	return reply != NULL;
}

/* An Error frame; checks its status (0: any) and call id (UINT64_MAX: any). */
static bool expect_error(struct session *session, int32_t status, uint64_t call_id,
                         const char *what)
{
	Bridge__Frame *frame = expect(session, BRIDGE__FRAME__BODY_ERROR, NULL, 0, what);
	if (!frame)
		return false;
	bool ok = true;
	if (status && frame->error->status != status) {
		fail("%s: status %d, expected %d (%s)", what, frame->error->status, status,
		     binder_status_to_string(status));
		ok = false;
	}
	if (call_id != UINT64_MAX && frame->error->call_id != call_id) {
		fail("%s: names call %" PRIu64 ", expected %" PRIu64, what, frame->error->call_id,
		     call_id);
		ok = false;
	}
	if (ok)
		note("%s: %s", what, describe(frame));
	frame_free(frame);
	return ok;
}

/* Which thread of bridged refuses an abuse: an answer that thread sends
 * after it shows whether the refusal came. */
enum barrier {
	BARRIER_LOOP,   /* a Ping: the loop answers in order */
	BARRIER_WORKER, /* an ImportRequest: the only worker answers in order */
};

/* The abuse was sent: an Error (status; call_id, UINT64_MAX: any) must
 * come before the answer to a barrier sent behind it. The stream stays in
 * step either way. */
static bool expect_refusal(struct session *session, enum barrier barrier, int32_t status,
                           uint64_t call_id, const char *what)
{
	uint64_t token;
	Bridge__Frame__BodyCase answer_kind;
	if (barrier == BARRIER_LOOP) {
		Bridge__Frame frame;
		Bridge__Ping ping;
		token = session->next_nonce++;
		ping_frame(&frame, &ping, token);
		if (!send_frame(session, &frame))
			return false;
		answer_kind = BRIDGE__FRAME__BODY_PONG;
	} else {
		token = send_import_request(session, "not-exported");
		if (!token)
			return false;
		answer_kind = BRIDGE__FRAME__BODY_IMPORT_REPLY;
	}
	bool refused = false, ok = true;
	for (;;) {
		Bridge__Frame *frame;
		enum io io = receive(session, &frame);
		if (io != IO_OK) {
			if (io != IO_BAD)
				fail("waiting for %s: %s", what, io_name(io));
			return false;
		}
		if (frame->body_case == answer_kind &&
		    (answer_kind == BRIDGE__FRAME__BODY_PONG
		             ? frame->pong->nonce
		             : frame->import_reply->request_id) == token) {
			frame_free(frame);
			if (!refused)
				fail("%s: none came (bridged answered the %s sent after it first)",
				     what, barrier == BARRIER_LOOP ? "Ping" : "ImportRequest");
			return refused && ok;
		}
		if (frame->body_case == BRIDGE__FRAME__BODY_ERROR && !refused) {
			refused = true;
			if (status && frame->error->status != status) {
				fail("%s: %s, expected status %d (%s)", what, describe(frame),
				     status, binder_status_to_string(status));
				ok = false;
			} else if (call_id != UINT64_MAX && frame->error->call_id != call_id) {
				fail("%s: %s, expected call %" PRIu64, what, describe(frame),
				     call_id);
				ok = false;
			} else {
				note("%s: %s", what, describe(frame));
			}
			frame_free(frame);
			continue;
		}
		if (background(session, frame))
			continue;
		fail("waiting for %s, bridged sent %s", what, describe(frame));
		frame_free(frame);
		return false;
	}
}

/* The connection closes with no further frame. */
static bool expect_close(struct session *session, const char *what)
{
	for (;;) {
		Bridge__Frame *frame;
		enum io io = receive(session, &frame);
		if (io == IO_CLOSED)
			return true;
		if (io != IO_OK) {
			if (io == IO_TIMEOUT)
				fail("%s: the connection stayed open", what);
			return false;
		}
		/* Not answered: the connection is going. */
		bool quiet = frame->body_case == BRIDGE__FRAME__BODY_PING ||
		             (frame->body_case == BRIDGE__FRAME__BODY_RELEASE &&
		              frame->release->node_id == LISTENER_NODE) ||
		             (frame->body_case == BRIDGE__FRAME__BODY_TRANSACTION &&
		              frame->transaction->target_node == LISTENER_NODE &&
		              (frame->transaction->flags & FRAME_FLAG_ONEWAY));
		if (quiet) {
			frame_free(frame);
			continue;
		}
		fail("%s: bridged sent %s instead of closing", what, describe(frame));
		frame_free(frame);
		return false;
	}
}

/* ---- handshake ---- */

static bool send_hello(struct session *session, const char *name, uint32_t version,
                       uint32_t max_frame_size)
{
	Bridge__Hello hello = BRIDGE__HELLO__INIT;
	hello.version = version;
	hello.node_name = (char *)name;
	hello.max_frame_size = max_frame_size;
	hello.max_calls_in_flight = 64;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_HELLO;
	frame.hello = &hello;
	return send_frame(session, &frame);
}

/* Host B's Hello: checked and its limits kept. */
static bool receive_hello(struct session *session)
{
	Bridge__Frame *frame;
	enum io io = receive(session, &frame);
	if (io != IO_OK) {
		if (io != IO_BAD)
			fail("waiting for bridged's Hello: %s", io_name(io));
		return false;
	}
	if (frame->body_case != BRIDGE__FRAME__BODY_HELLO) {
		fail("bridged's first frame is %s, not a Hello", describe(frame));
		frame_free(frame);
		return false;
	}
	const Bridge__Hello *hello = frame->hello;
	bool ok = true, calculator = false, worker = false;
	for (size_t i = 0; i < hello->n_exports; i++) {
		if (strcmp(hello->exports[i], "calculator") == 0)
			calculator = true;
		else if (strcmp(hello->exports[i], "worker") == 0)
			worker = true;
		else {
			fail("bridged's Hello exports '%s' to us, which its config does not",
			     hello->exports[i]);
			ok = false;
		}
	}
	if (hello->version != FRAME_PROTOCOL_VERSION ||
	    strcmp(hello->node_name, ROGUE_PEER_NAME) != 0 || !calculator || !worker) {
		fail("bridged's Hello: version %u, node '%s', calculator exported: %s, worker "
		     "exported: %s",
		     hello->version, hello->node_name, calculator ? "yes" : "no",
		     worker ? "yes" : "no");
		ok = false;
	}
	b_max_frame_size = hello->max_frame_size;
	b_max_calls = hello->max_calls_in_flight;
	frame_free(frame);
	return ok;
}

/* Connected as hosta, Hellos exchanged, the link up. */
static struct session *session_open(void)
{
	struct session *session = session_connect(ROGUE_OWN_NAME);
	if (!session)
		return NULL;
	if (!receive_hello(session) ||
	    !send_hello(session, ROGUE_OWN_NAME, FRAME_PROTOCOL_VERSION, OWN_MAX_FRAME_SIZE) ||
	    !ping_barrier(session, "after the Hello")) {
		session_free(session);
		return NULL;
	}
	return session;
}

/* ---- parcels as AOSP writes them ---- */

struct parcel {
	uint8_t data[512];
	size_t size;
};

static void put_int32(struct parcel *parcel, int32_t value)
{
	memcpy(parcel->data + parcel->size, &value, sizeof(value));
	parcel->size += sizeof(value);
}

static void put_zeros(struct parcel *parcel, size_t count)
{
	memset(parcel->data + parcel->size, 0, count);
	parcel->size += count;
}

/* libbinder's binder_parcel_write_interface_token: the strict mode header
 * (STRICT_MODE_PENALTY_GATHER), the work source (unset), the 'SYST'
 * interface header, then the descriptor as a String16 (length in units,
 * the units, a NUL unit, padded to 4 bytes). ASCII descriptors only. */
static void put_interface_token(struct parcel *parcel, const char *descriptor)
{
	size_t length = strlen(descriptor);
	put_int32(parcel, (int32_t)0x80000000u);
	put_int32(parcel, -1);
	put_int32(parcel, 0x53595354);
	put_int32(parcel, (int32_t)length);
	size_t start = parcel->size;
	for (size_t i = 0; i <= length; i++) {
		uint16_t unit = (uint8_t)descriptor[i];
		memcpy(parcel->data + parcel->size, &unit, sizeof(unit));
		parcel->size += sizeof(unit);
	}
	while ((parcel->size - start) % 4)
		parcel->data[parcel->size++] = 0;
}

static void add_parcel(struct parcel *parcel, int32_t a, int32_t b)
{
	parcel->size = 0;
	put_interface_token(parcel, "ICalculate");
	put_int32(parcel, a);
	put_int32(parcel, b);
}

static int32_t get_int32(const ProtobufCBinaryData *data, size_t index)
{
	int32_t value;
	memcpy(&value, data->data + index * 4, sizeof(value));
	return value;
}

/* ---- calls ---- */

static uint64_t new_chain(struct session *session)
{
	uint64_t chain = session->next_chain_id;
	session->next_chain_id += 2;
	return chain;
}

static void transaction_frame(Bridge__Frame *frame, Bridge__Transaction *transaction,
                              uint64_t call_id, uint64_t chain_id, uint64_t node, uint32_t code,
                              uint32_t flags, struct parcel *data, Bridge__BinderObject **objects,
                              size_t object_count)
{
	bridge__transaction__init(transaction);
	transaction->call_id = call_id;
	transaction->chain_id = chain_id;
	transaction->target_node = node;
	transaction->code = code;
	transaction->flags = flags;
	if (data) {
		transaction->data.data = data->data;
		transaction->data.len = data->size;
	}
	transaction->objects = objects;
	transaction->n_objects = object_count;
	bridge__frame__init(frame);
	frame->body_case = BRIDGE__FRAME__BODY_TRANSACTION;
	frame->transaction = transaction;
}

/* Sends a call; returns its call id (0 if it could not be sent). chain 0:
 * a new chain for a two-way call. */
static uint64_t send_call(struct session *session, uint64_t node, uint32_t code, uint32_t flags,
                          uint64_t chain, struct parcel *data, Bridge__BinderObject **objects,
                          size_t object_count)
{
	Bridge__Frame frame;
	Bridge__Transaction transaction;
	uint64_t call_id = session->next_call_id++;
	if (!(flags & FRAME_FLAG_ONEWAY) && !chain)
		chain = new_chain(session);
	if (flags & FRAME_FLAG_ONEWAY)
		chain = 0;
	transaction_frame(&frame, &transaction, call_id, chain, node, code, flags, data, objects,
	                  object_count);
	return send_frame(session, &frame) ? call_id : 0;
}

/* The Reply to call_id: status as expected; for status 0, the AOSP reply
 * of add (no exception, int32 result) compared with result. */
static bool check_reply(const Bridge__Reply *reply, int32_t status, int32_t result,
                        const char *what);

static bool expect_reply(struct session *session, uint64_t call_id, int32_t status, int32_t result,
                         const char *what)
{
	Bridge__Frame *frame =
	        expect(session, BRIDGE__FRAME__BODY_REPLY, match_reply, call_id, what);
	if (!frame)
		return false;
	bool ok = check_reply(frame->reply, status, result, what);
	frame_free(frame);
	return ok;
}

/* A Reply of add: status, and the sum when status is 0. */
static bool check_reply(const Bridge__Reply *reply, int32_t status, int32_t result,
                        const char *what)
{
	bool ok = true;
	if (reply->status != status) {
		fail("%s: status %d (%s), expected %d (%s)", what, reply->status,
		     binder_status_to_string(reply->status), status,
		     binder_status_to_string(status));
		ok = false;
	} else if (status == 0 &&
	           (reply->data.len != 8 || reply->n_objects != 0 ||
	            get_int32(&reply->data, 0) != 0 || get_int32(&reply->data, 1) != result)) {
		fail("%s: reply of %zu bytes (exception %d, result %d), expected no exception "
		     "and %d",
		     what, reply->data.len, reply->data.len >= 4 ? get_int32(&reply->data, 0) : -1,
		     reply->data.len >= 8 ? get_int32(&reply->data, 1) : -1, result);
		ok = false;
	}
	return ok;
}

/* add(a, b) on node: a legitimate call that must work. */
static bool call_add(struct session *session, uint64_t node, int32_t a, int32_t b, const char *what)
{
	struct parcel data;
	add_parcel(&data, a, b);
	uint64_t call = send_call(session, node, CODE_ADD, 0, 0, &data, NULL, 0);
	return call && expect_reply(session, call, 0, a + b, what);
}

/* Imports name: *node and the descriptor checked when status is 0. */
static bool import_service(struct session *session, const char *name, int32_t status,
                           const char *descriptor, uint64_t *node)
{
	char what[200];
	snprintf(what, sizeof(what), "the ImportReply for %s", name);
	uint64_t request = send_import_request(session, name);
	if (!request)
		return false;
	Bridge__Frame *frame = expect(session, BRIDGE__FRAME__BODY_IMPORT_REPLY, match_import_reply,
	                              request, what);
	if (!frame)
		return false;
	const Bridge__ImportReply *reply = frame->import_reply;
	bool ok = reply->status == status &&
	          (status != 0 ||
	           (reply->node_id != 0 && strcmp(reply->descriptor, descriptor) == 0));
	if (!ok)
		fail("%s: %s, expected status %d%s%s", what, describe(frame), status,
		     status ? "" : " and descriptor ", status ? "" : descriptor);
	if (ok && node)
		*node = reply->node_id;
	frame_free(frame);
	return ok;
}

static bool send_release(struct session *session, uint64_t node, uint64_t count)
{
	Bridge__Release release = BRIDGE__RELEASE__INIT;
	release.node_id = node;
	release.count = count;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_RELEASE;
	frame.release = &release;
	return send_frame(session, &frame);
}

/* ---- the checks: a valid link ---- */

/* The session of the checks that keep the link up; reopened when one
 * closes it. */
static struct session *main_session;
/* Our import of calculator on main_session, and how often its id reached
 * us (what a Release gives back). */
static uint64_t calculator_node;
static uint64_t calculator_references;

static bool ensure_session(void)
{
	if (main_session && !main_session->closed)
		return true;
	session_free(main_session);
	calculator_node = 0;
	calculator_references = 0;
	main_session = session_open();
	if (!main_session)
		return false;
	if (!import_service(main_session, "calculator", 0, "ICalculate", &calculator_node))
		return false;
	calculator_references++;
	return true;
}

static void end_main_session(void)
{
	session_free(main_session);
	main_session = NULL;
}

/* After an abuse: the link is still up and a legitimate call still works. */
static bool still_works(const char *after)
{
	char what[200];
	snprintf(what, sizeof(what), "add(2, 3) after %s", after);
	return ensure_session() && ping_barrier(main_session, what) &&
	       call_add(main_session, calculator_node, 2, 3, what);
}

static bool check_import_and_add(void)
{
	return ensure_session() && call_add(main_session, calculator_node, 2, 3, "add(2, 3)") &&
	       call_add(main_session, calculator_node, -7, 100, "add(-7, 100)");
}

static bool check_import_not_exported(void)
{
	/* hidden runs on B but is not exported; the other is not even there. */
	return ensure_session() &&
	       import_service(main_session, "hidden", BINDER_PERMISSION_DENIED, NULL, NULL) &&
	       import_service(main_session, "no-such-service", BINDER_PERMISSION_DENIED, NULL,
	                      NULL) &&
	       still_works("imports refused");
}

static bool check_unknown_target(void)
{
	if (!ensure_session())
		return false;
	struct parcel data;
	add_parcel(&data, 2, 3);
	uint64_t call = send_call(main_session, UNKNOWN_NODE, CODE_ADD, 0, 0, &data, NULL, 0);
	if (!call || !expect_reply(main_session, call, BINDER_FAILED_TRANSACTION, 0,
	                           "the Reply to a call of an unknown node"))
		return false;
	/* A oneway call has no Reply: its refusal is an Error naming it. */
	call = send_call(main_session, UNKNOWN_NODE, CODE_ADD, FRAME_FLAG_ONEWAY, 0, &data, NULL,
	                 0);
	return call &&
	       expect_error(main_session, BINDER_FAILED_TRANSACTION, call,
	                    "the Error for a oneway call of an unknown node") &&
	       still_works("calls of an unknown node");
}

static bool check_unknown_receiver_object(void)
{
	if (!ensure_session())
		return false;
	struct parcel data;
	add_parcel(&data, 2, 3);
	Bridge__BinderObject object = BRIDGE__BINDER_OBJECT__INIT;
	object.offset = (uint32_t)data.size;
	object.kind = BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE;
	object.node_id = UNKNOWN_NODE;
	Bridge__BinderObject *objects[] = {&object};
	put_zeros(&data, FRAME_OBJECT_SIZE);
	uint64_t call = send_call(main_session, calculator_node, CODE_ADD, 0, 0, &data, objects, 1);
	return call &&
	       expect_reply(main_session, call, BINDER_FAILED_TRANSACTION, 0,
	                    "the Reply to a call carrying an unknown RECEIVER_NODE") &&
	       still_works("an unknown RECEIVER_NODE");
}

/* Objects the decoder refuses: an Error (the frame is dropped, so no Reply
 * follows), the link stays up. */
static bool check_bad_objects(void)
{
	if (!ensure_session())
		return false;
	struct parcel data;
	add_parcel(&data, 2, 3);
	put_zeros(&data, 2 * FRAME_OBJECT_SIZE);
	Bridge__BinderObject first = BRIDGE__BINDER_OBJECT__INIT;
	Bridge__BinderObject second = BRIDGE__BINDER_OBJECT__INIT;
	Bridge__BinderObject *objects[] = {&first, &second};
	const struct {
		const char *what;
		uint32_t first, second;
		size_t count;
	} cases[] = {
	        {"overlapping objects", 48, 56, 2},
	        {"objects out of order", 72, 48, 2},
	        {"an object past the data", (uint32_t)data.size - 8, 0, 1},
	        {"an object far past the data", 0xfffffff0u, 0, 1},
	        {"an unaligned object", 50, 0, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		first.offset = cases[i].first;
		second.offset = cases[i].second;
		char what[200];
		snprintf(what, sizeof(what), "the Error for a call with %s", cases[i].what);
		uint64_t call = send_call(main_session, calculator_node, CODE_ADD, 0, 0, &data,
		                          objects, cases[i].count);
		/* The decoder drops the frame before it knows the call: call 0 or
		 * this one. */
		if (!call ||
		    !expect_refusal(main_session, BARRIER_LOOP, BINDER_BAD_VALUE, UINT64_MAX, what))
			return false;
	}
	return still_works("refused objects");
}

static bool check_reply_to_no_call(void)
{
	if (!ensure_session())
		return false;
	Bridge__Reply reply = BRIDGE__REPLY__INIT;
	reply.call_id = 4242;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_REPLY;
	frame.reply = &reply;
	return send_frame(main_session, &frame) &&
	       expect_refusal(main_session, BARRIER_LOOP, BINDER_BAD_VALUE, UINT64_MAX,
	                      "the Error for a Reply to no call") &&
	       still_works("a Reply to no call");
}

static bool check_error_for_no_call(void)
{
	if (!ensure_session())
		return false;
	/* Logged and otherwise ignored: no answer, the link stays. */
	Bridge__Error error = BRIDGE__ERROR__INIT;
	error.call_id = 777;
	error.status = BINDER_BAD_VALUE;
	error.message = "rogue_peer: an error about no call";
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_ERROR;
	frame.error = &error;
	return send_frame(main_session, &frame) && still_works("an Error about no call");
}

static bool check_import_reply_to_no_request(void)
{
	if (!ensure_session())
		return false;
	Bridge__ImportReply reply = BRIDGE__IMPORT_REPLY__INIT;
	reply.request_id = 12345;
	reply.status = BINDER_NAME_NOT_FOUND;
	reply.descriptor = "";
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_IMPORT_REPLY;
	frame.import_reply = &reply;
	return send_frame(main_session, &frame) &&
	       expect_refusal(main_session, BARRIER_WORKER, BINDER_BAD_VALUE, 0,
	                      "the Error for an ImportReply to no request") &&
	       still_works("an ImportReply to no request");
}

static bool check_release_unknown(void)
{
	if (!ensure_session())
		return false;
	return send_release(main_session, UNKNOWN_NODE, 1) &&
	       expect_refusal(main_session, BARRIER_WORKER, BINDER_NAME_NOT_FOUND, 0,
	                      "the Error for a Release of an unknown node") &&
	       still_works("a Release of an unknown node");
}

static bool check_death_unknown(void)
{
	if (!ensure_session())
		return false;
	Bridge__Death death = BRIDGE__DEATH__INIT;
	death.node_id = UNKNOWN_NODE;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_DEATH;
	frame.death = &death;
	/* bridge.proto: a Death may cross a Release the receiver sent, so a
	 * Death of a node the receiver does not stand for is ignored (no
	 * Error), and changes nothing else. */
	return send_frame(main_session, &frame) && still_works("a Death of an unknown node");
}

/* Frame-level garbage with a valid length: the stream stays in step. */
static bool check_garbage(void)
{
	static const struct {
		const char *what;
		uint8_t bytes[16];
		size_t size;
	} cases[] = {
	        {"garbage bytes",
	         {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	          0xff, 0xff, 0xff},
	         16},
	        /* Field 15 (varint 1): unpacks, but sets no body. */
	        {"a frame with no body", {0x78, 0x01}, 2},
	        /* A transaction (field 2) whose length runs past the frame. */
	        {"a truncated message inside the frame", {0x12, 0x7f, 0x08, 0x01}, 4},
	        /* A Ping with an empty body is valid; a Hello with nothing in
	         * it is not (version 0). */
	        {"an empty Hello", {0x0a, 0x00}, 2},
	};
	if (!ensure_session())
		return false;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t bytes[FRAME_HEADER_SIZE + 16];
		uint32_t size = (uint32_t)cases[i].size;
		bytes[0] = (uint8_t)(size >> 24);
		bytes[1] = (uint8_t)(size >> 16);
		bytes[2] = (uint8_t)(size >> 8);
		bytes[3] = (uint8_t)size;
		memcpy(bytes + FRAME_HEADER_SIZE, cases[i].bytes, size);
		char what[200];
		snprintf(what, sizeof(what), "the Error for %s", cases[i].what);
		if (!send_bytes(main_session, bytes, FRAME_HEADER_SIZE + size) ||
		    !expect_refusal(main_session, BARRIER_LOOP, BINDER_BAD_VALUE, 0, what) ||
		    !still_works(cases[i].what))
			return false;
	}
	return true;
}

static bool check_second_hello(void)
{
	return ensure_session() &&
	       send_hello(main_session, ROGUE_OWN_NAME, FRAME_PROTOCOL_VERSION,
	                  OWN_MAX_FRAME_SIZE) &&
	       expect_refusal(main_session, BARRIER_LOOP, BINDER_INVALID_OPERATION, 0,
	                      "the Error for a second Hello") &&
	       still_works("a second Hello");
}

/* The worker's sum(1, our listener): bridged runs it on its only worker,
 * the service calls our listener back (onProgress) and waits for us.
 * Returns the callback frame; *sum_call the call to answer last. */
static Bridge__Frame *start_blocking_sum(struct session *session, uint64_t worker,
                                         uint64_t *sum_call, uint64_t *sum_chain)
{
	struct parcel data = {.size = 0};
	put_interface_token(&data, "IWorker");
	put_int32(&data, 1);
	Bridge__BinderObject listener = BRIDGE__BINDER_OBJECT__INIT;
	listener.offset = (uint32_t)data.size;
	listener.kind = BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE;
	listener.node_id = LISTENER_NODE;
	Bridge__BinderObject *objects[] = {&listener};
	/* writeStrongBinder: the flat_binder_object (its bytes are bridged's
	 * to fill), then its stability (libbinder: SYSTEM, 0x0c). */
	put_zeros(&data, FRAME_OBJECT_SIZE);
	put_int32(&data, 0x0c);
	*sum_chain = new_chain(session);
	*sum_call = send_call(session, worker, CODE_SUM, 0, *sum_chain, &data, objects, 1);
	if (!*sum_call)
		return NULL;
	Bridge__Frame *callback = expect(session, BRIDGE__FRAME__BODY_TRANSACTION, match_call_to,
	                                 LISTENER_NODE, "the worker's onProgress call to us");
	if (!callback)
		return NULL;
	const Bridge__Transaction *transaction = callback->transaction;
	if (transaction->code != CODE_ON_PROGRESS || transaction->n_objects != 0)
		fail("the worker's callback: %s with %zu objects, expected onProgress (code %d)",
		     describe(callback), transaction->n_objects, CODE_ON_PROGRESS);
	/* bridge.proto: a call the receiver makes while it runs ours carries
	 * our chain. */
	if (transaction->chain_id != *sum_chain)
		fail("the worker's callback is in chain %" PRIu64 ", not the sum's chain %" PRIu64,
		     transaction->chain_id, *sum_chain);
	return callback;
}

/* Answers onProgress with "stop", then waits for sum's reply (1) and the
 * replies of the calls in pending (add: 5). */
static bool finish_blocking_sum(struct session *session, const Bridge__Frame *callback,
                                uint64_t sum_call, const uint64_t *pending, size_t pending_count)
{
	struct parcel answer = {.size = 0};
	put_int32(&answer, 0); /* no exception */
	put_int32(&answer, 0); /* keep_going: false */
	Bridge__Reply reply = BRIDGE__REPLY__INIT;
	reply.call_id = callback->transaction->call_id;
	reply.data.data = answer.data;
	reply.data.len = answer.size;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_REPLY;
	frame.reply = &reply;
	if (!send_frame(session, &frame))
		return false;
	if (!expect_reply(session, sum_call, 0, 1, "sum(1)'s reply after onProgress"))
		return false;
	bool ok = true;
	for (size_t i = 0; i < pending_count && ok; i++)
		ok = expect_reply(session, pending[i], 0, 5,
		                  "the reply of a call that waited for the worker");
	return ok;
}

/* The nested call: while bridged waits for our answer to the callback,
 * a call of ours in that chain runs on its waiting thread. */
static bool check_nested_call(void)
{
	uint64_t worker, sum_call, sum_chain;
	if (!ensure_session() || !import_service(main_session, "worker", 0, "IWorker", &worker))
		return false;
	Bridge__Frame *callback = start_blocking_sum(main_session, worker, &sum_call, &sum_chain);
	if (!callback)
		return false;
	struct parcel data;
	add_parcel(&data, 20, 22);
	uint64_t call = send_call(main_session, calculator_node, CODE_ADD, 0,
	                          callback->transaction->chain_id, &data, NULL, 0);
	bool ok = call && expect_reply(main_session, call, 0, 42,
	                               "add(20, 22) in the chain of the waiting callback");
	ok = finish_blocking_sum(main_session, callback, sum_call, NULL, 0) && ok;
	frame_free(callback);
	return ok && still_works("a nested call");
}

/* More two-way calls than max_calls_in_flight while the only worker is
 * blocked: those beyond the limit are answered busy at once, the others
 * run when the worker is free. */
static bool check_flood_blocked(void)
{
	uint64_t worker, sum_call, sum_chain;
	if (!ensure_session() || !import_service(main_session, "worker", 0, "IWorker", &worker))
		return false;
	Bridge__Frame *callback = start_blocking_sum(main_session, worker, &sum_call, &sum_chain);
	if (!callback)
		return false;
	size_t count = (size_t)b_max_calls + 12;
	uint64_t *calls = calloc(count, sizeof(*calls));
	uint64_t *accepted = calloc(count, sizeof(*accepted));
	bool *answered = calloc(count, sizeof(*answered));
	size_t accepted_count = 0, busy = 0;
	struct batch batch = {0};
	bool ok = calls && accepted && answered;
	for (size_t i = 0; i < count && ok; i++) {
		struct parcel data;
		Bridge__Frame frame;
		Bridge__Transaction transaction;
		add_parcel(&data, 2, 3);
		calls[i] = main_session->next_call_id++;
		transaction_frame(&frame, &transaction, calls[i], new_chain(main_session),
		                  calculator_node, CODE_ADD, 0, &data, NULL, 0);
		ok = batch_add(&batch, &frame);
	}
	Bridge__Frame ping;
	Bridge__Ping ping_body;
	uint64_t nonce = main_session->next_nonce++;
	ping_frame(&ping, &ping_body, nonce);
	ok = ok && batch_add(&batch, &ping) && batch_send(main_session, &batch);
	free(batch.bytes);
	/* Up to the Pong: the busy replies, and nothing else (the worker is
	 * blocked, so no accepted call can have run). */
	while (ok) {
		Bridge__Frame *frame;
		enum io io = receive(main_session, &frame);
		if (io != IO_OK) {
			if (io != IO_BAD)
				fail("waiting for the busy replies: %s", io_name(io));
			ok = false;
			break;
		}
		if (frame->body_case == BRIDGE__FRAME__BODY_PONG && frame->pong->nonce == nonce) {
			frame_free(frame);
			break;
		}
		if (frame->body_case == BRIDGE__FRAME__BODY_REPLY) {
			size_t i = 0;
			while (i < count && calls[i] != frame->reply->call_id)
				i++;
			if (i == count || answered[i] ||
			    frame->reply->status != BINDER_WOULD_BLOCK) {
				fail("during the flood, bridged sent %s (not a busy reply to "
				     "a call of the flood)",
				     describe(frame));
				ok = false;
			} else {
				answered[i] = true;
				busy++;
			}
			frame_free(frame);
			continue;
		}
		if (background(main_session, frame))
			continue;
		fail("during the flood, bridged sent %s", describe(frame));
		frame_free(frame);
		ok = false;
	}
	for (size_t i = 0; i < count && ok; i++)
		if (!answered[i])
			accepted[accepted_count++] = calls[i];
	/* The blocked sum is one of the peer's calls running. */
	size_t expected_busy = count - (b_max_calls - 1);
	if (ok && busy != expected_busy) {
		fail("%zu of %zu calls beyond max_calls_in_flight %u were answered busy, "
		     "expected %zu",
		     busy, count, b_max_calls, expected_busy);
		ok = false;
	}
	if (ok)
		note("%zu calls while the worker was blocked: %zu busy (BINDER_WOULD_BLOCK), %zu "
		     "queued",
		     count, busy, accepted_count);
	if (ok)
		ok = finish_blocking_sum(main_session, callback, sum_call, accepted,
		                         accepted_count);
	frame_free(callback);
	free(calls);
	free(accepted);
	free(answered);
	return ok && still_works("the flood of blocked calls");
}

/* Many calls at once, none waiting for another: each gets exactly one
 * Reply, a result or busy. */
static bool check_flood_unblocked(void)
{
	enum { COUNT = 300 };
	if (!ensure_session())
		return false;
	uint64_t first = main_session->next_call_id;
	bool answered[COUNT] = {false};
	size_t busy = 0, done = 0;
	struct batch batch = {0};
	bool ok = true;
	for (size_t i = 0; i < COUNT && ok; i++) {
		struct parcel data;
		Bridge__Frame frame;
		Bridge__Transaction transaction;
		add_parcel(&data, (int32_t)i, 3);
		transaction_frame(&frame, &transaction, main_session->next_call_id++,
		                  new_chain(main_session), calculator_node, CODE_ADD, 0, &data,
		                  NULL, 0);
		ok = batch_add(&batch, &frame);
	}
	ok = ok && batch_send(main_session, &batch);
	free(batch.bytes);
	while (ok && busy + done < COUNT) {
		Bridge__Frame *frame;
		enum io io = receive(main_session, &frame);
		if (io != IO_OK) {
			if (io != IO_BAD)
				fail("after %zu of %d replies: %s", busy + done, COUNT,
				     io_name(io));
			ok = false;
			break;
		}
		if (background(main_session, frame))
			continue;
		uint64_t index = frame->body_case == BRIDGE__FRAME__BODY_REPLY
		                         ? frame->reply->call_id - first
		                         : COUNT;
		if (index >= COUNT || answered[index]) {
			fail("during the flood, bridged sent %s", describe(frame));
			ok = false;
		} else if (frame->reply->status == BINDER_WOULD_BLOCK) {
			answered[index] = true;
			busy++;
		} else if (frame->reply->status == 0 && frame->reply->data.len == 8 &&
		           get_int32(&frame->reply->data, 0) == 0 &&
		           get_int32(&frame->reply->data, 1) == (int32_t)index + 3) {
			answered[index] = true;
			done++;
		} else {
			fail("during the flood, bridged sent %s (a wrong reply)", describe(frame));
			ok = false;
		}
		frame_free(frame);
	}
	if (ok)
		note("%d calls at once: %zu answered, %zu busy", COUNT, done, busy);
	return ok && still_works("a flood of calls");
}

/* count Pings sent at once, then their Pongs read, each in order. */
static bool ping_flood(size_t count, const char *what)
{
	if (!ensure_session())
		return false;
	uint64_t first = main_session->next_nonce;
	struct batch batch = {0};
	bool ok = true;
	for (size_t i = 0; i < count && ok; i++) {
		Bridge__Frame frame;
		Bridge__Ping ping;
		ping_frame(&frame, &ping, main_session->next_nonce++);
		ok = batch_add(&batch, &frame);
	}
	ok = ok && batch_send(main_session, &batch);
	free(batch.bytes);
	if (small_receive_buffer) {
		/* Time for bridged to answer while we do not read: its send
		 * buffer fills (a second is ample here; less fills less, and
		 * the check passes all the same). Then the receive buffer,
		 * made small at connect, is made large, for reading fast. */
		sleep(1);
		int size = 4 << 20;
		setsockopt(main_session->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	for (uint64_t i = 0; i < count && ok; i++) {
		Bridge__Frame *frame =
		        expect(main_session, BRIDGE__FRAME__BODY_PONG, NULL, 0, "a Pong");
		if (!frame) {
			ok = false;
			break;
		}
		if (frame->pong->nonce != first + i) {
			fail("Pong %" PRIu64 " answers ping %" PRIu64 ", expected %" PRIu64, i,
			     frame->pong->nonce, first + i);
			ok = false;
		}
		frame_free(frame);
	}
	return ok && still_works(what);
}

static bool check_ping_flood(void)
{
	return ping_flood(5000, "a flood of Pings");
}

/* On a connection whose receive buffer is tiny, more Pongs than bridged's
 * socket takes (its send buffer is at most 4 MiB here, tcp_wmem): it must
 * queue the rest. The Pongs it wrote itself until then and those it
 * queued after arrive whole and in order all the same. */
static bool check_ping_flood_read_late(void)
{
	end_main_session();
	small_receive_buffer = true;
	bool ok = ping_flood(150000, "a flood of Pings read late");
	small_receive_buffer = false;
	end_main_session();
	return ok;
}

/* Releasing every reference of the import: bridged forgets the node, and
 * a call of it is a call of an unknown node. */
static bool check_release_import(void)
{
	if (!ensure_session())
		return false;
	uint64_t node = calculator_node;
	struct parcel data;
	add_parcel(&data, 2, 3);
	if (!send_release(main_session, node, calculator_references) ||
	    !worker_barrier(main_session, "after the Release of calculator"))
		return false;
	uint64_t call = send_call(main_session, node, CODE_ADD, 0, 0, &data, NULL, 0);
	if (!call || !expect_reply(main_session, call, BINDER_FAILED_TRANSACTION, 0,
	                           "the Reply to a call of the released node"))
		return false;
	/* Imported again: a working node. */
	if (!import_service(main_session, "calculator", 0, "ICalculate", &calculator_node))
		return false;
	calculator_references = 1;
	return still_works("the Release of the import");
}

/* Transactions the decoder refuses for their fields: an Error each, no
 * Reply, the link stays. */
static bool check_malformed_transactions(void)
{
	if (!ensure_session())
		return false;
	struct parcel data;
	add_parcel(&data, 2, 3);
	put_zeros(&data, FRAME_OBJECT_SIZE);
	Bridge__BinderObject object = BRIDGE__BINDER_OBJECT__INIT;
	object.offset = 48;
	Bridge__BinderObject *objects[] = {&object};
	const struct {
		const char *what;
		uint64_t call, chain, node;
		uint32_t flags;
		int kind;
		uint64_t object_node;
	} cases[] = {
	        {"call id 0", 0, 1, 1, 0, -1, 0},
	        {"target node 0", 9001, 1, 0, 0, -1, 0},
	        {"unknown flags", 9002, 1, 1, 0x10, -1, 0},
	        {"a oneway call with a chain id", 9003, 7, 1, FRAME_FLAG_ONEWAY, -1, 0},
	        {"a null binder with a node id", 9004, 1, 1, 0,
	         BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER, 5},
	        {"a RECEIVER_NODE object with node id 0", 9005, 1, 1, 0,
	         BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE, 0},
	        {"an object of unknown kind", 9006, 1, 1, 0, 7, 5},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		Bridge__Frame frame;
		Bridge__Transaction transaction;
		object.kind = cases[i].kind < 0 ? BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER
		                                : (Bridge__BinderObject__Kind)cases[i].kind;
		object.node_id = cases[i].object_node;
		transaction_frame(&frame, &transaction, cases[i].call, cases[i].chain,
		                  cases[i].node == 1 ? calculator_node : 0, CODE_ADD,
		                  cases[i].flags, &data, objects, cases[i].kind < 0 ? 0 : 1);
		char what[200];
		snprintf(what, sizeof(what), "the Error for a call with %s", cases[i].what);
		if (!send_frame(main_session, &frame) ||
		    !expect_refusal(main_session, BARRIER_LOOP, BINDER_BAD_VALUE, UINT64_MAX, what))
			return false;
	}
	return still_works("malformed calls");
}

/* A frame within max_frame_size that would cost protobuf-c far more
 * memory than its size (thousands of empty objects): refused, link up. */
static bool check_decode_budget(void)
{
	if (!ensure_session())
		return false;
	/* Transaction { call_id 1, target_node 1, objects: N empty } */
	size_t count = (b_max_frame_size - 64) / 2;
	size_t inner = 4 + 2 * count;
	uint8_t *bytes = malloc(FRAME_HEADER_SIZE + 8 + inner);
	if (!bytes) {
		fail("out of memory");
		return false;
	}
	size_t at = FRAME_HEADER_SIZE;
	bytes[at++] = 0x12; /* field 2, length-delimited */
	size_t length = inner;
	for (; length >= 0x80; length >>= 7)
		bytes[at++] = (uint8_t)(0x80 | (length & 0x7f));
	bytes[at++] = (uint8_t)length;
	bytes[at++] = 0x08; /* call_id 1 */
	bytes[at++] = 0x01;
	bytes[at++] = 0x18; /* target_node 1 */
	bytes[at++] = 0x01;
	for (size_t i = 0; i < count; i++) {
		bytes[at++] = 0x3a; /* field 7, length 0 */
		bytes[at++] = 0x00;
	}
	uint32_t body = (uint32_t)(at - FRAME_HEADER_SIZE);
	bytes[0] = (uint8_t)(body >> 24);
	bytes[1] = (uint8_t)(body >> 16);
	bytes[2] = (uint8_t)(body >> 8);
	bytes[3] = (uint8_t)body;
	bool ok = body <= b_max_frame_size && send_bytes(main_session, bytes, at) &&
	          expect_refusal(main_session, BARRIER_LOOP, BINDER_BAD_VALUE, UINT64_MAX,
	                         "the Error for a frame of empty objects");
	if (body > b_max_frame_size)
		fail("the frame of empty objects came out at %u bytes", body);
	free(bytes);
	return ok && still_works("a frame of empty objects");
}

/* A frame of exactly max_frame_size bytes is accepted. */
static bool check_largest_frame(void)
{
	if (!ensure_session())
		return false;
	/* add(2, 3) with padding after its arguments, which the service does
	 * not read: the body grows until it is the limit. */
	size_t padding = b_max_frame_size - 64;
	uint8_t *bytes = calloc(1, b_max_frame_size);
	if (!bytes) {
		fail("out of memory");
		return false;
	}
	struct parcel arguments;
	add_parcel(&arguments, 2, 3);
	memcpy(bytes, arguments.data, arguments.size);
	Bridge__Transaction transaction = BRIDGE__TRANSACTION__INIT;
	transaction.call_id = main_session->next_call_id++;
	transaction.chain_id = new_chain(main_session);
	transaction.target_node = calculator_node;
	transaction.code = CODE_ADD;
	transaction.data.data = bytes;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_TRANSACTION;
	frame.transaction = &transaction;
	for (;;) {
		transaction.data.len = arguments.size + padding;
		size_t size = bridge__frame__get_packed_size(&frame);
		if (size == b_max_frame_size)
			break;
		if (size < b_max_frame_size) {
			padding += b_max_frame_size - size;
			continue;
		}
		padding -= size - b_max_frame_size;
		/* A length varint that shrank by a byte: one byte over. */
		transaction.data.len = arguments.size + padding;
		if (bridge__frame__get_packed_size(&frame) < b_max_frame_size)
			transaction.data.len++, padding++;
		if (bridge__frame__get_packed_size(&frame) != b_max_frame_size) {
			fail("cannot make a frame of exactly %u bytes", b_max_frame_size);
			free(bytes);
			return false;
		}
		break;
	}
	bool ok = send_frame(main_session, &frame) &&
	          expect_reply(main_session, transaction.call_id, 0, 5,
	                       "the reply to a call in a frame of exactly max_frame_size");
	free(bytes);
	return ok && still_works("a frame of max_frame_size");
}

/* A call sent one byte per TLS record: reassembled. */
static bool check_byte_by_byte(void)
{
	if (!ensure_session())
		return false;
	struct parcel data;
	add_parcel(&data, 40, 2);
	Bridge__Frame frame;
	Bridge__Transaction transaction;
	transaction_frame(&frame, &transaction, main_session->next_call_id++,
	                  new_chain(main_session), calculator_node, CODE_ADD, 0, &data, NULL, 0);
	uint8_t *bytes;
	size_t size;
	if (frame_encode(&frame, UINT32_MAX, &bytes, &size) != 0) {
		fail("cannot encode the call");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < size && ok; i++)
		ok = send_bytes(main_session, bytes + i, 1);
	free(bytes);
	return ok &&
	       expect_reply(main_session, transaction.call_id, 0, 42,
	                    "the reply to a call sent one byte at a time") &&
	       still_works("a call sent one byte at a time");
}

/* One frame while nodes of ours are on their way back: a Release of one
 * of them (marked in released), or a background frame. *frame is set,
 * and left to the caller, when it is neither. false on a failure. */
static bool take_release(struct session *session, bool *released, int rounds, int first_node,
                         int *count, Bridge__Frame **frame)
{
	*frame = NULL;
	Bridge__Frame *got;
	enum io io = receive(session, &got);
	if (io != IO_OK) {
		if (io != IO_BAD) {
			char missing[400] = "";
			for (int i = 0; i < rounds; i++)
				if (!released[i])
					snprintf(missing + strlen(missing),
					         sizeof(missing) - strlen(missing), " %d",
					         first_node + i);
			fail("%d of %d nodes of ours were released within the read timeout; "
			     "not:%s",
			     *count, rounds, missing);
		}
		return false;
	}
	if (background(session, got))
		return true;
	if (got->body_case != BRIDGE__FRAME__BODY_RELEASE) {
		*frame = got;
		return true;
	}
	uint64_t index = got->release->node_id - (uint64_t)first_node;
	bool ok = index < (uint64_t)rounds && !released[index] && got->release->count == 1;
	if (ok) {
		released[index] = true;
		(*count)++;
	} else {
		fail("waiting for the Releases, bridged sent %s", describe(got));
	}
	frame_free(got);
	return ok;
}

/* Nodes of ours that reach bridged in a call and that no local process
 * keeps (the service ignores the argument; a call refused before it runs)
 * are given back: a Release of each, with the one reference received
 * (nodes.c: a stand-in no one holds once its delivery is done). A
 * Release may come before or after the Reply of the call that carried
 * the node. */
static bool check_nodes_released(void)
{
	enum { ADDS = 20, ROUNDS = ADDS + 1, FIRST_NODE = 100 };
	if (!ensure_session())
		return false;
	/* Bounded by a shorter read timeout than the others. */
	struct timeval timeout = {10, 0};
	setsockopt(main_session->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	bool released[ROUNDS] = {false}, ok = true;
	int count = 0;
	for (int round = 0; round < ROUNDS && ok; round++) {
		struct parcel data;
		add_parcel(&data, round, 1);
		Bridge__BinderObject ours = BRIDGE__BINDER_OBJECT__INIT;
		ours.offset = (uint32_t)data.size;
		ours.kind = BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE;
		ours.node_id = FIRST_NODE + (uint64_t)round;
		put_zeros(&data, FRAME_OBJECT_SIZE);
		put_int32(&data, 0x0c);
		/* The last call also names a node bridged never gave out: it is
		 * refused after our node got its stand-in. */
		Bridge__BinderObject unknown = BRIDGE__BINDER_OBJECT__INIT;
		unknown.offset = (uint32_t)data.size;
		unknown.kind = BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE;
		unknown.node_id = UNKNOWN_NODE;
		put_zeros(&data, FRAME_OBJECT_SIZE);
		put_int32(&data, 0x0c);
		Bridge__BinderObject *objects[] = {&ours, &unknown};
		bool refused = round == ADDS;
		uint64_t call = send_call(main_session, calculator_node, CODE_ADD, 0, 0, &data,
		                          objects, refused ? 2 : 1);
		if (!call)
			return false;
		Bridge__Frame *frame = NULL;
		while (ok && !frame)
			ok = take_release(main_session, released, ROUNDS, FIRST_NODE, &count,
			                  &frame);
		if (!ok)
			break;
		if (frame->body_case != BRIDGE__FRAME__BODY_REPLY ||
		    frame->reply->call_id != call) {
			fail("waiting for the Reply to call %llu, bridged sent %s",
			     (unsigned long long)call, describe(frame));
			ok = false;
		} else {
			ok = check_reply(frame->reply, refused ? BINDER_FAILED_TRANSACTION : 0,
			                 round + 1,
			                 refused ? "the refusal of a call carrying a node of ours "
			                           "and an unknown one"
			                         : "add carrying a node of ours");
		}
		frame_free(frame);
	}
	while (ok && count < ROUNDS) {
		Bridge__Frame *frame = NULL;
		ok = take_release(main_session, released, ROUNDS, FIRST_NODE, &count, &frame);
		if (ok && frame) {
			fail("waiting for the Releases, bridged sent %s", describe(frame));
			ok = false;
		}
		frame_free(frame);
	}
	timeout.tv_sec = READ_TIMEOUT_S;
	setsockopt(main_session->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	return still_works("nodes of ours sent to bridged") && ok;
}

/* Oneway calls beyond what bridged queues: each dropped one is named by
 * an Error (BINDER_WOULD_BLOCK); no Reply for any. */
static bool check_oneway_flood(void)
{
	enum { COUNT = 500 };
	if (!ensure_session())
		return false;
	uint64_t first = main_session->next_call_id;
	bool refused[COUNT] = {false};
	size_t refused_count = 0;
	struct batch batch = {0};
	bool ok = true;
	for (size_t i = 0; i < COUNT && ok; i++) {
		struct parcel data;
		Bridge__Frame frame;
		Bridge__Transaction transaction;
		add_parcel(&data, 2, 3);
		transaction_frame(&frame, &transaction, main_session->next_call_id++, 0,
		                  calculator_node, CODE_ADD, FRAME_FLAG_ONEWAY, &data, NULL, 0);
		ok = batch_add(&batch, &frame);
	}
	Bridge__Frame ping;
	Bridge__Ping ping_body;
	uint64_t nonce = main_session->next_nonce++;
	ping_frame(&ping, &ping_body, nonce);
	ok = ok && batch_add(&batch, &ping) && batch_send(main_session, &batch);
	free(batch.bytes);
	while (ok) {
		Bridge__Frame *frame;
		enum io io = receive(main_session, &frame);
		if (io != IO_OK) {
			if (io != IO_BAD)
				fail("waiting for the Pong after the oneway flood: %s",
				     io_name(io));
			ok = false;
			break;
		}
		if (frame->body_case == BRIDGE__FRAME__BODY_PONG && frame->pong->nonce == nonce) {
			frame_free(frame);
			break;
		}
		if (background(main_session, frame))
			continue;
		uint64_t index = frame->body_case == BRIDGE__FRAME__BODY_ERROR
		                         ? frame->error->call_id - first
		                         : COUNT;
		if (index >= COUNT || refused[index] ||
		    frame->error->status != BINDER_WOULD_BLOCK) {
			fail("during the oneway flood, bridged sent %s", describe(frame));
			ok = false;
		} else {
			refused[index] = true;
			refused_count++;
		}
		frame_free(frame);
	}
	if (ok)
		note("%d oneway calls at once: %zu dropped with an Error", COUNT, refused_count);
	return ok && still_works("a flood of oneway calls");
}

/* Answers bridged's call (the worker's onProgress) with abuse, then
 * expects the Error that refusal brings (status; 0: none expected) and
 * sum's reply carrying the service's exception (the callback failed). */
/* The worker's sum (start_blocking_sum) saw its callback fail (after
 * what): its reply is an exception. */
static bool expect_sum_exception(uint64_t sum_call, const char *what)
{
	char description[200];
	snprintf(description, sizeof(description), "sum's reply after %s", what);
	Bridge__Frame *frame =
	        expect(main_session, BRIDGE__FRAME__BODY_REPLY, match_reply, sum_call, description);
	if (!frame)
		return false;
	const Bridge__Reply *reply = frame->reply;
	bool ok = reply->status == 0 && reply->data.len >= 4 && get_int32(&reply->data, 0) != 0;
	if (!ok)
		fail("%s: %s, expected an exception", description, describe(frame));
	frame_free(frame);
	return ok;
}

static bool check_bad_answer_to_callback(bool send_error, const char *what)
{
	uint64_t worker, sum_call, sum_chain;
	if (!ensure_session() || !import_service(main_session, "worker", 0, "IWorker", &worker))
		return false;
	Bridge__Frame *callback = start_blocking_sum(main_session, worker, &sum_call, &sum_chain);
	if (!callback)
		return false;
	uint64_t call_id = callback->transaction->call_id;
	frame_free(callback);
	bool ok;
	if (send_error) {
		/* An Error naming its call: that call fails with the status. */
		Bridge__Error error = BRIDGE__ERROR__INIT;
		error.call_id = call_id;
		error.status = BINDER_PERMISSION_DENIED;
		error.message = "rogue_peer: refused";
		Bridge__Frame frame = BRIDGE__FRAME__INIT;
		frame.body_case = BRIDGE__FRAME__BODY_ERROR;
		frame.error = &error;
		ok = send_frame(main_session, &frame);
	} else {
		/* A Reply whose object names a node bridged never gave out. */
		struct parcel answer = {.size = 0};
		put_int32(&answer, 0);
		Bridge__BinderObject object = BRIDGE__BINDER_OBJECT__INIT;
		object.offset = (uint32_t)answer.size;
		object.kind = BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE;
		object.node_id = UNKNOWN_NODE;
		Bridge__BinderObject *objects[] = {&object};
		put_zeros(&answer, FRAME_OBJECT_SIZE);
		put_int32(&answer, 0x0c);
		Bridge__Reply reply = BRIDGE__REPLY__INIT;
		reply.call_id = call_id;
		reply.data.data = answer.data;
		reply.data.len = answer.size;
		reply.objects = objects;
		reply.n_objects = 1;
		Bridge__Frame frame = BRIDGE__FRAME__INIT;
		frame.body_case = BRIDGE__FRAME__BODY_REPLY;
		frame.reply = &reply;
		ok = send_frame(main_session, &frame) &&
		     expect_error(main_session, BINDER_FAILED_TRANSACTION, 0,
		                  "the Error refusing our reply");
	}
	return ok && expect_sum_exception(sum_call, what) && still_works(what);
}

/* A call bridged makes to us that we never answer, while we go on
 * answering its Pings (a peer alive but silent to one call): after
 * call_timeout_ms (rogue_test.sh: CALL_TIMEOUT_MS) that call fails, the
 * worker's sum sees its callback fail and answers with an exception, and
 * our Reply after that is a Reply to no call. */
static bool check_call_timeout(void)
{
	uint64_t worker, sum_call, sum_chain;
	if (!ensure_session() || !import_service(main_session, "worker", 0, "IWorker", &worker))
		return false;
	Bridge__Frame *callback = start_blocking_sum(main_session, worker, &sum_call, &sum_chain);
	if (!callback)
		return false;
	uint64_t call_id = callback->transaction->call_id;
	frame_free(callback);
	if (!expect_sum_exception(sum_call, "its unanswered callback timed out"))
		return false;
	struct parcel answer = {.size = 0};
	put_int32(&answer, 0);
	Bridge__Reply late = BRIDGE__REPLY__INIT;
	late.call_id = call_id;
	late.data.data = answer.data;
	late.data.len = answer.size;
	Bridge__Frame late_frame = BRIDGE__FRAME__INIT;
	late_frame.body_case = BRIDGE__FRAME__BODY_REPLY;
	late_frame.reply = &late;
	return send_frame(main_session, &late_frame) &&
	       expect_refusal(main_session, BARRIER_LOOP, BINDER_BAD_VALUE, UINT64_MAX,
	                      "the Error for our Reply to the timed-out call") &&
	       still_works("a callback that timed out");
}

static bool check_bad_reply_to_callback(void)
{
	return check_bad_answer_to_callback(false, "a bad Reply to bridged's call");
}

static bool check_error_for_callback(void)
{
	return check_bad_answer_to_callback(true, "an Error for bridged's call");
}

/* A second link of hosta replaces the first, which bridged closes. */
static bool check_link_replaced(void)
{
	if (!ensure_session())
		return false;
	struct session *second = session_open();
	if (!second)
		return false;
	bool ok = expect_close(main_session, "the first link after a second one came up");
	session_free(main_session);
	main_session = second;
	calculator_node = 0;
	calculator_references = 0;
	if (ok && !import_service(main_session, "calculator", 0, "ICalculate", &calculator_node))
		ok = false;
	if (ok)
		calculator_references = 1;
	return ok && still_works("a second link");
}

/* The connection ends while bridged waits for our answer to its call and
 * calls of ours wait for its only worker: it fails them all, and the next
 * link works. */
static bool check_close_while_blocked(void)
{
	uint64_t worker, sum_call, sum_chain;
	if (!ensure_session() || !import_service(main_session, "worker", 0, "IWorker", &worker))
		return false;
	Bridge__Frame *callback = start_blocking_sum(main_session, worker, &sum_call, &sum_chain);
	if (!callback)
		return false;
	frame_free(callback);
	bool ok = true;
	for (int i = 0; i < 3 && ok; i++) {
		struct parcel data;
		add_parcel(&data, i, i);
		ok = send_call(main_session, calculator_node, CODE_ADD, 0, 0, &data, NULL, 0) != 0;
	}
	ok = ok && ping_barrier(main_session, "after the calls behind the blocked worker");
	/* Gone without a word (no close_notify). */
	shutdown(main_session->fd, SHUT_RDWR);
	main_session->closed = true;
	end_main_session();
	return still_works("a link closed while bridged waited for us") && ok;
}

/* --hold FILE: the last check, with the script (rogue_test.sh). */
static const char *hold_file;

/* bridged is stopped (SIGTERM) while it waits for our answer to its call
 * and calls of ours wait for its worker: it closes the link, fails them
 * and exits (the script checks it exits 0, in bounded time). We create
 * hold_file once everything is in place. */
static bool check_stop_while_waiting(void)
{
	uint64_t worker, sum_call, sum_chain;
	if (!ensure_session() || !import_service(main_session, "worker", 0, "IWorker", &worker))
		return false;
	Bridge__Frame *callback = start_blocking_sum(main_session, worker, &sum_call, &sum_chain);
	if (!callback)
		return false;
	frame_free(callback);
	bool ok = true;
	for (int i = 0; i < 2 && ok; i++) {
		struct parcel data;
		add_parcel(&data, i, i);
		ok = send_call(main_session, calculator_node, CODE_ADD, 0, 0, &data, NULL, 0) != 0;
	}
	ok = ok && ping_barrier(main_session, "after the calls behind the blocked worker");
	if (!ok)
		return false;
	FILE *file = fopen(hold_file, "w");
	if (!file || fclose(file) != 0) {
		fail("cannot create %s: %s", hold_file, strerror(errno));
		return false;
	}
	note("holding: bridged waits for our answer; the script stops it now");
	ok = expect_close(main_session, "the link when bridged stops");
	end_main_session();
	return ok;
}

/* ---- the checks that end the connection ---- */

static bool send_length(struct session *session, uint32_t length)
{
	uint8_t header[FRAME_HEADER_SIZE] = {(uint8_t)(length >> 24), (uint8_t)(length >> 16),
	                                     (uint8_t)(length >> 8), (uint8_t)length};
	return send_bytes(session, header, sizeof(header));
}

/* A length above max_frame_size: the stream cannot be resynchronised. */
static bool check_oversized_length(void)
{
	if (!ensure_session())
		return false;
	bool ok = send_length(main_session, b_max_frame_size + 1) &&
	          expect_error(main_session, BINDER_BAD_VALUE, 0,
	                       "the Error for a length above max_frame_size") &&
	          expect_close(main_session, "after a length above max_frame_size");
	end_main_session();
	return still_works("a length above max_frame_size") && ok;
}

/* A length of 0 (no frame is empty): refused with an Error; bridged may
 * skip the 4 bytes and go on, or close. */
static bool check_zero_length(void)
{
	if (!ensure_session())
		return false;
	bool ok = send_length(main_session, 0) &&
	          expect_error(main_session, BINDER_BAD_VALUE, 0, "the Error for a length of 0");
	if (ok) {
		Bridge__Frame frame;
		Bridge__Ping ping;
		uint64_t nonce = main_session->next_nonce++;
		ping_frame(&frame, &ping, nonce);
		uint8_t *bytes;
		size_t size;
		/* Not reported if it fails: bridged may have closed. */
		if (frame_encode(&frame, UINT32_MAX, &bytes, &size) == 0) {
			send_bytes_reporting(main_session, bytes, size, false);
			free(bytes);
		}
		Bridge__Frame *answer;
		enum io io = receive(main_session, &answer);
		if (io == IO_CLOSED) {
			note("bridged closed the link after a length of 0");
		} else if (io == IO_OK && answer->body_case == BRIDGE__FRAME__BODY_PONG &&
		           answer->pong->nonce == nonce) {
			note("bridged kept the link after a length of 0");
		} else {
			fail("after a length of 0: %s",
			     io == IO_OK ? describe(answer) : io_name(io));
			ok = false;
		}
		if (io == IO_OK)
			frame_free(answer);
	}
	end_main_session();
	return still_works("a length of 0") && ok;
}

/* A frame cut short by the end of the connection. */
static bool check_truncated_frame(void)
{
	if (!ensure_session())
		return false;
	uint8_t bytes[FRAME_HEADER_SIZE + 10] = {0, 0, 0, 100};
	memset(bytes + FRAME_HEADER_SIZE, 0x08, 10);
	bool ok = send_bytes(main_session, bytes, sizeof(bytes));
	end_main_session();
	return still_works("a frame cut short by the end of the connection") && ok;
}

/* ---- the checks before the Hello ---- */

/* Connects as name (after reading B's Hello if it sends one), sends what
 * (a raw frame), expects the connection to close with no answer. */
static bool refused_before_hello(const char *name, bool b_sends_hello, const uint8_t *bytes,
                                 size_t size, const char *what)
{
	struct session *session = session_connect(name);
	if (!session)
		return false;
	bool ok = !b_sends_hello || receive_hello(session);
	if (ok && bytes)
		ok = send_bytes(session, bytes, size);
	if (ok)
		ok = expect_close(session, what);
	session_free(session);
	return ok;
}

static bool refused_frame_before_hello(const Bridge__Frame *frame, const char *what)
{
	uint8_t *bytes;
	size_t size;
	if (frame_encode(frame, UINT32_MAX, &bytes, &size) != 0) {
		fail("cannot encode a %s frame", frame_kind_name(frame));
		return false;
	}
	bool ok = refused_before_hello(ROGUE_OWN_NAME, true, bytes, size, what);
	free(bytes);
	return ok;
}

static bool check_ping_before_hello(void)
{
	Bridge__Frame frame;
	Bridge__Ping ping;
	ping_frame(&frame, &ping, 1);
	return refused_frame_before_hello(&frame, "a Ping before the Hello");
}

static bool check_call_before_hello(void)
{
	Bridge__Frame frame;
	Bridge__Transaction transaction;
	struct parcel data;
	add_parcel(&data, 2, 3);
	transaction_frame(&frame, &transaction, 1, 1, 1, CODE_ADD, 0, &data, NULL, 0);
	return refused_frame_before_hello(&frame, "a Transaction before the Hello");
}

static bool check_import_before_hello(void)
{
	Bridge__ImportRequest request = BRIDGE__IMPORT_REQUEST__INIT;
	request.request_id = 1;
	request.name = "calculator";
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_IMPORT_REQUEST;
	frame.import_request = &request;
	return refused_frame_before_hello(&frame, "an ImportRequest before the Hello");
}

static bool check_hello_variant(const char *name, uint32_t version, uint32_t max_frame_size,
                                const char *what)
{
	Bridge__Hello hello = BRIDGE__HELLO__INIT;
	hello.version = version;
	hello.node_name = (char *)name;
	hello.max_frame_size = max_frame_size;
	hello.max_calls_in_flight = 64;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_HELLO;
	frame.hello = &hello;
	return refused_frame_before_hello(&frame, what);
}

static bool check_hello_other_name(void)
{
	return check_hello_variant(ROGUE_STRANGER, FRAME_PROTOCOL_VERSION, OWN_MAX_FRAME_SIZE,
	                           "a Hello naming hostc from hosta's certificate");
}

static bool check_hello_version_2(void)
{
	return check_hello_variant(ROGUE_OWN_NAME, 2, OWN_MAX_FRAME_SIZE, "a Hello of version 2");
}

static bool check_hello_small_frames(void)
{
	return check_hello_variant(ROGUE_OWN_NAME, FRAME_PROTOCOL_VERSION, 100,
	                           "a Hello with max_frame_size 100");
}

static bool check_garbage_before_hello(void)
{
	static const uint8_t bytes[] = {0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	return refused_before_hello(ROGUE_OWN_NAME, true, bytes, sizeof(bytes),
	                            "garbage before the Hello");
}

static bool check_unconfigured_peer(void)
{
	/* A certificate of the CA for a node B has no [peer] for: refused
	 * after TLS, before any Hello. */
	return refused_before_hello(ROGUE_STRANGER, false, NULL, 0,
	                            "a connection with hostc's certificate");
}

static bool check_silence_before_hello(void)
{
	/* Nothing at all: the handshake timeout closes it (bounded by our
	 * read timeout, which is longer than B's handshake_timeout_ms). */
	return refused_before_hello(ROGUE_OWN_NAME, true, NULL, 0, "no Hello at all");
}

/* ---- main ---- */

/* --only: run the checks whose name holds this; --skip (repeatable):
 * not those whose name holds one of these (debugging). */
static const char *only;
static const char *skip[16];
static size_t skip_count;

static void run(const char *name, bool (*check)(void))
{
	if (only && !strstr(name, only))
		return;
	for (size_t i = 0; i < skip_count; i++)
		if (strstr(name, skip[i])) {
			printf("ok - %s # SKIP\n", name);
			return;
		}
	int before = failures;
	current_check = name;
	bool ok = check();
	if (ok && failures != before)
		ok = false;
	if (!ok && failures == before)
		fail("failed");
	checks++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", checks, name);
	fflush(stdout);
	current_check = NULL;
}

static void watchdog(int signal_number)
{
	(void)signal_number;
	static const char message[] = "rogue_peer: FAIL: the run took too long\n";
	if (write(STDERR_FILENO, message, sizeof(message) - 1) < 0)
		_exit(1);
	_exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: rogue_peer --port PORT --certs DIR [--only TEXT] [--skip TEXT]...\n"
	                "                  [--hold FILE]\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	        {"port", required_argument, NULL, 'p'}, {"certs", required_argument, NULL, 'c'},
	        {"only", required_argument, NULL, 'o'}, {"skip", required_argument, NULL, 's'},
	        {"hold", required_argument, NULL, 'H'}, {NULL, 0, NULL, 0},
	};
	int option;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'c':
			certs_dir = optarg;
			break;
		case 'o':
			only = optarg;
			break;
		case 'H':
			hold_file = optarg;
			break;
		case 's':
			if (skip_count == sizeof(skip) / sizeof(skip[0])) {
				fprintf(stderr, "rogue_peer: too many --skip\n");
				return 2;
			}
			skip[skip_count++] = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || !certs_dir || optind != argc) {
		usage();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, watchdog);
	alarm(RUN_TIMEOUT_S);
	setvbuf(stderr, NULL, _IOLBF, 0);

	/* Before the Hello: each on a connection of its own. */
	run("unconfigured peer certificate closes", check_unconfigured_peer);
	run("Ping before the Hello closes", check_ping_before_hello);
	run("Transaction before the Hello closes", check_call_before_hello);
	run("ImportRequest before the Hello closes", check_import_before_hello);
	run("garbage before the Hello closes", check_garbage_before_hello);
	run("Hello with another node name closes", check_hello_other_name);
	run("Hello of version 2 closes", check_hello_version_2);
	run("Hello with max_frame_size below 4096 closes", check_hello_small_frames);
	run("no Hello: the handshake times out", check_silence_before_hello);

	/* On a link that is up, which they must not break. */
	run("import calculator and add", check_import_and_add);
	run("import of services not exported: BINDER_PERMISSION_DENIED", check_import_not_exported);
	run("call of an unknown node: BINDER_FAILED_TRANSACTION", check_unknown_target);
	run("unknown RECEIVER_NODE object: BINDER_FAILED_TRANSACTION",
	    check_unknown_receiver_object);
	run("bad object offsets: Error, link up", check_bad_objects);
	run("Reply to no call: Error, link up", check_reply_to_no_call);
	run("Error about no call: ignored, link up", check_error_for_no_call);
	run("ImportReply to no request: Error, link up", check_import_reply_to_no_request);
	run("Release of an unknown node: Error, link up", check_release_unknown);
	run("Death of an unknown node: ignored, link up", check_death_unknown);
	run("garbage with a valid length: Error, link up", check_garbage);
	run("second Hello: Error, link up", check_second_hello);
	run("nested call while bridged waits for our callback", check_nested_call);
	run("flood beyond max_calls_in_flight: BINDER_WOULD_BLOCK", check_flood_blocked);
	run("flood of calls at once", check_flood_unblocked);
	run("5000 Pings answered in order", check_ping_flood);
	run("150000 Pings read late answered in order", check_ping_flood_read_late);
	run("Release of the import forgets the node", check_release_import);
	run("malformed calls: Error, link up", check_malformed_transactions);
	run("frame that would unpack too big: Error, link up", check_decode_budget);
	run("frame of exactly max_frame_size accepted", check_largest_frame);
	run("call sent one byte per TLS record", check_byte_by_byte);
	run("nodes of ours dropped by the service are released", check_nodes_released);
	run("oneway flood: dropped calls get an Error", check_oneway_flood);
	run("bad Reply to bridged's call: Error, its call fails", check_bad_reply_to_callback);
	run("Error for bridged's call: its call fails", check_error_for_callback);
	run("bridged's call we never answer times out; our late Reply is refused",
	    check_call_timeout);
	run("second link of hosta replaces the first", check_link_replaced);
	run("link closed while bridged waits for us", check_close_while_blocked);

	/* The stream cannot go on (or may not). */
	run("length above max_frame_size: Error, then close", check_oversized_length);
	run("length of 0: Error", check_zero_length);
	run("frame cut short by the end of the connection", check_truncated_frame);

	/* Last: a fresh link works as the first did. */
	run("a fresh link still works", check_import_and_add);
	if (hold_file)
		run("bridged stops while it waits for us", check_stop_while_waiting);
	if (main_session) {
		if (!main_session->closed && calculator_node)
			send_release(main_session, calculator_node, calculator_references);
		end_main_session();
	}
	printf("1..%d\n", checks);
	if (failures)
		fprintf(stderr, "rogue_peer: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
