#!/usr/bin/env bash
# A slow campaign: attack-slow.sh at one file every 4 s, over a window a
# short memory would forget.
MG_ATTACK_PAUSE=4 exec "$(dirname "$0")/attack-slow.sh" "$@"
