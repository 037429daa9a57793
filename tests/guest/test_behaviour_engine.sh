#!/usr/bin/env bash
# Issue 5, the engine itself: a trusted program that starts renaming and
# deleting records is scored per lineage, alerted on, has its writes denied
# (before any kill) and is killed with its whole lineage; a canary is an
# instant maximum; with the module, a high-entropy write into a record
# scores. The attack and benign corpora are in test_behaviour.sh. Each
# lineage is a trusted one (started by lib.sh's launcher, running an
# allowlisted bash on a script), so that what stops it is its behaviour.
. "$(dirname "$0")/lib.sh"

# The module measures write entropy; on 6.1 its crypto dependencies are modules.
modprobe -a ecc crypto-sha384 crypto-sha512 2>/dev/null
[ -d /sys/module/medguard_kfuncs ] || insmod "$KMOD" || not_ok "behaviour engine: medguard_kfuncs.ko loads into $KVER"

records=/srv/behaviour-records
bin=$WORK/bin
mkdir -p "$records" "$bin"
for i in $(seq 1 20); do echo "chart $i" >"$records/chart-$i.txt"; done
touch "$records/.canary-1"
new_key behaviour
fresh_try "$bin/tool"
"$MEDGUARD" sign "$bin/tool" --key "$WORK/behaviour.key" >/dev/null
T=$bin/tool
# bash, with what it maps, and the helpers the scripts run, allowlisted:
# `trusted bash SCRIPT` is then a trusted lineage (bash is no interpreter of this policy).
bash_bin=$(readlink -f /bin/bash)
for tool in bash sleep touch; do
	path=$(readlink -f "$(command -v "$tool")")
	for file in "$path" $(ldd "$path" 2>/dev/null | grep -o '/[^ ]*'); do
		sha256sum "$(readlink -f "$file")"
	done
done | sort -u >"$WORK/tools.sha256"
# lineage SCRIPT: runs SCRIPT as a trusted lineage of its own.
lineage() { "$LAUNCH" "$TRUSTED_EXEC" "$bash_bin" "$@"; }

cat >"$WORK/behaviour.policy" <<POLICY
mode enforce;
include "$LAUNCHER_POLICY";
allowlist "$WORK/tools.sha256";
key it "$WORK/behaviour.pub";
trust scan "$bin";
records charts "$records";
canary charts "$records/.canary-*";
on charts {
    allow signed all;
    deny unsigned all;
}
behaviour ransomware on charts {
    window 60s;
    score rename-ext 11;
    score unlink 11;
    score entropy 25;
    at 20 alert;
    at 30 deny-writes;
    at 50 kill;
}
POLICY

if ! start_medguard "$WORK/behaviour.policy"; then
	not_ok "behaviour engine: medguard starts with a behaviour rule"
	exit 0
fi

# One lineage: a trusted shell started now, running the signed tool once per file.
cat >"$WORK/renamer.sh" <<SCRIPT
for i in 1 2 3 4 5; do
	"$T" rename "$records/chart-\$i.txt" "$records/chart-\$i.txt.locked"
	echo "rename \$i \$?"
done
SCRIPT
lineage "$WORK/renamer.sh" >"$WORK/renamer.out" 2>&1
check "behaviour engine: the first two renames of a trusted tool go through" \
	grep -qx "rename 2 0" "$WORK/renamer.out"
check "behaviour engine: the rename that reaches deny-writes is itself refused" \
	grep -qx "rename 3 1" "$WORK/renamer.out"
check "behaviour engine: later renames of the lineage stay refused" grep -qx "rename 4 1" "$WORK/renamer.out"
check "behaviour engine: chart-3 was not renamed" test -f "$records/chart-3.txt"
if wait_event '"event":"behaviour"' '"action":"alert"' && wait_event '"event":"behaviour"' '"action":"deny-writes"'; then
	ok "behaviour engine: alert and deny-writes are reported as behaviour events"
else
	not_ok "behaviour engine: behaviour events missing: $(grep behaviour "$EVENTS" | head -c 500)"
fi
expect "behaviour engine: another lineage of the same tool is not affected" 0 "$LAUNCH" "$T" rename "$records/chart-10.txt" "$records/chart-10.txt.bak"

