#!/usr/bin/env bash
# Trust follows provenance: a task is trusted only if what it runs is
# verified and the task that started it was trusted. The test shell itself
# is an untrusted lineage (nobody verified it), so everything it starts is
# too, however well signed; only the launcher starts afresh, and only a
# program signed with a policy key. Each way an untrusted script could reach
# a record through a trusted tool is tried, and the signed ways that must
# work are.
. "$(dirname "$0")/lib.sh"

records=/srv/provenance-records
outside=/srv/provenance-outside
bin=/opt/provenance-bin
mkdir -p "$records/sub" "$outside" "$bin"
chmod 755 "$bin"
for name in a b c d e; do echo "chart $name" >"$records/$name.txt"; done
new_key prov
new_key stranger

# The trusted tools an attacker would borrow, on an allowlist (fast to verify).
tools="cat dd tar cp head awk mawk find xargs env busybox openssl gpg python3 bash dash sh sha256sum"
for tool in $tools; do
	path=$(command -v "$tool") || continue
	path=$(readlink -f "$path")
	# with the libraries it maps, or it would taint itself at its first mmap
	for file in "$path" $(ldd "$path" 2>/dev/null | grep -o '/[^ ]*'); do
		sha256sum "$(readlink -f "$file")"
	done
done | sort -u >"$WORK/tools.sha256"

cp "$REPO/build/medguard-exec" "$bin/medguard-exec"
"$MEDGUARD" sign "$bin/medguard-exec" --key "$WORK/prov.key" >/dev/null
L=$bin/medguard-exec
fresh_try "$bin/signed"
"$MEDGUARD" sign "$bin/signed" --key "$WORK/prov.key" >/dev/null
S=$bin/signed
fresh_try "$bin/unsigned"
U=$bin/unsigned
# A gateway of the policy (as sshd or cron): trusted itself, it serves
# others in processes it forks.
fresh_try "$bin/gateway"
"$MEDGUARD" sign "$bin/gateway" --key "$WORK/prov.key" >/dev/null
G=$bin/gateway

# A signed maintenance script, started through its #! line.
cat >"$bin/job.sh" <<JOB
#!/bin/bash
case "\$1" in
read) exec cat "$records/a.txt" ;;
copy) tar -cf "$outside/job-copy.tar" -C "$records" . ;;
write) echo updated >>"$records/b.txt" ;;
preload) LD_PRELOAD="$bin/libevil.so" cat "$records/a.txt" ;;
hold-fd) exec 3<"$records/c.txt"; "$U" read-fd 3 ;;
esac
JOB
chmod 755 "$bin/job.sh"
"$MEDGUARD" sign "$bin/job.sh" --key "$WORK/prov.key" >/dev/null
# The same script through env, and one signed by a key the policy does not know.
sed '1s|.*|#!/usr/bin/env bash|' "$bin/job.sh" >"$bin/env-job.sh"
cp "$bin/job.sh" "$bin/stranger-job.sh"
chmod 755 "$bin/env-job.sh" "$bin/stranger-job.sh"
"$MEDGUARD" sign "$bin/env-job.sh" --key "$WORK/prov.key" >/dev/null
"$MEDGUARD" sign "$bin/stranger-job.sh" --key "$WORK/stranger.key" >/dev/null
cp "$REPO/build/guest/libmg_preload.so" "$bin/libevil.so"

# A dropped script, as ransomware brings it: unsigned, run by trusted tools.
cat >"$WORK/drop.sh" <<'DROP'
#!/bin/bash
cat "$1"
DROP
chmod 755 "$WORK/drop.sh"

cat >"$WORK/provenance.policy" <<POLICY
mode enforce;
key prov "$WORK/prov.pub";
allowlist "$WORK/tools.sha256";
trust scan "$bin";
launcher admin exe "$L" signed-by prov;
gateway logins exe "$G", "/nonexistent/sshd" if-installed;
interpreter shell exe "/usr/bin/bash", "/usr/bin/dash";
interpreter python exe "/usr/bin/python3";
records charts "$records";
on charts {
    allow signed all;
    deny unsigned all;
}
POLICY

if ! start_medguard "$WORK/provenance.policy"; then
	not_ok "provenance: medguard starts"
	exit 0
