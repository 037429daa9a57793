#!/usr/bin/env bash
# A shell loop over `gpg -c`: symmetric encryption to X.gpg, then X unlinked.
. "$(dirname "$0")/attack-lib.sh"
export GNUPGHOME=$SCRATCH/gnupg
mkdir -p "$GNUPGHOME"
chmod 700 "$GNUPGHOME"
for f in "${FILES[@]}"; do
	time_left || break
	attempt gpg --batch --yes --quiet --pinentry-mode loopback --s2k-count 65536 --passphrase medguard -c -o "$f.gpg" "$f"
	attempt rm -f "$f"
done
gpgconf --kill gpg-agent 2>/dev/null
