#!/usr/bin/env bash
# medguard's life as a Debian service, in the systemd guest: the package
# installed with dpkg, README.Debian followed step by step to enforcement,
# then what systemd does to the unit. Each step as an operator would see it:
# systemctl's exit status, the unit's state, the journal, and whether this
# shell (an administrator's root shell: untrusted) reaches a record.
. "$(dirname "$0")/../lib.sh"

version=$(cat "$REPO/VERSION")
deb=$REPO/build/deb/medguard_${version}_amd64.deb
policy=/etc/medguard/default.policy
records=/srv/medical-records
record=$records/patient-1.txt
key=$WORK/it-release.key

if [ ! -f "$deb" ]; then
	not_ok "service: $deb is there (run 'make deb' first)"
	exit 1
fi
# The guests trust a short dpkg database: hashing every package of the
# host under emulation would take most of the suite's time.
bash "$REPO/tests/guest/minimal-packages" >/dev/null

unit_is() {
	[ "$(systemctl show -P "$1" medguard.service)" = "$2" ]
}
main_pid() {
	systemctl show -P MainPID medguard.service
}
journal_has() {
	journalctl --sync
	journalctl -q -b -u medguard.service --no-pager | grep -q -- "$1"
}
# The daemon's own log under the package: /var/log/medguard/events.jsonl.
log_has() {
	grep -q -- "$1" /var/log/medguard/events.jsonl 2>/dev/null
}
record_refused() {
	! cat "$record" >/dev/null 2>&1
}
# A reader in this (untrusted) shell that tries the record every tenth of a
# second while the daemon is replaced; what got through is in $WORK/leaks.
start_reader() {
	: >"$WORK/leaks"
	rm -f "$WORK/stop-reading"
	(
		while [ ! -e "$WORK/stop-reading" ]; do
			cat "$record" >/dev/null 2>&1 && echo "read at $(date +%s.%N)" >>"$WORK/leaks"
			sleep 0.1
		done
	) &
	reader=$!
}
stop_reader() {
	touch "$WORK/stop-reading"
	wait "$reader"
}
# Another daemon than process $1 runs, and the unit is active.
daemon_replaced() {
	local pid
	pid=$(main_pid)
	[ "$pid" != 0 ] && [ "$pid" != "$1" ] && unit_is ActiveState active
}

# ---- the package --------------------------------------------------------
mkdir -p "$records"
echo "patient 1" >"$record"
started=$SECONDS
check "service: dpkg -i installs the package and starts the service" dpkg -i "$deb"
echo "# the install and the first start took $((SECONDS - started)) s"
MEDGUARD_BIN=/usr/sbin/medguard
if ! systemctl is-active --quiet medguard.service; then
	systemctl status medguard.service --no-pager 2>&1 | sed 's/^/# /'
	journalctl -b -u medguard.service --no-pager 2>&1 | tail -n 30 | sed 's/^/# /'
fi
check "service: medguard.service is active once dpkg is done (READY=1 came)" unit_is ActiveState active
check "service: it runs as a notify service" unit_is Type notify
if systemctl show -P StatusText medguard.service | grep -q "^auditing $policy"; then
	ok "service: systemctl status says it audits the default policy"
else
	not_ok "service: systemctl status says it audits the default policy ($(systemctl show -P StatusText medguard.service))"
fi
check "service: the journal says what to do next (the policy protects nothing yet)" \
	wait_until 100 journal_has "protects nothing"
check "service: the event log is 0640 root:adm" test "$(stat -c '%a %U:%G' /var/log/medguard/events.jsonl)" = "640 root:adm"

# ---- README.Debian, step by step ---------------------------------------
sed -i 's/^#R //' "$policy"
echo "bogus statement;" >>"$policy"
if systemctl reload medguard.service 2>/dev/null; then
	not_ok "service: systemctl reload fails when medguard refuses the new policy"
else
	ok "service: systemctl reload fails when medguard refuses the new policy"
fi
check "service: after the refused reload the unit is still active" unit_is ActiveState active
sed -i '$d' "$policy"

