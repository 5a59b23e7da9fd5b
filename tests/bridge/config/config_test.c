/*
 * config_test.c - bridged's configuration file (bridged/config.c): a full
 * config read field by field, the defaults, relative paths, the export
 * lookups, and each kind of error with the exact "FILE:LINE: " it reports.
 * Each test writes its files into a fresh mkdtemp directory.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char directory[PATH_MAX];
static char config_path[PATH_MAX + 32];

static void make_directory(void)
{
	snprintf(directory, sizeof(directory), "/tmp/bridged-config.XXXXXX");
	cr_assert_not_null(mkdtemp(directory));
	/* /tmp may be a symbolic link: the loader keeps the path as given. */
	snprintf(config_path, sizeof(config_path), "%s/bridged.ini", directory);
}

static int remove_entry(const char *path, const struct stat *status, int flag, struct FTW *ftw)
{
	(void)status, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_directory(void)
{
	nftw(directory, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(config, .init = make_directory, .fini = remove_directory, .timeout = 30);

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file, "cannot create %s", path);
	cr_assert_eq(fputs(text, file) >= 0, true);
	cr_assert_eq(fclose(file), 0);
}

/* Writes text to the suite's bridged.ini and loads it; asserts success. */
static void load_ok(const char *text, struct config *config)
{
	write_file(config_path, text);
	char error[512] = "unset";
	int status = config_load(config_path, config, error, sizeof(error));
	cr_assert_eq(status, 0, "config_load: %d: %s", status, error);
}

static bool is_zeroed(const struct config *config)
{
	static const struct config zero;
	return memcmp(config, &zero, sizeof(zero)) == 0;
}

/* Loads text and expects -EINVAL with "FILE:LINE: " (line 0: "FILE: ")
 * followed by a message that contains reason; *config must be left empty. */
static void expect_error(const char *text, int line, const char *reason)
{
	write_file(config_path, text);
	struct config config;
	memset(&config, 0xa5, sizeof(config));
	char error[512] = "";
	int status = config_load(config_path, &config, error, sizeof(error));
	cr_assert_eq(status, -EINVAL, "status %d, error '%s'; expected line %d: %s", status, error,
	             line, reason);
	cr_assert(is_zeroed(&config), "config not empty after an error");
	char prefix[PATH_MAX + 64];
	if (line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", config_path, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", config_path);
	cr_assert_eq(strncmp(error, prefix, strlen(prefix)), 0, "expected '%s...', got '%s'",
	             prefix, error);
	cr_assert_not_null(strstr(error + strlen(prefix), reason), "expected '%s' in '%s'", reason,
	                   error);
}

/* A valid [bridge] section: five lines. */
#define BRIDGE                                                                                     \
	"[bridge]\n"                                                                               \
	"name = hosta\n"                                                                           \
	"certificate = /etc/bridged/hosta.crt\n"                                                   \
	"key = /etc/bridged/hosta.key\n"                                                           \
	"ca = /etc/bridged/ca.crt\n"

static void check_ipv4(const struct config_address *address, const char *ip, uint16_t port,
                       const char *text)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)&address->address;
	cr_assert_eq(address->length, sizeof(struct sockaddr_in));
	cr_assert_eq(in->sin_family, AF_INET);
	cr_assert_eq(ntohs(in->sin_port), port);
	struct in_addr expected;
	cr_assert_eq(inet_pton(AF_INET, ip, &expected), 1);
	cr_assert_eq(in->sin_addr.s_addr, expected.s_addr);
	cr_assert_str_eq(address->text, text);
}

static void check_ipv6(const struct config_address *address, const char *ip, uint16_t port,
                       const char *text)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&address->address;
	cr_assert_eq(address->length, sizeof(struct sockaddr_in6));
	cr_assert_eq(in6->sin6_family, AF_INET6);
	cr_assert_eq(ntohs(in6->sin6_port), port);
	struct in6_addr expected;
	cr_assert_eq(inet_pton(AF_INET6, ip, &expected), 1);
	cr_assert_eq(memcmp(&in6->sin6_addr, &expected, sizeof(expected)), 0);
	cr_assert_str_eq(address->text, text);
}

