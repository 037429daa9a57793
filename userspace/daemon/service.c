// SPDX-License-Identifier: GPL-2.0-only
/*
 * What systemd learns of the daemon (sd_notify(3)): ready once trust is
 * complete and the policy enforced, reloading, stopping, and a status line
 * for 'systemctl status'. Outside a unit (no $NOTIFY_SOCKET) each is a no-op.
 * And what the daemon asks systemd: whether the system is shutting down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "internal.h"

/*
 * Each phase of a start may take minutes on a slow or loaded machine (the
 * BPF verifier, hashing what the trust sources vouch for): systemd's start
 * time-out is extended by this much at every phase rather than set high.
 */
#define PHASE_TIMEOUT_USEC (600ULL * 1000000)

static unsigned long long monotonic_usec(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)now.tv_sec * 1000000 + (unsigned long long)now.tv_nsec / 1000;
}

void service_phase(const char *what)
{
	sd_notifyf(0, "STATUS=%s\nEXTEND_TIMEOUT_USEC=%llu", what, PHASE_TIMEOUT_USEC);
}

void service_ready(const struct daemon *daemon)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s %s%s", daemon->policy->mode == MG_MODE_ENFORCE ? "enforcing" : "auditing",
		   daemon->policy_file,
		   daemon->stop_challenge[0] ? "; locked: stop with 'medguard stop --key FILE'" : "");
}

void service_reloading(void)
{
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading the policy\nMONOTONIC_USEC=%llu", monotonic_usec());
}

void service_stopping(const char *why)
{
	sd_notifyf(0, "STOPPING=1\nSTATUS=%s", why);
}

/*
 * systemd's own socket, which root reaches without the D-Bus daemon: late
 * in a shutdown, when medguard stops, dbus.service is already gone.
 */
#define SYSTEMD_PRIVATE_BUS "unix:path=/run/systemd/private"

bool service_system_stopping(void)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char *state = NULL;
	sd_bus *bus = NULL;
	bool stopping = false;

	if (sd_bus_new(&bus) < 0)
		return false;
	if (sd_bus_set_address(bus, SYSTEMD_PRIVATE_BUS) < 0 || sd_bus_start(bus) < 0)
		goto cleanup;
	if (sd_bus_get_property_string(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				       "org.freedesktop.systemd1.Manager", "SystemState", &error, &state) < 0)
		goto cleanup;
	stopping = strcmp(state, "stopping") == 0;

cleanup:
	free(state);
	sd_bus_error_free(&error);
	sd_bus_flush_close_unref(bus);
	return stopping;
}