# A second lineage with a sleeping helper: kill reaches the whole lineage.
cat >"$WORK/killer.sh" <<SCRIPT
sleep 30 &
echo "helper \$!" >"$WORK/helper.pid"
for i in 11 12 13 14 15 16 17; do
	"$T" unlink "$records/chart-\$i.txt"
	echo "unlink \$i \$?"
done
wait
SCRIPT
timeout 60 "$LAUNCH" "$TRUSTED_EXEC" "$bash_bin" "$WORK/killer.sh" >"$WORK/killer.out" 2>&1
read -r _ helper <"$WORK/helper.pid"
check "behaviour engine: deny-writes comes before kill (chart-14 survives)" test -f "$records/chart-14.txt"
if wait_event '"action":"kill"' && wait_event '"event":"lineage-killed"'; then
	ok "behaviour engine: kill is reported and the daemon kills the lineage"
else
	not_ok "behaviour engine: no kill events: $(grep -E 'behaviour|lineage' "$EVENTS" | tail -n 3 | head -c 500)"
fi
sleep 0.5
if kill -0 "$helper" 2>/dev/null; then
	not_ok "behaviour engine: the lineage's sleeping helper $helper survived the kill"
else
	ok "behaviour engine: the lineage's other processes are killed too"
fi

# A canary: reading one is no damage (a backup that does not know the
# decoys reads them; the exfiltration behaviour below watches reads), one
# write is the maximum score.
cat >"$WORK/canary-read.sh" <<SCRIPT
"$T" read "$records/.canary-1"
echo "canary \$?"
SCRIPT
lineage "$WORK/canary-read.sh" >"$WORK/canary-read.out" 2>&1
check "behaviour engine: reading a canary does not move a behaviour that scores no reads" \
	grep -qx "canary 0" "$WORK/canary-read.out"
cat >"$WORK/canary.sh" <<SCRIPT
"$T" write "$records/.canary-1"
echo "canary \$?"
"$T" write "$records/chart-18.txt"
echo "after \$?"
SCRIPT
lineage "$WORK/canary.sh" >"$WORK/canary.out" 2>&1
if wait_event '"signal":"canary"' '"action":"kill"'; then
	ok "behaviour engine: writing a canary is an instant maximum"
else
	not_ok "behaviour engine: no canary kill event: $(grep behaviour "$EVENTS" | tail -n 2 | head -c 400)"
fi
check "behaviour engine: the canary toucher does not get to write afterwards" sh -c "! grep -qx 'after 0' '$WORK/canary.out'"

# deny-writes also holds for a file the lineage opened before it was stopped.
cat >"$WORK/holder.sh" <<SCRIPT
"$T" write-later "$records/chart-5.txt" "$WORK/holder.go" >"$WORK/holder.out" &
sleep 1
for i in 6 7 8; do "$T" unlink "$records/chart-\$i.txt"; done
touch "$WORK/holder.go"
wait
SCRIPT
lineage "$WORK/holder.sh" >/dev/null 2>&1
check "behaviour engine: a stopped lineage cannot write through a file it opened before" \
	grep -qx EPERM "$WORK/holder.out"
# (stat, not read: this test's shell is not trusted to read records)
check "behaviour engine: chart-5 is unchanged" test "$(stat -c %s "$records/chart-5.txt")" = 8

# Entropy: the first write into a record the lineage did not create is
# measured by the module; 4 KB of random bytes score 25 (the alert), 4 KB
# of text nothing.
if "$MEDGUARD" status | grep -q '^entropy sampled in the kernel'; then
	ok "behaviour engine: medguard status says the module samples write entropy"
	cat >"$WORK/entropy.sh" <<SCRIPT
