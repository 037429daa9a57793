#!/usr/bin/env bash
# A recursive copy of the tree out of it.
. "$(dirname "$0")/exfil-lib.sh"
cp -r "$DIR" "$OUT/copy" 2>/dev/null