# ---- a crash, before the policy names keys -------------------------------
# Only a policy without keys lets PID 1 send anything but SIGTERM: enforced
# for a moment, the daemon is made to crash. The records stay protected by
# the pinned programs until Restart= brings a daemon back, which takes
# them over.
sed -i 's/^mode audit;/mode enforce;/' "$policy"
check "service: enforced without keys (systemctl reload)" systemctl reload medguard.service
check "service: the records are protected" record_refused
crashed_pid=$(main_pid)
start_reader
check "service: the daemon crashes (SIGSEGV)" systemctl kill --kill-whom=main --signal=SIGSEGV medguard.service
check "service: Restart= brings it back" wait_until 6000 daemon_replaced "$crashed_pid"
stop_reader
check "service: no read of a record got through while it was down" test ! -s "$WORK/leaks"
sed -i 's/^mode enforce;/mode audit;/' "$policy"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key" 2>/dev/null
openssl pkey -in "$key" -pubout -out /etc/medguard/keys/it-release.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
	openssl pkey -pubout -out /etc/medguard/keys/backup.pem 2>/dev/null
sed -i 's/^#K //' "$policy"
check "service: the policy with the records and the keys is valid" "$MEDGUARD_BIN" policy check "$policy"
check "service: systemctl reload applies it" systemctl reload medguard.service
check "service: audit mode lets the administrator's shell read a record" cat "$record"
check "service: the unlock signed with the IT key is accepted" "$MEDGUARD_BIN" unlock --key "$key"
sed -i 's/^mode audit;/mode enforce;/' "$policy"
check "service: systemctl reload switches to enforce" systemctl reload medguard.service
check "service: systemctl status says it enforces, and how it is stopped" \
	sh -c "systemctl status medguard.service --no-pager | grep -q \"enforcing $policy; locked: stop with 'medguard stop --key FILE'\""
check "service: the administrator's root shell may not read a record" record_refused

# ---- the server's daily life, enforcing ---------------------------------
# A hospital service from a unit file of its own, signed with the IT key:
# packaged programs that systemd starts for it read and change the records.
# The unit's last steps check its own work: only a trusted program can.
daemon_verified() {
	grep -q "\"event\":\"trusted\",\"detail\":\"$1\"" /var/log/medguard/events.jsonl 2>/dev/null
}
cat >/etc/systemd/system/emr-export.service <<UNIT
[Unit]
Description=EMR export (medguard test)
[Service]
Type=oneshot
ExecStart=/usr/bin/cp $record $records/patient-1.export
ExecStart=/usr/bin/tee -a $record
ExecStart=/usr/bin/grep -q "a line the EMR service appends" $record
ExecStart=/usr/bin/grep -q "patient 1" $records/patient-1.export
StandardInputText=a line the EMR service appends
StandardOutput=null
UNIT
check "units: the EMR unit file is signed with the IT key" \
	"$MEDGUARD_BIN" sign /etc/systemd/system/emr-export.service --key "$key"
check "units: the daemon verified the signed unit file" \
	wait_until 100 daemon_verified /etc/systemd/system/emr-export.service
systemctl daemon-reload
check "daily: a service started by systemd from its signed unit file copies, changes and reads records" \
	systemctl start emr-export.service
# Which unit files medguard found unverified lately, for whoever reads a failure above.
grep '"event":"unit-untrusted"' /var/log/medguard/events.jsonl | tail -n 3 | sed 's/^/# /'
check "daily: the copy it made is a record the administrator's shell may not read" \
	sh -c "! cat '$records/patient-1.export' >/dev/null 2>&1"

# ---- what systemd starts on root's word ----------------------------------
# PID 1 starts what root asks: each way gives an untrusted lineage, the
# trusted tools it runs (cp, cat, tar) included.
stolen=/var/tmp/units-stolen
rm -rf "$stolen"
mkdir -p "$stolen"
out=$(systemd-run --quiet --wait --pipe /usr/bin/cat "$record" 2>&1)
if grep -q "patient 1" <<<"$out"; then
	not_ok "units: systemd-run (a transient unit) of a packaged cat may not read a record"
else
	ok "units: systemd-run (a transient unit) of a packaged cat may not read a record"
