# Sourced by the guest tests: TAP output, medguard start/stop, keys and signing.
# Every test runs as root inside a guest kernel booted by tests/vm/run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MEDGUARD=$REPO/build/medguard
MG_TRY_BUILT=$REPO/build/guest/mg_try
KVER=$(uname -r)
KMOD=$REPO/build/kmod/$KVER/medguard_kfuncs.ko
WORK=$(mktemp -d /tmp/medguard-test.XXXXXX)
EVENTS=$WORK/events.jsonl
MEDGUARD_PID=

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
skip() { echo "ok - $1 # SKIP $2"; }

# expect NAME WANT COMMAND...: COMMAND exits with WANT (0 done, 1 EPERM, 2 other).
expect() {
	local name=$1 want=$2 output status
	shift 2
	output=$("$@" 2>&1)
	status=$?
	if [ "$status" -eq "$want" ]; then
		ok "$name"
	else
		not_ok "$name (exit $status, wanted $want: $(echo "$output" | tail -n 2 | tr '\n' ' '))"
	fi
}

# expect_denied NAME COMMAND...: COMMAND fails because the kernel said EPERM
# (for programs, like shells, whose exit status does not say why).
expect_denied() {
	local name=$1 output status
	shift
	output=$("$@" 2>&1)
	status=$?
	if [ "$status" -ne 0 ] && echo "$output" | grep -qE 'EPERM|Operation not permitted'; then
		ok "$name"
	else
		not_ok "$name (exit $status: $(echo "$output" | tail -n 2 | tr '\n' ' '))"
	fi
}

# check NAME COMMAND...: COMMAND succeeds.
check() {
	local name=$1 output
	shift
	if output=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name ($(echo "$output" | tail -n 3 | tr '\n' ' '))"
	fi
}

