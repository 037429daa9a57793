#!/usr/bin/env bash
# A full-tree find, as an administrator's report or a disk-usage job does:
# every folder listed, every file stat'ed, nothing read.
set -euo pipefail
DIR=${1:?usage: benign-find.sh DIR}
find "$DIR" -type f -printf '%s %p\n' | wc -l
du -s "$DIR" >/dev/null
