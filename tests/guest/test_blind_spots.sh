#!/usr/bin/env bash
# The gate's blind spots: what a root attacker who read the code tried
# (issue 24), each refused in the kernel, with the records on ext4 (the
# guest's /srv), where the dentry cache forgets. The policy names keys, so
# the daemon is guarded; the module is loaded where it builds.
. "$(dirname "$0")/lib.sh"

records=/srv/blind-records
tmpfs_records=/tmp/blind-tmpfs-records
readable=/srv/blind-readable
upper_records=/srv/blind-upper
bin=/srv/blind-bin
outside=/srv/blind-outside
mkdir -p "$records" "$readable" "$upper_records" "$bin" "$outside" /srv/blind-ovwork
mkdir -p "$tmpfs_records"
# Records on xfs too, on a loop device over a file of the ext4 disk.
xfs_records= xfs_policy=
if command -v mkfs.xfs >/dev/null && modprobe -a loop xfs 2>/dev/null && truncate -s 320M /srv/blind-xfs.img &&
	mkfs.xfs -q /srv/blind-xfs.img && mkdir -p /srv/blind-xfs && mount -o loop /srv/blind-xfs.img /srv/blind-xfs; then
	xfs_records=/srv/blind-xfs/records
	mkdir -p "$xfs_records" /srv/blind-xfs/outside
	echo "patient x" >"$xfs_records/patient-x.txt"
	xfs_policy="records on-xfs \"$xfs_records\"; on on-xfs { allow signed all; deny unsigned all; }"
fi
for n in 1 2 3 4; do echo "patient $n" >"$records/patient-$n.txt"; done
echo "patient t" >"$tmpfs_records/patient-t.txt"
echo "patient r" >"$readable/patient-r.txt"
echo "patient u" >"$upper_records/patient-u.txt"
new_key blind
fresh_try "$bin/unsigned"
fresh_try "$bin/signed"
fresh_try "$bin/victim"
# A tool trusted by the allowlist, not signed: no launcher may start it, a trusted program may.
fresh_try "$bin/allowed"
"$MEDGUARD" sign "$bin/signed" "$bin/victim" --key "$WORK/blind.key" >/dev/null
# A copy of the signed launcher, its signature kept (cp -a keeps security.ima).
cp -a "$LAUNCH" "$bin/launcher-copy"
sh_bin=$(readlink -f /bin/sh)
sha256sum "$bin/allowed" "$sh_bin" >"$WORK/blind.sha256"
# A signed job script that reads more of itself after a pause.
printf '#!%s\nsleep 4\n' "$sh_bin" >"$bin/job.sh"
chmod 755 "$bin/job.sh"
"$MEDGUARD" sign "$bin/job.sh" --key "$WORK/blind.key" >/dev/null

if [ -f "$KMOD" ]; then
	modprobe -a ecc crypto-sha384 crypto-sha512 2>/dev/null
	insmod "$KMOD" 2>/dev/null
fi
module_loaded=0
[ -e /sys/kernel/security/medguard/keys ] && module_loaded=1

cat >"$WORK/blind.policy" <<POLICY
mode enforce;
include "$LAUNCHER_POLICY";
key ward "$WORK/blind.pub";
allowlist "$WORK/blind.sha256";
trust scan "$bin";
records charts "$records";
records readable "$readable";
records on-tmpfs "$tmpfs_records";
$xfs_policy
records upper "$upper_records";
on charts {
    allow signed all;
    deny unsigned all;
}
on readable {
    allow signed all;
    allow unsigned read;
    deny unsigned all;
}
on on-tmpfs {
    allow signed all;
    deny unsigned all;
}
on upper {
    allow signed all;
    deny unsigned all;
}
POLICY

# A writer that opened the signed victim before the daemon verified it.
"$bin/unsigned" append-later "$bin/victim" "$WORK/write-now" >/dev/null 2>&1 &
writer=$!

if ! start_medguard "$WORK/blind.policy"; then
	not_ok "blind spots: medguard starts (guarded, module loaded: $module_loaded)"
	kill "$writer" 2>/dev/null
	exit 0
fi
ok "blind spots: medguard starts (guarded, module loaded: $module_loaded)"
check "blind spots: the records are on ext4" sh -c "findmnt -n -o FSTYPE -T $records | grep -qx ext4"

