#!/usr/bin/env bash
# Nightly backup with tar to /srv/backup (outside the records). The backup
# job excludes the canary files, as the policy's operator notes require.
set -euo pipefail
DIR=${1:?usage: benign-tar.sh DIR}
BACKUP=${MG_BACKUP_DIR:-/srv/backup}
mkdir -p "$BACKUP"
tar -C "$DIR" --exclude='.medguard-canary-*' -cf "$BACKUP/records.tar" .
tar -tf "$BACKUP/records.tar" | grep -vc '/$'
