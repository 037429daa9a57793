#!/usr/bin/env bash
# Issue 5, the corpora: a realistic records tree (tests/guest/corpus/
# gen-records.py, ~540 files, ~90 MB), attack scenarios that each run as
# their own lineage against it and must be stopped within a handful of files,
# and the benign work of a hospital file server that must go through without
# one denial or behaviour alert, all under one policy a hospital could ship
# ($WORK/hospital.policy, written below; every weight is explained there).
#
# medguard runs once for the whole test (loading it takes 20-50 s under
# TCG). Trust follows provenance: the test shell is an untrusted lineage, so
# every scenario runs as a trusted one, the way an administrator's job does
# (lib.sh's launcher): the corpus is copied to $WORK/corpus, its #! lines
# name the interpreter (bash, python3; not env) and its scripts are signed
# with the hospital key. Attacks too run as trusted lineages (issue 11): the
# rules allow them, and the behaviour engine is what must stop them. Each
# attack, from the pristine tree: `medguard-exec trusted-exec env MG_...=...
# corpus/attack-NAME.sh /srv/records` is started in a session of its own (a
# lineage of its own);
# once medguard has stopped it (deny-writes or kill) it gets
# MG_BEHAVIOUR_GRACE more seconds to go on trying, then it is killed;
# corpus/damage.py counts the files lost against the manifest and the time
# from the attack's first destructive operation to medguard's first
# deny-writes/kill event, and writes the steps that put the tree back, which
# run as processes of their own (one trusted lineage each, each far below
# the alert). damage.py itself runs as a signed script, a trusted lineage. Then the benign scenarios run one after another, each its own
# lineage, on the restored tree.
#
# Output: one TAP line per scenario, the goal line (median files lost <= 3,
# worst <= 10), and the summary table as `# behaviour| ...` lines, which
# tests/check copies to build/test-results/behaviour-summary.txt.
#
# Not a scenario: logrotate itself (not installed; benign-logrotate.sh does
# what it does with mv, touch and gzip). apt-get runs with its cache in
# $WORK (the guest's /var/cache is read-only). MG_BEHAVIOUR_ONLY="NAME ..."
# runs some scenarios.
. "$(dirname "$0")/lib.sh"

CORPUS=$REPO/tests/guest/corpus
# Kernel series this test runs on (the series of $MEDGUARD_VM_KERNEL).
BEHAVIOUR_KERNELS=${MG_BEHAVIOUR_KERNELS:-6.1 6.12}
GRACE=${MG_BEHAVIOUR_GRACE:-3}
MAX_SECONDS=${MG_ATTACK_MAX_SECONDS:-60}
MAX_FILES=${MG_ATTACK_MAX_FILES:-500}
GOAL_MEDIAN=3
GOAL_WORST=10

records=/srv/records
pristine=/srv/records-pristine
incoming=/srv/incoming
backup=/srv/backup
manifest=$WORK/manifest.json
bin=$WORK/bin
# The corpus as it runs: signed copies (see above).
C=$WORK/corpus

# name|what the TAP line calls it
ATTACKS=(
	"overwrite|in-place overwrite (dd)"
	"copy-delete|write-copy-then-delete (X.enc, unlink X)"
	"rename-over|encrypt to X.tmp, rename it over X"
	"rename|rename-only to .locked with ransom notes"
	"partial|partial encryption (4 KB every 64 KB)"
	"slow|slow encryption (one file every 1.5 s)"
	"fanout|fan-out (one worker process per file)"
	"python|python3 interpreter script"
	"openssl|shell loop over openssl enc"
	"gpg|shell loop over gpg -c"
	"7z|shell loop over 7z a -p -sdel"
	"ccrypt|shell loop over ccrypt -e"
	"shred|shred -u destruction"
	"ddwipe|dd destruction (truncate, zeros)"
	"signed-tool|signed cp abused to overwrite"
)
BENIGN=(
	"tar|tar backup"
	"rsync|rsync backup"
	"restore|cp -a restore into the tree"
	"logrotate|log rotation with gzip"
	"sqlite|SQLite database under write load"
	"compile|C project build and rebuild"
	"git|git init, add, commit"
	"pacs|PACS ingest of 200 new DICOM files"
	"apt-install|apt-get install of a package"
	"apt-upgrade|apt-get upgrade of that package"
)

