/*
 * config.c - bridged's configuration file (format in config.h), read with
 * inih. inih gets its lines through our own reader, which takes the section
 * headers itself: inih never reports a section without keys (a [peer] with
 * no address is valid) and cuts section names at 49 bytes (names may have
 * 127). inih splits each other line into key and value and calls on_entry.
 * The checks that need the whole file (required keys, references to peers
 * declared later) run once the file is read.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_THREADS 4
#define MIN_THREADS     1
#define MAX_THREADS     64

static const struct config_limits default_limits = {
        .max_frame_size = 4259840,
        .max_calls_in_flight = 256,
        .call_timeout_ms = 30000,
        .handshake_timeout_ms = 5000,
        .keepalive_interval_ms = 5000,
        .keepalive_timeout_ms = 15000,
        .reconnect_min_ms = 100,
        .reconnect_max_ms = 10000,
};

/* The keys of [limits]: where each goes and its range. */
static const struct limit_key {
	const char *key;
	size_t offset;
	uint32_t min;
	uint32_t max;
} limit_keys[] = {
        {"max_frame_size", offsetof(struct config_limits, max_frame_size), 4096, 67108864},
        {"max_calls_in_flight", offsetof(struct config_limits, max_calls_in_flight), 1, 65536},
        {"call_timeout_ms", offsetof(struct config_limits, call_timeout_ms), 1, 3600000},
        {"handshake_timeout_ms", offsetof(struct config_limits, handshake_timeout_ms), 1, 3600000},
        {"keepalive_interval_ms", offsetof(struct config_limits, keepalive_interval_ms), 1,
         3600000},
        {"keepalive_timeout_ms", offsetof(struct config_limits, keepalive_timeout_ms), 1, 3600000},
        {"reconnect_min_ms", offsetof(struct config_limits, reconnect_min_ms), 1, 3600000},
        {"reconnect_max_ms", offsetof(struct config_limits, reconnect_max_ms), 1, 3600000},
};
#define LIMIT_KEY_COUNT (sizeof(limit_keys) / sizeof(limit_keys[0]))

/* The keys of [bridge] that may appear once (listen may repeat). */
enum bridge_key {
	BRIDGE_NAME = 1u << 0,
	BRIDGE_CERTIFICATE = 1u << 1,
	BRIDGE_KEY = 1u << 2,
	BRIDGE_CA = 1u << 3,
	BRIDGE_DEVICE = 1u << 4,
	BRIDGE_THREADS = 1u << 5,
	BRIDGE_METRICS = 1u << 6,
};

enum section_kind {
	SECTION_NONE,
	SECTION_BRIDGE,
	SECTION_PEER,
	SECTION_EXPORT,
	SECTION_IMPORT,
	SECTION_LIMITS,
};

/* A peer named in an [export] or [import], checked once all peers are known. */
struct peer_reference {
	int line;
	const char *section; /* "export" or "import" */
	const char *owner;   /* the export's service, the import's local name */
	const char *peer;
};

/* The state of one config_load. */
struct parse {
	struct config *config;
	const char *path;
	FILE *file;
	char *line; /* getline's buffer */
	size_t line_capacity;
	int line_number;
	int read_errno;
	char *directory; /* the config file's, absolute; made when first needed */

	enum section_kind section;
	size_t index;        /* of the peer, export or import the section is about */
	unsigned entry_seen; /* keys of that peer or import seen so far */
	unsigned bridge_seen;
	unsigned limits_seen;

	int peer_line[CONFIG_MAX_PEERS];
	int export_line[CONFIG_MAX_EXPORTS];
	int import_line[CONFIG_MAX_IMPORTS];
	struct peer_reference *references;
	size_t reference_count;
	size_t reference_capacity;

	int status;     /* the first error: a negative errno */
	int error_line; /* its line, 0: the whole file */
	char message[512];
};

/* Records the first error, at the current line; returns 0 (inih's "stop"). */
__attribute__((format(printf, 3, 4))) static int fail(struct parse *parse, int status,
                                                      const char *format, ...)
{
	if (parse->status)
		return 0;
	parse->status = status;
	parse->error_line = parse->line_number;
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(parse->message, sizeof(parse->message), format, arguments);
	va_end(arguments);
	return 0;
}

