#!/usr/bin/env bash
# The daemon is the one process the policy exempts. That exemption must not
# be borrowed: not by a process that gets the daemon's PID after it died, and
# not through a link planted where the daemon writes its own files. And the
# protection stays in force when the daemon is killed.
. "$(dirname "$0")/lib.sh"

records=/srv/self-protection-records
mkdir -p "$records"
echo "patient 1" >"$records/patient-1.txt"
echo "patient 2" >"$records/patient-2.txt"
echo "patient 3" >"$records/patient-3.txt"
fresh_try "$WORK/unsigned"

cat >"$WORK/self.policy" <<POLICY
mode enforce;
records self "$records";
on self {
    deny unsigned all;
}
POLICY

# Links to records where the daemon writes its PID and its status: a
# daemon that follows them overwrites the records, as the exempt process.
mkdir -p /run/medguard
ln -sfn "$records/patient-2.txt" /run/medguard/medguard.pid
ln -sfn "$records/patient-2.txt" /run/medguard/medguard.pid.tmp
ln -sfn "$records/patient-3.txt" /run/medguard/status.tmp

if start_medguard "$WORK/self.policy"; then
	ok "self-protection: medguard runs the policy"
	check "self-protection: the status file is a regular file medguard status reads" \
		sh -c "test -f /run/medguard/status && test ! -L /run/medguard/status && '$MEDGUARD' status | grep -q '^mode enforce'"

	daemon_pid=$MEDGUARD_PID
	kill -KILL "$daemon_pid"
	wait "$daemon_pid" 2>/dev/null
	MEDGUARD_PID=
	expect "self-protection: a killed daemon leaves the records protected" 1 \
		"$WORK/unsigned" read "$records/patient-1.txt"

	# The next process created gets the PID after ns_last_pid: retried, as
	# other processes of the guest may take it first.
	reused=
	for _ in $(seq 1 50); do
		echo $((daemon_pid - 1)) >/proc/sys/kernel/ns_last_pid
		"$WORK/unsigned" read "$records/patient-1.txt" >/dev/null 2>&1 &
		child=$!
		wait "$child"
		status=$?
		if [ "$child" -eq "$daemon_pid" ]; then
			reused=yes
			break
		fi
	done
	if [ -z "$reused" ]; then
		not_ok "self-protection: a process with the dead daemon's PID is refused the records (PID $daemon_pid never reused)"
	elif [ "$status" -eq 1 ]; then
		ok "self-protection: a process with the dead daemon's PID is refused the records"
	else
		not_ok "self-protection: a process with the dead daemon's PID is refused the records (exit $status, wanted 1: EPERM)"
	fi

	# The pins a killed daemon left are replaced by the next start, whose clean stop removes them.
	if start_medguard "$WORK/self.policy"; then
		stop_medguard
		expect "self-protection: a restart then a clean stop removes the protection a killed daemon left" 0 \
			"$WORK/unsigned" read "$records/patient-1.txt"
		# Read now that nothing is enforced: the test shell is untrusted.
		check "self-protection: the daemon wrote its PID file through no link planted for it" \
			grep -qx "patient 2" "$records/patient-2.txt"
		check "self-protection: the daemon wrote its status through no link planted for it" \
			grep -qx "patient 3" "$records/patient-3.txt"
	else
		not_ok "self-protection: medguard starts again over the pins a killed daemon left"
	fi
else
	not_ok "self-protection: medguard runs the policy"
fi
rm -f /run/medguard/medguard.pid.tmp /run/medguard/status.tmp

# A policy that names a key: only a stop signed with it removes the
# protection; no other task, root included, may kill, stop or trace the
# daemon, write its maps or detach its programs.
new_key guard
new_key stranger
cat >"$WORK/guarded.policy" <<POLICY
mode enforce;
key guard "$WORK/guard.pub";
records self "$records";
on self {
    deny unsigned all;
}
POLICY

# SIGNAL: kill -SIGNAL to the daemon fails with EPERM and the daemon lives.
signal_refused() {
	local output
	output=$(kill "-$1" "$MEDGUARD_PID" 2>&1)
	[ $? -ne 0 ] && echo "$output" | grep -q 'Operation not permitted' && sleep 0.5 && kill -0 "$MEDGUARD_PID" &&
		grep -q '^State:.*[RS]' "/proc/$MEDGUARD_PID/status"
}

if start_medguard "$WORK/guarded.policy"; then
	ok "self-protection: medguard runs a policy that names a key"
	for signal in TERM INT KILL STOP QUIT; do
		check "self-protection: root's SIG$signal to the daemon is refused" signal_refused "$signal"
	done
	check "self-protection: kill -0 (is it alive?) still answers" kill -0 "$MEDGUARD_PID"
	expect_denied "self-protection: root may not trace the daemon" timeout 20 strace -qq -e trace=none -p "$MEDGUARD_PID"
	expect_denied "self-protection: a pinned map may not be opened for writing (bpftool map dump)" \
		bpftool map dump pinned /sys/fs/bpf/medguard/mg_counters
	check "self-protection: medguard status still reads the counters (read-only)" \
		sh -c "'$MEDGUARD' status | grep -qE '^denied [0-9]+$'"
	expect_denied "self-protection: a pinned link may not be detached (bpftool link detach)" \
		bpftool link detach pinned /sys/fs/bpf/medguard/link0
	expect "self-protection: the records are still protected" 1 "$WORK/unsigned" read "$records/patient-1.txt"
	expect "self-protection: medguard stop without a key is refused" 2 "$MEDGUARD" stop
	expect "self-protection: medguard stop signed with a key the policy does not name is refused" 1 \
		"$MEDGUARD" stop --key "$WORK/stranger.key" --timeout 60
	check "self-protection: the refused stop is logged" wait_event '"event":"stop-refused"'
	check "self-protection: the daemon goes on after a refused stop" kill -0 "$MEDGUARD_PID"
	expect "self-protection: the records are protected after a refused stop" 1 \
		"$WORK/unsigned" read "$records/patient-1.txt"
	expect "self-protection: medguard stop signed with the policy's key stops it" 0 \
		"$MEDGUARD" stop --key "$WORK/guard.key" --timeout 120
	wait "$MEDGUARD_PID" 2>/dev/null
	MEDGUARD_PID=
	check "self-protection: the signed stop is logged with its key" \
		event_logged '"event":"stop-accepted"' 'signed by key guard'
	expect "self-protection: after the signed stop nothing is enforced" 0 "$WORK/unsigned" read "$records/patient-1.txt"
	check "self-protection: the signed stop removes the pins" test ! -e /sys/fs/bpf/medguard
else
	not_ok "self-protection: medguard runs a policy that names a key"
fi
