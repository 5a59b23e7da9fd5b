/*
 * main.c - binder-service: global options (--device, --android, --help) and the
 * dispatch to one command (list, check, wait, ping, call).
 */
#include "service_tool.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct tool_command {
	const char *name;
	int (*run)(const char *device, int argc, char **argv);
};

static const struct tool_command tool_commands[] = {
        {"list", tool_command_list}, {"check", tool_command_check}, {"wait", tool_command_wait},
        {"ping", tool_command_ping}, {"call", tool_command_call},
};

int main(int argc, char **argv)
{
	/* clang-format off */
	static const struct option options[] = {
		{"device", required_argument, NULL, 'd'},
		{"android", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* clang-format on */
	const char *device = NULL;
	int option;

	signal(SIGPIPE, SIG_IGN);
	/* "+": stop at the command; it parses its own options. */
	while ((option = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (option) {
		case 'd':
			if (!*optarg)
				return tool_usage_error("--device needs a path");
			device = optarg;
			break;
		case 'a': {
			char *end;
			unsigned long android = strtoul(optarg, &end, 10);
			if (end == optarg || *end ||
			    !binder_android_is_supported((uint32_t)android) ||
			    android > BINDER_ANDROID_NEWEST)
				return tool_usage_error(
				        "--android: '%s' is not a generation from %d "
				        "to %d",
				        optarg, BINDER_ANDROID_OLDEST, BINDER_ANDROID_NEWEST);
			tool_set_android((uint32_t)android);
			break;
		}
		case 'h':
			tool_print_usage(stdout);
			return TOOL_EXIT_OK;
		default:
			return tool_usage_error("unknown option");
		}
	}
	if (optind >= argc)
		return tool_usage_error("no command given");
	for (size_t i = 0; i < sizeof(tool_commands) / sizeof(tool_commands[0]); i++) {
		if (strcmp(argv[optind], tool_commands[i].name) == 0) {
			int command_argc = argc - optind;
			char **command_argv = argv + optind;

			optind = 0; /* reinitialise getopt for the command */
			return tool_commands[i].run(device, command_argc, command_argv);
		}
	}
	if (strcmp(argv[optind], "help") == 0) {
		tool_print_usage(stdout);
		return TOOL_EXIT_OK;
	}
	return tool_usage_error("unknown command '%s'", argv[optind]);
}