# wait_until TENTHS COMMAND...: runs COMMAND every tenth of a second until
# it succeeds, at most TENTHS times.
wait_until() {
	local tries=$1 i
	shift
	for i in $(seq 1 "$tries"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# unload_module NAME: rmmod NAME, waiting up to 10 s for the BPF programs that
# called its kfuncs to be freed: the kernel frees them after an RCU grace
# period, and until then they hold a reference on the module.
unload_module() {
	wait_until 100 rmmod "$1" 2>/dev/null || rmmod "$1"
}

medguard_started() { grep -q '"event":"started"' "$EVENTS" 2>/dev/null; }

# What the starting daemon has said so far: it writes a line per phase.
medguard_progress() { cat "$WORK/medguard.err" "$EVENTS" 2>/dev/null | wc -c; }

# wait_daemon COMMAND...: runs COMMAND every tenth of a second until it
# succeeds. Gives up when the daemon has gone, or has said nothing new for
# MEDGUARD_STALL_SECONDS (600): under emulation, with two guests on two
# cores, a start or a reload can take minutes, and its lines say it moves;
# BPF verification says nothing until it is done, and on a loaded host it
# was seen to take more than 300 s.
wait_daemon() {
	local said last_change=$SECONDS progress stall=${MEDGUARD_STALL_SECONDS:-600}
	said=$(medguard_progress)
	until "$@"; do
		kill -0 "$MEDGUARD_PID" 2>/dev/null || return 1
		progress=$(medguard_progress)
		if [ "$progress" != "$said" ]; then
			said=$progress
			last_change=$SECONDS
		elif [ $((SECONDS - last_change)) -ge "$stall" ]; then
			echo "# medguard said nothing new for $stall s"
			return 1
		fi
		sleep 0.1
	done
}

# The daemon's last lines, as TAP comments.
medguard_last_lines() {
	grep -v '^[0-9]*: ' "$WORK/medguard.err" | tail -n 8 | sed 's/^/#   /'
}

# start_medguard POLICY [ARGS...]: runs the daemon and waits until it enforces.
start_medguard() {
	local policy=$1
	shift
	: >"$EVENTS"
	"$MEDGUARD" run --policy "$policy" --output "$EVENTS" "$@" 2>"$WORK/medguard.err" &
	MEDGUARD_PID=$!
	wait_daemon medguard_started && return 0
	echo "# medguard did not start; its last lines:"
	medguard_last_lines
	stop_medguard
	return 1
}

# stop_medguard: `medguard stop`, signed with each test key in turn, and
# those in MEDGUARD_STOP_KEYS (a policy that names keys stops only for one
# of them; one without stops on SIGTERM). A daemon that does not stop
# within 60 s is left, said so.
stop_medguard() {
	[ -n "$MEDGUARD_PID" ] || return 0
	local key
	for key in "$WORK"/launch/launcher.key "$WORK"/*.key ${MEDGUARD_STOP_KEYS:-}; do
		[ -f "$key" ] || continue
		kill -0 "$MEDGUARD_PID" 2>/dev/null || break
		"$MEDGUARD" stop --key "$key" --timeout 60 >/dev/null 2>&1 && break
	done
	kill -TERM "$MEDGUARD_PID" 2>/dev/null
	if wait_until 600 sh -c "! kill -0 $MEDGUARD_PID 2>/dev/null || grep -q '^State:.*Z' /proc/$MEDGUARD_PID/status"; then
		wait "$MEDGUARD_PID" 2>/dev/null
	else
		echo "# medguard (pid $MEDGUARD_PID) did not stop"
	fi
	MEDGUARD_PID=
}

# unlock_medguard: a signed unlock, so that the test may change the running
# policy's files (the next reload locks them again).
unlock_medguard() {
	[ -n "$MEDGUARD_PID" ] || return 0
	local key
	for key in "$WORK"/launch/launcher.key "$WORK"/*.key ${MEDGUARD_STOP_KEYS:-}; do
		[ -f "$key" ] || continue
		"$MEDGUARD" unlock --key "$key" --timeout 60 >/dev/null 2>&1 && return 0
	done
	echo "# medguard (pid $MEDGUARD_PID) refused every unlock"
	return 1
}

# event_logged PATTERN...: one event line has every PATTERN.
event_logged() {
	local line pattern
	line=$(cat "$EVENTS")
	for pattern in "$@"; do
		line=$(echo "$line" | grep -F -- "$pattern")
	done
	[ -n "$line" ]
}

# wait_event PATTERN...: waits up to 60 s for an event line with every PATTERN
# (with two guests on two emulated cores the daemon may be a while reading).
wait_event() {
	wait_until 600 event_logged "$@"
}

# event_count WHAT: how many "WHAT" events the daemon has written.
event_count() {
	grep -c "\"event\":\"$1\"" "$EVENTS"
}

# events_beyond WHAT N: more than N "WHAT" events.
events_beyond() {
	[ "$(event_count "$1")" -gt "$2" ]
}

# new_key NAME [rsa|ec]: a private and a public key in $WORK.
new_key() {
	local name=$1 type=${2:-ec}
	if [ "$type" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$name.key" 2>/dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/$name.key" 2>/dev/null
	fi
	openssl pkey -in "$WORK/$name.key" -pubout -out "$WORK/$name.pub" 2>/dev/null
}

# Trust follows provenance: this shell (and everything it starts) is an
# untrusted lineage. What a test runs as a trusted program goes through the
# launcher: `trusted CMD...` starts CMD as a new trusted lineage. The
# launcher passes trust only to a program signed with a policy key, so it
# starts TRUSTED_EXEC, a signed job (build/guest/mg_run_job) that runs CMD:
# CMD is trusted if something vouches for its file (a signature, the
# allowlist, a package). A copy of the launcher would not do: a launcher is
# known by its content, and no launcher starts another. A test policy that
# runs anything trusted includes "$LAUNCHER_POLICY".
LAUNCH=$WORK/launch/medguard-exec
TRUSTED_EXEC=$WORK/launch/trusted-exec
RUN_JOB_BUILT=$REPO/build/guest/mg_run_job
LAUNCHER_POLICY=$WORK/launch/launcher.policy
setup_launcher() {
	mkdir -p "$WORK/launch"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/launch/launcher.key" 2>/dev/null
	openssl pkey -in "$WORK/launch/launcher.key" -pubout -out "$WORK/launch/launcher.pub" 2>/dev/null
	cp "$REPO/build/medguard-exec" "$LAUNCH"
	cp "$RUN_JOB_BUILT" "$TRUSTED_EXEC"
	"$MEDGUARD" sign "$LAUNCH" --key "$WORK/launch/launcher.key" >/dev/null
	"$MEDGUARD" sign "$TRUSTED_EXEC" --key "$WORK/launch/launcher.key" >/dev/null
	cat >"$LAUNCHER_POLICY" <<POLICY
key test-launcher "$WORK/launch/launcher.pub";
launcher test-launcher exe "$LAUNCH" signed-by test-launcher;
program test-trusted-exec exe "$TRUSTED_EXEC" signed-by test-launcher;
POLICY
}
setup_launcher

# trusted CMD...: CMD as a trusted lineage (a clean environment, no descriptor beyond 0-2).
trusted() {
	"$LAUNCH" "$TRUSTED_EXEC" "$@"
}

# A fresh copy of mg_try, unsigned, at $1.
fresh_try() {
	cp "$MG_TRY_BUILT" "$1"
	chmod 755 "$1"
}

cleanup() {
	stop_medguard
	rm -rf "$WORK"
}
trap cleanup EXIT
