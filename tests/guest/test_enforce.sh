#!/usr/bin/env bash
# Issue 3: every operation on a protected tree, and every way around the
# gate, is refused to an unsigned program and allowed to a signed one. All of
# it runs as root: root is denied like anyone else. Trust follows provenance:
# the signed program runs as a trusted lineage started by the launcher
# (lib.sh); the unsigned one is run by the (untrusted) test shell.
. "$(dirname "$0")/lib.sh"

records=/srv/enforce-records
outside=/srv/enforce-outside
bin=$WORK/bin
mkdir -p "$records/sub" "$outside" "$bin"
new_key enforce

populate() {
	rm -rf "${records:?}"/* "${outside:?}"/*
	mkdir -p "$records/sub" "$records/empty-dir"
	for name in a b c d e f g; do echo "chart $name" >"$records/$name.txt"; done
	echo "outside" >"$outside/incoming.txt"
	cp "$MG_TRY_BUILT" "$records/tool"
}
populate
echo "chart pre" >"$records/prelinked.txt"
ln "$records/prelinked.txt" "$outside/prelinked-alias.txt"

fresh_try "$bin/unsigned"
fresh_try "$bin/signed"
"$MEDGUARD" sign "$bin/signed" --key "$WORK/enforce.key" >/dev/null
U=$bin/unsigned
# The signed copy, as a trusted lineage: the launcher starts it afresh.
S_FILE=$bin/signed
S=signed_try
signed_try() { "$LAUNCH" "$S_FILE" "$@"; }

cat >"$WORK/enforce.policy" <<POLICY
mode enforce;
include "$LAUNCHER_POLICY";
key ward "$WORK/enforce.pub";
trust scan "$bin";
records charts "$records";
on charts {
    allow signed all;
    deny unsigned all;
}
POLICY

if ! start_medguard "$WORK/enforce.policy"; then
	not_ok "enforce: medguard starts with the enforcement policy"
	exit 0
fi

# op NAME ARGS...: the unsigned copy is refused with EPERM, the signed one is let through.
op() {
	local name=$1
	shift
	expect "enforce: unsigned root process is denied $name" 1 "$U" "$@"
	expect "enforce: signed process may $name" 0 "$S" "$@"
}

op "open for read" read "$records/a.txt"
op "open for write" write "$records/a.txt"
op "open for append" append "$records/a.txt"
op "open with O_TRUNC" trunc "$records/b.txt"
op "truncate()" truncate "$records/c.txt"
op "ftruncate()" ftruncate "$records/d.txt"
expect "enforce: unsigned process is denied create" 1 "$U" create "$records/new-u.txt"
expect "enforce: signed process may create" 0 "$S" create "$records/new-s.txt"
expect "enforce: unsigned process is denied mkdir" 1 "$U" mkdir "$records/dir-u"
expect "enforce: signed process may mkdir" 0 "$S" mkdir "$records/dir-s"
expect "enforce: unsigned process is denied symlink creation" 1 "$U" symlink "$records/sl-u" /etc/hostname
op "chmod" chmod "$records/e.txt"
op "chown" chown "$records/e.txt"
op "utimes" utimes "$records/e.txt"
op "setxattr" setxattr "$records/f.txt"
op "removexattr" removexattr "$records/f.txt"
expect "enforce: unsigned process is denied rename within the tree" 1 "$U" rename "$records/g.txt" "$records/g.locked"
expect "enforce: unsigned process is denied rename out of the tree" 1 "$U" rename "$records/g.txt" "$outside/g.txt"
expect "enforce: unsigned process is denied rename into the tree" 1 "$U" rename "$outside/incoming.txt" "$records/incoming.txt"
expect "enforce: unsigned process is denied a hard link out of the tree" 1 "$U" link "$records/a.txt" "$outside/a-link.txt"
expect "enforce: signed process may rename within the tree" 0 "$S" rename "$records/g.txt" "$records/g2.txt"
expect "enforce: unsigned process is denied unlink" 1 "$U" unlink "$records/g2.txt"
expect "enforce: signed process may unlink" 0 "$S" unlink "$records/g2.txt"
expect "enforce: unsigned process is denied rmdir" 1 "$U" rmdir "$records/empty-dir"
expect "enforce: signed process may rmdir" 0 "$S" rmdir "$records/empty-dir"
expect "enforce: unsigned process is denied exec of a file in the tree" 1 "$U" exec "$records/tool"
expect "enforce: unsigned process is denied mmap(PROT_EXEC) of a file in the tree" 1 "$U" mmap-exec "$records/tool"

# Ways around a path-based gate, none of which get around an inode-based one.
mkdir -p /mnt/enforce-bind
mount --bind "$records" /mnt/enforce-bind
expect "enforce: a bind mount of the tree does not get around it" 1 "$U" read /mnt/enforce-bind/a.txt
umount /mnt/enforce-bind
expect "enforce: another mount namespace does not get around it" 1 unshare -m "$U" read "$records/a.txt"
ln -s "$records/a.txt" "$WORK/symlink-to-chart"
expect "enforce: a symlink from outside does not get around it" 1 "$U" read "$WORK/symlink-to-chart"
expect "enforce: openat2() does not get around it" 1 "$U" openat2-read "$records/a.txt"
expect "enforce: open_by_handle_at() does not get around it" 1 "$U" handle-read "$records/a.txt" /srv
expect "enforce: a hard link made before protection does not get around it" 1 "$U" read "$outside/prelinked-alias.txt"
"$LAUNCH" "$S_FILE" hold "$records/a.txt" 10 >"$WORK/holder" &
holder_job=$!
wait_until 50 test -s "$WORK/holder"
read -r holder_pid holder_fd <"$WORK/holder"
if [ -n "${holder_pid:-}" ]; then
	expect "enforce: /proc/PID/fd of a signed holder does not get around it" 1 "$U" read "/proc/$holder_pid/fd/$holder_fd"
else
	not_ok "enforce: /proc/PID/fd test could not start its holder"
fi
kill "$holder_job" 2>/dev/null
wait "$holder_job" 2>/dev/null

# Trust is lost at once and gained only by verification.
cp "$S_FILE" "$bin/modified"
"$MEDGUARD" sign "$bin/modified" --key "$WORK/enforce.key" >/dev/null
wait_event '"event":"trusted"' "$bin/modified"
expect "enforce: a freshly signed binary is allowed" 0 "$LAUNCH" "$bin/modified" read "$records/a.txt"
printf 'x' >>"$bin/modified"
expect "enforce: a signed binary that is then modified loses trust at once" 1 "$LAUNCH" "$bin/modified" read "$records/a.txt"
expect "enforce: a signed binary that is then modified is untrusted run by a trusted lineage too" 1 \
	trusted "$bin/modified" read "$records/a.txt"
cp /bin/cat "$WORK/cat"
expect "enforce: an untrusted copy of a system tool (cp /bin/cat /tmp/cat), in a trusted lineage, is denied" 1 \
	trusted "$WORK/cat" "$records/a.txt"
expect "enforce: exec of a memfd copy of a signed binary is denied" 1 "$S" memfd-exec "$S_FILE" "$records/a.txt"

fresh_try "$bin/evmctl-signed"
if evmctl ima_sign --key "$WORK/enforce.key" -a sha256 "$bin/evmctl-signed" >/dev/null 2>&1; then
	wait_event '"event":"trusted"' "$bin/evmctl-signed"
	expect "enforce: a binary signed by evmctl is trusted" 0 "$LAUNCH" "$bin/evmctl-signed" read "$records/a.txt"
else
	not_ok "enforce: evmctl ima_sign failed in the guest"
fi
stop_medguard

# Audit mode: the same refusal is logged and let through.
populate
if start_medguard "$WORK/enforce.policy" --audit; then
	expect "enforce: audit mode lets the unsigned process read" 0 "$U" read "$records/a.txt"
	if wait_event '"verdict":"audit"' "\"path\":\"$records/a.txt\""; then
		ok "enforce: audit mode logs what enforce mode would deny"
	else
		not_ok "enforce: audit mode logged no event: $(head -c 400 "$EVENTS")"
	fi
	stop_medguard
else
	not_ok "enforce: medguard starts in audit mode"
fi
