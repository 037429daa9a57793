#!/usr/bin/env bash
# A shell loop over `ccrypt -e -K key`: ccrypt overwrites each file in place
# with its ciphertext and renames it to X.cpt.
. "$(dirname "$0")/attack-lib.sh"
for f in "${FILES[@]}"; do
	time_left || break
	attempt ccrypt -e -f -K medguard "$f"
done
