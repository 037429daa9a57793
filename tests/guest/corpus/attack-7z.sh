#!/usr/bin/env bash
# A shell loop over `7z a -p`: each file goes into an encrypted X.7z (headers
# encrypted too) and 7z itself deletes the original (-sdel).
. "$(dirname "$0")/attack-lib.sh"
for f in "${FILES[@]}"; do
	time_left || break
	attempt 7z a -bd -y -pmedguard -mhe=on -mx=1 -sdel "$f.7z" "$f"
done