static int fail_memory(struct parse *parse)
{
	return fail(parse, -ENOMEM, "out of memory");
}

/* Node, peer and service names: 1..127 bytes of [A-Za-z0-9_.-/@:]. */
static bool valid_name(const char *name)
{
	size_t length = strlen(name);
	if (length < 1 || length > CONFIG_MAX_NAME)
		return false;
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isascii(c) || !(isalnum(c) || strchr("_.-/@:", c)))
			return false;
	}
	return true;
}

static int fail_name(struct parse *parse, const char *what, const char *name)
{
	return fail(parse, -EINVAL, "bad %s '%s' (1..%d bytes of letters, digits and _ . - / @ :)",
	            what, name, CONFIG_MAX_NAME);
}

/* A decimal number that fits in uint32_t: 1 if so, 0 if it has digits only
 * but is too big, -1 if it is not a number. */
static int parse_number(const char *text, uint32_t *value)
{
	if (!isdigit((unsigned char)text[0]))
		return -1;
	uint64_t number = 0;
	for (const char *c = text; *c; c++) {
		if (!isdigit((unsigned char)*c))
			return -1;
		number = number * 10 + (uint64_t)(*c - '0');
		if (number > UINT32_MAX) {
			while (isdigit((unsigned char)*c))
				c++;
			return *c ? -1 : 0;
		}
	}
	*value = (uint32_t)number;
	return 1;
}

/* A number key in [min, max]; returns 1, or 0 after recording the error. */
static int number_entry(struct parse *parse, const char *key, const char *value, uint32_t min,
                        uint32_t max, uint32_t *out)
{
	uint32_t number = 0;
	int parsed = parse_number(value, &number);
	if (parsed < 0)
		return fail(parse, -EINVAL, "%s: '%s' is not a number", key, value);
	if (parsed == 0 || number < min || number > max)
		return fail(parse, -EINVAL, "%s: %s is out of range (%u..%u)", key, value, min,
		            max);
	*out = number;
	return 1;
}

/* IPV4:PORT or [IPV6]:PORT, numeric, port 1..65535. Returns 1, or 0 after
 * recording the error. */
static int parse_address(struct parse *parse, const char *key, const char *value,
                         struct config_address *out)
{
	struct config_address address;
	memset(&address, 0, sizeof(address));
	size_t length = strlen(value);
	if (length == 0 || length >= sizeof(address.text))
		goto bad_address;
	char host[sizeof(address.text)];
	const char *port;
	if (value[0] == '[') {
		const char *close = strchr(value, ']');
		if (!close || close[1] != ':')
			goto bad_address;
		memcpy(host, value + 1, (size_t)(close - value - 1));
		host[close - value - 1] = '\0';
		port = close + 2;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&address.address;
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad_address;
		in6->sin6_family = AF_INET6;
		address.length = sizeof(*in6);
	} else {
		const char *colon = strrchr(value, ':');
		if (!colon)
			goto bad_address;
		memcpy(host, value, (size_t)(colon - value));
		host[colon - value] = '\0';
		port = colon + 1;
		struct sockaddr_in *in = (struct sockaddr_in *)&address.address;
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			goto bad_address;
		in->sin_family = AF_INET;
		address.length = sizeof(*in);
	}
	uint32_t number = 0;
	if (strlen(port) > 5 || parse_number(port, &number) != 1 || number < 1 || number > 65535)
		return fail(parse, -EINVAL, "%s: bad port in '%s' (1..65535)", key, value);
	if (address.address.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&address.address)->sin6_port = htons((uint16_t)number);
	else
		((struct sockaddr_in *)&address.address)->sin_port = htons((uint16_t)number);
	memcpy(address.text, value, length + 1);
	*out = address;
	return 1;

bad_address:
	return fail(parse, -EINVAL,
	            "%s: bad address '%s' (expected IPV4:PORT or [IPV6]:PORT, numeric)", key,
	            value);
}

static bool same_address(const struct config_address *a, const struct config_address *b)
{
	return a->length == b->length && memcmp(&a->address, &b->address, a->length) == 0;
}