fi

a=$records/a.txt
# Deputies: an untrusted lineage reaches the record through a trusted tool.
expect "provenance: the test shell's own cat (untrusted lineage) is refused" 1 sh -c "cat '$a' >/dev/null 2>&1 || exit 1"
expect_denied "provenance: bash -c 'cat RECORD' is refused" bash -c "cat '$a'"
expect_denied "provenance: sh -c 'exec dd if=RECORD' is refused" sh -c "exec dd if='$a' of=/dev/null status=none"
expect_denied "provenance: a dropped script running cat is refused" "$WORK/drop.sh" "$a"
expect_denied "provenance: python3 os.execv of /bin/cat is refused" python3 -c "import os; os.execv('/bin/cat', ['cat', '$a'])"
expect_denied "provenance: an awk program reading the record is refused" awk '{ print }' "$a"
if command -v busybox >/dev/null; then
	expect_denied "provenance: busybox sh running cat is refused" busybox sh -c "cat '$a'"
fi
expect_denied "provenance: find -exec cat is refused" find "$records" -name a.txt -exec cat {} \;
expect_denied "provenance: xargs cat is refused" sh -c "echo '$a' | xargs cat"
expect_denied "provenance: env cat is refused" env cat "$a"
expect_denied "provenance: tar copying the tree out is refused" tar -cf "$outside/stolen.tar" -C "$records" .
expect_denied "provenance: openssl encrypting a record in place is refused" \
	openssl enc -aes-256-cbc -pass pass:x -pbkdf2 -in "$a" -out "$a.enc"
expect_denied "provenance: cp of a record out of the tree is refused" cp "$a" "$outside/a-copy.txt"
expect "provenance: a signed program started by an untrusted task is refused" 1 "$S" read "$a"
expect "provenance: an untrusted task may not delete a record through a signed program" 1 "$S" unlink "$records/e.txt"
expect "provenance: an untrusted task may not overwrite a record through a signed program" 1 "$S" write "$records/d.txt"
expect "provenance: a file outside the records is not affected" 0 cat /etc/hostname

# The launcher: only programs signed with a policy key start trusted.
expect "provenance: the launcher starts a signed program as a trusted lineage" 0 "$L" "$S" read "$a"
check "provenance: the launch is an event" wait_event '"event":"launch"' '"verdict":"allowed"' "\"exe\":\"$S\""
expect "provenance: the launcher does not start a package tool trusted (cat)" 1 \
	sh -c "'$L' /bin/cat '$a' >/dev/null 2>&1 || exit 1"
check "provenance: a refused launch is an event" wait_event '"event":"launch"' '"verdict":"denied"'
expect "provenance: the launcher does not start an unsigned program trusted" 1 "$L" "$U" read "$a"
expect_denied "provenance: the launcher does not trust a dropped script" "$L" "$WORK/drop.sh" "$a"
expect_denied "provenance: the launcher running bash on a signed script (bash FILE) is refused" \
	"$L" /usr/bin/bash "$bin/job.sh" read

# A gateway: what it forks runs on someone else's word.
expect "provenance: a gateway launched by the launcher reads a record itself" 0 "$L" "$G" read "$a"
expect "provenance: a trusted program's fork reads a record (no gateway)" 0 "$L" "$S" fork-read "$a"
expect "provenance: a gateway's fork (an SFTP server in a login's process) may not read a record" 1 \
	"$L" "$G" fork-read "$a"
expect "provenance: a signed program a gateway's fork runs (a cron job) may not read a record" 1 \
	"$L" "$G" fork-exec-read "$a" "$S"

# Signed scripts through their #! line.
check "provenance: a signed script started through #! reads a record" "$L" "$bin/job.sh" read
check "provenance: a signed script copies the tree out with tar" "$L" "$bin/job.sh" copy
check "provenance: a signed script changes a record" "$L" "$bin/job.sh" write
# cron runs every job through `sh -c`: a job line that names the launcher works, one that does not is untrusted.
check "provenance: a cron-style job line through the launcher reads a record" sh -c "'$L' '$bin/job.sh' read"
expect_denied "provenance: a cron-style job line without the launcher is refused" sh -c "'$bin/job.sh' read"
expect_denied "provenance: a signed script through #!/usr/bin/env is not trusted" "$L" "$bin/env-job.sh" read
expect_denied "provenance: a script signed by an unknown key is not trusted" "$L" "$bin/stranger-job.sh" read
expect_denied "provenance: LD_PRELOAD inside a trusted lineage taints the tool" "$L" "$bin/job.sh" preload
expect "provenance: an untrusted child reading through a descriptor it inherited is refused" 1 \
	"$L" "$bin/job.sh" hold-fd

