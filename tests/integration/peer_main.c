/* peer_main.c - integration_peer's entry: picks the role (see peer.h). */
#include <stdio.h>
#include <string.h>

#include "peer.h"

struct role {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct role roles[] = {
        {"nest", peer_run_nest, "nest NAME"},
        {"sequence", peer_run_sequence, "sequence NAME"},
        {"blocker", peer_run_blocker, "blocker NAME"},
        {"files", peer_run_files, "files NAME"},
        {"two_contexts", peer_run_two_contexts, "two_contexts FIRST_NAME SECOND_NAME"},
        {"calculator_client", peer_run_calculator_client,
         "calculator_client SERVICE_NAME INDEX   (waits for fd 3 to close first)"},
};

int main(int argc, char **argv)
{
	peer_block_stop_signals();
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
			if (strcmp(argv[1], roles[i].name) == 0)
				return roles[i].run(argc - 2, argv + 2) == 0 ? 0 : 1;
	}
	fprintf(stderr, "usage: integration_peer ROLE ARGS..., one of:\n");
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		fprintf(stderr, "  integration_peer %s\n", roles[i].usage);
	return 2;
}
