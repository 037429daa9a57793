#!/usr/bin/env bash
# Building a small C project kept with the records (make, gcc, as, ld), then
# an incremental rebuild after one source file changes.
set -euo pipefail
DIR=${1:?usage: benign-compile.sh DIR}
SRC=$DIR/src/labelprinter
make -s -C "$SRC"
touch "$SRC/label.c"
make -s -C "$SRC"
test -s "$SRC/labelprinter" && echo built
