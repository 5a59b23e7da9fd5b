/*
 * binderd_status.c - finds binderd's pid and reads its memory and fd use
 * from /proc, for the robustness tests' baseline checks.
 */
#include "binderd_status.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The pid of whoever listens on the socket at path: the peer credentials
 * of a connected Unix stream socket are the listener's. */
static pid_t listener_pid(const char *path)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(address.sun_path))
		return -ENAMETOOLONG;
	strcpy(address.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	pid_t pid = -ESRCH;
	struct ucred credentials;
	socklen_t length = sizeof(credentials);
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 &&
	    credentials.pid > 0)
		pid = credentials.pid;
	close(fd);
	return pid;
}

pid_t binderd_pid(void)
{
	static pid_t cached;
	if (cached > 0)
		return cached;
	const char *from_environment = getenv("BINDERD_PID");
	if (from_environment && *from_environment) {
		long pid = strtol(from_environment, NULL, 10);
		if (pid > 0)
			return cached = (pid_t)pid;
	}
	const char *path = getenv("BINDER_DEVICE");
	if (!path)
		return -ESRCH;
	pid_t pid = listener_pid(path);
	if (pid > 0)
		cached = pid;
	return pid;
}

bool binderd_sanitized(void)
{
	pid_t pid = binderd_pid();
	if (pid <= 0)
		return false;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *maps = fopen(path, "r");
	if (!maps)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), maps))
		found = strstr(line, "libasan") != NULL;
	fclose(maps);
	return found;
}

bool binderd_alive(void)
{
	pid_t pid = binderd_pid();
	if (pid <= 0)
		return false;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *stat_file = fopen(path, "r");
	if (!stat_file)
		return false;
	char state = '?';
	int scanned = fscanf(stat_file, "%*d (%*[^)]) %c", &state);
	fclose(stat_file);
	return scanned == 1 && state != 'Z' && state != 'X';
}

int binderd_usage_read(struct binderd_usage *usage)
{
	memset(usage, 0, sizeof(*usage));
	pid_t pid = binderd_pid();
	if (pid <= 0)
		return -ESRCH;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *status = fopen(path, "r");
	if (!status)
		return -errno;
	char line[256];
	int fields = 0;
	while (fgets(line, sizeof(line), status)) {
		long value;
		if (sscanf(line, "VmRSS: %ld", &value) == 1) {
			usage->rss_kib = value;
			fields++;
		} else if (sscanf(line, "RssAnon: %ld", &value) == 1)
			usage->rss_anon_kib = value;
		else if (sscanf(line, "RssShmem: %ld", &value) == 1)
			usage->rss_shmem_kib = value;
		else if (sscanf(line, "VmData: %ld", &value) == 1)
			usage->data_kib = value;
	}
	fclose(status);
	if (fields != 1)
		return -ENODATA;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *fds = opendir(path);
	if (!fds)
		return -errno;
	struct dirent *entry;
	while ((entry = readdir(fds)))
		if (entry->d_name[0] != '.')
			usage->fd_count++;
	closedir(fds);
	return 0;
}
