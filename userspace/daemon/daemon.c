// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's loop (`medguard run`): loads the enforcement core, applies
 * the policy, streams events, reloads on SIGHUP and shuts down cleanly on
 * SIGTERM. Trust feeding is in trust_feed.c, the answer to a lineage that
 * crossed a threshold in response.c, the status file in status.c, the
 * events' lines in event_format.c, self-protection in guard.c.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "internal.h"

#define POLL_MS 200
#define PACKAGES_QUIET_MS 1000

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t leave_requested;
static volatile sig_atomic_t reload_requested;
static volatile sig_atomic_t stop_request_arrived;

/*
 * SIGTERM from PID 1 is the service manager stopping the unit (see
 * answer_service_manager()). From anyone else (medguard stop without keys,
 * a shell's kill) SIGTERM and SIGINT remove the protection, unless the
 * policy names keys.
 */
static void on_signal(int signo, siginfo_t *info, void *context)
{
	(void)context;
	if (signo == SIGHUP)
		reload_requested = 1;
	else if (signo == SIGUSR1)
		stop_request_arrived = 1;
	else if (signo == SIGTERM && info->si_code == SI_USER && info->si_pid == 1)
		leave_requested = 1;
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

/*
 * The file a taint event names (its path from the root of its filesystem,
 * which is where the kernel stops), verified for next time if it is there.
 */
static void learn_mapped_file(struct daemon *daemon, const struct mg_event *event)
{
	char path[MG_EVENT_PATH_DEPTH * (MG_NAME_LEN + 1) + 8];
	struct stat st;

	if (event->npath >= MG_EVENT_PATH_DEPTH)
		return;
	mg_event_path(event, NULL, path, sizeof(path));
	if (stat(path, &st) || st.st_ino != event->obj_ino || mg_path_set_contains(daemon->vouched, path))
		return;
	if (trust_path(daemon, path))
		say(daemon, "trusted", path);
}

/*
 * The program an exec event names, when its task is already gone and
 * /proc/PID/exe with it: a short job ends before the daemon reads its
 * launch. The exec's file is the event's object.
 */
static bool exec_event_exe(const struct mg_event *event, char *exe, size_t size)
{
	char fs_path[MG_EVENT_PATH_DEPTH * (MG_NAME_LEN + 1) + 8];
	struct stat st;

	if ((event->kind != MG_EVENT_LAUNCH && event->kind != MG_EVENT_TRUST_MISS) ||
	    event->npath >= MG_EVENT_PATH_DEPTH)
		return false;
	mg_event_path(event, NULL, fs_path, sizeof(fs_path));
	return mg_mounted_path(event->obj_dev, fs_path, exe, size) == 0 && stat(exe, &st) == 0 &&
	       st.st_ino == event->obj_ino;
}

static void handle_event(const struct mg_event *event, void *ctx)
{
	struct daemon *daemon = ctx;
	struct mg_event_names names = {
		.policy = daemon->policy,
		.realtime_offset_ns = daemon->realtime_offset_ns,
	};
	char exe_link[64], exe[PATH_MAX], line[8192];
	ssize_t len;

	snprintf(exe_link, sizeof(exe_link), "/proc/%u/exe", event->pid);
	len = readlink(exe_link, exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		names.exe = exe;
	} else if (exec_event_exe(event, exe, sizeof(exe))) {
		names.exe = exe;
	}
	if ((event->kind == MG_EVENT_ACCESS || event->kind == MG_EVENT_BEHAVIOUR) && event->root_ino)
		names.root_path = mg_loader_root_path(daemon->loader, event->obj_dev, event->root_ino);
	/* An exec the kernel had no verdict for: verify it now, for next time. */
	if (event->kind == MG_EVENT_TRUST_MISS && names.exe && trust_path(daemon, names.exe))
		say(daemon, "trusted", names.exe);
	/* A unit lost its trust: once systemd is done loading, it is asked whether that holds. */
	if (event->kind == MG_EVENT_UNIT && daemon->service_units) {
		daemon->units_stale = true;
		clock_gettime(CLOCK_MONOTONIC, &daemon->units_stale_at);
	}
	/* A library that tainted a task: the same, so that the next program mapping it keeps its trust. */
	if (event->kind == MG_EVENT_TAINT)
		learn_mapped_file(daemon, event);

	mg_event_to_json(event, &names, line, sizeof(line));
	fputs(line, daemon->out);
	fflush(daemon->out);
	if (event->kind == MG_EVENT_BEHAVIOUR && event->rule_index == MG_EVENT_DENIED)
		stop_lineage(daemon, event->lineage, event->verdict);
	if (daemon->syslog && (event->kind == MG_EVENT_ACCESS || event->kind == MG_EVENT_BEHAVIOUR)) {
		mg_event_to_text(event, &names, line, sizeof(line));
		syslog(event->verdict == MG_EVENT_DENIED ? LOG_WARNING : LOG_NOTICE, "%s", line);
	}
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

/* The files POLICY's `launcher` declarations name, and how many; NULL when out of memory. */
static const char **launcher_files(const struct mg_policy *policy, size_t *n)
{
	const char **files;
	size_t count = 0;

	for (size_t i = 0; i < policy->nprograms; i++)
		if (policy->programs[i].flags & MG_PROGRAM_LAUNCHER)
			count += policy->programs[i].nexes;
	files = calloc(count ? count : 1, sizeof(*files));
	*n = 0;
	for (size_t i = 0; files && i < policy->nprograms; i++) {
		if (!(policy->programs[i].flags & MG_PROGRAM_LAUNCHER))
			continue;
		for (size_t j = 0; j < policy->programs[i].nexes; j++)
			files[(*n)++] = policy->programs[i].exes[j];
	}
	return files;
}

/* The trust store for what POLICY names as trust sources; NULL after saying why. */
static struct mg_trust_ctx *trust_of(struct daemon *daemon, const struct mg_policy *policy)
{
	struct mg_trust_source_key *keys = calloc(policy->nkeys ? policy->nkeys : 1, sizeof(*keys));
	struct mg_trust_sources sources = {
		.keys = keys,
		.nkeys = policy->nkeys,
		.allowlists = (const char *const *)policy->allowlists,
		.nallowlists = policy->nallowlists,
		.trust_packages = policy->trust_packages,
		.scan_dirs = (const char *const *)policy->trust_scan,
		.nscan_dirs = policy->ntrust_scan,
	};
	const char **launchers = launcher_files(policy, &sources.nlaunchers);
	struct mg_trust_ctx *ctx = NULL;

	if (!keys || !launchers) {
		fprintf(stderr, "medguard: cannot load trust sources: out of memory\n");
		goto cleanup;
	}
	/* All of them: the trust store refuses more than the kernel can be told of. */
	sources.launchers = launchers;
	for (size_t i = 0; i < policy->nkeys; i++)
		keys[i] = (struct mg_trust_source_key){ .name = policy->keys[i].name, .path = policy->keys[i].path,
							 .key_id = policy->keys[i].key_id };
	ctx = mg_trust_ctx_new(&sources, stderr);
	if (ctx)
		mg_trust_ctx_use_cache(ctx, daemon->digests);
cleanup:
	free(launchers);
	free(keys);
	return ctx;
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
	/* Before any of its trust is read: a refused policy leaves nothing of its own behind. */
	if (daemon->loader && mg_loader_check_locked_paths(daemon->loader, policy, stderr)) {
		mg_policy_free(policy);
		return NULL;
	}
	if (daemon->mode_override >= 0)
		policy->mode = daemon->mode_override;
	*trust = trust_of(daemon, policy);
	if (!*trust) {
		mg_policy_free(policy);
		return NULL;
	}
	return policy;
}

/* The digests verified before, from MG_DIGEST_CACHE_FILE; without it every file is hashed. */
static void load_digests(struct daemon *daemon)
{
	long loaded = mg_digest_cache_load(daemon->digests, MG_DIGEST_CACHE_FILE);

	if (loaded >= 0)
		say_progress(daemon, "%ld digests in the cache %s", loaded, MG_DIGEST_CACHE_FILE);
	else if (loaded == -EPERM)
		fprintf(stderr, "medguard: ignoring the digest cache %s: it must be a file of root's that only root "
				"may write; every file is hashed\n", MG_DIGEST_CACHE_FILE);
	else if (loaded != -ENOENT)
		fprintf(stderr, "medguard: cannot read the digest cache %s: %s; every file is hashed\n",
			MG_DIGEST_CACHE_FILE, strerror((int)-loaded));
}

void refresh_packages(struct daemon *daemon)
{
	struct mg_trust_ctx *trust = trust_of(daemon, daemon->policy);

	daemon->packages_changed = false;
	if (!trust) {
		say(daemon, "packages-stale", "dpkg's database could not be read again; the packages trusted before stay trusted");
		return;
	}
	mg_trust_ctx_free(daemon->trust);
	daemon->trust = trust;
	trust_packages(daemon);
	save_digests(daemon);
	trust_units(daemon);
	write_status(daemon);
	say(daemon, "packages-refreshed", MG_DPKG_ADMINDIR);
}

/* dpkg writes its status at every step: the packages are read again once it pauses for a second. */
static void refresh_packages_when_quiet(struct daemon *daemon)
{
	if (daemon->packages_changed && mg_ms_since(&daemon->packages_changed_at) >= PACKAGES_QUIET_MS)
		refresh_packages(daemon);
}

/* Whether what arrived (a signal, a request) ends the daemon, and how. */
static enum daemon_end end_now(struct daemon *daemon)
{
	enum daemon_end end = DAEMON_RUNS;

	if (stop_request_arrived) {
		stop_request_arrived = 0;
		end = answer_signed_request(daemon);
	}
	if (end == DAEMON_RUNS && leave_requested) {
		leave_requested = 0;
		end = answer_service_manager(daemon);
	}
	if (end == DAEMON_RUNS && stop_requested) {
		stop_requested = 0;
		end = answer_stop_signal(daemon);
	}
	return end;
}

/* What the module verifies as a launcher's content is marked a launcher, as the daemon marks it. */
static void tell_module_launchers(struct daemon *daemon)
{
	const unsigned char (*sha256)[32];
	size_t n = mg_trust_ctx_launchers(daemon->trust, &sha256);

	mg_kfuncs_set_launchers(daemon->exec_trust, sha256, n);
}

/*
 * Either way a reload ends: the files locked again, and the outcome in the
 * status file ('medguard policy reload' waits for it), the log and systemd.
 */
static void reload_done(struct daemon *daemon, bool refused, const char *detail)
{
	lock_anchors(daemon, "reloaded: medguard's own files are the daemon's alone again");
	daemon->reloads++;
	daemon->last_reload_refused = refused;
	write_status(daemon);
	say(daemon, refused ? "reload-refused" : "reloaded", detail);
	service_ready(daemon);
}

static void reload(struct daemon *daemon)
{
	char detail[512];
	struct mg_trust_ctx *trust = NULL, *old_trust = daemon->trust;
	struct mg_policy *policy, *old_policy = daemon->policy;

	service_reloading();
	policy = compile(daemon, &trust);
	if (!policy) {
		reload_done(daemon, true, "the new policy was refused (the log says why); the running policy stays in force");
		return;
	}
	daemon->policy = policy;
	daemon->trust = trust;
	reverify_vouched(daemon);
	fill_trust(daemon);
	/* Again: the paths may have moved while the new policy's trust was read. */
	if (mg_loader_check_locked_paths(daemon->loader, policy, stderr) ||
	    mg_loader_apply(daemon->loader, policy, stderr)) {
		daemon->policy = old_policy;
		daemon->trust = old_trust;
		mg_trust_ctx_free(trust);
		mg_policy_free(policy);
		reload_done(daemon, true, "the new policy could not be applied; the running policy stays in force");
		return;
	}
	mg_trust_ctx_free(old_trust);
	mg_policy_free(old_policy);
	retrust_units(daemon);
	if (guard_daemon(daemon))
		fprintf(stderr, "medguard: no random bytes for a stop challenge (%s); SIGTERM stops medguard\n",
			strerror(errno));
	if (daemon->exec_trust && mg_kfuncs_load_policy_keys(policy, detail, sizeof(detail)))
		say(daemon, "module-keys-stale", detail);
	tell_module_launchers(daemon);
	reload_done(daemon, false, daemon->policy_file);
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
	tell_module_launchers(daemon);
}

int mg_daemon_run(const struct mg_daemon_options *options)
{
	static char exe[PATH_MAX], cache_dir[PATH_MAX];
	static const char *anchors[4];
	struct mg_loader_options loader_options = { .pin = true, .log = stderr, .anchors = anchors };
	struct daemon daemon = { .out = stdout, .mode_override = options->mode_override,
				 .policy_file = options->policy_file, .syslog = options->syslog };
	struct sigaction action = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	enum daemon_end end;
	const char *output = options->output;
	int status = 1;
	pid_t other = running_daemon();

	if (other) {
		fprintf(stderr, "medguard: a medguard daemon already runs (pid %d) and enforces its policy; to change "
				"the policy use 'medguard unlock' and 'medguard policy reload', to replace it 'medguard stop' "
				"first\n", (int)other);
		return 1;
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
	daemon.digests = mg_digest_cache_new();
	if (!daemon.digests) {
		fprintf(stderr, "medguard: out of memory\n");
		goto cleanup;
	}
	daemon.watch = mg_trust_watch_new();
	if (!daemon.watch) {
		fprintf(stderr, "medguard: cannot watch for signed files: %s\n", strerror(errno));
		goto cleanup;
	}
	own_files(exe, cache_dir, anchors);
	/* Everything that can be checked before touching the kernel is. */
	daemon.policy = compile(&daemon, &daemon.trust);
	if (!daemon.policy)
		goto cleanup;
	load_digests(&daemon);
	say_progress(&daemon, "loading the BPF programs (the verifier takes a while under emulation)");
	daemon.loader = mg_loader_open(&loader_options);
	if (!daemon.loader)
		goto cleanup;
	say_progress(&daemon, "verifying what the trust sources vouch for");
	fill_trust(&daemon);
	say_progress(&daemon, "%lu trusted files in the kernel; applying the policy", daemon.trusted_files);
	if (mg_loader_apply(daemon.loader, daemon.policy, stderr)) {
		fprintf(stderr, "medguard: the policy was not applied; nothing is enforced\n");
		goto cleanup;
	}
	say_progress(&daemon, "verifying the service units");
	judge_units(&daemon);
	/*
	 * Labels first, then the hooks: from the moment they are attached,
	 * a task without a label starts nothing trusted (see labels.c).
	 */
	say_progress(&daemon, "labelling the processes that ran before medguard");
	if (label_running_processes(&daemon)) {
		fprintf(stderr, "medguard: cannot read /proc to label the running processes; is /proc mounted?\n");
		goto cleanup;
	}
	say_progress(&daemon, "attaching the programs to the LSM hooks");
	if (mg_loader_attach(daemon.loader, stderr))
		goto cleanup;
	if (label_running_processes(&daemon)) {
		fprintf(stderr, "medguard: cannot read /proc to label the running processes; is /proc mounted?\n");
		goto cleanup;
	}
	daemon.kfuncs_status = mg_kfuncs_probe(&daemon.kfuncs);
	if (daemon.kfuncs_status == 0 && daemon.kfuncs.usable) {
		attach_exec_trust(&daemon);
		daemon.entropy = mg_entropy_attach(daemon.loader, stderr);
	}
	daemon.realtime_offset_ns = realtime_offset_ns();
	daemon.events = mg_events_open(daemon.loader, handle_event, &daemon, stderr);
	if (!daemon.events)
		goto cleanup;

	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGHUP, &action, NULL);
	sigaction(SIGUSR1, &action, NULL);
	if (guard_daemon(&daemon)) {
		fprintf(stderr, "medguard: no random bytes for a stop challenge: %s\n", strerror(errno));
		goto cleanup;
	}
	write_pid_file();
	write_status(&daemon);
	daemon.started = true;
	say(&daemon, "started", daemon.policy->mode == MG_MODE_ENFORCE ? "enforce" : "audit");

	service_ready(&daemon);

	while ((end = end_now(&daemon)) == DAEMON_RUNS) {
		struct pollfd fds[] = {
			{ .fd = mg_events_fd(daemon.events), .events = POLLIN },
			{ .fd = mg_trust_watch_fd(daemon.watch), .events = POLLIN },
		};

		if (poll(fds, 2, POLL_MS) < 0 && errno != EINTR) {
			fprintf(stderr, "medguard: waiting for events failed: %s\n", strerror(errno));
			break;
		}
		if (fds[0].revents && mg_events_read(daemon.events)) {
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
		refresh_packages_when_quiet(&daemon);
		trust_units_when_quiet(&daemon);
		guard_when_due(&daemon);
	}
	mg_events_read(daemon.events);
	unlink(MG_PID_FILE);
	unlink(MG_STATUS_FILE);
	if (end == DAEMON_LEAVES || end == DAEMON_LEAVES_GUARDED) {
		if (end == DAEMON_LEAVES_GUARDED)
			mg_loader_keep_guard_after_exit(daemon.loader);
		service_stopping("leaving the programs pinned: the policy stays in force");
		fprintf(stderr, "medguard: stopped by the service manager; the programs stay pinned and the records "
				"protected until the next start; 'medguard stop' removes the protection\n");
		say(&daemon, "left",
		    "the service manager stopped the daemon; its programs stay pinned and enforce the policy until "
		    "the next start takes them over; to remove the protection: medguard stop (--key FILE if the "
		    "policy names keys)");
		mg_loader_leave(daemon.loader);
		daemon.loader = NULL;
		status = MG_EXIT_LEFT_PINNED;
	} else {
		service_stopping("removing the protection on request");
		say(&daemon, "stopped", "protection removed on request");
		status = 0;
	}

cleanup:
	mg_events_close(daemon.events);
	mg_trust_watch_free(daemon.watch);
	mg_entropy_detach(daemon.entropy);
	mg_kfuncs_detach_exec_trust(daemon.exec_trust);
	mg_loader_close(daemon.loader);
	mg_trust_ctx_free(daemon.trust);
	mg_policy_free(daemon.policy);
	mg_path_set_free(daemon.vouched);
	mg_digest_cache_free(daemon.digests);
	if (daemon.out && daemon.out != stdout)
		fclose(daemon.out);
	return status;
}
