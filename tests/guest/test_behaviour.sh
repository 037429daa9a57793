#!/usr/bin/env bash
# Issue 11, the corpora, on the policy we ship: policies/default.policy,
# set up exactly as the README tells an operator (keys under
# /etc/medguard/keys, an allowlist, the launcher in /usr/local/sbin signed
# by it-release, `medguard run --policy policies/default.policy --enforce`,
# the module loaded), against a realistic records tree in
# /srv/medical-records (tests/guest/corpus/gen-records.py, ~540 files,
# ~90 MB).
#
# Trust follows provenance: the test shell is an untrusted lineage, so every
# scenario runs as a trusted one, the way an administrator's job does:
# `medguard-exec SCRIPT /srv/medical-records` in a session of its own, the
# script signed. Attacks and most daily jobs are signed with it-release
# (a signed maintenance script fed hostile input: the rules allow it, and the
# behaviour engine is what must stop it); the backup, mirror and audit jobs,
# which read every record, with the backup key, as the README says. The
# damage meter (corpus/damage.py) is a backup-key job too: it reads records
# to count what was lost.
#
# Ransomware scenarios: from the pristine tree; once medguard has stopped
# one (deny-writes or kill) it gets MG_BEHAVIOUR_GRACE more seconds to go
# on trying, then it is killed; damage.py counts the files lost and writes
# the steps that put the tree back, each run as a trusted lineage of its
# own (one file each, far below any threshold). Exfiltration scenarios copy
# the tree out; damage.py counts the distinct records whose content arrived.
# Then the daily jobs run one after another, each its own lineage, and must
# go through without one denial or behaviour event.
#
# Output: one TAP line per scenario, the goal lines, and the summary table
# as `# behaviour| ...` lines, which tests/check copies to
# build/test-results/behaviour-summary.txt. MG_BEHAVIOUR_ONLY="NAME ..."
# runs some scenarios; MG_BEHAVIOUR_SMOKE=1 the short set make check runs.
. "$(dirname "$0")/lib.sh"

CORPUS=$REPO/tests/guest/corpus
# Kernel series this test runs on (the series of $MEDGUARD_VM_KERNEL).
BEHAVIOUR_KERNELS=${MG_BEHAVIOUR_KERNELS:-6.1 6.12}
GRACE=${MG_BEHAVIOUR_GRACE:-3}
MAX_SECONDS=${MG_ATTACK_MAX_SECONDS:-60}
MAX_FILES=${MG_ATTACK_MAX_FILES:-500}
GOAL_MEDIAN=1
GOAL_WORST=5
GOAL_EXFIL=50

records=/srv/medical-records
pristine=/srv/records-pristine
incoming=/srv/incoming
backup=/srv/backup
manifest=$WORK/manifest.json
bin=$WORK/bin
# The corpus as it runs: signed copies (see above).
C=$WORK/corpus
POLICY=$REPO/policies/default.policy
ADMIN=/usr/local/sbin/medguard-exec

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
	"slower|slow campaign (one file every 4 s)"
	"punch|fallocate punch-hole destruction"
	"b64|base64 ciphertext written in place"
)
EXFILS=(
	"tar|tar -czf of the tree to /tmp"
	"cp|cp -r of the tree to /tmp"
	"rsync|rsync mirror of the tree to /tmp"
	"cat|cat | gzip of each record"
	"python|signed python script copying every record"
)
# name|what|the key that signs it (backup: a backup agent of the policy)
BENIGN=(
	"tar|tar backup|backup"
	"rsync|rsync backup|backup"
	"audit|sha256sum integrity audit|backup"
	"find|full-tree find and du|it-release"
	"restore|cp -a restore into the tree|it-release"
	"logrotate|logrotate with compression|it-release"
	"sqlite|SQLite database under write load|it-release"
	"compile|C project build and rebuild|it-release"
	"pacs|PACS ingest of 200 new DICOM files|it-release"
	"apt-install|apt-get install of a package|it-release"
	"apt-upgrade|apt-get upgrade of that package|it-release"
)

# The short set make check runs: one of each kind of stop, a backup agent,
# the rotation the default policy exempts.
if [ "${MG_BEHAVIOUR_SMOKE:-0}" = 1 ] && [ -z "${MG_BEHAVIOUR_ONLY:-}" ]; then
	MG_BEHAVIOUR_ONLY="overwrite gpg rename tar logrotate audit"
