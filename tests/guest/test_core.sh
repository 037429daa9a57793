#!/usr/bin/env bash
# The first end-to-end path: the enforcement core loads, an unsigned process
# is refused open() of a protected file with EPERM while a signed one, started
# as a trusted lineage by the launcher, is let through, and the module's
# kfuncs answer from an LSM program.
. "$(dirname "$0")/lib.sh"

records=/srv/core-records
mkdir -p "$records"
echo "patient 1" >"$records/patient-1.txt"
new_key core
fresh_try "$WORK/unsigned"
fresh_try "$WORK/signed"
check "core: medguard sign writes security.ima" "$MEDGUARD" sign "$WORK/signed" --key "$WORK/core.key"

cat >"$WORK/core.policy" <<POLICY
mode enforce;
include "$LAUNCHER_POLICY";
key core "$WORK/core.pub";
program tester exe "$WORK/signed";
records core "$records";
on core {
    allow signed read write;
    deny unsigned all;
}
POLICY

if start_medguard "$WORK/core.policy"; then
	ok "core: medguard run loads the BPF-LSM programs and the policy"
	expect "core: unsigned process is denied open() with EPERM" 1 "$WORK/unsigned" read "$records/patient-1.txt"
	expect "core: signed process (a trusted lineage, through the launcher) may open() the same file" 0 \
		"$LAUNCH" "$WORK/signed" read "$records/patient-1.txt"
	expect "core: the same signed program started by the (untrusted) test shell is denied" 1 \
		"$WORK/signed" read "$records/patient-1.txt"
	expect "core: a file outside the records is not affected" 0 "$WORK/unsigned" read /etc/hostname
	if wait_event '"verdict":"denied"' "\"path\":\"$records/patient-1.txt\"" '"records":"core"'; then
		ok "core: the denial is reported as a JSON event with path and records name"
	else
		not_ok "core: no denial event for $records/patient-1.txt: $(head -c 600 "$EVENTS")"
	fi
	check "core: medguard status reports the running daemon" sh -c "'$MEDGUARD' status | grep -q '^mode enforce'"
	stop_medguard
	expect "core: after a clean stop nothing is enforced" 0 "$WORK/unsigned" read "$records/patient-1.txt"
	check "core: a clean stop removes the pins" test ! -e /sys/fs/bpf/medguard
else
	not_ok "core: medguard run loads the BPF-LSM programs and the policy"
fi

# The module: loads, its kfuncs answer from an LSM program, unloads. On 6.1
# it needs the ECC library and SHA-384/512 loaded first (kmod/README).
modprobe -a ecc crypto-sha384 crypto-sha512 2>/dev/null
if [ ! -f "$KMOD" ]; then
	not_ok "core: module built for $KVER ($KMOD missing)"
elif insmod "$KMOD"; then
	ok "core: medguard_kfuncs.ko loads into $KVER"
	probe=$("$MEDGUARD" probe 2>&1)
	if echo "$probe" | grep -Eq '^kfuncs abi ([0-9]+) \(medguard expects \1\)'; then
		ok "core: kfunc medguard_kfunc_abi_version() returns the version medguard expects, from an LSM program"
	else
		not_ok "core: kfunc abi version from an LSM program: $probe"
	fi
	if echo "$probe" | grep -q '^entropy-uniform 8000$' && echo "$probe" | grep -q '^entropy-constant 0$'; then
		ok "core: kfunc medguard_kfunc_entropy() measures 8000 and 0 millibits"
	else
		not_ok "core: kfunc entropy values: $probe"
	fi
	check "core: medguard_kfuncs.ko unloads" unload_module medguard_kfuncs
else
	not_ok "core: medguard_kfuncs.ko loads into $KVER"
fi
