#!/usr/bin/env bash
# Write-copy-then-delete: an encrypted-looking copy X.enc is written next to
# each file X (random bytes of the same size), then X is unlinked.
. "$(dirname "$0")/attack-lib.sh"
for i in "${!FILES[@]}"; do
	time_left || break
	f=${FILES[i]}
	attempt dd if=/dev/urandom of="$f.enc" bs=1M count="${SIZES[i]}" iflag=count_bytes,fullblock status=none
	attempt rm -f "$f"
done
