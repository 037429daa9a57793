#!/usr/bin/env bash
# Daily log rotation as logrotate does it (rotate 4, compress): for each
# DIR/logs/NAME.log, NAME.log.N.gz -> NAME.log.N+1.gz (the oldest dropped),
# NAME.log -> NAME.log.1, a new empty NAME.log, and NAME.log.1 compressed with
# gzip to NAME.log.1.gz. logrotate itself is not installed in the guest; these
# are the same operations by the same kind of trusted tools.
set -euo pipefail
DIR=${1:?usage: benign-logrotate.sh DIR}
LOGS=$DIR/logs
rotated=0
while IFS= read -r log; do
	rm -f "$log.4.gz"
	for n in 3 2 1; do
		if [ -e "$log.$n.gz" ]; then mv "$log.$n.gz" "$log.$((n + 1)).gz"; fi
	done
	mv "$log" "$log.1"
	touch "$log"
	gzip -9 "$log.1"
	rotated=$((rotated + 1))
done < <(find "$LOGS" -maxdepth 1 -name '*.log' -type f | sort)
echo "$rotated"