fi
systemd-run --quiet --wait /usr/bin/tar -cf "$stolen/records.tar" -C "$records" . 2>/dev/null
check "units: systemd-run of tar copying the records out gets nothing" \
	sh -c "! tar -tf '$stolen/records.tar' 2>/dev/null | grep -q patient"
check "units: the refusal is an event that says tar was started by an untrusted starter" \
	wait_until 100 log_has '"event":"access","verdict":"denied".*"comm":"tar".*"started_by":"untrusted"'
systemd-run --quiet --on-active=1 --unit=medguard-test-timer /usr/bin/cp "$record" "$stolen/timer-copy"
sleep 5
check "units: a transient timer's cp may not copy a record" test ! -e "$stolen/timer-copy"
cat >/etc/systemd/system/records-grab.service <<UNIT
[Service]
Type=oneshot
ExecStart=/usr/bin/cp $record $stolen/unit-copy
UNIT
systemctl daemon-reload
systemctl start records-grab.service 2>/dev/null
check "units: a unit file root wrote, unsigned, runs cp untrusted: no copy" test ! -e "$stolen/unit-copy"
check "units: the unverified unit file is an event" wait_until 100 log_has '"event":"unit-untrusted".*records-grab.service'
mkdir -p /etc/systemd/system/emr-export.service.d
cat >/etc/systemd/system/emr-export.service.d/override.conf <<UNIT
[Service]
ExecStartPre=/usr/bin/cp $record $stolen/drop-in-copy
UNIT
systemctl daemon-reload
systemctl start emr-export.service 2>/dev/null
check "units: a drop-in root added to the signed unit makes the whole unit untrusted" \
	test ! -e "$stolen/drop-in-copy"
check "units: the signed unit's own steps are refused too while the drop-in is there" \
	sh -c "! systemctl start emr-export.service 2>/dev/null"
rm -rf /etc/systemd/system/emr-export.service.d
systemctl daemon-reload
check "units: without the drop-in the signed unit is trusted again" systemctl start emr-export.service
check "units: only PID 1 moves a process into a unit's cgroup" \
	sh -c "! echo \$\$ 2>/dev/null >/sys/fs/cgroup/system.slice/cron.service/cgroup.procs"
mkdir -p /sys/fs/cgroup/medguard-test.slice
check "units: no cgroup is renamed (it would take a unit's name)" \
	sh -c "! mv /sys/fs/cgroup/medguard-test.slice /sys/fs/cgroup/emr-export.service 2>/dev/null"
rmdir /sys/fs/cgroup/medguard-test.slice 2>/dev/null
# A kernel usermode helper: the kernel starts the program core_pattern
# names, with the arguments it names, as a child of a kernel thread.
# Whoever set the pattern chose both: the helper is untrusted. (Only a
# trusted lineage writes core_pattern while medguard is locked: here a job
# IT signed, through the launcher.)
cat >/usr/local/sbin/set-core-pattern <<'JOB'
#!/bin/sh
printf '%s\n' "$1" >/proc/sys/kernel/core_pattern
JOB
chmod 755 /usr/local/sbin/set-core-pattern
"$MEDGUARD_BIN" sign /usr/local/sbin/set-core-pattern --key "$key" >/dev/null
wait_until 100 daemon_verified /usr/local/sbin/set-core-pattern
old_pattern=$(cat /proc/sys/kernel/core_pattern)
mkdir -p "$stolen/helper"
check "units: a signed job sets core_pattern to pipe cores into cp" \
	/usr/sbin/medguard-exec /usr/local/sbin/set-core-pattern "|/usr/bin/cp /etc/hostname $record $stolen/helper/"
sh -c 'ulimit -c unlimited; kill -SEGV $$' 2>/dev/null
check "units: the core_pattern helper ran (it copied a file outside the records)" \
	wait_until 100 test -s "$stolen/helper/hostname"
sleep 1
check "units: the helper, a packaged cp the kernel started, may not copy a record" \
	test ! -e "$stolen/helper/patient-1.txt"
/usr/sbin/medguard-exec /usr/local/sbin/set-core-pattern "$old_pattern"
# A reload forgets every unit and asks systemd which units it has loaded:
# the EMR unit, loaded and unchanged, is trusted from that answer alone.
check "units: medguard's reload (after an unlock) succeeds" \
	sh -c "'$MEDGUARD_BIN' unlock --key '$key' && systemctl reload medguard.service"