Test(config, full)
{
	struct config config;
	load_ok("; bridged on hostb\n"
	        "# both comment styles\n"
	        "[bridge]\n"
	        "name = hostb                  ; this node\n"
	        "listen = 127.0.0.1:7000\n"
	        "listen = [::1]:7001\n"
	        "listen=0.0.0.0:65535\n"
	        "certificate = /etc/bridged/hostb.crt\n"
	        "key = /etc/bridged/hostb.key\n"
	        "ca = /etc/bridged/ca.crt\n"
	        "device = /run/binderd/binder.sock\n"
	        "threads = 64\n"
	        "\n"
	        "[peer hosta]\n"
	        "address = [2001:db8::7]:1\n"
	        "[peer hostc]\n"
	        "[peer host.d-1_x/y@z:w]\n"
	        "address = 10.1.2.3:7002\n"
	        "\n"
	        "[export calculator]\n"
	        "peers = hosta ,  hostc\n"
	        "[export clock]\n"
	        "peers = *\n"
	        "[export log]\n"
	        "peers = hostc\n"
	        "  hosta\n"
	        "\n"
	        "[import calculator@a]\n"
	        "peer = hosta\n"
	        "service = calculator\n"
	        "[import time]\n"
	        "service = clock\n"
	        "peer = hostc\n"
	        "\n"
	        "[limits]\n"
	        "max_frame_size = 67108864\n"
	        "max_calls_in_flight = 65536\n"
	        "call_timeout_ms = 3600000\n"
	        "handshake_timeout_ms = 1\n"
	        "keepalive_interval_ms = 1000\n"
	        "keepalive_timeout_ms = 1001\n"
	        "reconnect_min_ms = 7\n"
	        "reconnect_max_ms = 7\n",
	        &config);

	cr_assert_str_eq(config.path, config_path);
	cr_assert_str_eq(config.name, "hostb");
	cr_assert_eq(config.listen_count, 3);
	check_ipv4(&config.listen[0], "127.0.0.1", 7000, "127.0.0.1:7000");
	check_ipv6(&config.listen[1], "::1", 7001, "[::1]:7001");
	check_ipv4(&config.listen[2], "0.0.0.0", 65535, "0.0.0.0:65535");
	cr_assert_str_eq(config.certificate, "/etc/bridged/hostb.crt");
	cr_assert_str_eq(config.key, "/etc/bridged/hostb.key");
	cr_assert_str_eq(config.ca, "/etc/bridged/ca.crt");
	cr_assert_str_eq(config.device, "/run/binderd/binder.sock");
	cr_assert_eq(config.threads, 64);

	cr_assert_eq(config.peer_count, 3);
	cr_assert_str_eq(config.peers[0].name, "hosta");
	cr_assert(config.peers[0].has_address);
	check_ipv6(&config.peers[0].address, "2001:db8::7", 1, "[2001:db8::7]:1");
	cr_assert_str_eq(config.peers[1].name, "hostc");
	cr_assert_not(config.peers[1].has_address);
	cr_assert_eq(config.peers[1].address.length, 0);
	cr_assert_str_eq(config.peers[2].name, "host.d-1_x/y@z:w");
	cr_assert(config.peers[2].has_address);
	check_ipv4(&config.peers[2].address, "10.1.2.3", 7002, "10.1.2.3:7002");

	cr_assert_eq(config.export_count, 3);
	cr_assert_str_eq(config.exports[0].service, "calculator");
	cr_assert_not(config.exports[0].all_peers);
	cr_assert_eq(config.exports[0].peer_count, 2);
	cr_assert_str_eq(config.exports[0].peers[0], "hosta");
	cr_assert_str_eq(config.exports[0].peers[1], "hostc");
	cr_assert_str_eq(config.exports[1].service, "clock");
	cr_assert(config.exports[1].all_peers);
	cr_assert_eq(config.exports[1].peer_count, 0);
	cr_assert_str_eq(config.exports[2].service, "log");
	cr_assert_eq(config.exports[2].peer_count, 2, "a continuation line adds to the list");
	cr_assert_str_eq(config.exports[2].peers[0], "hostc");
	cr_assert_str_eq(config.exports[2].peers[1], "hosta");

	cr_assert_eq(config.import_count, 2);
	cr_assert_str_eq(config.imports[0].local_name, "calculator@a");
	cr_assert_str_eq(config.imports[0].peer, "hosta");
	cr_assert_str_eq(config.imports[0].service, "calculator");
	cr_assert_str_eq(config.imports[1].local_name, "time");
	cr_assert_str_eq(config.imports[1].peer, "hostc");
	cr_assert_str_eq(config.imports[1].service, "clock");

	cr_assert_eq(config.limits.max_frame_size, 67108864);
	cr_assert_eq(config.limits.max_calls_in_flight, 65536);
	cr_assert_eq(config.limits.call_timeout_ms, 3600000);
	cr_assert_eq(config.limits.handshake_timeout_ms, 1);
	cr_assert_eq(config.limits.keepalive_interval_ms, 1000);
	cr_assert_eq(config.limits.keepalive_timeout_ms, 1001);
	cr_assert_eq(config.limits.reconnect_min_ms, 7);
	cr_assert_eq(config.limits.reconnect_max_ms, 7);

	config_free(&config);
	cr_assert(is_zeroed(&config));
	config_free(&config); /* twice: still safe */
}

