#!/usr/bin/env bash
# The medguard_kfuncs module on the real kernel path: it loads and unloads
# cleanly, takes keys from root only and parses them strictly, judges
# signed, unsigned, tampered, truncated, huge and wrong-key files as the
# userspace verifier does, puts trusted files into the trust map at exec,
# keeps verdicts until the file changes, tells random from text, refuses bad
# arguments, and never trusts a mutated signature. One run of the driver
# (build/guest/mg_kfunc_test) does it all, because each run loads BPF objects.
. "$(dirname "$0")/lib.sh"

DRIVER=$REPO/build/guest/mg_kfunc_test
SECURITYFS=/sys/kernel/security/medguard
FUZZ_SEED=${MEDGUARD_FUZZ_SEED:-20240601}
W=$WORK

# Under emulation every process costs most of a second: the checks below
# match in bash and the files are made and signed in batches.

# first_line OUTPUT REGEX: the first line of OUTPUT that matches REGEX (extended).
first_line() {
	local line
	while IFS= read -r line; do
		if [[ $line =~ $2 ]]; then
			printf '%s\n' "$line"
			return 0
		fi
	done <<<"$1"
	return 1
}

# expect_line NAME OUTPUT REGEX: some line of OUTPUT matches REGEX.
expect_line() {
	local step=${3%% *}

	if first_line "$2" "$3" >/dev/null; then
		ok "$1"
	else
		not_ok "$1 (wanted /$3/; got: $(first_line "$2" "^${step#^}"))"
	fi
}

# field STEP PATH KEY OUTPUT: the value of KEY= on the first line for STEP PATH.
field() {
	local line word
	line=$(first_line "$4" "^$1 $2 ") || return 0
	for word in $line; do
		[ "${word%%=*}" = "$3" ] && printf '%s\n' "${word#*=}"
	done
}

# The kernel's dev_t of the filesystem holding PATH (major << 20 | minor).
kernel_dev() {
	local dev
	dev=$(stat -c %d "$1")
	echo $(((((dev >> 8) & 0xfff) << 20) | (dev & 0xff) | ((dev >> 12) & 0xfff00)))
}

# keyid OUTPUT: the keyid `medguard sign` reports in OUTPUT.
keyid() {
	[[ $1 =~ key\ ([0-9a-f]{8}) ]] && printf '%s\n' "${BASH_REMATCH[1]}"
}

if [ ! -f "$KMOD" ] || [ ! -x "$DRIVER" ]; then
	not_ok "kmod: module and driver built for $KVER ($KMOD, $DRIVER)"
	exit 0
fi
[ -d /sys/module/medguard_kfuncs ] && unload_module medguard_kfuncs
# On 6.1 the ECC library and SHA-384/512 are modules of their own.
modprobe -a ecc crypto-sha384 crypto-sha512 2>/dev/null
if ! insmod "$KMOD"; then
	not_ok "kmod: medguard_kfuncs.ko loads into $KVER"
	exit 0
fi
ok "kmod: medguard_kfuncs.ko loads into $KVER"
check "kmod: the securityfs keys and cache files are root's only (0600)" \
	test "$(stat -c %a "$SECURITYFS/keys") $(stat -c %a "$SECURITYFS/cache")" = "600 600"
expect "kmod: without CAP_SYS_ADMIN the keys file does not open" 1 \
	setpriv --bounding-set=-sys_admin -- cat "$SECURITYFS/keys"
expect "kmod: a write that is no key record is refused" 1 \
	sh -c "printf garbage-garbage-garbage-garbage >'$SECURITYFS/keys'"

# ---- keys and files --------------------------------------------------------

new_key ec ec
new_key rsa rsa
new_key other ec
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$W/p384.key" 2>/dev/null
openssl pkey -in "$W/p384.key" -pubout -out "$W/p384.pub" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$W/ed25519.key" 2>/dev/null
openssl pkey -in "$W/ed25519.key" -pubout -outform DER -out "$W/ed25519.der" 2>/dev/null
openssl pkey -pubin -in "$W/ec.pub" -outform DER -out "$W/ec.der" 2>/dev/null
openssl pkey -pubin -in "$W/rsa.pub" -outform DER -out "$W/rsa.der" 2>/dev/null
# the EC point moved off the curve (a bit of y flipped); the RSA key with a byte after its end
ec_der=$(od -An -v -tx1 "$W/ec.der")
ec_der=(${ec_der})
ec_der[-1]=$(printf '%02x' $((0x${ec_der[-1]} ^ 1)))
printf "$(printf '\\x%s' "${ec_der[@]}")" >"$W/ec-off-curve.der"
{ cat "$W/rsa.der" && printf '\000'; } >"$W/rsa-trailing.der"

files=(ec-signed rsa-signed rsa-sha512 p384-signed unsigned tampered truncated wrong-key relabelled hash-only
	huge exec-me interp forget-me unsign-me)
tee "${files[@]/#/$W/}" <"$MG_TRY_BUILT" >/dev/null
chmod 755 "${files[@]/#/$W/}"
head -c 4096 "$REPO/LICENSE" | tee "$W/fuzz-rsa" >"$W/fuzz-ec"
printf '#!%s\n' "$W/interp" >"$W/script"
chmod 755 "$W/script"
truncate -s 100M "$W/huge"
ec_keyid=$(keyid "$("$MEDGUARD" sign "$W/ec-signed" --key "$W/ec.key" --hash sha384)")
"$MEDGUARD" sign "$W/tampered" "$W/exec-me" "$W/interp" "$W/script" "$W/fuzz-ec" --key "$W/ec.key" >/dev/null
"$MEDGUARD" sign "$W/rsa-sha512" --key "$W/rsa.key" --hash sha512 >/dev/null
"$MEDGUARD" sign "$W/p384-signed" --key "$W/p384.key" >/dev/null
"$MEDGUARD" sign "$W/wrong-key" "$W/relabelled" --key "$W/other.key" >/dev/null
start=$(date +%s%N)
"$MEDGUARD" sign "$W/huge" --key "$W/rsa.key" >/dev/null
huge_sign_ms=$((($(date +%s%N) - start) / 1000000))
rsa_keyid=$(keyid "$("$MEDGUARD" sign "$W/rsa-signed" "$W/truncated" "$W/forget-me" "$W/unsign-me" "$W/fuzz-rsa" \
	--key "$W/rsa.key")")
printf 'X' | dd of="$W/tampered" bs=1 seek=4096 conv=notrunc 2>/dev/null
truncate -s 4096 "$W/truncated"
# another key's signature, labelled with the keyid of a loaded key
sig=$(getfattr --absolute-names -n security.ima -e hex "$W/relabelled")
sig=${sig#*security.ima=0x}
setfattr -n security.ima -v "0x${sig:0:6}${ec_keyid}${sig:14}" "$W/relabelled"
digest=$(sha256sum "$W/hash-only")
setfattr -n security.ima -v "0x0404${digest:0:64}" "$W/hash-only"
mkfifo "$W/fifo"
keys="$W/ec.pub,$W/rsa.pub,$W/p384.pub"

head -c 8192 /dev/urandom | base64 >"$W/random.b64"
head -c 4096 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$W/random.hex"
start=$(date +%s%N)
out=$("$DRIVER" \
	raw-key:"$W/ec.der" raw-key:"$W/ec-off-curve.der" raw-key:"$W/rsa-trailing.der" raw-key:"$W/ed25519.der" \
	key-prefixes:"$W/ec.der" key-prefixes:"$W/rsa.der" \
	keys:"$keys" keys:"$W/ec.pub,$REPO/tests/guest/data/rsa2560.pub" \
	judge:"$W/rsa-signed" judge:"$W/ec-signed" judge:"$W/rsa-sha512" judge:"$W/p384-signed" judge:"$W/unsigned" \
	judge:"$W/tampered" judge:"$W/truncated" judge:"$W/wrong-key" judge:"$W/relabelled" judge:"$W/hash-only" \
	judge:"$W/rsa-signed" \
	judge:"$W/huge" exec:"$W/huge" \
	exec:"$W/unsigned" exec:"$W/exec-me" exec:"$W/exec-me" append:"$W/exec-me" judge:"$W/exec-me" \
	exec:"$W/script" map:"$W/interp" \
	judge:"$W/forget-me" judge:"$W/forget-me" \
	forget:"$(kernel_dev "$W/forget-me"):$(stat -c %i "$W/forget-me")" judge:"$W/forget-me" \
	judge:"$W/unsign-me" unsign:"$W/unsign-me" judge:"$W/unsign-me" \
	keys:"$W/rsa.pub" judge:"$W/ec-signed" keys:"$keys" \
	write-only:"$W/rsa-signed" busy:"$W/rsa-signed" short:"$W/rsa-signed" pipe: socket: \
	judge:/dev/zero judge:"$W" judge:"$W/fifo" null-file: forget:0:0 forget:-1:-1 \
	entropy:/dev/urandom entropy:"$REPO/LICENSE" entropy:/dev/null entropy:"$W/random.b64" entropy:"$W/random.hex" \
	fuzz:"$W/fuzz-rsa":700:"$FUZZ_SEED" fuzz:"$W/fuzz-ec":600:"$FUZZ_SEED" \
	judge:"$W/fuzz-rsa" judge:"$W/fuzz-ec" 2>&1)
echo "# driver: $((($(date +%s%N) - start) / 1000000)) ms"
while IFS= read -r line; do
	[[ $line == \#* ]] && printf '%s\n' "$line"
done <<<"$out"

# ---- keys ------------------------------------------------------------------

expect_line "kmod: a DER EC public key written raw loads" "$out" "^raw-key $W/ec.der loaded$"
expect_line "kmod: an EC point off the curve is refused (EKEYREJECTED)" "$out" \
	"^raw-key $W/ec-off-curve.der EKEYREJECTED$"
expect_line "kmod: a key with a byte after its DER is refused (EBADMSG)" "$out" \
	"^raw-key $W/rsa-trailing.der EBADMSG$"
expect_line "kmod: an Ed25519 key is refused (ENOPKG)" "$out" "^raw-key $W/ed25519.der ENOPKG$"
expect_line "kmod: no cut-short EC key loads" "$out" "^key-prefixes $W/ec.der refused=[0-9]+ loaded=0$"
expect_line "kmod: no cut-short RSA key loads" "$out" "^key-prefixes $W/rsa.der refused=[0-9]+ loaded=0$"
expect_line "kmod: EC P-256, RSA-2048 and EC P-384 public keys load as keys 1, 2, 3" "$out" "^keys: 3 loaded$"
expect_line "kmod: a 2560-bit RSA key is refused in one line saying what to do" "$out" \
	"^keys: cannot load key into the kernel .*rsa2560.pub.*2048, 3072 or 4096 bits.*; use such a key$"
listing=$(cat "$SECURITYFS/keys")
expect_line "kmod: the module computes the EC key's keyid as medguard sign does" "$listing" \
	"^key_id=1 keyid=$ec_keyid skid=$ec_keyid algo=ecdsa-p256 bits=256$"
expect_line "kmod: the module computes the RSA key's keyid as medguard sign does" "$listing" \
	"^key_id=2 keyid=$rsa_keyid skid=$rsa_keyid algo=rsa bits=2048$"
expect_line "kmod: a refused load leaves the keys loaded before" "$listing" "^key_id=3 .* algo=ecdsa-p384 bits=384$"

# ---- verdicts -------------------------------------------------------------

expect_line "kmod: an RSA-signed file (sha256) is trusted, by key 2" "$out" \
	"^judge $W/rsa-signed ret=0 verdict=trusted status=valid key_id=2 sig_keyid=$rsa_keyid cached=no"
expect_line "kmod: an EC-signed file (sha384) is trusted, by key 1" "$out" \
	"^judge $W/ec-signed ret=0 verdict=trusted status=valid key_id=1 sig_keyid=$ec_keyid "
expect_line "kmod: an RSA-signed file (sha512) is trusted" "$out" \
	"^judge $W/rsa-sha512 ret=0 verdict=trusted status=valid key_id=2 "
expect_line "kmod: a P-384-signed file is trusted, by key 3" "$out" \
	"^judge $W/p384-signed ret=0 verdict=trusted status=valid key_id=3 "
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
	"^judge $W/rsa-signed ret=0 verdict=trusted .* cached=yes misses=\+0 "
echo "# 100 MiB: medguard sign ${huge_sign_ms} ms, the module $(field judge "$W/huge" ms "$out") ms"
expect_line "kmod: a signed 100 MiB file is trusted" "$out" \
	"^judge $W/huge ret=0 verdict=trusted status=valid key_id=2 .* cached=no misses=\+1 "
expect_line "kmod: its exec is a lookup that puts it into the trust map" "$out" \
	"^exec $W/huge exit=[0-9]+ map=signature key_id=2 ctime=match misses=\+0 "

# ---- exec trust and the cache --------------------------------------------

expect_line "kmod: exec of an unsigned file leaves the trust map alone" "$out" "^exec $W/unsigned exit=[0-9]+ map=none"
expect_line "kmod: the first exec of a signed file puts it into the trust map with its ctime" "$out" \
	"^exec $W/exec-me exit=[0-9]+ map=signature key_id=1 ctime=match misses=\+1 "
expect_line "kmod: the second exec costs a lookup" "$out" \
	"^exec $W/exec-me exit=[0-9]+ map=signature key_id=1 ctime=match misses=\+0 "
expect_line "kmod: a write drops the cached verdict; the changed file is untrusted" "$out" \
	"^judge $W/exec-me ret=0 verdict=untrusted status=bad-signature .* cached=no misses=\+1 "
expect_line "kmod: the interpreter of a signed #! script enters the trust map too" "$out" \
	"^map $W/interp exit=0 map=signature key_id=1 ctime=match"
cached=
while IFS= read -r line; do
	[[ $line =~ ^judge\ $W/forget-me\ .*\ cached=([a-z]+) ]] && cached+="${BASH_REMATCH[1]} "
done <<<"$out"
if [ "$cached" = "no yes no " ]; then
	ok "kmod: medguard_kfunc_cache_forget() drops a verdict though the ctime did not move"
else
	not_ok "kmod: judged, cached, forgotten, judged again: cached=$cached"
fi
expect_line "kmod: a removed signature is seen at once" "$out" \
	"^judge $W/unsign-me ret=0 verdict=unsigned status=absent .* cached=no"
expect_line "kmod: new keys drop verdicts made with the old ones" "$out" \
	"^judge $W/ec-signed ret=0 verdict=untrusted status=unknown-key .* cached=no"

# ---- bad arguments, entropy ------------------------------------------------

expect_line "kmod: a file open write-only is refused (EBADF)" "$out" "^write-only $W/rsa-signed ret=-9$"
expect_line "kmod: a file open for writing elsewhere is refused (ETXTBSY)" "$out" "^busy $W/rsa-signed ret=-26$"
expect_line "kmod: a result buffer of the wrong size is refused (EINVAL)" "$out" "^short $W/rsa-signed ret=-22$"
expect_line "kmod: a pipe is refused (EINVAL)" "$out" "^pipe - ret=-22$"
expect_line "kmod: a socket is refused (EINVAL)" "$out" "^socket - ret=-22$"
expect_line "kmod: a character device is refused (EINVAL)" "$out" "^judge /dev/zero ret=-22$"
expect_line "kmod: a directory is refused (EINVAL)" "$out" "^judge $W ret=-22$"
expect_line "kmod: a FIFO is refused (EINVAL)" "$out" "^judge $W/fifo ret=-22$"
expect_line "kmod: a NULL file is refused (EINVAL, or already by the verifier)" "$out" \
	"^null-file (ret=-22|refused-by-verifier)$"
expect_line "kmod: forgetting an inode nobody judged is harmless" "$out" "^forget -1:-1 done$"
urandom=$(field entropy /dev/urandom millibits "$out")
text=$(field entropy "$REPO/LICENSE" millibits "$out")
if [ -n "$urandom" ] && [ -n "$text" ] && [ "$urandom" -gt 7500 ] && [ "$text" -lt 5500 ]; then
	ok "kmod: entropy of /dev/urandom ($urandom) is above 7500 millibits a byte, of text ($text) below 5500"
else
	not_ok "kmod: entropy separates random from text: urandom $urandom, text $text"
fi
expect_line "kmod: the entropy of nothing is 0" "$out" "^entropy /dev/null bytes=0 millibits=0$"
for encoding in b64 hex; do
	measured=$(field entropy "$W/random.$encoding" millibits "$out")
	if [ -n "$measured" ] && [ "$measured" -gt 7500 ]; then
		ok "kmod: random bytes written as $encoding text measure like ciphertext ($measured millibits)"
	else
		not_ok "kmod: random bytes written as $encoding text measure only $measured millibits"
	fi
done

# ---- mutated signatures ----------------------------------------------------

evaluated=$(($(field fuzz "$W/fuzz-rsa" evaluated "$out") + $(field fuzz "$W/fuzz-ec" evaluated "$out")))
if [ "$evaluated" -ge 1000 ]; then
	ok "kmod: $evaluated mutated signatures judged in the kernel (seed $FUZZ_SEED)"
else
	not_ok "kmod: at least 1000 mutated signatures judged: $(first_line "$out" "^fuzz")"
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
expect_line "kmod: medguard probe counts the loaded keys" "$probe" "^exec-trust-keys 3$"
check "kmod: medguard_kfuncs.ko unloads" unload_module medguard_kfuncs
check "kmod: its securityfs files go with it" test ! -e "$SECURITYFS"
