#!/usr/bin/env bash
# apt-get install of a package whose files go into the records tree (40 new files).
set -euo pipefail
DIR=${1:?usage: benign-apt-install.sh DIR}
. "$(dirname "$0")/apt-lib.sh"
apt_install_medforms 1.0 "$DIR"