Test(config, defaults)
{
	struct config config;
	load_ok(BRIDGE, &config);
	cr_assert_str_eq(config.name, "hosta");
	cr_assert_eq(config.listen_count, 0);
	cr_assert_null(config.device);
	cr_assert_eq(config.threads, 4);
	cr_assert_eq(config.peer_count, 0);
	cr_assert_null(config.peers);
	cr_assert_eq(config.export_count, 0);
	cr_assert_null(config.exports);
	cr_assert_eq(config.import_count, 0);
	cr_assert_null(config.imports);
	cr_assert_eq(config.limits.max_frame_size, 4259840);
	cr_assert_eq(config.limits.max_calls_in_flight, 256);
	cr_assert_eq(config.limits.call_timeout_ms, 30000);
	cr_assert_eq(config.limits.handshake_timeout_ms, 5000);
	cr_assert_eq(config.limits.keepalive_interval_ms, 5000);
	cr_assert_eq(config.limits.keepalive_timeout_ms, 15000);
	cr_assert_eq(config.limits.reconnect_min_ms, 100);
	cr_assert_eq(config.limits.reconnect_max_ms, 10000);
	config_free(&config);
}

Test(config, free_zeroed_struct)
{
	struct config config;
	memset(&config, 0, sizeof(config));
	config_free(&config);
	cr_assert(is_zeroed(&config));
}

Test(config, missing_file)
{
	struct config config;
	char error[512] = "";
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/none.ini", directory);
	cr_assert_eq(config_load(path, &config, error, sizeof(error)), -ENOENT);
	cr_assert(is_zeroed(&config));
	char expected[PATH_MAX + 64];
	snprintf(expected, sizeof(expected), "%s: cannot open", path);
	cr_assert_eq(strncmp(error, expected, strlen(expected)), 0, "got '%s'", error);
}

Test(config, unknown_section)
{
	expect_error(BRIDGE "[bridges]\n", 6, "unknown section [bridges]");
	expect_error(BRIDGE "\n[peer a]\n[service x]\naddress = 1.2.3.4:5\n", 8,
	             "unknown section [service x]");
	expect_error(BRIDGE "[]\n", 6, "unknown section []");
	/* An empty unknown section is still refused (inih alone would skip it). */
	expect_error("[nothing]\n" BRIDGE, 1, "unknown section [nothing]");
	expect_error(BRIDGE "[limits x]\n", 6, "[limits] takes no name");
	expect_error(BRIDGE "[peer]\n", 6, "[peer] needs a name");
	expect_error(BRIDGE "[export a\n", 6, "without ']'");
	expect_error(BRIDGE "[export a] b\n", 6, "text after the section header");
}

