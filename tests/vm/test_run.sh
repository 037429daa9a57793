#!/usr/bin/env bash
# The guest runner's own tests, as TAP: a KVM that opens but cannot run a
# guest, the one retry of a boot that fails before the command starts, no
# retry for a kernel failure while the command runs, /srv on a fresh ext4
# disk that is gone once the runner exits, a command that is not
# chrooted, so that it may make user namespaces, and the systemd guest
# (--systemd). Real boots of the 6.1 guest under TCG, with a QEMU wrapper
# where a fault must be faked.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
real_qemu=$(command -v qemu-system-x86_64)
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

# runner NAME ENV... -- [--RUNNER-OPTION...] COMMAND...: runs the guest
# runner; output in $work/NAME.out, status in $status.
runner() {
	local name=$1
	shift
	local env=() options=()
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	while [ "${1#--}" != "$1" ]; do options+=("$1"); shift; done
	env MEDGUARD_VM_RUNNER=builtin "${env[@]}" tests/vm/run "${options[@]}" --kernel 6.1 --mem 512M --timeout 600 -- "$@" \
		>"$work/$name.out" 2>&1
	status=$?
}

# A writable file where the KVM device would be, and a QEMU that aborts
# under KVM as a nested host without the needed MSRs does.
: >"$work/kvm"
cat >"$work/qemu-broken-kvm" <<WRAPPER
#!/bin/sh
case " \$* " in
*" -accel kvm "*)
	echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0" >&2
	echo "qemu-system-x86_64: ../target/i386/kvm/kvm.c:3259: kvm_buf_set_msrs: Assertion failed." >&2
	kill -ABRT \$\$ ;;
esac
exec "$real_qemu" "\$@"
WRAPPER
# A QEMU whose first guest dies in early boot, as about one TCG boot in twenty does.
cat >"$work/qemu-early-oops" <<WRAPPER
#!/bin/sh
if [ ! -e "$work/early-oops-done" ]; then
	: >"$work/early-oops-done"
	echo "int3: 0000 [#1] PREEMPT SMP NOPTI"
	echo "RIP: 0010:sched_clock_cpu+0x10/0x1b0"
	echo "Kernel panic - not syncing: Fatal exception"
	exit 0
fi
exec "$real_qemu" "\$@"
WRAPPER
# A QEMU that records whether it was asked for KVM.
cat >"$work/qemu-logging" <<WRAPPER
#!/bin/sh
echo "\$*" >>"$work/qemu-calls"
exec "$real_qemu" "\$@"
WRAPPER
chmod 755 "$work"/qemu-*

runner broken-kvm MEDGUARD_VM_QEMU="$work/qemu-broken-kvm" MEDGUARD_VM_KVM_DEVICE="$work/kvm" -- true
if [ "$status" -eq 0 ] && grep -q 'falling back to TCG' "$work/broken-kvm.out" &&
	grep -q 'failed to set MSR' "$work/broken-kvm.out"; then
	ok "a KVM that aborts QEMU: the runner says why and runs the guest under TCG"
else
	not_ok "a KVM that aborts QEMU (exit $status: $(tail -n 3 "$work/broken-kvm.out" | tr '\n' ' '))"
fi

runner override MEDGUARD_VM_QEMU="$work/qemu-logging" MEDGUARD_VM_KVM_DEVICE="$work/kvm" MEDGUARD_VM_ACCEL=tcg -- \
	sh -c 'exit 3'
if [ "$status" -eq 3 ] && ! grep -q -- '-accel kvm' "$work/qemu-calls"; then
	ok "MEDGUARD_VM_ACCEL=tcg: KVM is not tried, and the command's exit status comes back"
else
	not_ok "MEDGUARD_VM_ACCEL=tcg (exit $status, qemu calls: $(grep -c -- '-accel kvm' "$work/qemu-calls"))"
fi

rm -f build/vm/failed-boot-*-$$.log
runner early-oops MEDGUARD_VM_QEMU="$work/qemu-early-oops" MEDGUARD_VM_ACCEL=tcg -- true
kept=$(grep -o 'console log: [^)]*' "$work/early-oops.out" | cut -d' ' -f3)
if [ "$status" -eq 0 ] && grep -q 'failed before the command started' "$work/early-oops.out" &&
	[ -n "$kept" ] && grep -q sched_clock_cpu "$kept"; then
	ok "a guest that oopses before the command starts is booted once more; the first console log is kept"
else
	not_ok "early-boot oops retried (exit $status: $(tail -n 3 "$work/early-oops.out" | tr '\n' ' '))"
fi
[ -n "$kept" ] && rm -f "$kept"

runner late-oops MEDGUARD_VM_ACCEL=tcg -- sh -c 'echo "<2>Oops: medguard runner test, a failure while the command runs" >/dev/kmsg; sleep 1'
if [ "$status" -eq 125 ] && grep -q 'FAIL: guest kernel .* oopsed' "$work/late-oops.out" &&
	! grep -q 'booting it once more' "$work/late-oops.out"; then
	ok "a kernel failure while the command runs fails the run and is not retried"
else
	not_ok "late oops not retried (exit $status: $(tail -n 3 "$work/late-oops.out" | tr '\n' ' '))"
fi
runner srv-disk MEDGUARD_VM_QEMU="$work/qemu-logging" MEDGUARD_VM_ACCEL=tcg -- \
	sh -c 'findmnt -n -o FSTYPE,SOURCE /srv && [ "$(ls -A /srv)" = lost+found ]'
disk=$(tail -n 1 "$work/qemu-calls" | grep -o 'file=[^,]*' | cut -d= -f2)
if [ "$status" -eq 0 ] && grep -qE '^ext4 +/dev/vda$' "$work/srv-disk.out" &&
	[ -n "$disk" ] && [ ! -e "$disk" ]; then
	ok "/srv is an empty ext4 disk on /dev/vda, and its image is removed when the runner exits"
else
	not_ok "/srv on ext4 (exit $status, image '$disk': $(tail -n 3 "$work/srv-disk.out" | tr '\n' ' '))"
fi
# The kernel refuses a user namespace to a chrooted process, even root's.
runner userns MEDGUARD_VM_ACCEL=tcg -- \
	sh -c 'setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur id -u'
if [ "$status" -eq 0 ] && grep -qx 0 "$work/userns.out"; then
	ok "the command is not chrooted: an unprivileged user makes a user namespace and is root in it"
else
	not_ok "user namespaces in the guest (exit $status: $(tail -n 3 "$work/userns.out" | tr '\n' ' '))"
fi
# The systemd guest: systemd is PID 1, the command's output streams, its
# exit status comes back, and the guest's journal is kept on the host and
# shown when the command fails.
runner systemd MEDGUARD_VM_ACCEL=tcg -- --systemd \
	sh -c 'echo "pid1=$(cat /proc/1/comm)"; logger -t medguard-runner-test "journal line $$"; journalctl --sync; exit 3'
journal=$(grep -o "the guest's journal: [^;]*" "$work/systemd.out" | cut -d' ' -f4)
if [ "$status" -eq 3 ] && grep -qx pid1=systemd "$work/systemd.out" && [ -n "$journal" ] &&
	grep -q 'medguard-runner-test.*journal line' "$journal"; then
	ok "--systemd: systemd is PID 1, the command's exit status comes back, and its journal is kept and shown"
else
	not_ok "--systemd (exit $status, journal '$journal': $(tail -n 3 "$work/systemd.out" | tr '\n' ' '))"
fi
echo "1..$n"
