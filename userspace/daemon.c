// SPDX-License-Identifier: GPL-2.0-only
/*
 * `medguard run`: loads the enforcement core, applies the policy, keeps the
 * kernel's trust map filled, streams events, reloads on SIGHUP and shuts
 * down cleanly on SIGTERM. `medguard status` reads what it left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "array_helpers.h"
#include "commands.h"
#include "entropy.h"
#include "events.h"
#include "kfuncs.h"
#include "loader.h"
#include "policy.h"
#include "trust.h"
#include "trust_watch.h"

#define STATUS_FILE "/run/medguard/status"
#define POLL_MS 200

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

struct daemon {
	const char *policy_file;
	int mode_override; /* -1: as the policy says */
	struct mg_policy *policy;
	struct mg_trust_ctx *trust;
	struct mg_loader *loader;
	struct ring_buffer *events;
	struct mg_trust_watch *watch;
	FILE *out;
	bool syslog;
	__s64 realtime_offset_ns;
	struct mg_kfuncs_report kfuncs;
	int kfuncs_status;
	struct mg_exec_trust *exec_trust; /* the module verifies signatures at exec */
	struct medguard_entropy *entropy; /* the module measures writes */
	unsigned long trusted_files;
	struct mg_path_set *vouched; /* every path the daemon put into the trust map, re-verified on reload */
	bool libraries_scanned; /* the libraries mapped when it started */
	__u64 lost_reported;
};