Test(config, unknown_key)
{
	expect_error(BRIDGE "port = 7000\n", 6, "unknown key 'port' in [bridge]");
	expect_error(BRIDGE "[limits]\nthreads = 4\n", 7, "unknown key 'threads' in [limits]");
	expect_error(BRIDGE "[peer a]\naddress = 1.2.3.4:5\nname = b\n", 8,
	             "unknown key 'name' in [peer a]");
	expect_error(BRIDGE "[peer a]\n[export e]\npeer = a\n", 8,
	             "unknown key 'peer' in [export e]");
	expect_error(BRIDGE "[peer a]\n[import i]\npeers = a\n", 8,
	             "unknown key 'peers' in [import i]");
	expect_error("name = x\n" BRIDGE, 1, "before any section");
	/* Keys are case-sensitive. */
	expect_error(BRIDGE "Threads = 4\n", 6, "unknown key 'Threads'");
}

Test(config, syntax_error)
{
	expect_error(BRIDGE "\n\nthreads 4\n", 8, "expected 'key = value'");
	/* The first error wins, inih's or ours. */
	expect_error(BRIDGE "threads 4\nbogus = 1\n", 6, "expected 'key = value'");
	expect_error(BRIDGE "bogus = 1\nthreads 4\n", 6, "unknown key 'bogus'");
}

Test(config, duplicate_key)
{
	expect_error(BRIDGE "name = other\n", 6, "duplicate key 'name'");
	expect_error(BRIDGE "threads = 2\n[limits]\n[bridge]\nthreads = 3\n", 9,
	             "duplicate key 'threads'");
	expect_error(BRIDGE "[limits]\ncall_timeout_ms = 5\ncall_timeout_ms = 5\n", 8,
	             "duplicate key 'call_timeout_ms'");
	expect_error(BRIDGE "[peer a]\naddress = 1.2.3.4:5\naddress = 1.2.3.4:6\n", 8,
	             "duplicate key 'address'");
	expect_error(BRIDGE "[peer a]\n[import i]\npeer = a\nservice = s\npeer = a\n", 10,
	             "duplicate key 'peer'");
}

Test(config, bad_address)
{
	static const char *const bad[] = {
	        "localhost:7000", "127.0.0.1",     "::1:7000",       "[::1]7000",
	        "[::1:7000",      "1.2.3:7000",    "1.2.3.4.5:7000", "[1.2.3.4]:7000",
	        ":7000",          "01.2.3.4:7000", "[fe80::1%lo]:7",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), BRIDGE "\nlisten = %s\n", bad[i]);
		expect_error(text, 7, "bad address");
		snprintf(text, sizeof(text), BRIDGE "[peer p]\naddress = %s\n", bad[i]);
		expect_error(text, 7, "bad address");
	}
	expect_error(BRIDGE "listen =\n", 6, "listen: bad address ''");
}

Test(config, bad_port)
{
	static const char *const bad[] = {
	        "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", "127.0.0.1:x",
	        "[::1]:",      "[::1]:-1",        "[::1]:+80",  "127.0.0.1:99999999999",
	        "[::1]:1 2",   "1.2.3.4:7000a",   "[::1]:0x50",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), BRIDGE "listen = 1.1.1.1:1\nlisten = %s\n", bad[i]);
		expect_error(text, 7, "bad port");
	}
	struct config config;
	load_ok(BRIDGE "listen = 127.0.0.1:1\nlisten = [::]:65535\n", &config);
	check_ipv4(&config.listen[0], "127.0.0.1", 1, "127.0.0.1:1");
	check_ipv6(&config.listen[1], "::", 65535, "[::]:65535");
	config_free(&config);
}