# 1. open_by_handle_at on a cold dentry cache: a disconnected dentry.
expect "blind spots: a cold file handle does not read a record" 1 \
	"$bin/unsigned" cold-handle-read "$records/patient-3.txt" "$outside"
expect "blind spots: a cold file handle does not write a record" 1 \
	"$bin/unsigned" cold-handle-write "$records/patient-3.txt" "$outside"
expect "blind spots: a cold file handle gives a record no name outside its tree" 1 \
	"$bin/unsigned" cold-handle-link "$records/patient-3.txt" "$outside/stolen-link"
if [ -n "$xfs_records" ]; then
	expect "blind spots: a cold file handle on xfs does not read a record" 1 \
		"$bin/unsigned" cold-handle-read "$xfs_records/patient-x.txt" /srv/blind-xfs/outside
else
	skip "blind spots: a cold file handle on xfs does not read a record" "no xfs here (xfsprogs, the xfs module)"
fi
expect "blind spots: a file handle on tmpfs does not read a record either" 1 \
	"$bin/unsigned" cold-handle-read "$tmpfs_records/patient-t.txt" /tmp
wait_event '"rule":"fail closed: the file was reached by no path' >/dev/null &&
	ok "blind spots: the refused handle is an event" ||
	not_ok "blind spots: the refused handle is an event"

# 2. overlayfs: the real file beneath is judged, on 6.1 as on 6.12.
mkdir -p "$WORK/ov-up" "$WORK/ov-work" /srv/blind-ov-lower /srv/blind-ov-upper "$WORK/ov-low"
if mount -t overlay overlay -o "lowerdir=$records,upperdir=$WORK/ov-up,workdir=$WORK/ov-work" /srv/blind-ov-lower; then
	expect "blind spots: records as an overlay's lower layer are not read through it" 1 \
		"$bin/unsigned" read /srv/blind-ov-lower/patient-1.txt
	expect "blind spots: a signed program still reads through the overlay" 0 \
		"$LAUNCH" "$bin/signed" read /srv/blind-ov-lower/patient-1.txt
	umount /srv/blind-ov-lower
else
	not_ok "blind spots: an overlay with the records as its lower layer mounts"
fi
if mount -t overlay overlay -o "lowerdir=$WORK/ov-low,upperdir=$upper_records,workdir=/srv/blind-ovwork" \
	/srv/blind-ov-upper; then
	expect "blind spots: records as an overlay's upper layer are not written through it" 1 \
		"$bin/unsigned" write /srv/blind-ov-upper/patient-u.txt
	expect "blind spots: records as an overlay's upper layer are not read through it" 1 \
		"$bin/unsigned" read /srv/blind-ov-upper/patient-u.txt
	umount /srv/blind-ov-upper
else
	not_ok "blind spots: an overlay with the records as its upper layer mounts"
fi
# The policy's own directory (a file the policy includes) as the upper layer.
mkdir -p "$WORK/ov-policy-work" "$WORK/ov-policy-low" /srv/blind-ov-policy
if mount -t overlay overlay \
	-o "lowerdir=$WORK/ov-policy-low,upperdir=$WORK/launch,workdir=$WORK/ov-policy-work" /srv/blind-ov-policy; then
	expect "blind spots: the policy is not rewritten through an overlay over its directory" 1 \
		"$bin/unsigned" write /srv/blind-ov-policy/launcher.policy
	umount /srv/blind-ov-policy
else
	not_ok "blind spots: an overlay with the policy's directory as its upper layer mounts"
fi

# 3. A signed copy of the launcher is the launcher: no launcher starts it.
expect "blind spots: a signed program starts an allowlisted tool that reads the record" 0 \
	"$LAUNCH" "$TRUSTED_EXEC" "$bin/allowed" read "$records/patient-2.txt"
output=$("$LAUNCH" "$bin/launcher-copy" "$bin/allowed" read "$records/patient-2.txt" 2>&1)
status=$?
if [ "$status" -ne 0 ]; then
	ok "blind spots: the launcher does not start a signed copy of itself"
else
	not_ok "blind spots: the launcher does not start a signed copy of itself (exit $status: $output)"
