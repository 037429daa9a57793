#!/usr/bin/env bash
# A shell loop over `openssl enc`: X encrypted to X.aes, then X unlinked.
. "$(dirname "$0")/attack-lib.sh"
for f in "${FILES[@]}"; do
	time_left || break
	attempt openssl enc -aes-256-cbc -pbkdf2 -iter 1000 -salt -pass pass:medguard -in "$f" -out "$f.aes"
	attempt rm -f "$f"
done