Test(config, listen_limits)
{
	expect_error(BRIDGE "listen = 127.0.0.1:7000\nlisten = 127.0.0.1:7000\n", 7,
	             "duplicate address");
	char text[2048] = BRIDGE;
	for (int i = 0; i < CONFIG_MAX_LISTEN; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		         "listen = 127.0.0.1:%d\n", 7000 + i);
	struct config config;
	load_ok(text, &config);
	cr_assert_eq(config.listen_count, CONFIG_MAX_LISTEN);
	check_ipv4(&config.listen[CONFIG_MAX_LISTEN - 1], "127.0.0.1", 7000 + CONFIG_MAX_LISTEN - 1,
	           "127.0.0.1:7007");
	config_free(&config);
	strcat(text, "listen = 127.0.0.1:8000\n");
	expect_error(text, 6 + CONFIG_MAX_LISTEN, "too many listen addresses");
}

Test(config, bad_number)
{
	static const char *const bad[] = {"abc", "-1", "4x", "+4", " 0x10", "1.5", "1 2", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), "\n" BRIDGE "threads = %s\n", bad[i]);
		expect_error(text, 7, "is not a number");
		snprintf(text, sizeof(text), BRIDGE "[limits]\ncall_timeout_ms = %s\n", bad[i]);
		expect_error(text, 7, "call_timeout_ms: ");
		expect_error(text, 7, "is not a number");
	}
}

Test(config, out_of_range)
{
	static const struct {
		const char *key;
		const char *value;
	} bad[] = {
	        {"max_frame_size", "4095"},         {"max_frame_size", "67108865"},
	        {"max_calls_in_flight", "0"},       {"max_calls_in_flight", "65537"},
	        {"call_timeout_ms", "0"},           {"call_timeout_ms", "3600001"},
	        {"handshake_timeout_ms", "0"},      {"keepalive_interval_ms", "3600001"},
	        {"keepalive_timeout_ms", "0"},      {"reconnect_min_ms", "0"},
	        {"reconnect_max_ms", "4294967296"}, {"reconnect_max_ms", "99999999999999999999999"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), BRIDGE "[limits]\n%s = %s\n", bad[i].key,
		         bad[i].value);
		char reason[128];
		snprintf(reason, sizeof(reason), "%s: %s is out of range", bad[i].key,
		         bad[i].value);
		expect_error(text, 7, reason);
	}
	expect_error(BRIDGE "threads = 0\n", 6, "threads: 0 is out of range (1..64)");
	expect_error(BRIDGE "threads = 65\n", 6, "threads: 65 is out of range (1..64)");

	struct config config;
	load_ok(BRIDGE "threads = 1\n[limits]\nmax_frame_size = 4096\nmax_calls_in_flight = 1\n",
	        &config);
	cr_assert_eq(config.threads, 1);
	cr_assert_eq(config.limits.max_frame_size, 4096);
	cr_assert_eq(config.limits.max_calls_in_flight, 1);
	config_free(&config);
}

Test(config, limit_relations)
{
	expect_error(BRIDGE "[limits]\nreconnect_min_ms = 2000\nreconnect_max_ms = 1999\n", 0,
	             "reconnect_min_ms (2000) exceeds reconnect_max_ms (1999)");
	/* Against the default (10000). */
	expect_error(BRIDGE "[limits]\nreconnect_min_ms = 10001\n", 0, "reconnect_min_ms");
	expect_error(BRIDGE "[limits]\nkeepalive_interval_ms = 300\nkeepalive_timeout_ms = 300\n",
	             0, "keepalive_timeout_ms (300) must exceed keepalive_interval_ms (300)");
	expect_error(BRIDGE "[limits]\nkeepalive_interval_ms = 20000\n", 0,
	             "keepalive_timeout_ms (15000)");
}