# Tracing: an untrusted task may not steer a trusted one.
"$L" "$S" hold "$records/a.txt" 30 >/dev/null &
holder=$!
wait_until 50 test -d "/proc/$holder"
sleep 1
expect "provenance: an untrusted task may not ptrace-attach to a trusted one" 1 "$U" ptrace-attach "$holder"
# The kernel turns the refusal into EACCES here.
expect "provenance: an untrusted task may not open a trusted one's /proc/PID/mem" 2 "$U" proc-mem "$holder"
expect "provenance: an untrusted task may not process_vm_readv a trusted one" 1 "$U" vm-read "$holder" 0x400000
check "provenance: a refused trace is an event" wait_event '"event":"ptrace"' '"verdict":"denied"'
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
expect "provenance: a launch under an untrusted tracer is not trusted" 1 "$U" traceme-exec "$L" "$S" read "$a"
expect "provenance: ps still reads a trusted process's status" 0 sh -c "ps -o pid= -p $$ >/dev/null"

# The walk never fails open: a file far below the records root is still protected.
deep=$records
for i in $(seq 1 40); do deep=$deep/d$i; done
mkdir_deep() {
	local dir=$records i
	for i in $(seq 1 40); do
		dir=$dir/d$i
		[ -d "$dir" ] || "$L" "$S" mkdir "$dir" >/dev/null || return 1
	done
	"$L" "$S" create "$dir/deep.txt" >/dev/null
}
check "provenance: a trusted lineage creates a file 40 folders down" mkdir_deep
expect "provenance: an untrusted task is refused a file 40 folders down" 1 "$U" read "$deep/deep.txt"
expect "provenance: a trusted lineage reads it" 0 "$L" "$S" read "$deep/deep.txt"

stop_medguard

# Complete before "started": with `trust packages`, every packaged executable
# and library is in the kernel's map when the daemon says it enforces, so the
# first use of a package tool in a trusted lineage is never refused.
cat >"$WORK/packages.policy" <<POLICY
mode enforce;
trust packages;
include "$LAUNCHER_POLICY";
records charts "$records";
on charts {
    allow signed all;
    deny unsigned all;
}
POLICY
if ! start_medguard "$WORK/packages.policy"; then
	not_ok "provenance: medguard starts with trust packages"
	exit 0
fi
check "provenance: the first find in a trusted lineage right after start reads the tree" \
	trusted /usr/bin/find "$records" -name a.txt
check "provenance: a tar backup of the tree right after start succeeds" \
	trusted /usr/bin/tar -czf "$outside/backup.tgz" -C "$records" .
if grep '"event":"taint"' "$EVENTS" | grep -qE '"comm":"(find|tar|gzip)"'; then
	not_ok "provenance: no packaged tool is tainted by a library nobody verified ($(grep '"event":"taint"' "$EVENTS" | head -n 1))"
else
	ok "provenance: no packaged tool is tainted by a library nobody verified"
fi
stop_medguard
if start_medguard "$WORK/packages.policy"; then
	hits=$(grep -o 'and libraries ([0-9]* digests from the cache)' "$WORK/medguard.err" | grep -o '[0-9]*' | tail -n 1)
	if grep -q 'digests in the cache' "$WORK/medguard.err" && [ "${hits:-0}" -gt 0 ]; then
		ok "provenance: a restart takes the digests from its cache ($hits)"
	else
		not_ok "provenance: a restart takes the digests from its cache: $(grep 'starting:' "$WORK/medguard.err" | tr '\n' ' ')"
	fi
	check "provenance: after the restart the first find is trusted at once" trusted /usr/bin/find "$records" -name a.txt
	stop_medguard
else
	not_ok "provenance: medguard restarts with trust packages"
fi