check "units: after the reload the loaded signed unit is still trusted (systemd was asked)" \
	systemctl start emr-export.service

# A signed job, run by cron through the launcher; a cron line that runs a
# tool on the records directly is refused.
job=/usr/local/sbin/records-count
cat >"$job" <<JOB
#!/bin/sh
wc -l $records/patient-1.txt >/var/tmp/records-count.out
JOB
chmod 755 "$job"
check "daily: the job is signed with the IT key" "$MEDGUARD_BIN" sign "$job" --key "$key"
rm -f /var/tmp/records-count.out /var/tmp/cron-direct.out /var/tmp/cron-shell.out
cat >/etc/cron.d/medguard-test <<CRON
* * * * * root /usr/sbin/medguard-exec $job
* * * * * root cat $record >/var/tmp/cron-direct.out 2>&1
CRON
# cron is a gateway: whatever shell a crontab names, its jobs are untrusted.
# (busybox, a packaged program, under a name of root's choosing.)
busybox=$(command -v busybox || true)
if [ -n "$busybox" ]; then
	mkdir -p /usr/local/lib/medguard-test
	ln -sf "$busybox" /usr/local/lib/medguard-test/sh
	cat >/etc/cron.d/medguard-test-shell <<CRON
SHELL=/usr/local/lib/medguard-test/sh
* * * * * root cat $record >/var/tmp/cron-shell.out 2>&1 || echo refused >>/var/tmp/cron-shell.out
CRON
else
	echo refused >/var/tmp/cron-shell.out
fi
touch /etc/cron.d
cron_ran() {
	[ -s /var/tmp/records-count.out ] && [ -s /var/tmp/cron-direct.out ] && [ -s /var/tmp/cron-shell.out ]
}
check "daily: cron runs all three lines within two minutes" wait_until 1500 cron_ran
check "daily: the cron job through medguard-exec reads the records" grep -q "patient-1.txt" /var/tmp/records-count.out
check "daily: the cron line running cat on a record directly is refused" \
	grep -q "Operation not permitted" /var/tmp/cron-direct.out
check "units: a crontab with SHELL= a busybox link runs cat untrusted: refused" \
	sh -c "grep -q refused /var/tmp/cron-shell.out && ! grep -q 'patient 1' /var/tmp/cron-shell.out"
rm -rf /etc/cron.d/medguard-test /etc/cron.d/medguard-test-shell /usr/local/lib/medguard-test

# An administrator's ssh session: untrusted, and it may use the launcher.
mkdir -p /root/.ssh
chmod 700 /root/.ssh
ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh-key"
cat "$WORK/ssh-key.pub" >>/root/.ssh/authorized_keys
as_admin() {
	ssh -i "$WORK/ssh-key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
		-o LogLevel=ERROR root@127.0.0.1 "$@"
}
check "daily: the administrator logs in with ssh" as_admin true
out=$(as_admin cat "$record" 2>&1)
if grep -q "Operation not permitted" <<<"$out"; then
	ok "daily: the ssh session may not read a record"
else
	not_ok "daily: the ssh session may not read a record ($out)"
fi
rm -f /var/tmp/records-count.out
check "daily: the ssh session runs the signed job through the launcher" as_admin /usr/sbin/medguard-exec "$job"
check "daily: the job read the records" grep -q patient-1.txt /var/tmp/records-count.out
# sshd is a gateway: the SFTP server inside a session's sshd process
# (internal-sftp) serves whoever logged in, untrusted.
sed -i 's|^Subsystem[[:space:]].*sftp.*|Subsystem sftp internal-sftp|' /etc/ssh/sshd_config
grep -q '^Subsystem sftp internal-sftp' /etc/ssh/sshd_config || echo 'Subsystem sftp internal-sftp' >>/etc/ssh/sshd_config
systemctl reload ssh.service
sleep 2
rm -f /var/tmp/sftp-copy
printf 'get %s /var/tmp/sftp-copy\n' "$record" |
	sftp -i "$WORK/ssh-key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
		-o LogLevel=ERROR -b - root@127.0.0.1 >/dev/null 2>&1