/* Joins directory and name with a '/'; malloc'ed. */
static char *join_path(const char *directory, size_t directory_length, const char *name)
{
	size_t name_length = strlen(name);
	char *path = malloc(directory_length + 1 + name_length + 1);
	if (!path)
		return NULL;
	memcpy(path, directory, directory_length);
	path[directory_length] = '/';
	memcpy(path + directory_length + 1, name, name_length + 1);
	return path;
}

/* The config file's directory, absolute (symbolic links kept as written). */
static int make_directory(struct parse *parse)
{
	const char *slash = strrchr(parse->path, '/');
	size_t length = slash ? (size_t)(slash - parse->path) : 0;
	if (parse->path[0] == '/') {
		parse->directory = strndup(parse->path, length); /* "/x.ini": "" */
		return parse->directory ? 0 : -ENOMEM;
	}
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return -errno;
	if (length == 0 || (length == 1 && parse->path[0] == '.')) {
		parse->directory = cwd;
		return 0;
	}
	char *relative = strndup(parse->path, length);
	if (relative)
		parse->directory = join_path(cwd, strlen(cwd), relative);
	free(relative);
	free(cwd);
	return parse->directory ? 0 : -ENOMEM;
}

/* certificate, key and ca: relative paths are relative to the config
 * file's directory. Returns 1, or 0 after recording the error. */
static int path_entry(struct parse *parse, const char *key, const char *value, char **out)
{
	if (value[0] == '\0')
		return fail(parse, -EINVAL, "%s: empty path", key);
	char *path;
	if (value[0] == '/') {
		path = strdup(value);
	} else {
		if (!parse->directory) {
			int status = make_directory(parse);
			if (status)
				return fail(parse, status, "%s: cannot resolve '%s': %s", key,
				            value, strerror(-status));
		}
		path = join_path(parse->directory, strlen(parse->directory), value);
	}
	if (!path)
		return fail_memory(parse);
	*out = path;
	return 1;
}

/* Marks key seen in *seen; 0 after recording the error if it already was. */
static int first_time(struct parse *parse, unsigned *seen, unsigned bit, const char *key)
{
	if (*seen & bit)
		return fail(parse, -EINVAL, "duplicate key '%s'", key);
	*seen |= bit;
	return 1;
}

static int string_entry(struct parse *parse, const char *value, char **out)
{
	*out = strdup(value);
	return *out ? 1 : fail_memory(parse);
}

/* [bridge] metrics: an address, or a bare port on 127.0.0.1 (never every
 * interface unless the file says so). */
static int metrics_entry(struct parse *parse, const char *key, const char *value)
{
	struct config *config = parse->config;
	char local[sizeof(config->metrics_address.text)];
	if (value[0] != '\0' && strspn(value, "0123456789") == strlen(value)) {
		if (strlen(value) > 5)
			return fail(parse, -EINVAL, "%s: bad port '%s' (1..65535)", key, value);
		snprintf(local, sizeof(local), "127.0.0.1:%s", value);
		value = local;
	}
	if (!parse_address(parse, key, value, &config->metrics_address))
		return 0;
	for (size_t i = 0; i < config->listen_count; i++)
		if (same_address(&config->listen[i], &config->metrics_address))
			return fail(parse, -EINVAL, "%s: '%s' is also a listen address", key,
			            value);
	config->has_metrics = true;
	return 1;
}