Test(config, bad_name)
{
	char long_name[CONFIG_MAX_NAME + 2];
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0'; /* 128 bytes */
	char text[1024];
	snprintf(text, sizeof(text), "[bridge]\nname = %s\n", long_name);
	expect_error(text, 2, "bad node name");
	expect_error("[bridge]\nname = host a\n", 2, "bad node name 'host a'");
	expect_error("[bridge]\nname =\n", 2, "bad node name ''");
	expect_error(BRIDGE "[peer host!]\n", 6, "bad peer name 'host!'");
	expect_error(BRIDGE "[peer a b]\n", 6, "bad peer name 'a b'");
	expect_error(BRIDGE "[export caf\xc3\xa9]\n", 6, "bad service name");
	expect_error(BRIDGE "[import x*]\n", 6, "bad local name 'x*'");
	expect_error(BRIDGE "[peer a]\n[import x]\npeer = a\nservice = a,b\n", 9,
	             "bad service name 'a,b'");
	expect_error(BRIDGE "[peer a]\n[import x]\npeer = a=b\n", 8, "bad peer name 'a=b'");
	expect_error(BRIDGE "[peer a]\n[export x]\npeers = a, b#c\n", 8, "bad peer name 'b#c'");
	expect_error(BRIDGE "[peer a]\n[export x]\npeers = a,,a\n", 8, "empty item");
	expect_error(BRIDGE "[peer a]\n[export x]\npeers =\n", 8, "empty list");

	/* 127 bytes is fine, in a section header too (inih alone cuts at 49). */
	long_name[CONFIG_MAX_NAME] = '\0';
	snprintf(text, sizeof(text),
	         BRIDGE "[peer %s]\n[export %s]\npeers = %s\n[import %s]\npeer = %s\nservice = s\n",
	         long_name, long_name, long_name, long_name, long_name);
	struct config config;
	load_ok(text, &config);
	cr_assert_str_eq(config.peers[0].name, long_name);
	cr_assert_str_eq(config.exports[0].service, long_name);
	cr_assert_str_eq(config.imports[0].local_name, long_name);
	cr_assert(config_exports_to(&config, long_name, long_name));
	config_free(&config);
}

Test(config, missing_required_key)
{
	static const char *const keys[] = {"name", "certificate", "key", "ca"};
	for (size_t i = 0; i < 4; i++) {
		char text[512] = "[bridge]\n";
		for (size_t j = 0; j < 4; j++) {
			if (j != i)
				snprintf(text + strlen(text), sizeof(text) - strlen(text),
				         "%s = /x\n", keys[j]);
		}
		/* (name = /x is a valid name: '/' is allowed) */
		char reason[64];
		snprintf(reason, sizeof(reason), "[bridge] %s is required", keys[i]);
		expect_error(text, 0, reason);
	}
	expect_error("", 0, "[bridge] name is required");
	expect_error("[peer a]\n", 0, "[bridge] name is required");
	expect_error(BRIDGE "[peer a]\n[import i]\npeer = a\n", 7,
	             "[import i]: service is required");
	expect_error(BRIDGE "[peer a]\n[import i]\nservice = s\n", 7,
	             "[import i]: peer is required");
	expect_error(BRIDGE "[peer a]\n[export e]\n", 7, "[export e]: peers is required");
}

Test(config, export_unknown_peer)
{
	expect_error(BRIDGE "[peer a]\n[export e]\npeers = a, b\n", 8,
	             "[export e]: unknown peer 'b'");
	/* The line of the list that names it, even on a continuation line. */
	expect_error(BRIDGE "[peer a]\n[export e]\npeers = a\n c\n[peer b]\n", 9,
	             "[export e]: unknown peer 'c'");
	/* Peers declared after the export are fine. */
	struct config config;
	load_ok(BRIDGE "[export e]\npeers = a, b\n[peer a]\n[peer b]\n", &config);
	cr_assert_eq(config.peer_count, 2);
	cr_assert(config_exports_to(&config, "e", "b"));
	config_free(&config);
	expect_error(BRIDGE "[peer a]\n[export e]\npeers = a, a\n", 8, "'a' listed twice");
	expect_error(BRIDGE "[peer a]\n[export e]\npeers = *, a\n", 8, "'*' must be alone");
	expect_error(BRIDGE "[peer a]\n[export e]\npeers = a\npeers = *\n", 9, "'*' must be alone");
}

Test(config, import_unknown_peer)
{
	expect_error(BRIDGE "[peer a]\n\n[import i]\nservice = s\npeer = b\n", 10,
	             "[import i]: unknown peer 'b'");
	/* The bridge's own name is not a peer. */
	expect_error(BRIDGE "[import i]\npeer = hosta\nservice = s\n", 7,
	             "[import i]: unknown peer 'hosta'");
	struct config config;
	load_ok(BRIDGE "[import i]\npeer = a\nservice = s\n[peer a]\n", &config);
	cr_assert_str_eq(config.imports[0].peer, "a");
	config_free(&config);
}