"$T" write-text "$records/chart-9.txt"
"$T" write-random "$records/chart-19.txt"
"$T" write "$records/chart-20.txt"
SCRIPT
	lineage "$WORK/entropy.sh" >"$WORK/entropy.out" 2>&1
	if wait_event '"signal":"entropy"' '"action":"alert"' '/chart-19.txt"'; then
		ok "behaviour engine: a high-entropy write into a record is scored and alerted"
	else
		not_ok "behaviour engine: no entropy alert for random bytes: $(grep behaviour "$EVENTS" | tail -n 2 | head -c 400)"
	fi
	if grep '"signal":"entropy"' "$EVENTS" | grep -q '/chart-9.txt"'; then
		not_ok "behaviour engine: a text write was scored as entropy"
	else
		ok "behaviour engine: a text write is not scored as entropy"
	fi
	check "behaviour engine: entropy alone (25) stays below deny-writes (30)" \
		test "$(tr '\n' ' ' <"$WORK/entropy.out")" = "OK OK OK "
	"$LAUNCH" "$T" writev-random "$records/chart-17.txt" >/dev/null 2>&1
	check "behaviour engine: random bytes written with writev() are measured too" \
		wait_event '"signal":"entropy"' '/chart-17.txt"'
else
	not_ok "behaviour engine: medguard status: $("$MEDGUARD" status 2>&1 | grep -E '^(kfuncs|entropy)' | tr '\n' ' ')"
fi
stop_medguard

# ---- exfiltration: a second behaviour on the same tree, scoring reads ----
# A lineage that reads many distinct records is refused further reads
# (also through a file it opened before), its writes untouched; a backup
# agent - a program named by its key - and what it starts are exempt.
for i in $(seq 1 30); do echo "letter $i" >"$records/letter-$i.txt"; done
new_key backup
cat >"$WORK/backup-job.sh" <<SCRIPT
#!$bash_bin
for i in \$(seq 1 30); do "$T" read "$records/letter-\$i.txt"; echo "read \$i \$?"; done
SCRIPT
chmod 755 "$WORK/backup-job.sh"
"$MEDGUARD" sign "$WORK/backup-job.sh" --key "$WORK/backup.key" >/dev/null
sed -e '/^behaviour ransomware/,$d' "$WORK/behaviour.policy" >"$WORK/exfil.policy"
cat >>"$WORK/exfil.policy" <<POLICY
key backup "$WORK/backup.pub";
program backup signed-by backup;
behaviour ransomware on charts {
    window 60s;
    score unlink 11;
    at 20 alert;
    at 30 deny-writes;
}
behaviour exfiltration on charts {
    window 60s;
    score read 1;
    exempt backup;
    at 5 alert;
    at 8 deny-reads;
}
POLICY
if start_medguard "$WORK/exfil.policy"; then
	cat >"$WORK/thief.sh" <<SCRIPT
"$T" read-later "$records/letter-1.txt" "$WORK/thief.go" >"$WORK/thief-held.out" &
sleep 1
for i in \$(seq 2 12); do "$T" read "$records/letter-\$i.txt"; echo "read \$i \$?"; done
"$T" write "$records/letter-2.txt"; echo "write \$?"
touch "$WORK/thief.go"
wait
SCRIPT
	lineage "$WORK/thief.sh" >"$WORK/thief.out" 2>&1
	check "behaviour engine: reads of distinct records go through up to deny-reads" grep -qx "read 7 0" "$WORK/thief.out"
	# (the eighth or ninth distinct record reaches 8, as the score decays between reads)
	check "behaviour engine: the lineage is refused reads once it reaches deny-reads" grep -qx "read 10 1" "$WORK/thief.out"
	check "behaviour engine: later reads of the lineage stay refused" grep -qx "read 12 1" "$WORK/thief.out"
	check "behaviour engine: deny-reads also holds for a file opened before" grep -qx EPERM "$WORK/thief-held.out"
	check "behaviour engine: deny-reads leaves the lineage's writes alone (another behaviour's business)" \
		grep -qx "write 0" "$WORK/thief.out"
	check "behaviour engine: the exfiltration behaviour's event names it" \
		wait_event '"action":"deny-reads"' '"behaviour":"exfiltration"'
	"$LAUNCH" "$WORK/backup-job.sh" >"$WORK/backup.out" 2>&1
	check "behaviour engine: a backup agent named by its key, and the tool it runs, read all 30" \
		test "$(grep -c ' 0$' "$WORK/backup.out")" = 30
	stop_medguard
else
	not_ok "behaviour engine: medguard starts with two behaviours on one tree"
fi
[ -d /sys/module/medguard_kfuncs ] && unload_module medguard_kfuncs
