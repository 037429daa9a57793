#!/usr/bin/env python3
"""A signed python maintenance script fed hostile input: it copies every record into one blob."""
import os
import sys
import time

root = sys.argv[1]
out = os.path.join(os.environ.get("MG_SCENARIO_TMP", "/tmp"), "out")
log = os.environ.get("MG_SCENARIO_LOG", "/dev/null")
os.makedirs(out, exist_ok=True)
with open(log, "a") as f:
    f.write("first-destructive %f\n" % time.time())
n = 0
for directory, _, files in os.walk(root):
    for name in files:
        if name.startswith("."):
            continue
        try:
            with open(os.path.join(directory, name), "rb") as src:
                data = src.read()
        except OSError:
            continue
        n += 1
        with open(os.path.join(out, "%d.bin" % n), "wb") as dst:
            dst.write(data)
with open(log, "a") as f:
    f.write("done copied=%d\n" % n)