static int bridge_entry(struct parse *parse, const char *key, const char *value)
{
	struct config *config = parse->config;
	if (strcmp(key, "listen") == 0) {
		if (config->listen_count >= CONFIG_MAX_LISTEN)
			return fail(parse, -EINVAL, "too many listen addresses (at most %d)",
			            CONFIG_MAX_LISTEN);
		struct config_address address;
		if (!parse_address(parse, key, value, &address))
			return 0;
		for (size_t i = 0; i < config->listen_count; i++) {
			if (same_address(&config->listen[i], &address))
				return fail(parse, -EINVAL, "listen: duplicate address '%s'",
				            value);
		}
		if (config->has_metrics && same_address(&config->metrics_address, &address))
			return fail(parse, -EINVAL, "listen: '%s' is also the metrics address",
			            value);
		config->listen[config->listen_count++] = address;
		return 1;
	}
	if (strcmp(key, "name") == 0) {
		if (!first_time(parse, &parse->bridge_seen, BRIDGE_NAME, key))
			return 0;
		if (!valid_name(value))
			return fail_name(parse, "node name", value);
		return string_entry(parse, value, &config->name);
	}
	if (strcmp(key, "certificate") == 0)
		return first_time(parse, &parse->bridge_seen, BRIDGE_CERTIFICATE, key) &&
		       path_entry(parse, key, value, &config->certificate);
	if (strcmp(key, "key") == 0)
		return first_time(parse, &parse->bridge_seen, BRIDGE_KEY, key) &&
		       path_entry(parse, key, value, &config->key);
	if (strcmp(key, "ca") == 0)
		return first_time(parse, &parse->bridge_seen, BRIDGE_CA, key) &&
		       path_entry(parse, key, value, &config->ca);
	if (strcmp(key, "device") == 0) {
		if (!first_time(parse, &parse->bridge_seen, BRIDGE_DEVICE, key))
			return 0;
		if (value[0] == '\0')
			return fail(parse, -EINVAL, "device: empty path");
		return string_entry(parse, value, &config->device);
	}
	if (strcmp(key, "metrics") == 0)
		return first_time(parse, &parse->bridge_seen, BRIDGE_METRICS, key) &&
		       metrics_entry(parse, key, value);
	if (strcmp(key, "threads") == 0)
		return first_time(parse, &parse->bridge_seen, BRIDGE_THREADS, key) &&
		       number_entry(parse, key, value, MIN_THREADS, MAX_THREADS, &config->threads);
	return fail(parse, -EINVAL, "unknown key '%s' in [bridge]", key);
}

static int limits_entry(struct parse *parse, const char *key, const char *value)
{
	for (size_t i = 0; i < LIMIT_KEY_COUNT; i++) {
		const struct limit_key *limit = &limit_keys[i];
		if (strcmp(key, limit->key) != 0)
			continue;
		if (!first_time(parse, &parse->limits_seen, 1u << i, key))
			return 0;
		uint32_t *out = (uint32_t *)((char *)&parse->config->limits + limit->offset);
		return number_entry(parse, key, value, limit->min, limit->max, out);
	}
	return fail(parse, -EINVAL, "unknown key '%s' in [limits]", key);
}

static int peer_entry(struct parse *parse, const char *key, const char *value)
{
	struct config_peer *peer = &parse->config->peers[parse->index];
	if (strcmp(key, "address") == 0) {
		if (!first_time(parse, &parse->entry_seen, 1, key) ||
		    !parse_address(parse, key, value, &peer->address))
			return 0;
		peer->has_address = true;
		return 1;
	}
	return fail(parse, -EINVAL, "unknown key '%s' in [peer %s]", key, peer->name);
}

static int add_reference(struct parse *parse, const char *section, const char *owner,
                         const char *peer)
{
	if (parse->reference_count == parse->reference_capacity) {
		size_t capacity = parse->reference_capacity ? 2 * parse->reference_capacity : 16;
		struct peer_reference *references =
		        realloc(parse->references, capacity * sizeof(*references));
		if (!references)
			return fail_memory(parse);
		parse->references = references;
		parse->reference_capacity = capacity;
	}
	parse->references[parse->reference_count++] = (struct peer_reference){
	        .line = parse->line_number, .section = section, .owner = owner, .peer = peer};
	return 1;
}

/* One peer of an export's list: "*" or a peer name. */
static int export_peer(struct parse *parse, struct config_export *export, const char *item)
{
	if (item[0] == '\0')
		return fail(parse, -EINVAL, "peers: empty item in the list");
	if (strcmp(item, "*") == 0 || export->all_peers) {
		if (export->all_peers || export->peer_count > 0)
			return fail(parse, -EINVAL, "peers: '*' must be alone");
		export->all_peers = true;
		return 1;
	}
	if (!valid_name(item))
		return fail_name(parse, "peer name", item);
	for (size_t i = 0; i < export->peer_count; i++) {
		if (strcmp(export->peers[i], item) == 0)
			return fail(parse, -EINVAL, "peers: '%s' listed twice", item);
	}
	if (export->peer_count >= CONFIG_MAX_PEERS)
		return fail(parse, -EINVAL, "peers: more than %d peers", CONFIG_MAX_PEERS);
	char **peers = realloc(export->peers, (export->peer_count + 1) * sizeof(*peers));
	if (!peers)
		return fail_memory(parse);
	export->peers = peers;
	char *name = strdup(item);
	if (!name)
		return fail_memory(parse);
	peers[export->peer_count++] = name;
	return add_reference(parse, "export", export->service, name);
}

