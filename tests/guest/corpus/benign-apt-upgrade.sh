#!/usr/bin/env bash
# apt-get upgrade of that package, another day (another lineage): dpkg
# replaces each of its 40 files in the records tree (new file, backup hard
# link, rename over, unlink of the backup).
set -euo pipefail
DIR=${1:?usage: benign-apt-upgrade.sh DIR}
. "$(dirname "$0")/apt-lib.sh"
apt_install_medforms 1.1 "$DIR"
grep -q "revision 1.1" "$DIR/forms/form-40.txt"
