/*
 * abuse_connections.c - many binder processes opened and closed: 2,000
 * connections, 200 at a time, some only connected, most saying hello,
 * some with a receive area and a thread. Every hello must be answered
 * with the caller's own pid, and everything must go when they close.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "abuses.h"

#define CONNECTIONS 2000
#define AT_ONCE     200

int abuse_many_connections(struct abuse_report *report)
{
	static struct raw_process processes[AT_ONCE];
	static struct raw_thread threads[AT_ONCE];
	for (int opened = 0; opened < CONNECTIONS; opened += AT_ONCE) {
		for (int i = 0; i < AT_ONCE; i++) {
			threads[i].fd = -1;
			threads[i].send_area_fd = -1;
			threads[i].send_area = NULL;
			int kind = (opened + i) % 8;
			int error;
			if (kind == 0) {
				/* Connected, never a word. */
				memset(&processes[i], 0, sizeof(processes[i]));
				processes[i].fd = raw_connect();
				error = processes[i].fd < 0 ? processes[i].fd : 0;
			} else {
				error = raw_open_process(&processes[i], kind <= 2 ? 64 * 1024 : 0);
				if (error == 0)
					EXPECT(report, processes[i].pid_seen == getpid(),
					       "hello says pid %d, we are %d",
					       processes[i].pid_seen, (int)getpid());
			}
			EXPECT(report, error == 0, "connection %d: %s", opened + i,
			       strerror(-error));
			if (kind == 1) {
				error = raw_open_thread(&processes[i], &threads[i], 4096);
				EXPECT(report, error == 0, "thread %d: %s", opened + i,
				       strerror(-error));
				struct binder_version version = {0};
				int status = raw_ioctl(&threads[i], BINDER_VERSION, NULL, 0,
				                       &version, sizeof(version));
				EXPECT(report,
				       status == 0 && version.protocol_version ==
				                              BINDER_CURRENT_PROTOCOL_VERSION,
				       "BINDER_VERSION on connection %d: %d", opened + i, status);
			}
		}
		/* Close in an order different from opening. */
		for (int i = AT_ONCE - 1; i >= 0; i--) {
			raw_close_thread(&threads[i]);
			raw_close_process(&processes[i]);
		}
	}
	return 0;
}