/* peers = a, b, c or "*"; may repeat (or continue on indented lines): the
 * lists add up. */
static int export_entry(struct parse *parse, const char *key, const char *value)
{
	struct config_export *export = &parse->config->exports[parse->index];
	if (strcmp(key, "peers") != 0)
		return fail(parse, -EINVAL, "unknown key '%s' in [export %s]", key,
		            export->service);
	if (value[0] == '\0')
		return fail(parse, -EINVAL, "peers: empty list (\"*\" exports to every peer)");
	char *copy = strdup(value);
	if (!copy)
		return fail_memory(parse);
	int result = 1;
	char *rest = copy;
	for (char *item = strsep(&rest, ","); item && result; item = strsep(&rest, ",")) {
		while (isspace((unsigned char)*item))
			item++;
		char *end = item + strlen(item);
		while (end > item && isspace((unsigned char)end[-1]))
			*--end = '\0';
		result = export_peer(parse, export, item);
	}
	free(copy);
	return result;
}

enum import_key {
	IMPORT_PEER = 1u << 0,
	IMPORT_SERVICE = 1u << 1,
};

static int import_entry(struct parse *parse, const char *key, const char *value)
{
	struct config_import *import = &parse->config->imports[parse->index];
	if (strcmp(key, "peer") == 0) {
		if (!first_time(parse, &parse->entry_seen, IMPORT_PEER, key))
			return 0;
		if (!valid_name(value))
			return fail_name(parse, "peer name", value);
		return string_entry(parse, value, &import->peer) &&
		       add_reference(parse, "import", import->local_name, import->peer);
	}
	if (strcmp(key, "service") == 0) {
		if (!first_time(parse, &parse->entry_seen, IMPORT_SERVICE, key))
			return 0;
		if (!valid_name(value))
			return fail_name(parse, "service name", value);
		return string_entry(parse, value, &import->service);
	}
	return fail(parse, -EINVAL, "unknown key '%s' in [import %s]", key, import->local_name);
}

/* inih's callback for each `key = value` (and each indented continuation
 * line); returns 0 on an error, recorded in parse. */
static int on_entry(void *user, const char *section, const char *key, const char *value)
{
	struct parse *parse = user;
	(void)section; /* ours is parse->section: inih cuts long names */
	if (parse->status)
		return 0;
	if (!key)
		return 1; /* a library built to report new sections: we read them */
	if (!value)
		return fail(parse, -EINVAL, "expected 'key = value'");
	switch (parse->section) {
	case SECTION_BRIDGE:
		return bridge_entry(parse, key, value);
	case SECTION_LIMITS:
		return limits_entry(parse, key, value);
	case SECTION_PEER:
		return peer_entry(parse, key, value);
	case SECTION_EXPORT:
		return export_entry(parse, key, value);
	case SECTION_IMPORT:
		return import_entry(parse, key, value);
	case SECTION_NONE:
		break;
	}
	return fail(parse, -EINVAL, "key '%s' before any section", key);
}

/* Grows *array (of count elements of size bytes) by one zeroed element. */
static void *grow(void *array, size_t count, size_t size)
{
	char *grown = realloc(array, (count + 1) * size);
	if (grown)
		memset(grown + count * size, 0, size);
	return grown;
}

static int open_peer(struct parse *parse, const char *name)
{
	struct config *config = parse->config;
	for (size_t i = 0; i < config->peer_count; i++) {
		if (strcmp(config->peers[i].name, name) == 0)
			return fail(parse, -EINVAL, "duplicate [peer %s] (first at line %d)", name,
			            parse->peer_line[i]);
	}
	if (config->peer_count >= CONFIG_MAX_PEERS)
		return fail(parse, -EINVAL, "too many peers (at most %d)", CONFIG_MAX_PEERS);
	struct config_peer *peers = grow(config->peers, config->peer_count, sizeof(*peers));
	if (!peers)
		return fail_memory(parse);
	config->peers = peers;
	peers[config->peer_count].name = strdup(name);
	if (!peers[config->peer_count].name)
		return fail_memory(parse);
	parse->peer_line[config->peer_count] = parse->line_number;
	parse->index = config->peer_count++;
	return 1;
}

