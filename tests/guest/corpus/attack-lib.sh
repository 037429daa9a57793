# Sourced by every attack-NAME.sh DIR. An attack lists the files under DIR as
# ransomware does (find, a trusted tool, walking the tree; hidden files are
# skipped, so that the canaries do not stop it before its behaviour does) and
# works through them until it has done MG_ATTACK_MAX_FILES files (500) or run
# MG_ATTACK_MAX_SECONDS (60). Just before its first destructive operation it
# writes `first-destructive EPOCH` to $MG_SCENARIO_LOG (outside the tree), and
# at the end `done attempted=N failed=M`. Refused operations do not stop it:
# ransomware carries on, and whatever still gets through is counted.
DIR=${1:?usage: attack-NAME.sh DIR}
LOG=${MG_SCENARIO_LOG:-/dev/null}
MAX_FILES=${MG_ATTACK_MAX_FILES:-500}
MAX_SECONDS=${MG_ATTACK_MAX_SECONDS:-60}
SCRATCH=${MG_SCENARIO_TMP:-/tmp}
SECONDS=0
attempted=0
failed=0
started=0

# SIZES[i] and FILES[i]: the targets, in the order find lists them.
FILES=()
SIZES=()
while IFS=$'\t' read -r size path; do
	SIZES+=("$size")
	FILES+=("$path")
done < <(find "$DIR" -type f ! -name '.*' -printf '%s\t%p\n' 2>/dev/null | head -n "$MAX_FILES")

echo "targets ${#FILES[@]} first=${FILES[0]:-none}" >>"$LOG"

destructive() {
	if [ "$started" = 0 ]; then
		echo "first-destructive $EPOCHREALTIME" >>"$LOG"
		started=1
	fi
}

time_left() {
	[ "$SECONDS" -lt "$MAX_SECONDS" ]
}

# attempt COMMAND...: runs one destructive step and counts its failure.
attempt() {
	destructive
	attempted=$((attempted + 1))
	"$@" >/dev/null 2>&1 || failed=$((failed + 1))
}

finish() {
	echo "done attempted=$attempted failed=$failed seconds=$SECONDS" >>"$LOG"
}
trap finish EXIT
