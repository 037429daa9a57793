// SPDX-License-Identifier: GPL-2.0-only
/*
 * Self-protection, the daemon's side. Under a policy that names keys the
 * daemon is guarded: the kernel refuses other tasks its signals and
 * tracing and its own files (kernel/guard.c), and only a signed request
 * (signed_request.c) stops it or unlocks those files for a while. This
 * file decides when the guard goes up, when the files lock again, and how
 * the daemon answers a stop it did not sign for.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* A guarded daemon cannot be killed by others; the OOM killer is not to do it either. */
static void keep_off_oom_list(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "-1000", 5) != 5)
		fprintf(stderr, "medguard: cannot keep the daemon from the OOM killer: %s\n", strerror(errno));
	close(fd);
}

/*
 * A policy that names keys can only be stopped by a request one of them
 * signed, and the kernel refuses other tasks' signals and tracing; one
 * without keys stops on SIGTERM. 0, or -errno without a challenge.
 */
int guard_daemon(struct daemon *daemon)
{
	int err = 0;

	if (!daemon->policy->nkeys)
		daemon->stop_challenge[0] = '\0';
	else if (!daemon->stop_challenge[0])
		err = stop_challenge_new(daemon, false);
	mg_loader_guard_daemon(daemon->loader, daemon->stop_challenge[0] != '\0');
	if (daemon->stop_challenge[0])
		keep_off_oom_list();
	return err;
}

/*
 * After a signed unlock root may change the policy's files, the keys and
 * the allowlists, then reload; the next reload, or MG_UNLOCK_SECONDS, locks
 * them again. The challenge is renewed, the one the request was signed
 * over dropped, so that the request cannot be replayed.
 */
static void unlock_anchors(struct daemon *daemon)
{
	if (stop_challenge_new(daemon, false)) {
		fprintf(stderr, "medguard: no random bytes for a new challenge (%s); medguard stays locked\n",
			strerror(errno));
		return;
	}
	daemon->unlocked = true;
	clock_gettime(CLOCK_MONOTONIC, &daemon->unlocked_at);
	mg_loader_unlock_anchors(daemon->loader, true);
	write_status(daemon);
}

void lock_anchors(struct daemon *daemon, const char *why)
{
	if (!daemon->unlocked)
		return;
	daemon->unlocked = false;
	if (mg_loader_anchor_paths(daemon->loader, daemon->policy, stderr))
		fprintf(stderr, "medguard: some of the policy's files could not be locked; reload to lock them\n");
	mg_loader_unlock_anchors(daemon->loader, false);
	write_status(daemon);
	say(daemon, "locked", why);
}

/* A request someone held back is good for at most two rotations. */
static void renew_challenge_when_due(struct daemon *daemon)
{
	if (daemon->stop_challenge[0] && mg_ms_since(&daemon->challenge_at) >= MG_CHALLENGE_SECONDS * 1000LL &&
	    stop_challenge_new(daemon, true) == 0)
		write_status(daemon);
}

static void lock_anchors_when_due(struct daemon *daemon)
{
	if (daemon->unlocked && mg_ms_since(&daemon->unlocked_at) >= MG_UNLOCK_SECONDS * 1000LL)
		lock_anchors(daemon, "the unlock expired; medguard's own files are the daemon's alone again");
}

void guard_when_due(struct daemon *daemon)
{
	lock_anchors_when_due(daemon);
	renew_challenge_when_due(daemon);
}

enum daemon_end answer_signed_request(struct daemon *daemon)
{
	switch (signed_request(daemon)) {
	case SIGNED_STOP:
		return DAEMON_STOPS;
	case SIGNED_UNLOCK:
		unlock_anchors(daemon);
		break;
	case SIGNED_NOTHING:
		break;
	}
	return DAEMON_RUNS;
}

/*
 * PID 1 asked the daemon to go. Without keys, or after a signed unlock, it
 * leaves its programs pinned for the next start (an upgrade of the package
 * restarts it so). A locked daemon leaves only when the system shuts down,
 * and then its guard stays up until the filesystems are unmounted; any
 * other stop (systemctl kill, a unit that conflicts with it) would leave
 * the pins unguarded until the next start, so it is refused.
 */
enum daemon_end answer_service_manager(struct daemon *daemon)
{
	if (!daemon->stop_challenge[0] || daemon->unlocked)
		return DAEMON_LEAVES;
	if (service_system_stopping())
		return DAEMON_LEAVES_GUARDED;
	fprintf(stderr, "medguard: systemd asked medguard to stop, and the system is not shutting down: refused, the "
			"policy names keys; stop it with 'medguard stop --key FILE', or restart it after 'medguard "
			"unlock --key FILE'\n");
	return DAEMON_RUNS;
}

enum daemon_end answer_stop_signal(struct daemon *daemon)
{
	if (!daemon->stop_challenge[0])
		return DAEMON_STOPS;
	fprintf(stderr, "medguard: SIGTERM or SIGINT ignored: the policy names keys, stop with 'medguard stop --key FILE'\n");
	return DAEMON_RUNS;
}

/*
 * The daemon's own files, beyond the policy's: its executable, the trust
 * cache (a forged digest there would trust a program) and the module's
 * key file (a key added there would sign programs as the policy's).
 */
void own_files(char exe[PATH_MAX], char cache_dir[PATH_MAX], const char *anchors[4])
{
	ssize_t len = readlink("/proc/self/exe", exe, PATH_MAX - 1);
	size_t n = 0;

	if (len > 0) {
		exe[len] = '\0';
		anchors[n++] = exe;
	}
	snprintf(cache_dir, PATH_MAX, "%s", MG_DIGEST_CACHE_FILE);
	dirname(cache_dir);
	if (mkdir(cache_dir, 0700) == 0 || errno == EEXIST)
		anchors[n++] = cache_dir;
	anchors[n++] = MEDGUARD_SECURITYFS_DIR;
	anchors[n] = NULL;
}