static int open_export(struct parse *parse, const char *service)
{
	struct config *config = parse->config;
	for (size_t i = 0; i < config->export_count; i++) {
		if (strcmp(config->exports[i].service, service) == 0)
			return fail(parse, -EINVAL, "duplicate [export %s] (first at line %d)",
			            service, parse->export_line[i]);
	}
	if (config->export_count >= CONFIG_MAX_EXPORTS)
		return fail(parse, -EINVAL, "too many exports (at most %d)", CONFIG_MAX_EXPORTS);
	struct config_export *exports =
	        grow(config->exports, config->export_count, sizeof(*exports));
	if (!exports)
		return fail_memory(parse);
	config->exports = exports;
	exports[config->export_count].service = strdup(service);
	if (!exports[config->export_count].service)
		return fail_memory(parse);
	parse->export_line[config->export_count] = parse->line_number;
	parse->index = config->export_count++;
	return 1;
}

static int open_import(struct parse *parse, const char *local_name)
{
	struct config *config = parse->config;
	for (size_t i = 0; i < config->import_count; i++) {
		if (strcmp(config->imports[i].local_name, local_name) == 0)
			return fail(parse, -EINVAL, "duplicate [import %s] (first at line %d)",
			            local_name, parse->import_line[i]);
	}
	if (config->import_count >= CONFIG_MAX_IMPORTS)
		return fail(parse, -EINVAL, "too many imports (at most %d)", CONFIG_MAX_IMPORTS);
	struct config_import *imports =
	        grow(config->imports, config->import_count, sizeof(*imports));
	if (!imports)
		return fail_memory(parse);
	config->imports = imports;
	imports[config->import_count].local_name = strdup(local_name);
	if (!imports[config->import_count].local_name)
		return fail_memory(parse);
	parse->import_line[config->import_count] = parse->line_number;
	parse->index = config->import_count++;
	return 1;
}

/* A "[kind]" or "[kind NAME]" line (start at the '['): makes it the
 * current section. Returns 1, or 0 after recording the error. */
static int open_section(struct parse *parse, const char *start)
{
	const char *close = strchr(start, ']');
	if (!close)
		return fail(parse, -EINVAL, "section header without ']'");
	const char *after = close + 1;
	while (isspace((unsigned char)*after))
		after++;
	if (*after && *after != ';' && *after != '#')
		return fail(parse, -EINVAL, "text after the section header");
	char *inside = strndup(start + 1, (size_t)(close - start - 1));
	if (!inside)
		return fail_memory(parse);
	/* Trim, then split into the kind and its argument. */
	char *kind = inside;
	while (isspace((unsigned char)*kind))
		kind++;
	char *end = kind + strlen(kind);
	while (end > kind && isspace((unsigned char)end[-1]))
		*--end = '\0';
	char *argument = kind;
	while (*argument && !isspace((unsigned char)*argument))
		argument++;
	if (*argument) {
		*argument++ = '\0';
		while (isspace((unsigned char)*argument))
			argument++;
	}

	int result = 1;
	parse->entry_seen = 0;
	if (strcmp(kind, "bridge") == 0 || strcmp(kind, "limits") == 0) {
		if (*argument)
			result = fail(parse, -EINVAL, "[%s] takes no name", kind);
		else
			parse->section = kind[0] == 'b' ? SECTION_BRIDGE : SECTION_LIMITS;
	} else if (strcmp(kind, "peer") == 0 || strcmp(kind, "export") == 0 ||
	           strcmp(kind, "import") == 0) {
		const char *what = kind[0] == 'p'   ? "peer name"
		                   : kind[0] == 'e' ? "service name"
		                                    : "local name";
		if (!*argument) {
			result = fail(parse, -EINVAL, "[%s] needs a name: [%s NAME]", kind, kind);
		} else if (!valid_name(argument)) {
			result = fail_name(parse, what, argument);
		} else if (kind[0] == 'p') {
			result = open_peer(parse, argument);
			parse->section = SECTION_PEER;
		} else if (kind[0] == 'e') {
			result = open_export(parse, argument);
			parse->section = SECTION_EXPORT;
		} else {
			result = open_import(parse, argument);
			parse->section = SECTION_IMPORT;
		}
	} else {
		/* Quote the header as written, less its brackets. */
		result = fail(parse, -EINVAL, "unknown section [%.*s]", (int)(close - start - 1),
		              start + 1);
	}
	free(inside);
	return result;
}