fi
wait_event '"event":"launch"' '"verdict":"denied"' 'launcher-copy"' >/dev/null &&
	ok "blind spots: the refused launch of the copy is an event" ||
	not_ok "blind spots: the refused launch of the copy is an event"
expect "blind spots: the launcher still starts a signed program" 0 "$LAUNCH" "$bin/signed" read "$records/patient-2.txt"

# 4. The launcher's root is root of the initial user namespace.
chmod 711 "$WORK" "$WORK/launch"
if [ "$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur id -u 2>/dev/null)" = 0 ]; then
	expect "blind spots: root of a user namespace of its own launches nothing trusted" 1 \
		setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur "$LAUNCH" "$bin/signed" read "$records/patient-2.txt"
else
	skip "blind spots: root of a user namespace of its own launches nothing trusted" "no unprivileged user namespaces"
fi
chmod 700 "$WORK" "$WORK/launch"

# 5. Trust is bound to content: a write through a descriptor opened before
# the file was verified ends it, and the clock is not root's to set back.
ctime=$(python3 -c 'import os, sys; n = os.stat(sys.argv[1]).st_ctime_ns; print(f"{n // 10**9}.{n % 10**9}")' "$bin/victim")
touch "$WORK/write-now"
wait "$writer"
expect "blind spots: the clock is not set back to forge a change time" 1 "$bin/unsigned" forge-ctime "$bin/victim" "$ctime"
expect "blind spots: a signed file written through an earlier descriptor is not trusted" 1 \
	"$LAUNCH" "$bin/victim" read "$records/patient-2.txt"

# 6. A running signed script whose file changes runs nothing trusted after.
rm -f /srv/blind-stolen
"$LAUNCH" "$bin/job.sh" >"$WORK/job.out" 2>&1 &
job=$!
sleep 1
echo "$bin/allowed read $records/patient-4.txt && echo read >/srv/blind-stolen" >>"$bin/job.sh"
wait "$job"
if [ -s /srv/blind-stolen ]; then
	not_ok "blind spots: a line added to a running signed script runs untrusted (a record was copied)"
else
	ok "blind spots: a line added to a running signed script runs untrusted"
fi

# 7. The module's key file is the daemon's.
if [ "$module_loaded" = 1 ]; then
	expect_denied "blind spots: root adds no key to the module" sh -c 'echo key_id=9 >/sys/kernel/security/medguard/keys'
else
	skip "blind spots: root adds no key to the module" "the module is not loaded"
fi

# 8. Memory: the kernel's, and that of trusted processes.
expect "blind spots: /proc/kcore is refused" 1 "$bin/unsigned" open-read /proc/kcore
expect "blind spots: /dev/mem is refused" 1 "$bin/unsigned" open-read /dev/mem
expect_denied "blind spots: core dumps are not pointed at a file" sh -c 'echo /srv/blind-core >/proc/sys/kernel/core_pattern'
"$LAUNCH" "$bin/signed" hold "$records/patient-1.txt" 60 >/dev/null 2>&1 &
holder=$!
sleep 2
expect_denied "blind spots: an untrusted task may not make a trusted one dump core" kill -SEGV "$holder"
expect_denied "blind spots: an untrusted task may not raise a trusted one's core limit" \
	prlimit --core=unlimited --pid "$holder"
"$bin/unsigned" sigio-segv "$holder" >/dev/null 2>&1
check "blind spots: a core-dumping signal through SIGIO does not reach a trusted process" kill -0 "$holder"
kill -TERM "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# 9. Every open is checked, and the inode flags are the tree's setattr.
expect "blind spots: an open of access mode 3 sets no flag on a record" 1 \
	"$bin/unsigned" ioctl-open "$records/patient-1.txt"
expect "blind spots: a reader may not make a record immutable" 1 "$bin/unsigned" set-immutable "$readable/patient-r.txt"
expect "blind spots: the reader still reads it" 0 "$bin/unsigned" read "$readable/patient-r.txt"
expect "blind spots: a reader may not put an encryption policy on a records folder" 1 \
	"$bin/unsigned" set-encryption-policy "$readable"
check "blind spots: a trusted writer still writes the record" "$LAUNCH" "$bin/signed" write "$records/patient-1.txt"

stop_medguard
[ "$module_loaded" = 1 ] && unload_module medguard_kfuncs
