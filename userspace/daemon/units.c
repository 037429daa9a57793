// SPDX-License-Identifier: GPL-2.0-only
/*
 * Service units. Under systemd a process PID 1 forks passes trust on at
 * its exec only if its unit was loaded from verified files: its unit file
 * and every drop-in, each shipped by a package or signed with a policy key
 * (bpf/medguard_units.bpf.h). A transient unit (systemd-run), a unit file
 * or drop-in root wrote, and a user's service manager give untrusted
 * lineages. The kernel follows each unit PID 1 loads once the programs are
 * attached; here the unit files are verified ahead of those loads, and
 * systemd is asked about the units it loaded before.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define UNITS_QUIET_MS 500

extern char **environ;

/* Where systemd's system manager looks for unit files and drop-ins. */
static const char *const unit_dirs[] = {
	"/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
	"/run/systemd/generator.early", "/etc/systemd/system", "/run/systemd/system",
	"/run/systemd/generator", "/usr/local/lib/systemd/system", "/lib/systemd/system",
	"/usr/lib/systemd/system", "/run/systemd/generator.late",
};

/* sd_booted(): systemd is the system's service manager. */
static bool systemd_booted(void)
{
	struct stat st;

	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

/* Verifies every file of DIR, and of its drop-in directories, and watches them. */
static void trust_unit_dir(struct daemon *daemon, const char *dir, bool drop_ins)
{
	char path[PATH_MAX];
	struct dirent *entry;
	struct stat st;
	size_t len;
	DIR *handle = opendir(dir);

	if (!handle)
		return;
	mg_trust_watch_add_dir(daemon->watch, dir);
	while ((entry = readdir(handle))) {
		if (entry->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name) >= (int)sizeof(path) || stat(path, &st))
			continue;
		len = strlen(entry->d_name);
		if (S_ISDIR(st.st_mode) && drop_ins && len > 2 && !strcmp(entry->d_name + len - 2, ".d"))
			trust_unit_dir(daemon, path, false);
		else if (S_ISREG(st.st_mode) && !mg_path_set_contains(daemon->vouched, path))
			trust_path(daemon, path);
	}
	closedir(handle);
}

/* What `systemctl ARGS` printed, NUL-terminated (free it); NULL when it could not run or failed. */
static char *systemctl(char *const argv[])
{
	posix_spawn_file_actions_t actions;
	struct pollfd reader = { .events = POLLIN };
	size_t len = 0, cap = 0;
	char *out = NULL, *grown;
	int pipe_fds[2], status;
	struct timespec started;
	bool complete = true;
	long long left_ms;
	ssize_t got;
	pid_t pid;

	if (pipe2(pipe_fds, O_CLOEXEC))
		return NULL;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	status = posix_spawnp(&pid, "systemctl", &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(pipe_fds[1]);
	if (status) {
		close(pipe_fds[0]);
		return NULL;
	}
	reader.fd = pipe_fds[0];
	clock_gettime(CLOCK_MONOTONIC, &started);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			grown = cap <= MG_SYSTEMCTL_MAX_OUTPUT_BYTES ? realloc(out, cap) : NULL;
			if (!grown) {
				complete = false;
				break;
			}
			out = grown;
		}
		/* The event loop waits for this: systemd that does not answer must not stop it for long. */
		left_ms = MG_SYSTEMCTL_MAX_MS - mg_ms_since(&started);
		if (left_ms <= 0 || poll(&reader, 1, (int)left_ms) == 0) {
			complete = false;
			break;
		}
		got = read(pipe_fds[0], out + len, cap - len - 1);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(pipe_fds[0]);
	if (!complete)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!complete || !out || !WIFEXITED(status) || WEXITSTATUS(status)) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

/* One unit as `systemctl show` describes it. */
struct unit {
	const char *id;
	const char *fragment;
	char *drop_ins; /* space-separated */
	bool transient;
};

/*
 * Whether the file at PATH is verified, where its links lead (REAL); the
 * walk of the unit directories verified most of them already.
 */
static bool file_verified(struct daemon *daemon, const char *path, char real[PATH_MAX])
{
	return realpath(path, real) && trust_path_unless_trusted(daemon, real);
}

/* Whether every file UNIT was loaded from is verified; its key is its unit file's name. */
static bool unit_verified(struct daemon *daemon, const struct unit *unit, char key[MG_UNIT_NAME_LEN])
{
	char real[PATH_MAX], *path, *save = NULL;
	const char *name;

	if (unit->transient || !unit->fragment || !*unit->fragment || !file_verified(daemon, unit->fragment, real))
		return false;
	name = strrchr(real, '/') + 1;
	if (strlen(name) >= MG_UNIT_NAME_LEN)
		return false;
	snprintf(key, MG_UNIT_NAME_LEN, "%s", name);
	for (path = strtok_r(unit->drop_ins, " ", &save); path; path = strtok_r(NULL, " ", &save))
		if (!file_verified(daemon, path, real))
			return false;
	return true;
}