/* inih's line reader: takes the section headers (handing inih a stand-in),
 * refuses lines longer than inih takes. Returns NULL at the end of the
 * file or after an error. */
static char *read_line(char *buffer, int size, void *stream)
{
	struct parse *parse = stream;
	if (parse->status)
		return NULL;
	errno = 0;
	ssize_t length = getline(&parse->line, &parse->line_capacity, parse->file);
	if (length < 0) {
		if (ferror(parse->file))
			parse->read_errno = errno ? errno : EIO;
		return NULL;
	}
	parse->line_number++;
	char *text = parse->line;
	if (strlen(text) != (size_t)length) {
		fail(parse, -EINVAL, "NUL byte in the line");
		return NULL;
	}
	if (parse->line_number == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
		text += 3; /* a UTF-8 byte order mark */
	const char *start = text;
	while (isspace((unsigned char)*start))
		start++;
	if (*start == '[') {
		if (!open_section(parse, start))
			return NULL;
		snprintf(buffer, (size_t)size, "[section]\n");
		return buffer;
	}
	size_t text_length = strlen(text);
	if (text_length + 1 > (size_t)size) {
		fail(parse, -EINVAL, "line too long (at most %d bytes)", size - 2);
		return NULL;
	}
	memcpy(buffer, text, text_length + 1);
	return buffer;
}

/* The checks that need the whole file. Returns 0 or a negative errno. */
static int check_file(struct parse *parse)
{
	struct config *config = parse->config;
	parse->line_number = 0; /* errors below are the whole file's... */
	static const struct {
		size_t offset;
		const char *key;
	} required[] = {
	        {offsetof(struct config, name), "name"},
	        {offsetof(struct config, certificate), "certificate"},
	        {offsetof(struct config, key), "key"},
	        {offsetof(struct config, ca), "ca"},
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!*(char **)((char *)config + required[i].offset)) {
			fail(parse, -EINVAL, "[bridge] %s is required", required[i].key);
			return parse->status;
		}
	}
	const struct config_limits *limits = &config->limits;
	if (limits->reconnect_min_ms > limits->reconnect_max_ms) {
		fail(parse, -EINVAL, "[limits] reconnect_min_ms (%u) exceeds reconnect_max_ms (%u)",
		     limits->reconnect_min_ms, limits->reconnect_max_ms);
		return parse->status;
	}
	if (limits->keepalive_timeout_ms <= limits->keepalive_interval_ms) {
		fail(parse, -EINVAL,
		     "[limits] keepalive_timeout_ms (%u) must exceed keepalive_interval_ms (%u)",
		     limits->keepalive_timeout_ms, limits->keepalive_interval_ms);
		return parse->status;
	}

	/* ...and these, a section's or an entry's. */
	for (size_t i = 0; i < config->peer_count; i++) {
		parse->line_number = parse->peer_line[i];
		if (strcmp(config->peers[i].name, config->name) == 0) {
			fail(parse, -EINVAL, "[peer %s] has this node's own name", config->name);
			return parse->status;
		}
	}
	for (size_t i = 0; i < config->export_count; i++) {
		const struct config_export *export = &config->exports[i];
		parse->line_number = parse->export_line[i];
		if (!export->all_peers && export->peer_count == 0) {
			fail(parse, -EINVAL, "[export %s]: peers is required", export->service);
			return parse->status;
		}
	}
	for (size_t i = 0; i < config->import_count; i++) {
		const struct config_import *import = &config->imports[i];
		parse->line_number = parse->import_line[i];
		if (!import->peer || !import->service) {
			fail(parse, -EINVAL, "[import %s]: %s is required", import->local_name,
			     import->peer ? "service" : "peer");
			return parse->status;
		}
	}
	for (size_t i = 0; i < parse->reference_count; i++) {
		const struct peer_reference *reference = &parse->references[i];
		parse->line_number = reference->line;
		if (!config_find_peer(config, reference->peer)) {
			fail(parse, -EINVAL, "[%s %s]: unknown peer '%s' (no [peer %s] section)",
			     reference->section, reference->owner, reference->peer,
			     reference->peer);
			return parse->status;
		}
	}
	return 0;
}