static void on_signal(int signo)
{
	if (signo == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static __s64 realtime_offset_ns(void)
{
	struct timespec realtime, monotonic;

	clock_gettime(CLOCK_REALTIME, &realtime);
	clock_gettime(CLOCK_MONOTONIC, &monotonic);
	return (realtime.tv_sec - monotonic.tv_sec) * 1000000000LL + (realtime.tv_nsec - monotonic.tv_nsec);
}

/* One line about the daemon itself, in the same stream as the events. */
static void say(struct daemon *daemon, const char *what, const char *detail)
{
	char escaped[PATH_MAX * 6];

	mg_json_escape(detail, escaped, sizeof(escaped));
	fprintf(daemon->out, "{\"event\":\"%s\",\"detail\":\"%s\"}\n", what, escaped);
	fflush(daemon->out);
	if (daemon->syslog)
		syslog(LOG_NOTICE, "%s: %s", what, detail);
}

/* Verifies PATH and, when something vouches for it, tells the kernel. True when trusted. */
static bool trust_path(struct daemon *daemon, const char *path)
{
	struct mg_trust_key key;
	struct mg_trust trust;

	if (mg_trust_evaluate(daemon->trust, path, &key, &trust) <= 0)
		return false;
	if (mg_loader_trust_file(daemon->loader, &key, &trust))
		return false;
	mg_path_set_add(daemon->vouched, path);
	daemon->trusted_files++;
	return true;
}

/*
 * After a reload, every file vouched for under the old policy is judged by
 * the new one: a file signed by a key the new policy dropped loses its trust.
 */
static void reverify_vouched(struct daemon *daemon)
{
	struct mg_trust_key key;
	struct mg_trust trust;
	size_t i;
	int verdict;

	for (i = 0; i < mg_path_set_count(daemon->vouched); i++) {
		verdict = mg_trust_evaluate(daemon->trust, mg_path_set_at(daemon->vouched, i), &key, &trust);
		if (verdict > 0)
			mg_loader_trust_file(daemon->loader, &key, &trust);
		else if (verdict == 0)
			mg_loader_untrust_file(daemon->loader, &key);
	}
}

/*
 * The shared libraries and loaders running programs map executable right
 * now: without them every dynamically linked trusted program would taint
 * itself at its first mmap. Each is verified like any other file.
 */
static void trust_mapped_libraries(struct daemon *daemon)
{
	char maps_path[300], line[PATH_MAX + 128], *path;
	struct dirent *entry;
	FILE *maps;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((entry = readdir(proc))) {
		if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
			continue;
		snprintf(maps_path, sizeof(maps_path), "/proc/%s/maps", entry->d_name);
		maps = fopen(maps_path, "re");
		if (!maps)
			continue;
		while (fgets(line, sizeof(line), maps)) {
			path = strchr(line, '/');
			if (!path || !strstr(line, " r-xp "))
				continue;
			path[strcspn(path, "\n")] = '\0';
			if (!mg_path_set_contains(daemon->vouched, path))
				trust_path(daemon, path);
		}
		fclose(maps);
	}
	closedir(proc);
}

/*
 * Trusts PATH and watches its directory, so that later changes are seen. A
 * path vouched for already was just judged again (reverify_vouched).
 */
static void trust_and_watch(struct daemon *daemon, const char *path)
{
	char dir[PATH_MAX];

	if (!mg_path_set_contains(daemon->vouched, path))
		trust_path(daemon, path);
	snprintf(dir, sizeof(dir), "%s", path);
	mg_trust_watch_add_dir(daemon->watch, dirname(dir));
}

static int trust_scanned(const char *path, const struct stat *st, void *arg)
{
	(void)st;
	trust_and_watch(arg, path);
	return 0;
}

/* Verifies what the policy names and tells the kernel which files are trusted. */
static void fill_trust(struct daemon *daemon)
{
	const struct mg_policy *policy = daemon->policy;
	const struct mg_allowlist *allowlist;
	size_t i, j;

	for (i = 0; i < policy->nprograms; i++)
		for (j = 0; j < policy->programs[i].nexes; j++)
			trust_and_watch(daemon, policy->programs[i].exes[j]);
	/* Once is enough: a reload re-verifies what was trusted then (reverify_vouched). */
	if (!daemon->libraries_scanned &&
	    (policy->trust_packages || mg_allowlist_count(mg_trust_ctx_allowlist(daemon->trust)))) {
		trust_mapped_libraries(daemon);
		daemon->libraries_scanned = true;
	}
	allowlist = mg_trust_ctx_allowlist(daemon->trust);
	for (i = 0; i < mg_allowlist_count(allowlist); i++)
		if (mg_allowlist_path_at(allowlist, i))
			trust_and_watch(daemon, mg_allowlist_path_at(allowlist, i));
	for (i = 0; i < policy->ntrust_scan; i++) {
		mg_trust_watch_add_dir(daemon->watch, policy->trust_scan[i]);
		mg_trust_scan(policy->trust_scan[i], MG_TRUST_SCAN_MAX_DEPTH, trust_scanned, daemon, stderr);
	}
}

/* A watched file changed: signed, replaced or moved in. */
static void trust_changed(const char *path, void *arg)
{
	struct daemon *daemon = arg;

	if (trust_path(daemon, path))
		say(daemon, "trusted", path);
}

static void write_status(struct daemon *daemon)
{
	FILE *file;

	mkdir("/run/medguard", 0755);
	file = fopen(STATUS_FILE ".tmp", "w");
	if (!file)
		return;
	fprintf(file, "pid %d\npolicy %s\ngeneration %u\nmode %s\ntrusted-files %lu\n", getpid(),
		daemon->policy_file, mg_loader_generation(daemon->loader),
		daemon->policy->mode == MG_MODE_ENFORCE ? "enforce" : "audit", daemon->trusted_files);
	if (daemon->kfuncs_status == 0 && daemon->kfuncs.usable)
		fprintf(file, "kfuncs module (abi %u, entropy self-test %u/%u millibits, %d keys)\n",
			daemon->kfuncs.abi_version, daemon->kfuncs.entropy_uniform, daemon->kfuncs.entropy_constant,
			mg_kfuncs_loaded_keys());
	else if (daemon->kfuncs_status == -ENOENT)
		fprintf(file, "kfuncs absent (module medguard_kfuncs not loaded)\n");
	else
		fprintf(file, "kfuncs unusable (%s)\n", strerror(-daemon->kfuncs_status));
	fprintf(file, "exec-trust %s\n",
		daemon->exec_trust ? "kernel (signatures verified by the module at exec) and userspace trust store"
				   : "userspace trust store");
	if (daemon->entropy)
		fprintf(file, "entropy sampled in the kernel (first write to each record a lineage did not create)\n");
	else if (daemon->kfuncs_status == 0 && daemon->kfuncs.usable)
		fprintf(file, "entropy not measured: the kernel refused the sampler (see the daemon's log); the other signals still score\n");
	else
		fprintf(file, "entropy not measured (needs the medguard_kfuncs module); the other signals still score\n");
	fclose(file);
	rename(STATUS_FILE ".tmp", STATUS_FILE);
}

/* Writes TEXT into the cgroup v2 control file PATH. */
static int write_control(const char *path, const char *text)
{
	FILE *file = fopen(path, "we");
	int err = 0;

	if (!file)
		return -errno;
	if (fputs(text, file) < 0)
		err = -EIO;
	if (fclose(file) && !err)
		err = -errno;
	return err;
}

/*
 * The kernel already refuses the lineage's writes and, for kill, has killed
 * the task that crossed the line and refuses it new children. Here the rest
 * of the lineage is killed, or moved into a frozen cgroup of its own for an
 * operator to inspect.
 */
static void stop_lineage(struct daemon *daemon, __u32 lineage, __u32 action)
{
	char quarantine[128], procs[160], detail[256];
	struct dirent *entry;
	unsigned int stopped = 0;
	__u32 task_lineage;
	DIR *proc;
	pid_t pid;

	if (action != MG_ACTION_KILL && action != MG_ACTION_FREEZE)
		return;
	snprintf(quarantine, sizeof(quarantine), "/sys/fs/cgroup/medguard-quarantine-%u", lineage);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", quarantine);
	if (action == MG_ACTION_FREEZE && mkdir(quarantine, 0755) && errno != EEXIST) {
		snprintf(detail, sizeof(detail), "cannot create %s: %s; lineage %u keeps running with its writes denied",
			 quarantine, strerror(errno), lineage);
		say(daemon, "freeze-failed", detail);
		return;
	}
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((entry = readdir(proc))) {
		pid = (pid_t)strtol(entry->d_name, NULL, 10);
		if (pid <= 1 || pid == getpid() || mg_loader_lineage_of(daemon->loader, pid, &task_lineage) ||
		    task_lineage != lineage)
			continue;
		if (action == MG_ACTION_KILL)
			stopped += kill(pid, SIGKILL) == 0;
		else {
			snprintf(detail, sizeof(detail), "%d", pid);
			stopped += write_control(procs, detail) == 0;
		}
	}
	closedir(proc);
	if (action == MG_ACTION_FREEZE) {
		snprintf(detail, sizeof(detail), "%s/cgroup.freeze", quarantine);
		write_control(detail, "1");
	}
	snprintf(detail, sizeof(detail), "lineage %u: %u process%s %s", lineage, stopped, stopped == 1 ? "" : "es",
		 action == MG_ACTION_KILL ? "killed" : "frozen in the quarantine cgroup");
	say(daemon, action == MG_ACTION_KILL ? "lineage-killed" : "lineage-frozen", detail);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct daemon *daemon = ctx;
	const struct mg_event *event = data;
	struct mg_event_names names = {
		.policy = daemon->policy,
		.realtime_offset_ns = daemon->realtime_offset_ns,
	};
	char exe_link[64], exe[PATH_MAX], line[8192];
	ssize_t len;

	if (size < sizeof(*event))
		return 0;
	snprintf(exe_link, sizeof(exe_link), "/proc/%u/exe", event->pid);
	len = readlink(exe_link, exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		names.exe = exe;
	}
	if ((event->kind == MG_EVENT_ACCESS || event->kind == MG_EVENT_BEHAVIOUR) && event->root_ino)
		names.root_path = mg_loader_root_path(daemon->loader, event->obj_dev, event->root_ino);
	/* An exec the kernel had no verdict for: verify it now, for next time. */
	if (event->kind == MG_EVENT_TRUST_MISS && names.exe && trust_path(daemon, names.exe))
		say(daemon, "trusted", names.exe);

	mg_event_to_json(event, &names, line, sizeof(line));
	fputs(line, daemon->out);
	fflush(daemon->out);
	if (event->kind == MG_EVENT_BEHAVIOUR && event->rule_index == MG_EVENT_DENIED)
		stop_lineage(daemon, event->lineage, event->verdict);
	if (daemon->syslog && (event->kind == MG_EVENT_ACCESS || event->kind == MG_EVENT_BEHAVIOUR)) {
		mg_event_to_text(event, &names, line, sizeof(line));
		syslog(event->verdict == MG_EVENT_DENIED ? LOG_WARNING : LOG_NOTICE, "%s", line);
	}
	return 0;
}

static void report_lost_events(struct daemon *daemon)
{
	__u64 lost = mg_loader_counter(daemon->loader, MG_COUNTER_EVENTS_LOST);
	char detail[64];

	if (lost == daemon->lost_reported)
		return;
	snprintf(detail, sizeof(detail), "%llu events lost in total; verdicts were not affected",
		 (unsigned long long)lost);
	say(daemon, "events-lost", detail);
	daemon->lost_reported = lost;
}

/* Compiles FILE into a policy with its trust context; NULL after saying why. */
static struct mg_policy *compile(struct daemon *daemon, struct mg_trust_ctx **trust)
{
	struct mg_policy *policy;
	int errors = 0;

	policy = mg_policy_compile(daemon->policy_file, stderr, &errors, NULL);
	if (!policy) {
		fprintf(stderr, "medguard: %s has %d error%s; fix them ('medguard policy check %s')\n",
			daemon->policy_file, errors, errors == 1 ? "" : "s", daemon->policy_file);
		return NULL;
	}
	if (policy->nmissing_paths) {
		fprintf(stderr, "medguard: %s names %s, which does not exist; create it or fix the policy "
				"(%zu missing path%s in all)\n", daemon->policy_file, policy->missing_paths[0],
			policy->nmissing_paths, policy->nmissing_paths == 1 ? "" : "s");
		mg_policy_free(policy);
		return NULL;
	}
	if (daemon->mode_override >= 0)
		policy->mode = daemon->mode_override;
	*trust = mg_trust_ctx_new(policy, stderr);
	if (!*trust) {
		mg_policy_free(policy);
		return NULL;
	}
	return policy;
}

/* A new policy, all or nothing: on any failure the running one stays in force. */
static void reload(struct daemon *daemon)
{
	char detail[512];
	struct mg_trust_ctx *trust = NULL, *old_trust = daemon->trust;
	struct mg_policy *policy, *old_policy = daemon->policy;

	policy = compile(daemon, &trust);
	if (!policy) {
		say(daemon, "reload-refused", "the new policy has errors; the running policy stays in force");
		return;
	}
	daemon->policy = policy;
	daemon->trust = trust;
	reverify_vouched(daemon);
	fill_trust(daemon);
	if (mg_loader_apply(daemon->loader, policy, stderr)) {
		daemon->policy = old_policy;
		daemon->trust = old_trust;
		mg_trust_ctx_free(trust);
		mg_policy_free(policy);
		say(daemon, "reload-refused", "the new policy could not be applied; the running policy stays in force");
		return;
	}
	mg_trust_ctx_free(old_trust);
	mg_policy_free(old_policy);
	if (daemon->exec_trust && mg_kfuncs_load_policy_keys(policy, detail, sizeof(detail)))
		say(daemon, "module-keys-stale", detail);
	write_status(daemon);
	say(daemon, "reloaded", daemon->policy_file);
}

/*
 * With the module, signed files are verified in the kernel at their first
 * exec; without it (or if it refuses the keys) the userspace store alone
 * vouches, and the status says which.
 */
static void attach_exec_trust(struct daemon *daemon)
{
	char err[512];

	if (mg_kfuncs_load_policy_keys(daemon->policy, err, sizeof(err))) {
		fprintf(stderr, "medguard: %s; signatures are verified in userspace only\n", err);
		return;
	}
	daemon->exec_trust = mg_kfuncs_attach_exec_trust(mg_loader_trust_fd(daemon->loader), stderr);
}

static void usage_run(void)
{
	fprintf(stderr, "usage: medguard run --policy FILE [--output FILE] [--syslog] [--audit|--enforce]\n");
}

int mg_cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "policy", required_argument, NULL, 'p' }, { "output", required_argument, NULL, 'o' },
		{ "syslog", no_argument, NULL, 's' },       { "audit", no_argument, NULL, 'a' },
		{ "enforce", no_argument, NULL, 'e' },      { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mg_loader_options loader_options = { .pin = true, .log = stderr };
	struct daemon daemon = { .out = stdout, .mode_override = -1 };
	struct sigaction action = { .sa_handler = on_signal };
	const char *output = NULL;
	int option, status = 1;
	FILE *pid_file;

	optind = 1;
	while ((option = getopt_long(argc, argv, "p:o:saeh", options, NULL)) != -1) {
		switch (option) {
		case 'p': daemon.policy_file = optarg; break;
		case 'o': output = optarg; break;
		case 's': daemon.syslog = true; break;
		case 'a': daemon.mode_override = MG_MODE_AUDIT; break;
		case 'e': daemon.mode_override = MG_MODE_ENFORCE; break;
		default: usage_run(); return 2;
		}
	}
	if (!daemon.policy_file) {
		usage_run();
		return 2;
	}
	if (output) {
		daemon.out = fopen(output, "a");
		if (!daemon.out) {
			fprintf(stderr, "medguard: cannot open %s for events: %s\n", output, strerror(errno));
			return 1;
		}
	}
	if (daemon.syslog)
		openlog("medguard", LOG_PID, LOG_AUTHPRIV);

	daemon.vouched = mg_path_set_new();
	if (!daemon.vouched) {
		fprintf(stderr, "medguard: out of memory\n");
		goto cleanup;
	}
	daemon.watch = mg_trust_watch_new();
	if (!daemon.watch) {
		fprintf(stderr, "medguard: cannot watch for signed files: %s\n", strerror(errno));
		goto cleanup;
	}
	/* Everything that can be checked before touching the kernel is. */
	daemon.policy = compile(&daemon, &daemon.trust);
	if (!daemon.policy)
		goto cleanup;
	daemon.loader = mg_loader_open(&loader_options);
	if (!daemon.loader)
		goto cleanup;
	fill_trust(&daemon);
	if (mg_loader_apply(daemon.loader, daemon.policy, stderr)) {
		fprintf(stderr, "medguard: the policy was not applied; nothing is enforced\n");
		goto cleanup;
	}
	daemon.kfuncs_status = mg_kfuncs_probe(&daemon.kfuncs);
	if (daemon.kfuncs_status == 0 && daemon.kfuncs.usable) {
		attach_exec_trust(&daemon);
		daemon.entropy = mg_entropy_attach(daemon.loader, stderr);
	}
	daemon.realtime_offset_ns = realtime_offset_ns();
	daemon.events = ring_buffer__new(mg_loader_events_fd(daemon.loader), handle_event, &daemon, NULL);
	if (!daemon.events) {
		fprintf(stderr, "medguard: cannot read the event ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}

	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGHUP, &action, NULL);
	mkdir("/run/medguard", 0755);
	pid_file = fopen(MG_PID_FILE, "w");
	if (pid_file) {
		fprintf(pid_file, "%d\n", getpid());
		fclose(pid_file);
	}
	write_status(&daemon);
	say(&daemon, "started", daemon.policy->mode == MG_MODE_ENFORCE ? "enforce" : "audit");

	while (!stop_requested) {
		struct pollfd fds[] = {
			{ .fd = ring_buffer__epoll_fd(daemon.events), .events = POLLIN },
			{ .fd = mg_trust_watch_fd(daemon.watch), .events = POLLIN },
		};

		if (poll(fds, 2, POLL_MS) < 0 && errno != EINTR) {
			fprintf(stderr, "medguard: waiting for events failed: %s\n", strerror(errno));
			break;
		}
		if (fds[0].revents && ring_buffer__consume(daemon.events) < 0) {
			fprintf(stderr, "medguard: reading events failed\n");
			break;
		}
		if (fds[1].revents)
			mg_trust_watch_drain(daemon.watch, trust_changed, &daemon);
		if (reload_requested) {
			reload_requested = 0;
			reload(&daemon);
		}
		report_lost_events(&daemon);
	}
	ring_buffer__consume(daemon.events);
	say(&daemon, "stopped", "protection removed on request");
	unlink(MG_PID_FILE);
	unlink(STATUS_FILE);
	status = 0;

cleanup:
	ring_buffer__free(daemon.events);
	mg_trust_watch_free(daemon.watch);
	mg_entropy_detach(daemon.entropy);
	mg_kfuncs_detach_exec_trust(daemon.exec_trust);
	mg_loader_close(daemon.loader);
	mg_trust_ctx_free(daemon.trust);
	mg_policy_free(daemon.policy);
	mg_path_set_free(daemon.vouched);
	if (daemon.out && daemon.out != stdout)
		fclose(daemon.out);
	return status;
}

/* The sum over CPUs of pinned counter COUNTER, or -1. */
static long long pinned_counter(unsigned int counter)
{
	int fd = bpf_obj_get(MG_PIN_DIR "/mg_counters"), ncpus = libbpf_num_possible_cpus(), i;
	long long sum = -1;
	__u64 *values;

	if (fd < 0 || ncpus <= 0)
		goto cleanup;
	values = calloc(ncpus, sizeof(*values));
	if (values && !bpf_map_lookup_elem(fd, &counter, values))
		for (sum = 0, i = 0; i < ncpus; i++)
			sum += values[i];
	free(values);
cleanup:
	if (fd >= 0)
		close(fd);
	return sum;
}

int mg_cmd_status(int argc, char **argv)
{
	char line[512];
	FILE *file;
	int pid = 0;

	(void)argc;
	(void)argv;
	file = fopen(STATUS_FILE, "r");
	if (!file) {
		printf("medguard is not running (no %s); start it with 'medguard run --policy FILE'\n", STATUS_FILE);
		return 3;
	}
	while (fgets(line, sizeof(line), file)) {
		if (sscanf(line, "pid %d", &pid) == 1 && kill(pid, 0) && errno == ESRCH) {
			printf("medguard is not running (pid %d is gone); start it with 'medguard run --policy FILE'\n", pid);
			fclose(file);
			return 3;
		}
		fputs(line, stdout);
	}
	fclose(file);
	printf("denied %lld\naudited %lld\nevents-lost %lld\n", pinned_counter(MG_COUNTER_DENIED),
	       pinned_counter(MG_COUNTER_AUDITED), pinned_counter(MG_COUNTER_EVENTS_LOST));
	return 0;
}
