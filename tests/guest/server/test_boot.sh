#!/usr/bin/env bash
# The systemd guest itself (tests/vm/run --systemd), on which the rest of the
# server suite stands: systemd is PID 1, the daemons of a hospital server
# (journald, cron, sshd) run, the boot is over, the test runs as a unit of
# its own, and the records disk is ext4, as on the servers.
. "$(dirname "$0")/../lib.sh"

if [ "$(cat /proc/1/comm)" = systemd ] && [ "$(readlink /proc/1/exe)" -ef /lib/systemd/systemd ]; then
	ok "boot: PID 1 is systemd"
else
	not_ok "boot: PID 1 is systemd (it is $(cat /proc/1/comm), $(readlink /proc/1/exe))"
fi

# The command starts once multi-user.target is up, but the boot's last jobs
# may still run; --wait gives them time, and the test's own time-out bounds it.
state=$(timeout 300 systemctl is-system-running --wait 2>&1)
case "$state" in
running | degraded)
	ok "boot: the system is up ($state)"
	;;
*)
	not_ok "boot: the system is up (systemctl is-system-running: ${state:-nothing})"
	;;
esac
# A degraded boot passes, as it does on servers; which units failed is said.
systemctl list-units --state=failed --plain --no-legend 2>&1 | sed 's/^/# failed unit: /'

for unit in systemd-journald cron ssh; do
	check "boot: $unit.service is active" systemctl is-active "$unit.service"
done

# The journal takes what the server's programs log.
tag=medguard-boot-$$
logger -t "$tag" "a line for the journal"
if wait_until 100 sh -c "journalctl --sync; journalctl -q -b -t $tag --no-pager | grep -q 'a line for the journal'"; then
	ok "boot: a line logged through syslog(3) is in the journal"
else
	not_ok "boot: a line logged through syslog(3) is in the journal"
fi

if grep -q '/medguard-vm-command\.service$' /proc/self/cgroup; then
	ok "boot: the test command runs in its own unit, medguard-vm-command.service"
else
	not_ok "boot: the test command runs in its own unit (cgroup $(cat /proc/self/cgroup))"
fi

fs=$(findmnt -n -o FSTYPE,SOURCE /srv)
if [ "$(echo $fs)" = "ext4 /dev/vda" ]; then
	ok "boot: the records disk /srv is ext4 (/dev/vda)"
else
	not_ok "boot: the records disk /srv is ext4 (findmnt: ${fs:-nothing})"
fi