# MG_BEHAVIOUR_ONLY="NAME ...": only these scenarios (attack or benign names).
if [ -n "${MG_BEHAVIOUR_ONLY:-}" ]; then
	pick() { local e; for e in "$@"; do echo " $MG_BEHAVIOUR_ONLY " | grep -q " ${e%%|*} " && echo "$e"; done; }
	mapfile -t ATTACKS < <(pick "${ATTACKS[@]}")
	mapfile -t BENIGN < <(pick "${BENIGN[@]}")
fi

kver=${MEDGUARD_VM_KERNEL:-$(uname -r)}
series=$(echo "$kver" | cut -d. -f1-2)
if ! echo " $BEHAVIOUR_KERNELS " | grep -q " $series "; then
	for entry in "${ATTACKS[@]}"; do skip "behaviour: attack ${entry#*|}" "runs on kernels $BEHAVIOUR_KERNELS only"; done
	for entry in "${BENIGN[@]}"; do skip "behaviour: benign ${entry#*|}" "runs on kernels $BEHAVIOUR_KERNELS only"; done
	exit 0
fi

test_start=$SECONDS
SUMMARY=()
table() { SUMMARY+=("$(printf '%-48s | %10s | %12s | %s' "$@")"); }
elapsed() { echo $((SECONDS - $1)); }

# ---- the records tree, the trusted tools, the policy ----------------------

step_start=$SECONDS
rm -rf "$records" "$pristine" "$incoming" "$backup"
nfiles=$(python3 "$CORPUS/gen-records.py" "$pristine" --canaries)
python3 "$CORPUS/gen-records.py" --pacs-incoming "$incoming" --studies 4 --images 50 >/dev/null
cp -a "$pristine" "$records"
manifest_line=$(python3 "$CORPUS/damage.py" manifest "$records" "$manifest")
echo "# behaviour: records tree of $nfiles files ($manifest_line) generated in $(elapsed "$step_start") s"

