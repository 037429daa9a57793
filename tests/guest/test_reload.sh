#!/usr/bin/env bash
# Issue 4: a reload is one atomic switch. Under a stream of operations no
# unsigned access slips through while generations switch, a broken policy
# leaves the running one in force, and a good one takes effect at once.
. "$(dirname "$0")/lib.sh"

records=/srv/reload-records
second=/srv/reload-second
bin=$WORK/bin
mkdir -p "$records" "$second" "$bin"
echo "chart" >"$records/a.txt"
echo "chart" >"$second/b.txt"
new_key reload
fresh_try "$bin/unsigned"
fresh_try "$bin/signed"
"$MEDGUARD" sign "$bin/signed" --key "$WORK/reload.key" >/dev/null
U=$bin/unsigned
# The signed reader runs as a trusted lineage, started by the launcher (lib.sh).
S_FILE=$bin/signed
S=signed_try
signed_try() { "$LAUNCH" "$S_FILE" "$@"; }
policy=$WORK/live.policy

# write_policy EXTRA_TREE UNSIGNED_VERDICT: the live policy file, two shapes
# of it; while medguard runs, after a signed unlock (a reload locks it again).
write_policy() {
	unlock_medguard
	cat >"$policy.tmp" <<POLICY
mode enforce;
include "$LAUNCHER_POLICY";
key reload "$WORK/reload.pub";
trust scan "$bin";
records charts "$records";
$1
on charts {
    allow signed read;
    $2 unsigned read;
    deny unsigned all;
}
POLICY
	mv "$policy.tmp" "$policy"
}

# reload_and_wait WHAT: SIGHUP, then wait for the daemon to say WHAT (reloaded or reload-refused).
reload_and_wait() {
	local before
	before=$(event_count "$1")
	kill -HUP "$MEDGUARD_PID"
	wait_daemon events_beyond "$1" "$before" || medguard_last_lines
}

write_policy "" deny
if ! start_medguard "$policy"; then
	not_ok "reload: medguard starts"
	exit 0
fi

# A stream of reads by both processes while the policy switches back and forth.
(
	for _ in $(seq 1 100); do
		"$U" read "$records/a.txt" >/dev/null 2>&1
		echo "u $?"
		"$S" read "$records/a.txt" >/dev/null 2>&1
		echo "s $?"
	done
) >"$WORK/stream" &
stream=$!
switches=0
while kill -0 "$stream" 2>/dev/null; do
	if [ $((switches % 2)) -eq 0 ]; then
		write_policy "records extra \"$second\";" deny
	else
		write_policy "" deny
	fi
	reload_and_wait reloaded && switches=$((switches + 1))
done
wait "$stream"
unsigned_allowed=$(grep -c '^u 0$' "$WORK/stream")
unsigned_denied=$(grep -c '^u 1$' "$WORK/stream")
signed_allowed=$(grep -c '^s 0$' "$WORK/stream")
if [ "$switches" -ge 2 ] && [ "$unsigned_allowed" -eq 0 ] && [ "$unsigned_denied" -eq 100 ]; then
	ok "reload: $switches switches under 100 unsigned reads, every one denied"
else
	not_ok "reload: $switches switches; unsigned reads denied $unsigned_denied, allowed $unsigned_allowed of 100"
fi
if [ "$signed_allowed" -eq 100 ]; then
	ok "reload: the signed reader was allowed all 100 times across the switches"
else
	not_ok "reload: the signed reader was allowed $signed_allowed of 100 times"
fi

expect_denied "reload: without an unlock root may not rewrite the running policy" \
	sh -c "echo 'mode audit;' >'$policy'"
expect_denied "reload: nor replace it by a rename" sh -c "echo 'mode audit;' >'$policy.tmp' && mv '$policy.tmp' '$policy'"
expect_denied "reload: nor change its key" sh -c ": >'$WORK/reload.pub'"
rm -f "$policy.tmp"
check "reload: the running policy is unchanged by those attempts" grep -q 'mode enforce;' "$policy"
unlock_medguard
echo "on charts { this is not a rule }" >>"$policy"
if reload_and_wait reload-refused; then
	ok "reload: a policy with errors is refused and said so"
else
	not_ok "reload: no reload-refused event for a broken policy"
fi
expect "reload: after a refused reload the running policy is still in force" 1 "$U" read "$records/a.txt"

write_policy "records missing \"/srv/does-not-exist\";" deny
if reload_and_wait reload-refused; then
	ok "reload: a policy naming a missing records path is refused"
else
	not_ok "reload: no reload-refused event for a missing path"
fi
expect "reload: the running policy still denies after that" 1 "$U" read "$records/a.txt"
expect "reload: medguard policy reload fails when the daemon refuses the policy (as systemctl reload must)" 1 \
	"$MEDGUARD" policy reload

expect_denied "reload: a reload locks the policy's files again" sh -c "echo '#' >>'$policy'"
write_policy "" allow
check "reload: medguard policy reload signals the daemon" "$MEDGUARD" policy reload
wait_daemon events_beyond reloaded "$switches" || medguard_last_lines
expect "reload: a new rule takes effect at once" 0 "$U" read "$records/a.txt"
expect "reload: rules the new policy keeps still hold" 1 "$U" write "$records/a.txt"
stop_medguard
