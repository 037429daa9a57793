#!/usr/bin/env bash
# apt-get install of a package whose files go into the records tree (40 new files).
set -euo pipefail
DIR=${1:?usage: benign-apt-install.sh DIR}
. "$(dirname "$0")/apt-lib.sh"
bash "$(dirname "$0")/medforms-deb.sh" 1.0 "$DIR" "$DEBS"
apt_get install "$DEBS/medforms_1.0_all.deb"
dpkg-query -W -f '${Version}\n' medforms