Test(config, duplicates)
{
	expect_error(BRIDGE "[peer a]\n[peer b]\naddress = 1.2.3.4:5\n[peer a]\n", 9,
	             "duplicate [peer a] (first at line 6)");
	expect_error(BRIDGE "[peer a]\n[export e]\npeers = a\n[export e]\npeers = a\n", 9,
	             "duplicate [export e] (first at line 7)");
	expect_error(BRIDGE "[peer a]\n[import i]\npeer = a\nservice = s\n[import i]\n", 10,
	             "duplicate [import i] (first at line 7)");
	/* The node's own name as a peer. */
	expect_error(BRIDGE "[peer b]\n[peer hosta]\n", 7, "[peer hosta] has this node's own name");
	expect_error("[peer hosta]\n" BRIDGE, 1, "has this node's own name");
	/* An export and an import may share a name: they are different things. */
	struct config config;
	load_ok(BRIDGE "[peer a]\n[export s]\npeers = a\n[import s]\npeer = a\nservice = s\n",
	        &config);
	config_free(&config);
}

Test(config, relative_paths)
{
	struct config config;
	load_ok("[bridge]\nname = n\ncertificate = certs/n.crt\nkey = ../keys/n.key\n"
	        "ca = /abs/ca.crt\n",
	        &config);
	char expected[PATH_MAX + 64];
	snprintf(expected, sizeof(expected), "%s/certs/n.crt", directory);
	cr_assert_str_eq(config.certificate, expected);
	snprintf(expected, sizeof(expected), "%s/../keys/n.key", directory);
	cr_assert_str_eq(config.key, expected);
	cr_assert_str_eq(config.ca, "/abs/ca.crt");
	config_free(&config);

	/* A relative config path: against the working directory at load time,
	 * stored absolute, so it still holds after a chdir. */
	char sub[PATH_MAX + 8];
	snprintf(sub, sizeof(sub), "%s/sub", directory);
	cr_assert_eq(mkdir(sub, 0700), 0);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/b.ini", sub);
	write_file(path, "[bridge]\nname = n\ncertificate = n.crt\nkey = ./n.key\nca = ca.crt\n");
	cr_assert_eq(chdir(directory), 0);
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	char error[512] = "";
	cr_assert_eq(config_load("sub/b.ini", &config, error, sizeof(error)), 0, "%s", error);
	cr_assert_str_eq(config.path, "sub/b.ini");
	snprintf(expected, sizeof(expected), "%s/sub/n.crt", cwd);
	cr_assert_str_eq(config.certificate, expected);
	snprintf(expected, sizeof(expected), "%s/sub/./n.key", cwd);
	cr_assert_str_eq(config.key, expected);
	config_free(&config);

	cr_assert_eq(chdir(sub), 0);
	cr_assert_eq(config_load("b.ini", &config, error, sizeof(error)), 0, "%s", error);
	snprintf(expected, sizeof(expected), "%s/sub/ca.crt", cwd);
	cr_assert_str_eq(config.ca, expected);
	config_free(&config);
	cr_assert_eq(chdir("/"), 0);

	expect_error("[bridge]\nname = n\ncertificate =\n", 3, "certificate: empty path");
}

Test(config, star_exports)
{
	struct config config;
	load_ok(BRIDGE "[export all]\npeers = *\n[peer a]\n[peer b]\n", &config);
	cr_assert(config.exports[0].all_peers);
	cr_assert(config_exports_to(&config, "all", "a"));
	cr_assert(config_exports_to(&config, "all", "b"));
	cr_assert_not(config_exports_to(&config, "all", "c"), "not a configured peer");
	cr_assert_not(config_exports_to(&config, "all", "hosta"), "ourselves");
	cr_assert_not(config_exports_to(&config, "other", "a"));
	config_free(&config);
}

