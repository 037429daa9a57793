#!/usr/bin/env bash
# In-place overwrite: dd writes random bytes over each whole file, keeping
# its name and size (no truncation: conv=notrunc).
. "$(dirname "$0")/attack-lib.sh"
for i in "${!FILES[@]}"; do
	time_left || break
	attempt dd if=/dev/urandom of="${FILES[i]}" bs=1M count="${SIZES[i]}" iflag=count_bytes,fullblock conv=notrunc status=none
done
