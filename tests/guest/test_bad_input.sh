#!/usr/bin/env bash
# Issue 3, bad input: an unreadable key, a corrupt signature, a protected
# path that does not exist or a policy that is not one is reported in one
# line, nothing is half loaded, and nothing crashes.
. "$(dirname "$0")/lib.sh"

records=/srv/bad-records
mkdir -p "$records"
echo "chart" >"$records/a.txt"
new_key bad

# refused NAME POLICY_TEXT PATTERN [MAX_LINES]: medguard run refuses it with a
# message matching PATTERN, in at most MAX_LINES lines (3: one for the problem,
# one to say nothing was loaded, one spare).
refused() {
	local name=$1 text=$2 pattern=$3 max_lines=${4:-3} status lines
	printf '%s\n' "$text" >"$WORK/bad.policy"
	timeout 60 "$MEDGUARD" run --policy "$WORK/bad.policy" --output "$WORK/bad.events" 2>"$WORK/bad.err" &
	wait $!
	status=$?
	# (the daemon's "medguard: starting: ..." progress lines, after the
	# policy compiled, are not error output)
	lines=$(grep -vc '^medguard: starting: ' "$WORK/bad.err")
	if [ "$status" -ne 0 ] && [ "$status" -lt 124 ] && grep -qE "$pattern" "$WORK/bad.err" && [ "$lines" -le "$max_lines" ] &&
		[ ! -e /sys/fs/bpf/medguard ]; then
		ok "bad input: $name is refused in $lines line(s), nothing loaded"
	else
		not_ok "bad input: $name (exit $status, $lines lines: $(head -c 300 "$WORK/bad.err" | tr '\n' ' '))"
	fi
}

head -c 300 /dev/urandom >"$WORK/garbage.pem"
refused "a key file that is not a key" "mode enforce;
key k \"$WORK/garbage.pem\";
records r \"$records\";
on r { deny unsigned all; }" "garbage.pem"
refused "a key file that cannot be read" "mode enforce;
key k \"$WORK/no-such-key.pem\";
records r \"$records\";
on r { deny unsigned all; }" "no-such-key.pem"
refused "a records path that does not exist" "mode enforce;
records r \"/srv/no-such-records\";
on r { deny unsigned all; }" "/srv/no-such-records"
refused "a policy with a syntax error" "mode enforce;
records r \"$records\"
on r { deny unsigned all; }" "bad.policy:[0-9]+:[0-9]+: error"
# A compiler reports every problem it finds, up to its cap of 100 diagnostics.
head -c 4096 /dev/urandom >"$WORK/random.bin"
refused "random bytes as a policy" "$(tr -d '\0' <"$WORK/random.bin")" "bad.policy:[0-9]+:[0-9]+: error" 102

: >"$WORK/empty.policy"
if start_medguard "$WORK/empty.policy"; then
	check "bad input: an empty policy runs, with a warning that it protects nothing" \
		grep -q "protects nothing" "$WORK/medguard.err"
	stop_medguard
else
	not_ok "bad input: an empty policy neither crashes nor hangs medguard"
fi

# A corrupt signature is untrusted, never a crash.
fresh_try "$WORK/corrupt"
"$MEDGUARD" sign "$WORK/corrupt" --key "$WORK/bad.key" >/dev/null
setfattr -n security.ima -v 0x030204deadbeef0010ffffffffffffffffffffffffffffffffff "$WORK/corrupt"
cat >"$WORK/good.policy" <<POLICY
mode enforce;
include "$LAUNCHER_POLICY";
key k "$WORK/bad.pub";
program corrupt exe "$WORK/corrupt";
records r "$records";
on r { allow signed read; deny unsigned all; }
POLICY
if start_medguard "$WORK/good.policy"; then
	# through the launcher, which starts a validly signed program trusted
	expect "bad input: a program with a corrupt signature is untrusted" 1 "$LAUNCH" "$WORK/corrupt" read "$records/a.txt"
	check "bad input: its launch is refused, as an event" wait_event '"event":"launch"' '"verdict":"denied"' "$WORK/corrupt"
	check "bad input: the daemon survives a corrupt signature" kill -0 "$MEDGUARD_PID"
	stop_medguard
else
	not_ok "bad input: medguard starts with a corrupt signature on a program"
fi
verify=$("$MEDGUARD" verify "$WORK/corrupt" --key "$WORK/bad.pub" 2>&1)
if [ $? -ne 0 ] && [ "$(echo "$verify" | wc -l)" -le 2 ]; then
	ok "bad input: medguard verify reports the corrupt signature in one line"
else
	not_ok "bad input: medguard verify on a corrupt signature: $verify"
fi
