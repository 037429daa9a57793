#!/usr/bin/env bash
# The medguard_kfuncs module on the real kernel path: it loads and unloads
# cleanly, takes keys from root only, judges signed, unsigned, tampered,
# truncated, huge and wrong-key files as the userspace verifier does, puts
# trusted files into the trust map at exec, keeps verdicts until the file
# changes, tells random from text, refuses bad arguments, and never trusts a
# mutated signature. The driver is build/guest/mg_kfunc_test.
. "$(dirname "$0")/lib.sh"

DRIVER=$REPO/build/guest/mg_kfunc_test
SECURITYFS=/sys/kernel/security/medguard
FUZZ_SEED=${MEDGUARD_FUZZ_SEED:-20240601}
W=$WORK

# expect_line NAME OUTPUT REGEX: some line of OUTPUT matches REGEX.
expect_line() {
	local name=$1 output=$2 regex=$3
	if grep -qE -- "$regex" <<<"$output"; then
		ok "$name"
	else
		not_ok "$name (wanted /$regex/ in: $(head -n 4 <<<"$output" | tr '\n' ' '))"
	fi
}

# field STEP PATH KEY OUTPUT: the value of KEY= on the driver's line for STEP PATH.
field() {
	grep -E "^$1 $2 " <<<"$4" | head -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# The kernel's dev_t of the filesystem holding PATH (major << 20 | minor).
kernel_dev() {
	local dev
	dev=$(stat -c %d "$1")
	echo $(((((dev >> 8) & 0xfff) << 20) | (dev & 0xff) | ((dev >> 12) & 0xfff00)))
}

signed_copy() { # NAME KEY [sign options]: a fresh mg_try at $W/NAME, signed with KEY
	local name=$1 key=$2
	shift 2
	fresh_try "$W/$name"
	"$MEDGUARD" sign "$W/$name" --key "$W/$key.key" "$@" >/dev/null
}

if [ ! -f "$KMOD" ] || [ ! -x "$DRIVER" ]; then
	not_ok "kmod: module and driver built for $KVER ($KMOD, $DRIVER)"
	exit 0
fi
rmmod medguard_kfuncs 2>/dev/null
# On 6.1 the ECC library and SHA-384/512 are modules of their own.
modprobe -a ecc crypto-sha384 crypto-sha512 2>/dev/null
if ! insmod "$KMOD"; then
	not_ok "kmod: medguard_kfuncs.ko loads into $KVER"
	exit 0
fi
ok "kmod: medguard_kfuncs.ko loads into $KVER"

# ---- keys ------------------------------------------------------------------

check "kmod: securityfs keys and cache files are root's only (0600)" \
	test "$(stat -c %a "$SECURITYFS/keys") $(stat -c %a "$SECURITYFS/cache")" = "600 600"
expect "kmod: without CAP_SYS_ADMIN the keys file does not open" 1 \
	setpriv --bounding-set=-sys_admin -- cat "$SECURITYFS/keys"
expect "kmod: a write that is no key record is refused" 1 sh -c "printf garbage-garbage-garbage-garbage >'$SECURITYFS/keys'"

new_key ec ec
new_key rsa rsa
new_key other ec
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2560 -out "$W/rsa2560.key" 2>/dev/null
openssl pkey -in "$W/rsa2560.key" -pubout -out "$W/rsa2560.pub" 2>/dev/null

out=$("$DRIVER" keys "$W/ec.pub" "$W/rsa.pub" 2>&1)
expect_line "kmod: an EC P-256 and an RSA-2048 public key load as keys 1 and 2" "$out" "^keys: 2 loaded$"
fresh_try "$W/ec-signed"
fresh_try "$W/rsa-signed"
ec_keyid=$("$MEDGUARD" sign "$W/ec-signed" --key "$W/ec.key" --hash sha384 | sed -n 's/.*key \([0-9a-f]*\).*/\1/p')
rsa_keyid=$("$MEDGUARD" sign "$W/rsa-signed" --key "$W/rsa.key" | sed -n 's/.*key \([0-9a-f]*\).*/\1/p')
listing=$(cat "$SECURITYFS/keys")
expect_line "kmod: the module computes the EC key's keyid as medguard sign does" "$listing" \
	"^key_id=1 keyid=$ec_keyid skid=$ec_keyid algo=ecdsa-p256 bits=256$"
expect_line "kmod: the module computes the RSA key's keyid as medguard sign does" "$listing" \
	"^key_id=2 keyid=$rsa_keyid skid=$rsa_keyid algo=rsa bits=2048$"
out=$("$DRIVER" keys "$W/ec.pub" "$W/rsa2560.pub" 2>&1)
expect_line "kmod: a 2560-bit RSA key is refused in one line saying what to do" "$out" \
	"^keys: cannot load key into the kernel .*rsa2560.pub.*2048, 3072 or 4096 bits.*; use such a key$"
check "kmod: after a refused load the keys loaded before stay" test "$(cat "$SECURITYFS/keys")" = "$listing"

# ---- verdicts -------------------------------------------------------------

signed_copy rsa-sha512 rsa --hash sha512
fresh_try "$W/unsigned"
signed_copy tampered ec
printf 'X' | dd of="$W/tampered" bs=1 seek=4096 conv=notrunc 2>/dev/null
signed_copy truncated rsa
truncate -s 4096 "$W/truncated"
signed_copy wrong-key other
# another key's signature, labelled with the keyid of a loaded key
signed_copy relabelled other
sig=$(getfattr --absolute-names -n security.ima -e hex "$W/relabelled" | sed -n 's/^security.ima=0x//p')
setfattr -n security.ima -v "0x${sig:0:6}${ec_keyid}${sig:14}" "$W/relabelled"
fresh_try "$W/hash-only"
setfattr -n security.ima -v "0x0404$(sha256sum "$W/hash-only" | cut -c1-64)" "$W/hash-only"

out=$("$DRIVER" run judge:"$W/rsa-signed" judge:"$W/ec-signed" judge:"$W/rsa-sha512" judge:"$W/unsigned" \
	judge:"$W/tampered" judge:"$W/truncated" judge:"$W/wrong-key" judge:"$W/relabelled" judge:"$W/hash-only" \
	judge:"$W/rsa-signed" 2>&1)
expect_line "kmod: an RSA-signed file (sha256) is trusted, by key 2" "$out" \
	"^judge $W/rsa-signed ret=0 verdict=trusted status=valid key_id=2 sig_keyid=$rsa_keyid cached=no"
expect_line "kmod: an EC-signed file (sha384) is trusted, by key 1" "$out" \
	"^judge $W/ec-signed ret=0 verdict=trusted status=valid key_id=1 "
expect_line "kmod: an RSA-signed file (sha512) is trusted" "$out" \
	"^judge $W/rsa-sha512 ret=0 verdict=trusted status=valid key_id=2 "
expect_line "kmod: an unsigned file is unsigned" "$out" "^judge $W/unsigned ret=0 verdict=unsigned status=absent "
expect_line "kmod: a signed file changed afterwards is untrusted" "$out" \
	"^judge $W/tampered ret=0 verdict=untrusted status=bad-signature "
expect_line "kmod: a signed file truncated afterwards is untrusted" "$out" \
	"^judge $W/truncated ret=0 verdict=untrusted status=bad-signature "
expect_line "kmod: a file signed by a key not loaded is untrusted" "$out" \
	"^judge $W/wrong-key ret=0 verdict=untrusted status=unknown-key "
expect_line "kmod: another key's signature labelled with a loaded keyid is untrusted" "$out" \
	"^judge $W/relabelled ret=0 verdict=untrusted status=bad-signature key_id=0 sig_keyid=$ec_keyid "
expect_line "kmod: a file hash without a signature is unsigned" "$out" \
	"^judge $W/hash-only ret=0 verdict=unsigned status=not-signature "
expect_line "kmod: judging the same file again is a cache lookup" "$out" \
	"^judge $W/rsa-signed ret=0 verdict=trusted .* cached=yes misses=\+0$"

# ---- huge files ----------------------------------------------------------

fresh_try "$W/huge"
truncate -s 100M "$W/huge"
start=$(date +%s%N)
"$MEDGUARD" sign "$W/huge" --key "$W/rsa.key" >/dev/null
signed=$(date +%s%N)
out=$("$DRIVER" run judge:"$W/huge" exec:"$W/huge" 2>&1)
judged=$(date +%s%N)
echo "# 100 MiB: medguard sign $(((signed - start) / 1000000)) ms, module judged and exec'd $(((judged - signed) / 1000000)) ms"
expect_line "kmod: a signed 100 MiB file is trusted" "$out" "^judge $W/huge ret=0 verdict=trusted status=valid key_id=2 "
expect_line "kmod: its exec is a cache lookup and enters the trust map" "$out" \
	"^exec $W/huge exit=[0-9]+ map=signature key_id=2 ctime=match misses=\+0$"
rm -f "$W/huge"

# ---- exec trust and the cache --------------------------------------------

signed_copy exec-me ec
signed_copy interp ec
printf '#!%s\n' "$W/interp" >"$W/script"
chmod 755 "$W/script"
"$MEDGUARD" sign "$W/script" --key "$W/ec.key" >/dev/null
signed_copy forget-me rsa
out=$("$DRIVER" run exec:"$W/unsigned" exec:"$W/exec-me" exec:"$W/exec-me" append:"$W/exec-me" \
	judge:"$W/exec-me" exec:"$W/script" map:"$W/interp" judge:"$W/forget-me" judge:"$W/forget-me" \
	forget:"$(kernel_dev "$W/forget-me"):$(stat -c %i "$W/forget-me")" judge:"$W/forget-me" \
	judge:"$W/rsa-signed" 2>&1)
expect_line "kmod: exec of an unsigned file leaves the trust map alone" "$out" "^exec $W/unsigned exit=[0-9]+ map=none"
expect_line "kmod: the first exec of a signed file puts it into the trust map with its ctime" "$out" \
	"^exec $W/exec-me exit=[0-9]+ map=signature key_id=1 ctime=match misses=\+1$"
expect_line "kmod: the second exec costs a lookup" "$out" \
	"^exec $W/exec-me exit=[0-9]+ map=signature key_id=1 ctime=match misses=\+0$"
expect_line "kmod: a write drops the cached verdict and the changed file is untrusted" "$out" \
	"^judge $W/exec-me ret=0 verdict=untrusted status=bad-signature .* cached=no misses=\+1$"
expect_line "kmod: the interpreter of a signed #! script enters the trust map too" "$out" \
	"^map $W/interp exit=0 map=signature key_id=1 ctime=match"
forget_me=$(grep "^judge $W/forget-me " <<<"$out" | sed 's/.* cached=\([a-z]*\) .*/\1/' | tr '\n' ' ')
if [ "$forget_me" = "no yes no " ]; then
	ok "kmod: medguard_kfunc_cache_forget() drops a verdict though the ctime did not move"
else
	not_ok "kmod: judged, cached, forgotten, judged again: cached=$forget_me"
fi
setfattr -x security.ima "$W/rsa-signed"
out=$("$DRIVER" run judge:"$W/rsa-signed" 2>&1)
expect_line "kmod: a removed signature is seen at once" "$out" \
	"^judge $W/rsa-signed ret=0 verdict=unsigned status=absent .* cached=no"
"$MEDGUARD" sign "$W/rsa-signed" --key "$W/rsa.key" >/dev/null
"$DRIVER" keys "$W/rsa.pub" >/dev/null
out=$("$DRIVER" run judge:"$W/ec-signed" 2>&1)
expect_line "kmod: new keys drop verdicts made with the old ones" "$out" \
	"^judge $W/ec-signed ret=0 verdict=untrusted status=unknown-key .* cached=no"
"$DRIVER" keys "$W/ec.pub" "$W/rsa.pub" >/dev/null

# ---- bad arguments, entropy ------------------------------------------------

mkfifo "$W/fifo"
out=$("$DRIVER" run write-only:"$W/rsa-signed" busy:"$W/rsa-signed" short:"$W/rsa-signed" pipe: socket: \
	judge:/dev/zero judge:"$W" judge:"$W/fifo" null-file: forget:0:0 forget:-1:-1 \
	entropy:/dev/urandom entropy:"$REPO/LICENSE" entropy:/dev/null 2>&1)
expect_line "kmod: a file open write-only is refused (EBADF)" "$out" "^write-only $W/rsa-signed ret=-9$"
expect_line "kmod: a file open for writing elsewhere is refused (ETXTBSY)" "$out" "^busy $W/rsa-signed ret=-26$"
expect_line "kmod: a result buffer of the wrong size is refused (EINVAL)" "$out" "^short $W/rsa-signed ret=-22$"
expect_line "kmod: a pipe is refused (EINVAL)" "$out" "^pipe - ret=-22$"
expect_line "kmod: a socket is refused (EINVAL)" "$out" "^socket - ret=-22$"
expect_line "kmod: a character device is refused (EINVAL)" "$out" "^judge /dev/zero ret=-22$"
expect_line "kmod: a directory is refused (EINVAL)" "$out" "^judge $W ret=-22$"
expect_line "kmod: a FIFO is refused (EINVAL)" "$out" "^judge $W/fifo ret=-22$"
expect_line "kmod: a NULL file is refused (EINVAL, or by the verifier)" "$out" "^null-file (ret=-22|refused-by-verifier)$"
expect_line "kmod: forgetting an inode nobody judged is harmless" "$out" "^forget -1:-1 done$"
urandom=$(field entropy /dev/urandom millibits "$out")
text=$(field entropy "$REPO/LICENSE" millibits "$out")
if [ -n "$urandom" ] && [ -n "$text" ] && [ "$urandom" -gt 7500 ] && [ "$text" -lt 5500 ]; then
	ok "kmod: entropy of /dev/urandom ($urandom) is above 7500 millibits, of text ($text) below 5500"
else
	not_ok "kmod: entropy separates random from text: $(grep '^entropy' <<<"$out" | tr '\n' ' ')"
fi
expect_line "kmod: entropy of nothing is 0" "$out" "^entropy /dev/null bytes=0 millibits=0$"

# ---- mutated signatures ----------------------------------------------------

head -c 4096 "$REPO/LICENSE" >"$W/fuzz-rsa"
cp "$W/fuzz-rsa" "$W/fuzz-ec"
"$MEDGUARD" sign "$W/fuzz-rsa" --key "$W/rsa.key" >/dev/null
"$MEDGUARD" sign "$W/fuzz-ec" --key "$W/ec.key" >/dev/null
start=$(date +%s%N)
out=$("$DRIVER" run fuzz:"$W/fuzz-rsa":700:"$FUZZ_SEED" fuzz:"$W/fuzz-ec":600:"$FUZZ_SEED" \
	judge:"$W/fuzz-rsa" judge:"$W/fuzz-ec" 2>&1)
echo "# fuzz (seed $FUZZ_SEED, $((($(date +%s%N) - start) / 1000000)) ms): $(grep '^fuzz' <<<"$out" | tr '\n' ' ')"
rsa_evaluated=$(field fuzz "$W/fuzz-rsa" evaluated "$out")
ec_evaluated=$(field fuzz "$W/fuzz-ec" evaluated "$out")
if [ $((${rsa_evaluated:-0} + ${ec_evaluated:-0})) -ge 1000 ]; then
	ok "kmod: $((rsa_evaluated + ec_evaluated)) mutated signatures judged by the kernel"
else
	not_ok "kmod: at least 1000 mutated signatures judged: $(grep -E '^fuzz|^#' <<<"$out" | head -n 5 | tr '\n' ' ')"
fi
expect_line "kmod: no mutated RSA signature is trusted, none makes the kfunc fail" "$out" \
	"^fuzz $W/fuzz-rsa seed=$FUZZ_SEED evaluated=[0-9]+ refused_by_kernel=[0-9]+ trusted=0 errors=0$"
expect_line "kmod: no mutated ECDSA signature is trusted, none makes the kfunc fail" "$out" \
	"^fuzz $W/fuzz-ec seed=$FUZZ_SEED evaluated=[0-9]+ refused_by_kernel=[0-9]+ trusted=0 errors=0$"
expect_line "kmod: the original signatures are trusted again afterwards" "$out" \
	"^judge $W/fuzz-ec ret=0 verdict=trusted status=valid key_id=1 "

# ---- probe, unload ---------------------------------------------------------

probe=$("$MEDGUARD" probe 2>&1)
expect_line "kmod: medguard probe reports the exec-trust path in the kernel" "$probe" "^exec-trust kernel$"
expect_line "kmod: medguard probe counts the loaded keys" "$probe" "^exec-trust-keys 2$"
check "kmod: medguard_kfuncs.ko unloads" rmmod medguard_kfuncs
check "kmod: its securityfs files go with it" test ! -e "$SECURITYFS"