check "units: internal-sftp in the administrator's session may not copy a record out" \
	sh -c "! grep -q 'patient 1' /var/tmp/sftp-copy 2>/dev/null"
printf 'get /etc/hostname /var/tmp/sftp-hostname\n' |
	sftp -i "$WORK/ssh-key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
		-o LogLevel=ERROR -b - root@127.0.0.1 >/dev/null 2>&1
check "units: it still copies a file outside the records" test -s /var/tmp/sftp-hostname

# A package installed with apt, then upgraded: its program, started by
# systemd, is trusted on first use of each version.
make_package() {
	local version=$1 program=$2 dir=$WORK/pkg-$1
	mkdir -p "$dir/DEBIAN" "$dir/usr/sbin" "$dir/lib/systemd/system"
	cp "$program" "$dir/usr/sbin/records-reader"
	cat >"$dir/lib/systemd/system/records-reader.service" <<UNIT
[Service]
Type=oneshot
ExecStart=/usr/sbin/records-reader -n 5 $record
StandardOutput=file:/var/tmp/records-reader.out
UNIT
	printf 'Package: records-reader\nVersion: %s\nArchitecture: amd64\nMaintainer: medguard tests <root@localhost>\nDescription: reads a record\n' \
		"$version" >"$dir/DEBIAN/control"
	dpkg-deb -b --root-owner-group "$dir" "$WORK/records-reader_$version.deb" >/dev/null
}
make_package 1 /usr/bin/head
make_package 2 /usr/bin/tail
# A daemon-reload costs seconds under emulation: one try a second at most.
read_with_package() {
	rm -f /var/tmp/records-reader.out
	systemctl daemon-reload
	systemctl start records-reader.service 2>/dev/null
	grep -q "patient 1" /var/tmp/records-reader.out 2>/dev/null && return 0
	sleep 1
	return 1
}
check "daily: apt-get install of a local package works" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$WORK/records-reader_1.deb"
check "daily: its program, started by systemd from the package's unit, reads a record within seconds of the install" \
	wait_until 60 read_with_package
check "daily: apt-get upgrade to its next version works" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$WORK/records-reader_2.deb"
check "daily: the upgraded program is trusted within seconds of the upgrade" wait_until 60 read_with_package
check "daily: the journal carries the daemon's lines" journal_has "medguard"

# ---- systemctl stop ----------------------------------------------------
out=$(systemctl stop medguard.service 2>&1)
if [ $? -ne 0 ] && grep -q "refuse" <<<"$out"; then
	ok "service: systemctl stop is refused"
else
	not_ok "service: systemctl stop is refused ($out)"
fi
check "service: the unit is still active after it" unit_is ActiveState active
check "service: the records are still protected" record_refused
locked_pid=$(main_pid)
check "service: systemctl kill (SIGTERM from PID 1) outside a shutdown reaches the daemon" \
	systemctl kill --kill-whom=main --signal=SIGTERM medguard.service
check "service: a locked daemon refuses it, and the journal says how to stop it" \
	wait_until 100 journal_has "refused, the policy names keys; stop it with 'medguard stop --key FILE'"
check "service: the same daemon runs" sh -c "[ \"\$(systemctl show -P MainPID medguard.service)\" = $locked_pid ]"

# ---- an upgrade --------------------------------------------------------
out=$(dpkg -i "$deb" 2>&1)
if [ $? -ne 0 ] && grep -q "medguard is locked" <<<"$out"; then
	ok "service: an upgrade of a locked medguard stops before unpacking, and says to unlock"
else
	not_ok "service: an upgrade of a locked medguard stops before unpacking ($(tail -n 2 <<<"$out" | tr '\n' ' '))"
fi
old_pid=$(main_pid)
start_reader
check "service: after a signed unlock the upgrade (dpkg -i) succeeds" \
	sh -c "'$MEDGUARD_BIN' unlock --key '$key' && dpkg -i '$deb'"
