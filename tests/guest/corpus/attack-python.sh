#!/usr/bin/env bash
# An interpreter script: python3 (attack-python.py, started through its #!
# line) encrypts each file in place (XOR with a random key stream) and
# renames it to X.pylocked.
. "$(dirname "$0")/attack-lib.sh"
destructive
printf '%s\n' "${FILES[@]}" | "$(dirname "$0")/attack-python.py" "$MAX_SECONDS" >"$SCRATCH/python.out" 2>&1
read -r attempted failed <"$SCRATCH/python.out"
