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

# unload_module NAME: rmmod NAME, waiting up to 10 s for the BPF programs that
# called its kfuncs to be freed: the kernel frees them after an RCU grace
# period, and until then they hold a reference on the module.
unload_module() {
	local name=$1 i
	for i in $(seq 1 100); do
		rmmod "$name" 2>/dev/null && return 0
		sleep 0.1
	done
	rmmod "$name"
}

# start_medguard POLICY [ARGS...]: runs the daemon and waits until it enforces.
start_medguard() {
	local policy=$1 i
	shift
	: >"$EVENTS"
	"$MEDGUARD" run --policy "$policy" --output "$EVENTS" "$@" 2>"$WORK/medguard.err" &
	MEDGUARD_PID=$!
	for i in $(seq 1 300); do
		grep -q '"event":"started"' "$EVENTS" 2>/dev/null && return 0
		kill -0 "$MEDGUARD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# medguard did not start: $(tail -n 5 "$WORK/medguard.err" | tr '\n' ' ')"
	MEDGUARD_PID=
	return 1
}

stop_medguard() {
	[ -n "$MEDGUARD_PID" ] || return 0
	kill -TERM "$MEDGUARD_PID" 2>/dev/null
	wait "$MEDGUARD_PID" 2>/dev/null
	MEDGUARD_PID=
}

# Waits until the daemon has written an event line matching every pattern.
wait_event() {
	local i pattern line
	for i in $(seq 1 50); do
		line=$(cat "$EVENTS")
		for pattern in "$@"; do
			line=$(echo "$line" | grep -F -- "$pattern")
		done
		[ -n "$line" ] && return 0
		sleep 0.1
	done
	return 1
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