Test(config, lookups)
{
	struct config config;
	load_ok(BRIDGE "[peer a]\naddress = 1.2.3.4:5\n[peer b]\n[peer c]\n"
	               "[export calc]\npeers = a, c\n[export clock]\npeers = b\n",
	        &config);
	const struct config_peer *peer = config_find_peer(&config, "a");
	cr_assert_eq(peer, &config.peers[0]);
	cr_assert(peer->has_address);
	cr_assert_eq(config_find_peer(&config, "c"), &config.peers[2]);
	cr_assert_null(config_find_peer(&config, "d"));
	cr_assert_null(config_find_peer(&config, "A"));
	cr_assert_null(config_find_peer(&config, "hosta"));
	cr_assert_null(config_find_peer(&config, NULL));

	cr_assert(config_exports_to(&config, "calc", "a"));
	cr_assert_not(config_exports_to(&config, "calc", "b"));
	cr_assert(config_exports_to(&config, "calc", "c"));
	cr_assert(config_exports_to(&config, "clock", "b"));
	cr_assert_not(config_exports_to(&config, "clock", "a"));
	cr_assert_not(config_exports_to(&config, "calculator", "a"));
	cr_assert_not(config_exports_to(&config, "cal", "a"));
	cr_assert_not(config_exports_to(&config, NULL, "a"));
	cr_assert_not(config_exports_to(&config, "calc", NULL));
	config_free(&config);

	struct config empty;
	memset(&empty, 0, sizeof(empty));
	cr_assert_null(config_find_peer(&empty, "a"));
	cr_assert_not(config_exports_to(&empty, "calc", "a"));
}

Test(config, sections_and_lines)
{
	/* Sections may reopen; an indented header is still a header; CRLF
	 * line ends and a byte order mark are fine. */
	struct config config;
	load_ok("\xEF\xBB\xBF[bridge]\r\nname = hosta\r\n[limits]\r\ncall_timeout_ms = 9\r\n"
	        "  [bridge]\r\ncertificate = c\r\nkey = /k\r\nca = /ca\r\n"
	        "[ peer   x ] ; spaced\r\n",
	        &config);
	cr_assert_str_eq(config.name, "hosta");
	cr_assert_eq(config.limits.call_timeout_ms, 9);
	cr_assert_str_eq(config.key, "/k");
	cr_assert_eq(config.peer_count, 1);
	cr_assert_str_eq(config.peers[0].name, "x");
	config_free(&config);

	/* Lines inih cannot take whole are refused, not cut. */
	char text[1024] = BRIDGE "device = /";
	memset(text + strlen(text), 'd', 600);
	strcat(text, "\n");
	expect_error(text, 6, "line too long");
}

Test(config, metrics)
{
	struct config config;
	load_ok(BRIDGE, &config);
	cr_assert_eq(config.has_metrics, false, "metrics are off by default");
	config_free(&config);

	load_ok(BRIDGE "metrics = 9464\n", &config);
	cr_assert(config.has_metrics);
	check_ipv4(&config.metrics_address, "127.0.0.1", 9464, "127.0.0.1:9464");
	config_free(&config);

	load_ok(BRIDGE "metrics = [::]:9100\nlisten = [::]:7000\n", &config);
	cr_assert(config.has_metrics);
	check_ipv6(&config.metrics_address, "::", 9100, "[::]:9100");
	config_free(&config);

	expect_error(BRIDGE "metrics = 0\n", 6, "metrics: bad port");
	expect_error(BRIDGE "metrics = 123456\n", 6, "metrics: bad port");
	expect_error(BRIDGE "metrics = localhost:9464\n", 6, "metrics: bad address");
	expect_error(BRIDGE "metrics =\n", 6, "metrics: bad address");
	expect_error(BRIDGE "metrics = 9464\nmetrics = 9465\n", 7, "metrics");
	expect_error(BRIDGE "listen = 127.0.0.1:7000\nmetrics = 7000\n", 7,
	             "also a listen address");
	expect_error(BRIDGE "metrics = 127.0.0.1:7000\nlisten = 127.0.0.1:7000\n", 7,
	             "also the metrics address");
}