# Every tool a scenario, the damage meter (find, sha256sum) or this script
# runs while medguard enforces, with its shared libraries and helpers,
# allowlisted: with `trust packages` alone the first run of each would be
# untrusted (learnt from its trust miss).
mkdir -p "$bin"
new_key hospital
cp "$(readlink -f /usr/bin/cp)" "$bin/cp-signed"
"$MEDGUARD" sign "$bin/cp-signed" --key "$WORK/hospital.key" >/dev/null
step_start=$SECONDS
# (env: the launcher's clean environment drops the MG_ variables, a
# trusted env sets them again; python3 with the extension modules it maps,
# for damage.py and the python attack, signed scripts started through #!.)
python3 "$CORPUS/tools-allowlist.py" bash dash setsid timeout find sha256sum head xargs dd rm mv cp sleep date sort wc grep \
	env python3 /usr/lib/python3*/lib-dynload/*.so \
	seq uniq mkdir touch chmod cat dirname tail cut sed tr awk openssl gpg 7z ccrypt shred tar rsync gzip sqlite3 make cc gcc git \
	apt-get dpkg dpkg-deb dpkg-query dpkg-split /usr/lib/apt/methods/file /usr/lib/apt/methods/copy /usr/lib/apt/methods/store \
	>"$WORK/tools.sha256"
echo "# behaviour: allowlist of $(wc -l <"$WORK/tools.sha256") files in $(elapsed "$step_start") s"
python=$(readlink -f "$(command -v python3)")
bash_bin=$(readlink -f /bin/bash)
dash_bin=$(readlink -f /bin/dash)
env_bin=$(readlink -f /usr/bin/env)
rm -rf "$C"
cp -r "$CORPUS" "$C"
for script in "$C"/*.sh "$C"/*.py; do
	sed -i -e "1s|^#!/usr/bin/env bash\$|#!$bash_bin|" -e "1s|^#!/usr/bin/env python3\$|#!$python|" "$script"
	chmod 755 "$script"
done
"$MEDGUARD" sign "$C"/*.sh "$C"/*.py --key "$WORK/hospital.key" >/dev/null || echo "# behaviour: cannot sign the corpus"
# scenario VAR=VALUE... SCRIPT ARGS...: SCRIPT as a trusted lineage of its
# own, with the MG_ variables given (a command, for setsid and timeout).
scenario=("$LAUNCH" "$TRUSTED_EXEC" "$env_bin")
# damage ARGS...: the damage meter, a trusted lineage (a signed script).
damage() { "$LAUNCH" "$C/damage.py" "$@"; }

cat >"$WORK/hospital.policy" <<POLICY
# The records of a clinical file server: patient folders, an imaging
# archive, small databases, administrative documents, application logs.
mode enforce;

# The test's launcher (lib.sh), as an administrator's medguard-exec: every
# scenario runs as a trusted lineage it starts.
include "$LAUNCHER_POLICY";
key       hospital "$WORK/hospital.pub";
# The tools the server's jobs use (backup, rotation, database, builds), with
# their libraries, by digest; the daemon trusts them from the start.
allowlist "$WORK/tools.sha256";

# Interpreters run whatever script they are given: what they run is unsigned.
interpreter shell  exe "$bash_bin", "$dash_bin";
interpreter python exe "$python";
# The package manager, exempt from the behaviour rule below.
program dpkg exe "$(readlink -f /usr/bin/dpkg)";

records medical "$records";
# The application logs are their own records: a log rotation renames,
# compresses and deletes every log each night, which is exactly what
# ransomware does to records; logs get rules and a behaviour of their own.
records logs "$records/logs";
# Decoys at the top of the tree and of the two largest folders. Backup jobs
# exclude them (tar/rsync --exclude='.medguard-canary-*'): reading one is an
# alarm.
canary medical "$records/.medguard-canary-*", "$records/patients/.medguard-canary-*",
               "$records/imaging/.medguard-canary-*";

on medical {
    # Trusted software does the daily work. Deletions are no longer logged
    # one by one (default.policy's "audit deny signed delete"): the
    # behaviour rule below watches them. Hard links: git stores objects with
    # link().
    allow signed read, write, create, rename, delete, link, setattr;
    deny unsigned all;
}
on logs {
    allow signed read, write, create, rename, delete, setattr;
    deny unsigned all;
}

# What a process lineage does to the records, scored over 20 seconds. The
# weights are set against the scenarios of this test: every attack must
# reach deny-writes within a handful of files, and no benign job of the
# server may reach even the alert (see the summary table). What a lineage
# does to files it created itself (temporary files, journals, lock files
# renamed into place) is not scored. As the engine scores today
# (bpf/medguard.bpf.c), one file costs an attack:
#   in-place overwrite, partial encryption    first-write               30
#                 (+ entropy with the module, for random bytes)       60
#   dd or cp over a file (O_TRUNC)            overwrite, twice          30
#   encrypt to X.enc, then unlink X           overwrite + unlink        55
#   7z -sdel (creates X.7z, unlinks X)        replace                   40
#   encrypt to X.tmp, rename it over X        replace                   40
#   rename to .locked                         rename-ext                40
#   ccrypt; shred -u                          first-write, overwrite,
#                                             rename-ext (+ unlink)     85; 125
# so the third or fourth file reaches 100, even with the score decaying
# between files under emulation.
behaviour ransomware on medical {
    # 20 s, not 10: an attack slower than one file per window * 30 / 100 =
    # 6 s would never reach 100 on first-writes alone.
    window 20s;
    # Writing into a record this lineage did not create: in-place
    # encryption does it to every file. Three such records within seconds
    # is the alert. NB: a long-lived application that rewrites existing
    # records in place (not through a new file renamed over the old one)
    # faster than one every 6 s would be stopped too; none is in this test.
    score first-write 30;
    # Truncating someone else's file. (The symlink git init creates and
    # unlinks to probe the filesystem counts as a replace: git costs 40.)
    score overwrite 15;
    # Unlinking someone else's files, after writing new ones (replace) or
    # not (shred -u, encrypt-then-delete), and extension-changing renames:
    # what ransomware does once per file and no records job does in bulk.
    score replace 40;
    score unlink 40;
    score rename-ext 40;
    # Moving records out of the tree (exfiltration, or encryption elsewhere).
    score rename-out 40;
    # Changing more than 20 existing files a second (the engine's
    # allowance): no job of this server does; on real hardware an attack does.
    score rate 5;
    # Not scored: listing directories (every backup lists them all) and
    # creating files (a restore, a PACS ingest of a study, a database
    # journal create hundreds a second).
    score enumerate 0;
    score create 0;
    # Random-looking bytes written into a record this lineage did not create
    # (measured by the kernel module, loaded for this test): encryption in
    # place. Compressed backups, PACS ingest and restores write new files,
    # which are not measured. With first-write, a file encrypted in place
    # costs 60.
    score entropy 30;
    # A canary touched is the maximum score, whatever the weight.
    score canary 100;
    # A package upgrade replaces every file of the package (new file, rename
    # over the old one, unlink of the backup link): to the engine that is
    # what ransomware does. dpkg, while trusted, is not scored; the rules of
    # 'on medical' still apply to it.
    exempt dpkg;
    # The alert is the line benign work must stay under; deny-writes stops
    # the lineage's writes; a lineage that keeps trying after that is
    # killed (refused operations still score).
    at 90 alert;
    at 100 deny-writes;
    at 200 kill;
}

# Logs: the nightly rotation renames each log to NAME.log.1, compresses it
# (a new .gz, then the unlink of NAME.log.1) and deletes the oldest: three
# signals a log, 3 points each, so rotating up to 9 logs stays under the
# alert. A logging daemon reopens every log after the rotation and appends
# (a first-write each): 10 points, up to 8 logs. Nobody truncates a log or
# moves it out (high). An attack that only renames, replaces or appends to
# logs is stopped late in this tree; deny-writes, once reached in any tree,
# holds in all of them.
behaviour log-tampering on logs {
    window 20s;
    score first-write 10;
    score overwrite  30;
    score replace     3;
    score unlink      3;
    score rename-ext  3;
    score rename-out 40;
    at 90 alert;
    at 100 deny-writes;
    at 200 kill;
}
POLICY

if ! "$MEDGUARD" policy check "$WORK/hospital.policy" >"$WORK/policy-check.out" 2>&1; then
	not_ok "behaviour: the test policy compiles: $(head -n 5 "$WORK/policy-check.out" | tr '\n' ' ')"
	exit 0
fi

# What trust was missing (for the allowlist) after line SINCE of the events:
# events, paths and the programs. (Execs while the daemon starts, before it
# has trusted the allowlist, are trust misses too, hence SINCE.)
trust_notes() {
	tail -n +"$((${1:-0} + 1))" "$EVENTS" | grep -E '"event":"(trust-miss|taint)"' |
		sed -n 's/.*"event":"\([a-z-]*\)".*"path":"\([^"]*\)".*"comm":"\([^"]*\)".*/\1 \2 (\3)/p' |
		sort | uniq -c | sort -rn | head -n 8 | sed 's/^/# behaviour:   /'
}

