#!/usr/bin/env bash
# Issue 3: trust only goes down during a task's life. LD_PRELOAD of an
# unsigned library, `ld.so ./binary`, an unsigned #! script and an
# interpreter named in policy all leave the task untrusted. Each case runs
# inside a trusted lineage (lib.sh's `trusted`), so that what takes trust
# away is the case itself, not the untrusted test shell.
. "$(dirname "$0")/lib.sh"

records=/srv/taint-records
bin=$WORK/bin
mkdir -p "$records" "$bin"
echo "chart" >"$records/a.txt"
ld_so=$(readlink -f /lib64/ld-linux-x86-64.so.2)
libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
dash_bin=$(readlink -f /bin/dash)
env_bin=$(readlink -f /usr/bin/env)
cp "$REPO/build/guest/mg_try_dynamic" "$bin/trusted-dynamic"
cp "$REPO/build/guest/mg_try_dynamic" "$bin/unsigned-dynamic"
cp "$REPO/build/guest/libmg_preload.so" "$bin/libevil.so"
printf '#!%s\nread line < %s && echo "$line"\n' "$dash_bin" "$records/a.txt" >"$bin/script.sh"
chmod 755 "$bin"/*
# env (trusted) sets LD_PRELOAD inside the trusted lineage: the launcher's
# clean environment drops it.
sha256sum "$ld_so" "$libc" "$dash_bin" "$env_bin" "$bin/trusted-dynamic" >"$WORK/allowlist.sha256"

write_policy() {
	cat >"$WORK/taint.policy" <<POLICY
mode enforce;
include "$LAUNCHER_POLICY";
allowlist "$WORK/allowlist.sha256";
$1
records taint "$records";
on taint {
    allow signed read;
    deny unsigned all;
}
POLICY
}

write_policy ""
if ! start_medguard "$WORK/taint.policy"; then
	not_ok "taint: medguard starts with an allowlist policy"
	exit 0
fi
expect "taint: an allowlisted dynamic binary with allowlisted ld.so and libc is trusted" 0 \
	trusted "$bin/trusted-dynamic" read "$records/a.txt"
expect "taint: the same binary started by the untrusted test shell is denied" 1 "$bin/trusted-dynamic" read "$records/a.txt"
expect "taint: a trusted env starting it keeps it trusted" 0 trusted "$env_bin" "$bin/trusted-dynamic" read "$records/a.txt"
expect "taint: LD_PRELOAD of an unsigned library taints a trusted process" 1 \
	trusted "$env_bin" LD_PRELOAD="$bin/libevil.so" "$bin/trusted-dynamic" read "$records/a.txt"
if wait_event '"event":"taint"' '"label":"tainted"'; then
	ok "taint: the taint is reported as an event"
else
	not_ok "taint: no taint event: $(grep -v trust-miss "$EVENTS" | head -c 400)"
fi
expect "taint: ld.so running a trusted binary stays trusted" 0 trusted "$ld_so" "$bin/trusted-dynamic" read "$records/a.txt"
expect "taint: ld.so running an unsigned binary is denied" 1 trusted "$ld_so" "$bin/unsigned-dynamic" read "$records/a.txt"
expect_denied "taint: an unsigned #! script run by a trusted shell is denied" trusted "$bin/script.sh"
expect "taint: the trusted shell on its own may read" 0 trusted "$dash_bin" -c "read line < $records/a.txt"
stop_medguard

write_policy "interpreter shell exe \"$dash_bin\";"
if start_medguard "$WORK/taint.policy"; then
	expect_denied "taint: a shell named as interpreter in policy is not trusted" trusted "$dash_bin" -c "read line < $records/a.txt"
	stop_medguard
else
	not_ok "taint: medguard starts with an interpreter in policy"
fi
