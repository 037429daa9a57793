/* SPDX-License-Identifier: GPL-2.0-only */
/* What the daemon's files share: its state and the functions one file calls in another. */
#ifndef MEDGUARD_DAEMON_INTERNAL_H
#define MEDGUARD_DAEMON_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "daemon.h"
#include "event_format.h"
#include "kernel/kernel.h"
#include "lib/lib.h"
#include "policy/policy.h"
#include "trust/trust.h"

struct daemon {
	const char *policy_file;
	int mode_override; /* -1: as the policy says */
	struct mg_policy *policy;
	struct mg_trust_ctx *trust;
	struct mg_loader *loader;
	struct mg_events *events;
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
	bool started;           /* enforcing: what it does now is no longer its start */
	struct mg_digest_cache *digests; /* kept in MG_DIGEST_CACHE_FILE across starts */
	bool packages_changed;  /* dpkg's status file changed: a package came, went or changed */
	struct timespec packages_changed_at;
	__u64 lost_reported;
	char stop_challenge[2 * MG_STOP_CHALLENGE_BYTES + 1]; /* empty: the policy names no key */
	/* The one before it, still good until the next renewal: a request signed as the challenge rotated. */
	char previous_challenge[2 * MG_STOP_CHALLENGE_BYTES + 1];
	struct timespec challenge_at;
	unsigned int reloads;     /* reloads asked for since the start, applied or refused */
	bool last_reload_refused; /* the last of them kept the running policy */
	bool service_units; /* systemd is PID 1: what it starts is judged by its unit */
	bool units_stale;   /* a unit lost its trust: ask systemd again once it is quiet */
	struct timespec units_stale_at;
	bool unlocked; /* after a signed unlock: root may change medguard's own files */
	struct timespec unlocked_at;
};

/* One line about the daemon itself, in the same stream as the events (log.c). */
void say(struct daemon *daemon, const char *what, const char *detail);
/*
 * One line on stderr about what a start or a reload is doing, so that
 * whoever waits for it sees it move (log.c).
 */
void say_progress(struct daemon *daemon, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * labels.c: labels every process without a label (before the programs are
 * attached, and again after); from the first call on, an unlabelled task
 * starts nothing trusted. 0 or -errno.
 */
int label_running_processes(struct daemon *daemon);

/*
 * units.c: under systemd, what PID 1 starts is judged by its unit from
 * now on; the unit files are verified and the units loaded already told
 * to the kernel. judge_units() once at the start, trust_units() again
 * whenever a unit lost its trust or packages changed.
 */
void judge_units(struct daemon *daemon);
void trust_units(struct daemon *daemon);
/* After a reload: only what the new policy's trust sources vouch for counts. */
void retrust_units(struct daemon *daemon);
void trust_units_when_quiet(struct daemon *daemon);
/* Whether process PID, a child of PID 1, runs for a trusted unit. */
bool runs_for_trusted_unit(struct daemon *daemon, pid_t pid);

/* trust_feed.c */
bool trust_path(struct daemon *daemon, const char *path);
/* The same for a file the kernel may trust already as it is (PATH no link): then it is not read again. */
bool trust_path_unless_trusted(struct daemon *daemon, const char *path);
void reverify_vouched(struct daemon *daemon);
void fill_trust(struct daemon *daemon);
void trust_changed(const char *path, void *arg);
/* Puts every packaged executable and library the kernel does not trust yet into its map. */
void trust_packages(struct daemon *daemon);
/* Writes the digest cache, saying so on failure. */
void save_digests(struct daemon *daemon);

/* daemon.c: dpkg's database again, and the packaged files that changed with it. */
void refresh_packages(struct daemon *daemon);
/* Milliseconds since THEN, on the monotonic clock. */

/* response.c */
void stop_lineage(struct daemon *daemon, __u32 lineage, __u32 action);

/*
 * signed_request.c: a fresh challenge (0 or -errno); what the request
 * waiting in MG_STOP_REQUEST_FILE asks, if one of the policy's keys signed
 * it (logged either way).
 */
enum signed_request { SIGNED_NOTHING, SIGNED_STOP, SIGNED_UNLOCK };
int stop_challenge_new(struct daemon *daemon, bool keep_previous);
enum signed_request signed_request(struct daemon *daemon);

/* How the main loop ends. */
enum daemon_end {
	DAEMON_RUNS,
	DAEMON_STOPS,          /* protection removed: a signed stop, or a stop of a policy without keys */
	DAEMON_LEAVES,         /* the service manager stops the unit: the pins stay, the next start takes them */
	DAEMON_LEAVES_GUARDED, /* the same at shutdown, and the guard stays up too: nothing replaces them */
};

/*
 * guard.c: the guard up under a policy that names keys, down under one
 * without; 0, or -errno without a challenge.
 */
int guard_daemon(struct daemon *daemon);
/* Medguard's own files the daemon's alone again, after an unlock; WHY goes to the log. */
void lock_anchors(struct daemon *daemon, const char *why);
/* What falls due with time: an unlock expires, the challenge rotates. */
void guard_when_due(struct daemon *daemon);
/* How the daemon answers a signed request, PID 1's SIGTERM, another SIGTERM or SIGINT. */
enum daemon_end answer_signed_request(struct daemon *daemon);
enum daemon_end answer_service_manager(struct daemon *daemon);
enum daemon_end answer_stop_signal(struct daemon *daemon);
/* The daemon's own files beyond the policy's, for the loader's anchors (NULL-terminated). */
void own_files(char exe[PATH_MAX], char cache_dir[PATH_MAX], const char *anchors[4]);

/* service.c: what systemd is told (sd_notify); nothing outside a unit. */
void service_phase(const char *what);
void service_ready(const struct daemon *daemon);
void service_reloading(void);
void service_stopping(const char *why);
/* Whether systemd is shutting the system down (its SystemState is "stopping"). */
bool service_system_stopping(void);

/* status.c */
/* The files `medguard status` and `medguard policy reload` read. */
void write_pid_file(void);
/* The pid of another medguard daemon that runs (its pid file names it), or 0. */
pid_t running_daemon(void);
void write_status(struct daemon *daemon);

#endif /* MEDGUARD_DAEMON_INTERNAL_H */