# value KEY LINE: the value of KEY=... in a damage.py line.
value() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# run_plan PLAN: the steps damage.py wrote, each a trusted lineage of its
# own (this shell is untrusted): one unlink or one copy, far below any
# threshold.
run_plan() {
	local op from to
	while IFS=$'\t' read -r op from to; do
		case "$op" in
		rm) trusted rm -f -- "$from" ;;
		rmdir) trusted rmdir -- "$from" ;;
		cp) trusted cp -p -- "$from" "$to" ;;
		esac
	done <"$1"
}

# The module measures write entropy (the `entropy` signal); on 6.1 its
# crypto dependencies are modules of their own.
modprobe -a ecc crypto-sha384 crypto-sha512 2>/dev/null
if [ -d /sys/module/medguard_kfuncs ] || insmod "$KMOD"; then
	module_loaded=1
else
	module_loaded=0
	not_ok "behaviour: medguard_kfuncs.ko loads into $KVER"
fi

step_start=$SECONDS
# Loading takes 20-50 s under TCG, up to minutes on a busy machine.
if ! start_medguard "$WORK/hospital.policy"; then
	for entry in "${ATTACKS[@]}"; do not_ok "behaviour: attack ${entry#*|}: medguard did not start"; done
	for entry in "${BENIGN[@]}"; do not_ok "behaviour: benign ${entry#*|}: medguard did not start"; done
	exit 0
