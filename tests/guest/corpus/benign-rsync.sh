#!/usr/bin/env bash
# Backup with rsync -a to /srv/backup/rsync (outside the records), canaries excluded.
set -euo pipefail
DIR=${1:?usage: benign-rsync.sh DIR}
BACKUP=${MG_BACKUP_DIR:-/srv/backup}
mkdir -p "$BACKUP"
rsync -a --exclude='.medguard-canary-*' "$DIR/" "$BACKUP/rsync/"
find "$BACKUP/rsync" -type f | wc -l
