#!/usr/bin/env bash
# Destruction without a write(2): fallocate punches a hole over each whole
# file (its blocks freed, its size kept: zeros where the record was).
. "$(dirname "$0")/attack-lib.sh"
for i in "${!FILES[@]}"; do
	time_left || break
	attempt fallocate --punch-hole --offset 0 --length "${SIZES[i]}" "${FILES[i]}"
done