fi
sleep 1
started_line=$(wc -l <"$EVENTS")
echo "# behaviour: medguard started in $(elapsed "$step_start") s; $("$MEDGUARD" status | grep '^entropy')"

# ---- attacks: each from the pristine tree ---------------------------------

LOSSES=()
# stop_seen SINCE: medguard has taken deny-writes, kill or freeze against some lineage.
stop_seen() {
	tail -n +"$(($1 + 1))" "$EVENTS" | grep '"event":"behaviour"' | grep -qE '"action":"(deny-writes|kill|freeze)"'
}

for entry in "${ATTACKS[@]}"; do
	name=${entry%%|*} what=${entry#*|}
	step_start=$SECONDS
	t1=$EPOCHREALTIME
	since=$(wc -l <"$EVENTS")
	scratch=$WORK/scratch-$name
	log=$WORK/attack-$name.log
	mkdir -p "$scratch"
	: >"$log"
	setsid "${scenario[@]}" MG_SCENARIO_LOG="$log" MG_SCENARIO_TMP="$scratch" MG_SIGNED_TOOL="$bin/cp-signed" \
		MG_ATTACK_MAX_SECONDS="$MAX_SECONDS" MG_ATTACK_MAX_FILES="$MAX_FILES" \
		"$C/attack-$name.sh" "$records" >"$WORK/attack-$name.out" 2>&1 &
	attacker=$!
	stopped_at=
	deadline=$((SECONDS + MAX_SECONDS + 20))
	# (stderr away: bash says "Killed" for an attack medguard killed)
	{
		while kill -0 "$attacker" && [ "$SECONDS" -lt "$deadline" ]; do
			if [ -z "$stopped_at" ] && stop_seen "$since"; then
				stopped_at=$SECONDS
			fi
			if [ -n "$stopped_at" ] && [ $((SECONDS - stopped_at)) -ge "$GRACE" ]; then
				break
			fi
			sleep 0.2
		done
		# The attack's whole session, then any gpg-agent it started (it detaches).
		kill -KILL -- -"$attacker"
		wait "$attacker"
	} 2>/dev/null
	[ -d "$scratch/gnupg" ] && GNUPGHOME=$scratch/gnupg gpgconf --kill gpg-agent 2>/dev/null
	sleep 0.3
	t2=$EPOCHREALTIME
	# Counts the damage, then puts the tree back for the next attack.
	result=$(damage measure "$records" "$manifest" --log "$log" --events "$EVENTS" \
		--since "$since" --plan "$pristine" "$WORK/plan-$name")
	run_plan "$WORK/plan-$name"
	restored=$(damage refresh "$records" "$manifest")
	[ "$restored" = restored=ok ] || not_ok "behaviour: the tree is put back after attack $what ($restored)"
	lost=$(value lost "$result") stop=$(value stop "$result") action=$(value action "$result")
	signal=$(value signal "$result") score=$(value score "$result") denials=$(value denials "$result")
	took=$(elapsed "$step_start")
	timing=$(echo "$t1 $t2 $EPOCHREALTIME" | awk '{ printf "attack %.1f s, measure and restore %.1f s", $2 - $1, $3 - $2 }')
	echo "# behaviour: attack $name: $result"
	echo "# behaviour:   $(grep -E '^(targets|done)' "$log" | tr '\n' ' ')${took} s: $timing"
	LOSSES+=("$lost")
	if [ "$stop" != none ]; then
		verdict="stopped: $action ($signal, score $score)"
		time_text="$stop s"
	elif [ "$lost" -eq 0 ] && [ "$denials" -gt 0 ]; then
		verdict="stopped: denied by the rules ($denials denials)"
		time_text="0 s"
	else
		verdict="NOT STOPPED"
		time_text="-"
	fi
	if [ "$verdict" != "NOT STOPPED" ] && [ "$lost" -le "$GOAL_WORST" ]; then
		ok "behaviour: attack $what stopped after $lost files lost, $time_text"
	elif [ "$verdict" != "NOT STOPPED" ]; then
		not_ok "behaviour: attack $what stopped only after $lost files lost (goal <= $GOAL_WORST), $time_text"
		verdict="$verdict, too late"
	else
		not_ok "behaviour: attack $what was not stopped: $lost files lost"
		trust_notes "$since"
	fi
	table "attack $what" "$lost" "$time_text" "$verdict"
done

# ---- benign scenarios: each its own lineage --------------------------------

rm -rf "$backup"
mkdir -p "$backup"
benign_line=$(wc -l <"$EVENTS")
for entry in "${BENIGN[@]}"; do
	name=${entry%%|*} what=${entry#*|}
	step_start=$SECONDS
	since=$(wc -l <"$EVENTS")
	{
		timeout 300 "${scenario[@]}" MG_BACKUP_DIR="$backup" MG_PACS_INCOMING="$incoming" MG_DEB_DIR="$WORK/debs" \
			"$C/benign-$name.sh" "$records" >"$WORK/benign-$name.out" 2>&1
	} 2>/dev/null
	status=$?
	sleep 0.5
	tail -n +"$((since + 1))" "$EVENTS" >"$WORK/benign-$name.events"
	denials=$(grep -c '"event":"access".*"verdict":"denied"' "$WORK/benign-$name.events")
	alerts=$(grep -c '"event":"behaviour"' "$WORK/benign-$name.events")
	took=$(elapsed "$step_start")
	if [ "$status" -eq 0 ] && [ "$denials" -eq 0 ] && [ "$alerts" -eq 0 ]; then
		ok "behaviour: benign $what: 0 denials, 0 alerts (${took} s)"
		table "benign $what" - - "ok: 0 denials, 0 alerts"
	else
		not_ok "behaviour: benign $what: $denials denials, $alerts alerts, exit $status (${took} s)"
		table "benign $what" - - "FALSE POSITIVE: $denials denials, $alerts alerts, exit $status"
		grep -E '"event":"(behaviour|access)"' "$WORK/benign-$name.events" | head -n 3 | cut -c 1-400 |
			sed 's/^/# behaviour:   /'
		tail -n 2 "$WORK/benign-$name.out" | sed 's/^/# behaviour:   output: /'
	fi
done
trust_notes "$benign_line"
stop_medguard
[ "$module_loaded" = 1 ] && unload_module medguard_kfuncs
rm -rf "$backup"

# ---- the goals and the summary table -------------------------------------

if [ ${#LOSSES[@]} -gt 0 ]; then
	sorted=($(printf '%s\n' "${LOSSES[@]}" | sort -n))
	median=${sorted[$(((${#sorted[@]} - 1) / 2))]}
	worst=${sorted[-1]}
	if [ "$median" -le "$GOAL_MEDIAN" ] && [ "$worst" -le "$GOAL_WORST" ]; then
		ok "behaviour: attacks: median $median files lost (goal <= $GOAL_MEDIAN), worst $worst (goal <= $GOAL_WORST)"
	else
		not_ok "behaviour: attacks: median $median files lost (goal <= $GOAL_MEDIAN), worst $worst (goal <= $GOAL_WORST)"
	fi
fi

echo "# behaviour| kernel $kver, $(nproc) CPUs, records: $nfiles files; whole test $(elapsed "$test_start") s"
echo "# behaviour| $(printf '%-48s | %10s | %12s | %s' scenario "files lost" "time to stop" verdict)"
for row in "${SUMMARY[@]}"; do
	echo "# behaviour| $row"
done
rm -rf "$records" "$pristine" "$incoming"