started=$SECONDS
check "service: the new daemon runs after the upgrade (Restart=, READY=1)" wait_until 6000 daemon_replaced "$old_pid"
echo "# the hand-over took $((SECONDS - started)) s"
stop_reader
check "service: no read of a record got through during the upgrade" test ! -s "$WORK/leaks"
check "service: the old daemon said it left its programs pinned" log_has '"event":"left"'
check "service: the new daemon enforces" sh -c "systemctl show -P StatusText medguard.service | grep -q '^enforcing'"
check "service: the records are protected after the upgrade" record_refused

# ---- the signed stop ---------------------------------------------------
check "service: medguard stop --key stops it" "$MEDGUARD_BIN" stop --key "$key" --timeout 120
check "service: systemd sees a clean stop (inactive, not failed)" \
	wait_until 300 sh -c "[ \"\$(systemctl show -P ActiveState medguard.service)\" = inactive ]"
check "service: and no restart" sh -c "sleep 4; [ \"\$(systemctl show -P ActiveState medguard.service)\" = inactive ]"
check "service: its result is success" unit_is Result success
check "service: the records are no longer protected" cat "$record"

# ---- a stop job outside a shutdown -------------------------------------
# Left behind while medguard was stopped: a packaged xargs, started by this
# (untrusted) shell and orphaned to PID 1, waits to copy what it is fed.
orphan_fifo=$WORK/orphan-fifo
mkfifo "$orphan_fifo"
mkdir -p "$stolen/orphan"
(setsid /usr/bin/xargs -a "$orphan_fifo" -I{} /usr/bin/cp {} "$stolen/orphan/" </dev/null >/dev/null 2>&1 &)
check "service: systemctl start starts it again" systemctl start medguard.service
check "service: the records are protected again" record_refused
printf '%s\n' /etc/hostname "$record" >"$orphan_fifo"
check "units: the orphan, reparented to PID 1 before the start, ran (it copied a file outside the records)" \
	wait_until 100 test -s "$stolen/orphan/hostname"
check "units: it is judged by its cgroup, not by PID 1: it may not copy a record" \
	test ! -e "$stolen/orphan/patient-1.txt"
locked_pid=$(main_pid)
systemd-run --quiet --wait -p Conflicts=medguard.service --unit=medguard-test-conflict true
sleep 3
check "service: a unit that conflicts with a locked medguard does not end the daemon" kill -0 "$locked_pid"
check "service: the records stay protected" record_refused
check "service: medguard stop --key stops that daemon too" "$MEDGUARD_BIN" stop --key "$key" --timeout 120

# ---- the shutdown ------------------------------------------------------
# With shutdown.target started (only a dependency may start it) systemd's
# state is "stopping", as at a power-off; then the unit's stop job comes,
# as shutdown.target's conflicts bring it. This test's own unit has no such
# conflict and goes on.
systemctl reset-failed medguard.service
check "service: it starts once more" systemctl start medguard.service
last_pid=$(main_pid)
check "service: the system is shutting down (systemd's state is stopping)" \
	sh -c "systemd-run --quiet -p DefaultDependencies=no -p Wants=shutdown.target -p After=shutdown.target \
		--unit=medguard-test-shutdown true && [ \"\$(systemctl is-system-running)\" = stopping ]"
started=$SECONDS
systemd-run --quiet --no-block -p DefaultDependencies=no -p Conflicts=medguard.service --unit=medguard-test-stop true
check "service: at shutdown the daemon leaves within seconds" \
	wait_until 300 sh -c "[ \"\$(systemctl show -P ActiveState medguard.service)\" = inactive ]"
echo "# medguard's stop at shutdown took $((SECONDS - started)) s"
check "service: the unit is not failed" unit_is Result success
check "service: the daemon is gone" sh -c "! kill -0 $last_pid"
check "service: the records stay protected until the end" record_refused
check "service: its guard stays up: the pins may not be removed" \
	sh -c "! rm -f /sys/fs/bpf/medguard/link0 2>/dev/null && [ -e /sys/fs/bpf/medguard/link0 ]"
check "service: nor the policy changed" sh -c "! echo '#' 2>/dev/null >>'$policy'"
check "service: medguard status says the daemon is gone and its programs enforce" \
	sh -c "'$MEDGUARD_BIN' status | grep -q 'stay pinned in /sys/fs/bpf/medguard and enforce its policy'"