static void set_error(char *error, size_t error_size, const char *path, int line,
                      const char *message)
{
	if (!error || error_size == 0)
		return;
	if (line > 0)
		snprintf(error, error_size, "%s:%d: %s", path, line, message);
	else
		snprintf(error, error_size, "%s: %s", path, message);
}

int config_load(const char *path, struct config *config, char *error, size_t error_size)
{
	memset(config, 0, sizeof(*config));
	if (error && error_size)
		error[0] = '\0';
	struct parse *parse = calloc(1, sizeof(*parse));
	if (!parse) {
		set_error(error, error_size, path, 0, "out of memory");
		return -ENOMEM;
	}
	parse->config = config;
	parse->path = path;
	config->threads = DEFAULT_THREADS;
	config->limits = default_limits;

	int status = 0;
	parse->file = fopen(path, "re");
	if (!parse->file) {
		status = -errno;
		fail(parse, status, "cannot open: %s", strerror(errno));
		goto out;
	}
	config->path = strdup(path);
	if (!config->path) {
		status = fail_memory(parse);
		goto out;
	}
	int result = ini_parse_stream(read_line, parse, on_entry, parse);
	if (parse->read_errno && !parse->status) {
		parse->line_number = 0;
		fail(parse, -parse->read_errno, "cannot read: %s", strerror(parse->read_errno));
	}
	if (result > 0 && (!parse->status || result < parse->error_line)) {
		/* inih's own complaint (a line with no '='), before any of ours. */
		parse->status = 0;
		parse->line_number = result;
		fail(parse, -EINVAL, "expected 'key = value', '[section]' or a comment");
	} else if (result < 0 && !parse->status) {
		fail(parse, -ENOMEM, "out of memory");
	}
	if (!parse->status)
		check_file(parse);

out:
	status = parse->status;
	if (status) {
		set_error(error, error_size, path, parse->error_line, parse->message);
		config_free(config);
	}
	if (parse->file)
		fclose(parse->file);
	free(parse->line);
	free(parse->directory);
	free(parse->references);
	free(parse);
	return status;
}

void config_free(struct config *config)
{
	if (!config)
		return;
	free(config->path);
	free(config->name);
	free(config->certificate);
	free(config->key);
	free(config->ca);
	free(config->device);
	for (size_t i = 0; i < config->peer_count; i++)
		free(config->peers[i].name);
	free(config->peers);
	for (size_t i = 0; i < config->export_count; i++) {
		for (size_t j = 0; j < config->exports[i].peer_count; j++)
			free(config->exports[i].peers[j]);
		free(config->exports[i].peers);
		free(config->exports[i].service);
	}
	free(config->exports);
	for (size_t i = 0; i < config->import_count; i++) {
		free(config->imports[i].local_name);
		free(config->imports[i].peer);
		free(config->imports[i].service);
	}
	free(config->imports);
	memset(config, 0, sizeof(*config));
}

const struct config_peer *config_find_peer(const struct config *config, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < config->peer_count; i++) {
		if (strcmp(config->peers[i].name, name) == 0)
			return &config->peers[i];
	}
	return NULL;
}

bool config_exports_to(const struct config *config, const char *service, const char *peer)
{
	if (!service || !peer)
		return false;
	for (size_t i = 0; i < config->export_count; i++) {
		const struct config_export *export = &config->exports[i];
		if (strcmp(export->service, service) != 0)
			continue;
		if (export->all_peers)
			return config_find_peer(config, peer) != NULL;
		for (size_t j = 0; j < export->peer_count; j++) {
			if (strcmp(export->peers[j], peer) == 0)
				return true;
		}
		return false;
	}
	return false;
}