fi
# MG_BEHAVIOUR_ONLY="NAME ...": only these scenarios (attack, exfiltration or benign names).
if [ -n "${MG_BEHAVIOUR_ONLY:-}" ]; then
	pick() { local e; for e in "$@"; do echo " $MG_BEHAVIOUR_ONLY " | grep -q " ${e%%|*} " && echo "$e"; done; }
	mapfile -t ATTACKS < <(pick "${ATTACKS[@]}")
	mapfile -t EXFILS < <(pick "${EXFILS[@]}")
	mapfile -t BENIGN < <(pick "${BENIGN[@]}")
fi

kver=${MEDGUARD_VM_KERNEL:-$(uname -r)}
series=$(echo "$kver" | cut -d. -f1-2)
if ! echo " $BEHAVIOUR_KERNELS " | grep -q " $series "; then
	for entry in "${ATTACKS[@]}"; do skip "behaviour: attack ${entry#*|}" "runs on kernels $BEHAVIOUR_KERNELS only"; done
	for entry in "${EXFILS[@]}"; do skip "behaviour: exfiltration ${entry#*|}" "runs on kernels $BEHAVIOUR_KERNELS only"; done
	for entry in "${BENIGN[@]}"; do e=${entry#*|}; skip "behaviour: benign ${e%|*}" "runs on kernels $BEHAVIOUR_KERNELS only"; done
	exit 0
fi

test_start=$SECONDS
SUMMARY=()
table() { SUMMARY+=("$(printf '%-48s | %10s | %12s | %12s | %s' "$@")"); }
elapsed() { echo $((SECONDS - $1)); }

# ---- the records tree ------------------------------------------------------

step_start=$SECONDS
rm -rf "$records" "$pristine" "$incoming" "$backup"
nfiles=$(python3 "$CORPUS/gen-records.py" "$pristine" --canaries)
python3 "$CORPUS/gen-records.py" --pacs-incoming "$incoming" --studies 4 --images 50 >/dev/null
cp -a "$pristine" "$records"
manifest_line=$(python3 "$CORPUS/damage.py" manifest "$records" "$manifest")
echo "# behaviour: records tree of $nfiles files ($manifest_line) generated in $(elapsed "$step_start") s"

# ---- the operator's set-up, as the README says -----------------------------

mkdir -p /etc/medguard/keys "$bin"
for key in it-release backup; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/$key.key" 2>/dev/null
	openssl pkey -in "$WORK/$key.key" -pubout -out "/etc/medguard/keys/$key.pem" 2>/dev/null
done
echo "# SHA-256 allowlist: <digest>  <path>" >/etc/medguard/allowlist.sha256
install -m 755 "$REPO/build/medguard-exec" "$ADMIN"
"$MEDGUARD" sign "$ADMIN" --key "$WORK/it-release.key" >/dev/null
# The test's own helpers, as IT would install them: a job runner (signed,
# it starts a packaged tool as a trusted process: the restore steps), and a
# copy of cp signed by IT (the signed-tool attack).
install -m 755 "$RUN_JOB_BUILT" /usr/local/sbin/mg-trusted-exec
"$MEDGUARD" sign /usr/local/sbin/mg-trusted-exec --key "$WORK/it-release.key" >/dev/null
cp "$(readlink -f /usr/bin/cp)" "$bin/cp-signed"
"$MEDGUARD" sign "$bin/cp-signed" --key "$WORK/it-release.key" >/dev/null
python=$(readlink -f "$(command -v python3)")
bash_bin=$(readlink -f /bin/bash)
env_bin=$(readlink -f /usr/bin/env)
rm -rf "$C"
cp -r "$CORPUS" "$C"
for script in "$C"/*.sh "$C"/*.py; do
	sed -i -e "1s|^#!/usr/bin/env bash\$|#!$bash_bin|" -e "1s|^#!/usr/bin/env python3\$|#!$python|" "$script"
	chmod 755 "$script"
done
"$MEDGUARD" sign "$C"/*.sh "$C"/*.py --key "$WORK/it-release.key" >/dev/null || echo "# behaviour: cannot sign the corpus"
for entry in "${BENIGN[@]}"; do
	name=${entry%%|*} signer=${entry##*|}
	[ "$signer" = backup ] && "$MEDGUARD" sign "$C/benign-$name.sh" --key "$WORK/backup.key" >/dev/null
done
"$MEDGUARD" sign "$C/damage.py" --key "$WORK/backup.key" >/dev/null
# scenario VAR=VALUE... SCRIPT ARGS...: SCRIPT as a trusted lineage of its
# own, with the MG_ variables given (the launcher's clean environment drops
# them; env, packaged, sets them again).
scenario=("$ADMIN" /usr/local/sbin/mg-trusted-exec "$env_bin")
# damage ARGS...: the damage meter, a backup-key job.
damage() { "$ADMIN" "$C/damage.py" "$@"; }
# as_it CMD...: CMD, a packaged tool, as a trusted lineage of its own.
as_it() { "$ADMIN" /usr/local/sbin/mg-trusted-exec "$@"; }

if ! "$MEDGUARD" policy check "$POLICY" >"$WORK/policy-check.out" 2>&1; then
	not_ok "behaviour: the default policy loads here: $(head -n 5 "$WORK/policy-check.out" | tr '\n' ' ')"
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
		rm) as_it rm -f -- "$from" ;;
		rmdir) as_it rmdir -- "$from" ;;
		cp) as_it cp -p -- "$from" "$to" ;;
		esac
	done <"$1"
}

# The module measures write entropy (the `entropy` signal) and verifies
# signatures in the kernel; on 6.1 its crypto dependencies are modules of
# their own.
modprobe -a ecc crypto-sha384 crypto-sha512 2>/dev/null
if [ -d /sys/module/medguard_kfuncs ] || insmod "$KMOD"; then
	module_loaded=1
else
	module_loaded=0
	not_ok "behaviour: medguard_kfuncs.ko loads into $KVER"
fi

step_start=$SECONDS
if ! start_medguard "$POLICY" --enforce; then
	not_ok "behaviour: medguard starts with the default policy"
	medguard_last_lines
	exit 0
fi
sleep 1
echo "# behaviour: medguard started in $(elapsed "$step_start") s; $("$MEDGUARD" status | grep '^entropy')"

# stop_seen SINCE ACTIONS: medguard has taken one of ACTIONS (a regex) against some lineage.
stop_seen() {
	tail -n +"$(($1 + 1))" "$EVENTS" | grep '"event":"behaviour"' | grep -qE "\"action\":\"($2)\""
}

# run_attack KIND NAME SCRIPT ACTIONS: the scenario as a lineage of its own
# in its own session, stopped GRACE seconds after medguard took one of
# ACTIONS, or after MAX_SECONDS. Sets $log, $since, $scratch, $timing.
run_attack() {
	local kind=$1 name=$2 script=$3 actions=$4 attacker stopped_at deadline t1 t2
	t1=$EPOCHREALTIME
	since=$(wc -l <"$EVENTS")
	scratch=$WORK/scratch-$kind-$name
	log=$WORK/$kind-$name.log
	rm -rf "$scratch"
	mkdir -p "$scratch"
	: >"$log"
	setsid "${scenario[@]}" MG_SCENARIO_LOG="$log" MG_SCENARIO_TMP="$scratch" MG_SIGNED_TOOL="$bin/cp-signed" \
		MG_ATTACK_MAX_SECONDS="$MAX_SECONDS" MG_ATTACK_MAX_FILES="$MAX_FILES" \
		"$script" "$records" >"$WORK/$kind-$name.out" 2>&1 &
	attacker=$!
	stopped_at=
	deadline=$((SECONDS + MAX_SECONDS + 20))
	# (stderr away: bash says "Killed" for an attack medguard killed)
	{
		while kill -0 "$attacker" && [ "$SECONDS" -lt "$deadline" ]; do
			if [ -z "$stopped_at" ] && stop_seen "$since" "$actions"; then
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
	timing=$(echo "$t1 $t2" | awk '{ printf "%.1f s", $2 - $1 }')
}

# ---- ransomware: each from the pristine tree -------------------------------

LOSSES=()
for entry in "${ATTACKS[@]}"; do
	name=${entry%%|*} what=${entry#*|}
	step_start=$SECONDS
	run_attack attack "$name" "$C/attack-$name.sh" "deny-writes|kill|freeze"
	# Counts the damage, then puts the tree back for the next attack.
	result=$(damage measure "$records" "$manifest" --log "$log" --events "$EVENTS" \
		--since "$since" --plan "$pristine" "$WORK/plan-$name" 2>"$WORK/damage-$name.err")
	if [ -z "$result" ]; then
		not_ok "behaviour: the damage meter measures attack $what ($(tail -n 2 "$WORK/damage-$name.err" | tr '\n' ' '))"
		continue
	fi
	run_plan "$WORK/plan-$name"
	restored=$(damage refresh "$records" "$manifest")
	[ "$restored" = restored=ok ] || not_ok "behaviour: the tree is put back after attack $what ($restored)"
	lost=$(value lost "$result") stop=$(value stop "$result") action=$(value action "$result")
	signal=$(value signal "$result") score=$(value score "$result") denials=$(value denials "$result")
	echo "# behaviour: attack $name: $result"
	echo "# behaviour:   $(grep -E '^(targets|done)' "$log" | tr '\n' ' ')$(elapsed "$step_start") s: attack $timing"
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
	table "attack $what" "$lost" - "$time_text" "$verdict"
done

# ---- exfiltration: copies of the tree out of it ----------------------------

for entry in "${EXFILS[@]}"; do
	name=${entry%%|*} what=${entry#*|}
	step_start=$SECONDS
	run_attack exfil "$name" "$C/exfil-$name.$([ "$name" = python ] && echo py || echo sh)" "deny-reads"
	result=$(python3 "$CORPUS/damage.py" exfil "$scratch/out" "$manifest" --log "$log" --events "$EVENTS" --since "$since")
	rm -rf "$scratch"
	taken=$(value exfiltrated "$result") stop=$(value stop "$result")
	echo "# behaviour: exfiltration $name: $result ($(elapsed "$step_start") s: copy $timing)"
	if [ "$stop" != none ] && [ "$taken" -le "$GOAL_EXFIL" ]; then
		ok "behaviour: exfiltration $what stopped after $taken records, $stop s"
		table "exfiltration $what" - "$taken" "$stop s" "stopped: deny-reads"
	elif [ "$stop" != none ]; then
		not_ok "behaviour: exfiltration $what stopped only after $taken records (goal <= $GOAL_EXFIL)"
		table "exfiltration $what" - "$taken" "$stop s" "stopped: deny-reads, too late"
	else
		not_ok "behaviour: exfiltration $what was not stopped: $taken records copied"
		table "exfiltration $what" - "$taken" - "NOT STOPPED"
	fi
done

# ---- daily jobs: each its own lineage --------------------------------------

rm -rf "$backup"
mkdir -p "$backup"
benign_line=$(wc -l <"$EVENTS")
for entry in "${BENIGN[@]}"; do
	name=${entry%%|*} rest=${entry#*|}
	what=${rest%|*}
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
		table "benign $what" - - - "ok: 0 denials, 0 alerts"
	else
		not_ok "behaviour: benign $what: $denials denials, $alerts alerts, exit $status (${took} s)"
		table "benign $what" - - - "FALSE POSITIVE: $denials denials, $alerts alerts, exit $status"
		grep -E '"event":"(behaviour|access)"' "$WORK/benign-$name.events" | head -n 3 | cut -c 1-400 |
			sed 's/^/# behaviour:   /'
		tail -n 8 "$WORK/benign-$name.out" | sed 's/^/# behaviour:   output: /'
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

echo "# behaviour| kernel $kver, $(nproc) CPUs, policies/default.policy, records: $nfiles files; whole test $(elapsed "$test_start") s"
echo "# behaviour| $(printf '%-48s | %10s | %12s | %12s | %s' scenario "files lost" "records read" "time to stop" verdict)"
for row in "${SUMMARY[@]}"; do
	echo "# behaviour| $row"
done
rm -rf "$records" "$pristine" "$incoming"
rm -f "$ADMIN" /usr/local/sbin/mg-trusted-exec /etc/medguard/keys/it-release.pem /etc/medguard/keys/backup.pem
