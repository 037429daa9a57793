#!/usr/bin/env bash
# Destruction with shred: one pass of random data over each file, then
# shred renames it to zeros and unlinks it (-u).
. "$(dirname "$0")/attack-lib.sh"
for f in "${FILES[@]}"; do
	time_left || break
	attempt shred -n 1 -u "$f"
done
