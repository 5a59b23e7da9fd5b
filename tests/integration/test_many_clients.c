/*
 * test_many_clients.c - 100 client processes call one service at once:
 * the calculator example's service, and 100 integration_peer
 * calculator_client processes that start together (they wait for a pipe
 * to close) and each check the answers of a series of calls.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calculator.h"
#include "spawn.h"
#include "test_support.h"

#define CLIENTS        100
#define CLIENT_WAIT_MS 180000

Test(integration, hundred_clients, .timeout = 300)
{
	pid_t service = start_program(calculator_service_path, CALCULATOR_SERVICE_NAME);

	/* The start line: every client waits until the write end closes. */
	int start_line[2];
	cr_assert_eq(pipe2(start_line, O_CLOEXEC), 0);
	pid_t clients[CLIENTS];
	for (int i = 0; i < CLIENTS; i++) {
		char index[16];
		snprintf(index, sizeof(index), "%d", i);
		char *argv[] = {(char *)integration_peer_path, "calculator_client",
		                CALCULATOR_SERVICE_NAME, index, NULL};
		clients[i] = spawn_program(argv, -1, start_line[0]);
		cr_assert_gt(clients[i], 0, "cannot start client %d", i);
	}
	close(start_line[0]);
	close(start_line[1]); /* go */

	long long deadline = monotonic_ms() + CLIENT_WAIT_MS;
	int succeeded = 0;
	for (int i = 0; i < CLIENTS; i++) {
		long long left = deadline - monotonic_ms();
		int wait_status = 0;
		int status = wait_for_exit(clients[i], left > 0 ? (int)left : 0, &wait_status);
		cr_assert_eq(status, 0, "client %d did not finish in time", i);
		if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)
			succeeded++;
		else
			cr_log_error("client %d failed (wait status 0x%x)", i, wait_status);
	}
	cr_assert_eq(succeeded, CLIENTS, "%d of %d clients got every answer right", succeeded,
	             CLIENTS);
	stop_and_expect_clean_exit(service, "calculator_service");
}
