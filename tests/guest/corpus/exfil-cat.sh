#!/usr/bin/env bash
# One file at a time through a pipe (cat | gzip, as into nc or curl), each
# stream a file of its own.
. "$(dirname "$0")/exfil-lib.sh"
n=0
while IFS= read -r f; do
	n=$((n + 1))
	cat "$f" 2>/dev/null | gzip -1 >"$OUT/$n.gz"
done < <(find "$DIR" -type f ! -name '.*' 2>/dev/null)
