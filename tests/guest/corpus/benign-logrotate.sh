#!/usr/bin/env bash
# The nightly log rotation, by logrotate itself (rotate 4, compress): for
# each DIR/logs/NAME.log, NAME.log.N.gz -> NAME.log.N+1.gz (the oldest
# dropped), NAME.log -> NAME.log.1, a new empty NAME.log, and NAME.log.1
# compressed with gzip. The policy names logrotate and exempts it (and the
# gzip it runs) from the ransomware behaviours.
set -euo pipefail
DIR=${1:?usage: benign-logrotate.sh DIR}
STATE=${MG_BACKUP_DIR:-/tmp}/logrotate.state
CONF=${MG_BACKUP_DIR:-/tmp}/logrotate.conf
cat >"$CONF" <<CONF
$DIR/logs/*.log {
    rotate 4
    compress
    nodelaycompress
    missingok
    nocreate
    su root root
}
CONF
/usr/sbin/logrotate --force --state "$STATE" "$CONF"
find "$DIR/logs" -name '*.log.1.gz' | wc -l
