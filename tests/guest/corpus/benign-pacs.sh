#!/usr/bin/env bash
# PACS-like ingest: new studies arriving in an incoming area outside the
# records (MG_PACS_INCOMING, from gen-records.py --pacs-incoming) are stored
# into DIR/imaging, one cp per study as a store daemon writes each association.
set -euo pipefail
DIR=${1:?usage: benign-pacs.sh DIR}
INCOMING=${MG_PACS_INCOMING:-/srv/incoming}
while IFS= read -r study; do
	cp -r "$study" "$DIR/imaging/"
done < <(find "$INCOMING" -mindepth 1 -maxdepth 1 -type d | sort)
find "$DIR/imaging" -path '*STUDY-*' -name '*.dcm' | wc -l
