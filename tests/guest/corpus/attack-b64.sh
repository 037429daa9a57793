#!/usr/bin/env bash
# Encryption written as text: each file encrypted and base64-encoded in
# place (openssl enc -a), so that its bytes are printable.
. "$(dirname "$0")/attack-lib.sh"
for i in "${!FILES[@]}"; do
	time_left || break
	f=${FILES[i]}
	openssl enc -aes-256-cbc -pbkdf2 -iter 1000 -salt -pass pass:medguard -a -in "$f" -out "$SCRATCH/b64" 2>/dev/null || continue
	attempt dd if="$SCRATCH/b64" of="$f" conv=notrunc status=none
done