/* Trusts the units in `systemctl show` OUTPUT whose files are verified; how many. */
static unsigned int trust_shown_units(struct daemon *daemon, char *output, __u32 epoch)
{
	struct unit unit = { 0 };
	char key[MG_UNIT_NAME_LEN], *line, *next, *value;
	unsigned int trusted = 0;
	bool blank;

	for (line = output; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		blank = !*line;
		value = strchr(line, '=');
		if (value) {
			*value++ = '\0';
			if (!strcmp(line, "Id"))
				unit.id = value;
			else if (!strcmp(line, "FragmentPath"))
				unit.fragment = value;
			else if (!strcmp(line, "DropInPaths"))
				unit.drop_ins = value;
			else if (!strcmp(line, "Transient"))
				unit.transient = !strcmp(value, "yes");
		}
		/* A blank line ends a unit's block, and so does the end of the output. */
		if (blank || !next) {
			if (unit.id && unit_verified(daemon, &unit, key) && !mg_loader_units_trust(daemon->loader, key, epoch))
				trusted++;
			memset(&unit, 0, sizeof(unit));
		}
	}
	return trusted;
}

/*
 * Asks systemd which units it has loaded, and tells the kernel those whose
 * files are all verified. What PID 1 reads after the question began, the
 * kernel weighs above the answer.
 */
void trust_units(struct daemon *daemon)
{
	char *const argv[] = { "systemctl", "show", "--no-pager", "--property=Id,FragmentPath,DropInPaths,Transient",
			       "--", "*.service", "*.socket", "*.mount", "*.swap", NULL };
	unsigned int trusted;
	char *output;
	__u32 epoch;
	size_t i;

	if (!daemon->service_units)
		return;
	daemon->units_stale = false;
	/* Files nobody vouched for yet may be vouched for now (a package's, once dpkg recorded it). */
	for (i = 0; i < sizeof(unit_dirs) / sizeof(unit_dirs[0]); i++)
		trust_unit_dir(daemon, unit_dirs[i], true);
	epoch = mg_loader_units_scan_begin(daemon->loader);
	output = systemctl(argv);
	if (!output) {
		say(daemon, "units-unknown",
		    "systemctl show failed: no unit loaded before now is trusted; what systemd loads from now on is judged "
		    "as it loads it");
		return;
	}
	trusted = trust_shown_units(daemon, output, epoch);
	free(output);
	mg_loader_units_scan_end(daemon->loader, epoch);
	say_progress(daemon, "%u units loaded from verified files", trusted);
}

void retrust_units(struct daemon *daemon)
{
	if (!daemon->service_units)
		return;
	mg_loader_units_forget(daemon->loader);
	trust_units(daemon);
}

void judge_units(struct daemon *daemon)
{
	if (!systemd_booted())
		return;
	daemon->service_units = true;
	mg_loader_units_judge(daemon->loader);
	trust_units(daemon);
}

void trust_units_when_quiet(struct daemon *daemon)
{
	if (daemon->units_stale && mg_ms_since(&daemon->units_stale_at) >= UNITS_QUIET_MS)
		trust_units(daemon);
}

/* Whether every component of the cgroup path CGROUP but the last is a slice, as for a unit of the system manager. */
static bool under_slices_only(char *cgroup)
{
	char *component, *save = NULL, *next;
	size_t len;

	for (component = strtok_r(cgroup, "/", &save); component; component = next) {
		next = strtok_r(NULL, "/", &save);
		len = strlen(component);
		if (next && (len <= 6 || strcmp(component + len - 6, ".slice")))
			return false;
	}
	return true;
}

bool runs_for_trusted_unit(struct daemon *daemon, pid_t pid)
{
	char path[64], line[PATH_MAX + 8], *unit;
	bool trusted = false;
	FILE *cgroups;

	if (!daemon->service_units)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	cgroups = fopen(path, "re");
	if (!cgroups)
		return false;
	while (fgets(line, sizeof(line), cgroups)) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[strcspn(line, "\n")] = '\0';
		unit = strrchr(line, '/') + 1;
		trusted = mg_loader_unit_trusted(daemon->loader, unit) && under_slices_only(line + 3);
		break;
	}
	fclose(cgroups);
	return trusted;
}
