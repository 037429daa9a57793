#!/usr/bin/env bash
# Restore test: the whole rsync backup copied back with cp -a into a new
# directory inside the records tree (as an operator checks a backup).
set -euo pipefail
DIR=${1:?usage: benign-restore.sh DIR}
BACKUP=${MG_BACKUP_DIR:-/srv/backup}
cp -a "$BACKUP/rsync" "$DIR/restore-test-2024-03-14"
find "$DIR/restore-test-2024-03-14" -type f | wc -l
