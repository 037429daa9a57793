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
# A second tree on a filesystem of its own: unmounting it would hide it.
vault=/srv/self-protection-vault
mkdir -p "$vault"
mount -t tmpfs vault "$vault"
echo "patient 4" >"$vault/patient-4.txt"
cat >"$WORK/guarded.policy" <<POLICY
mode enforce;
key guard "$WORK/guard.pub";
records self "$records";
records vault "$vault";
on self {
    deny unsigned all;
}
on vault {
    deny unsigned all;
}
POLICY

# The system calls themselves, so that the test sees their errno.
sys_mount() {
	python3 -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.mount(sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3].encode(), int(sys.argv[4]), None):
    sys.exit(os.strerror(ctypes.get_errno()))' "$@"
}
sys_umount() {
	python3 -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.umount2(sys.argv[1].encode(), int(sys.argv[2])):
    sys.exit(os.strerror(ctypes.get_errno()))' "$@"
}
sys_rename() {
	python3 -c 'import os, sys; os.rename(sys.argv[1], sys.argv[2])' "$@"
}
# bpf(BPF_OBJ_GET) of a pin with BPF_F_RDONLY: a read-only fd.
sys_bpf_get_read_only() {
	python3 -c 'import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
path = ctypes.create_string_buffer(sys.argv[1].encode())
attr = ctypes.create_string_buffer(struct.pack("=QII", ctypes.addressof(path), 0, 1 << 3) + bytes(112))
if libc.syscall(321, 7, attr, 128) < 0:
    sys.exit(os.strerror(ctypes.get_errno()))' "$@"
}
# bpf(BPF_PROG_LOAD) of "return 0" as a program of TYPE (2 kprobe, 1 socket filter).
sys_bpf_load() {
	python3 -c 'import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
insns = ctypes.create_string_buffer(bytes.fromhex("b700000000000000" "9500000000000000"))
license = ctypes.create_string_buffer(b"GPL")
attr = struct.pack("=IIQQIIQI", int(sys.argv[1]), 2, ctypes.addressof(insns), ctypes.addressof(license), 0, 0, 0, 0)
attr = ctypes.create_string_buffer(attr + bytes(128 - len(attr)))
if libc.syscall(321, 5, attr, 128) < 0:
    sys.exit(os.strerror(ctypes.get_errno()))' "$@"
}
# A SIGKILL that reaches PID through SIGIO: F_SETOWN and F_SETSIG on a pipe, then a write.
sigio_kill() {
	python3 -c 'import fcntl, os, sys, time
r, w = os.pipe()
fcntl.fcntl(r, fcntl.F_SETOWN, int(sys.argv[1]))
fcntl.fcntl(r, 10, 9)
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_ASYNC)
os.write(w, b"x")
time.sleep(1)' "$@"
}
MS_BIND=4096
MS_MOVE=8192
MNT_DETACH=2

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
	expect_denied "self-protection: a pinned map may not be opened read-only either (a program could write through it)" \
		sys_bpf_get_read_only /sys/fs/bpf/medguard/mg_objects
	expect_denied "self-protection: root may not load a kprobe program" sys_bpf_load 2
	check "self-protection: the refused load is logged" wait_event '"op":"bpf-load"' '"rule":"self-protection'
	check "self-protection: a socket filter still loads" sys_bpf_load 1
	expect_denied "self-protection: root may not lower the daemon's limits" \
		prlimit --pid "$MEDGUARD_PID" --cpu=1:1
	expect_denied "self-protection: nor its priority" renice -n 19 -p "$MEDGUARD_PID"
	sigio_kill "$MEDGUARD_PID"
	check "self-protection: a SIGKILL sent through SIGIO (F_SETOWN) does not reach the daemon" \
		sh -c "kill -0 $MEDGUARD_PID && grep -q '^State:.*[RS]' /proc/$MEDGUARD_PID/status"
	# A cgroup's kill and freeze files end or stop every task in it with no
	# signal a hook sees: the daemon is moved into a cgroup of root's own first.
	cg=/sys/fs/cgroup/self-protection
	if mkdir -p "$cg/inner" "$cg-other" && echo "$MEDGUARD_PID" >"$cg/cgroup.procs"; then
		expect_denied "self-protection: root may not kill the daemon through its cgroup (cgroup.kill)" \
			sh -c "echo 1 >'$cg/cgroup.kill'"
		expect_denied "self-protection: nor freeze it (cgroup.freeze)" sh -c "echo 1 >'$cg/cgroup.freeze'"
		echo "$MEDGUARD_PID" >"$cg/inner/cgroup.procs"
		expect_denied "self-protection: nor kill the cgroup above the one it was moved into next" \
			sh -c "echo 1 >'$cg/cgroup.kill'"
		check "self-protection: the daemon lives on through its cgroup, running" \
			sh -c "kill -0 $MEDGUARD_PID && grep -q '^State:.*[RS]' /proc/$MEDGUARD_PID/status"
		sleep 600 &
		victim=$!
		echo "$victim" >"$cg-other/cgroup.procs"
		check "self-protection: a cgroup without the daemon is killed as before" \
			sh -c "echo 1 >'$cg-other/cgroup.kill' && sleep 1 && ! grep -q '^State:.*[RS]' /proc/$victim/status 2>/dev/null"
		wait "$victim" 2>/dev/null
		echo "$MEDGUARD_PID" >/sys/fs/cgroup/cgroup.procs
		rmdir "$cg/inner" "$cg" "$cg-other"
	else
		not_ok "self-protection: the daemon moved into a cgroup of the test's own"
	fi
	expect_denied "self-protection: root may not write /proc/sysrq-trigger (its commands kill or freeze every task)" \
		sh -c "echo h >/proc/sysrq-trigger"
	expect "self-protection: the records are still protected" 1 "$WORK/unsigned" read "$records/patient-1.txt"

	# The policy, its key, the trust cache, the daemon's executable and the pins are the daemon's alone.
	expect_denied "own files: root may not rewrite the running policy" \
		sh -c "echo 'mode audit;' >'$WORK/guarded.policy'"
	expect_denied "own files: root may not replace the policy by a rename" \
		sh -c "echo 'mode audit;' >'$WORK/swap.policy' && mv '$WORK/swap.policy' '$WORK/guarded.policy'"
	expect_denied "own files: root may not delete the policy's key" rm -f "$WORK/guard.pub"
	expect_denied "own files: root may not add to the trust cache" sh -c "echo forged >/var/lib/medguard/forged"
	expect_denied "own files: root may not remove a pin" rm -f /sys/fs/bpf/medguard/mg_counters
	expect_denied "own files: root may not add to the pins" mkdir /sys/fs/bpf/medguard/decoy
	check "own files: the refusals are logged as self-protection" wait_event '"rule":"self-protection'
	check "own files: the policy in force is unchanged" grep -q 'mode enforce;' "$WORK/guarded.policy"
	# The paths the policy names keep naming what is protected, in the daemon's view.
	mkdir -p "$WORK/decoy" /mnt/self-protection-view /mnt/self-protection-vault
	echo 'mode audit;' >"$WORK/decoy.policy"
	expect_denied "view: root may not bind-mount over a records root" \
		sys_mount "$WORK/decoy" "$records" none "$MS_BIND"
	expect_denied "view: nor mount a filesystem on the directory above it" sys_mount decoy /srv tmpfs 0
	expect_denied "view: nor mount over the policy file" \
		sys_mount "$WORK/decoy.policy" "$WORK/guarded.policy" none "$MS_BIND"
	expect_denied "view: nor unmount a filesystem that holds records" sys_umount "$vault" 0
	expect_denied "view: nor detach it lazily" sys_umount "$vault" "$MNT_DETACH"
	expect_denied "view: nor rename the records root" sys_rename "$records" "$records.moved"
	expect_denied "view: nor rename a directory above the policy" sys_rename "$WORK" "$WORK.moved"
	check "view: the records are where the policy says" \
		sh -c "test -e '$records/patient-1.txt' && test -e '$vault/patient-4.txt' && test -d '$WORK'"
	check "view: the refused mounts are logged as self-protection" \
		wait_event '"op":"mount"' '"rule":"self-protection'
	check "view: a bind mount of the records elsewhere may be made and removed" \
		sh -c "mount --bind '$records' /mnt/self-protection-view && umount /mnt/self-protection-view"
	check "view: another mount namespace may mount over its own view" \
		unshare -m sh -c "mount --bind '$WORK/decoy' '$records' && test ! -e '$records/patient-1.txt'"
	expect "view: the records in a filesystem of their own are protected" 1 \
		"$WORK/unsigned" read "$vault/patient-4.txt"
	# mount(2)'s MS_MOVE names its source as a string no hook resolves: a
	# locked reload then finds the root gone and keeps the objects in force.
	if sys_mount "$vault" /mnt/self-protection-vault none "$MS_MOVE" 2>/dev/null; then
		before=$(event_count reload-refused)
		"$MEDGUARD" policy reload >/dev/null
		check "view: a locked reload that finds a records mount moved away is refused" \
			wait_daemon events_beyond reload-refused "$before"
		expect "view: the moved records stay protected" 1 \
			"$WORK/unsigned" read /mnt/self-protection-vault/patient-4.txt
		check "view: the mount may be moved back" \
			sys_mount /mnt/self-protection-vault "$vault" none "$MS_MOVE"
	else
		expect_denied "view: a mount that holds records may not be moved away" \
			sys_mount "$vault" /mnt/self-protection-vault none "$MS_MOVE"
	fi
	check "own files: a second medguard run is refused and says why" \
		sh -c "timeout 300 '$MEDGUARD' run --policy '$WORK/guarded.policy' 2>&1 | grep -q 'already runs'"
	check "own files: the second run left the pins in place" test -e /sys/fs/bpf/medguard/mg_counters
	challenge=$(grep '^stop-challenge ' /run/medguard/status)
	expect "own files: an unlock signed with a key the policy does not name is refused" 1 \
		"$MEDGUARD" unlock --key "$WORK/stranger.key" --timeout 60
	check "own files: a refused request renews the challenge" \
		sh -c "grep -q '^stop-challenge ' /run/medguard/status && ! grep -qx '$challenge' /run/medguard/status"
	expect_denied "own files: the policy stays locked after a refused unlock" \
		sh -c "echo '#' >>'$WORK/guarded.policy'"
	expect "own files: an unlock signed with the policy's key is accepted" 0 \
		"$MEDGUARD" unlock --key "$WORK/guard.key" --timeout 60
	check "own files: the unlock is logged with its key" \
		wait_event '"event":"unlock-accepted"' 'signed by key guard'
	check "own files: after the unlock root may change the policy" \
		sh -c "echo '# reviewed' >>'$WORK/guarded.policy'"
	before=$(event_count reloaded)
	check "own files: the changed policy is reloaded" "$MEDGUARD" policy reload
	wait_daemon events_beyond reloaded "$before" || medguard_last_lines
	check "own files: the reload locks them again (logged)" wait_event '"event":"locked"'
	expect_denied "own files: after the reload the policy is locked again" \
		sh -c "echo '#' >>'$WORK/guarded.policy'"
	expect "own files: the records stay protected after that" 1 "$WORK/unsigned" read "$records/patient-1.txt"
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
umount "$vault" 2>/dev/null
