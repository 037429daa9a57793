#!/usr/bin/env bash
# The nightly integrity audit: a SHA-256 of every record, to a list outside
# the tree, compared with yesterday's. A backup-agent job (signed with the
# backup key): it reads every record.
set -euo pipefail
DIR=${1:?usage: benign-audit.sh DIR}
BACKUP=${MG_BACKUP_DIR:-/srv/backup}
mkdir -p "$BACKUP"
find "$DIR" -type f ! -name '.medguard-canary-*' -print0 | sort -z | xargs -0 sha256sum >"$BACKUP/audit.sha256"
wc -l <"$BACKUP/audit.sha256"
