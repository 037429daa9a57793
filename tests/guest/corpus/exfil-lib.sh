# Sourced by every exfil-NAME.sh DIR: a copy of the records out of the tree,
# into $MG_SCENARIO_TMP/out (outside the tree), where damage.py counts what
# arrived. Before the first read it writes `first-destructive EPOCH` to
# $MG_SCENARIO_LOG, at the end `done seconds=N`. Refused reads do not stop
# it: a thief takes what it can.
DIR=${1:?usage: exfil-NAME.sh DIR}
LOG=${MG_SCENARIO_LOG:-/dev/null}
OUT=${MG_SCENARIO_TMP:-/tmp}/out
SECONDS=0
mkdir -p "$OUT"
echo "first-destructive $EPOCHREALTIME" >>"$LOG"
finish() {
	echo "done seconds=$SECONDS" >>"$LOG"
}
trap finish EXIT
