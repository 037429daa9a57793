#!/usr/bin/env python3
"""The damage meter of the behaviour tests.

damage.py manifest DIR MANIFEST
    Records every file under DIR: relative path, size, SHA-256, inode, ctime.
damage.py measure DIR MANIFEST [--log LOG] [--events EVENTS] [--since LINE] [--restore PRISTINE]
    Compares DIR with MANIFEST and prints one line of key=value pairs:
      lost      files of the manifest changed, deleted or renamed away
                (canaries are decoys and not counted; see `canaries`)
      changed   same path, other content
      deleted   path gone, inode nowhere in the tree
      renamed   path gone, the same inode under another name
      new       files that were not in the manifest (X.enc, ransom notes)
      canaries  canary files changed, deleted or renamed
      stop      seconds from the scenario's first destructive operation (the
                `first-destructive EPOCH` line of LOG) to medguard's first
                deny-writes, kill or freeze behaviour event in EVENTS; `none`
                without such an event
      action, signal, score   of that event
      alerts    behaviour events of any action
      denials   access events with verdict "denied"
    A file whose inode, size and change time are those of the manifest is
    not read again: any write to it would have moved its change time.
    With --restore, then restores DIR as `restore` does.
damage.py restore DIR MANIFEST PRISTINE
    Puts DIR back to the manifest from the pristine copy: restores changed
    and missing files, removes everything else, refreshes the manifest's
    inodes and change times.
"""
import datetime
import hashlib
import json
import os
import shutil
import stat
import sys

CANARY_PREFIX = ".medguard-canary-"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def walk(root):
    """Relative path -> lstat of every non-directory under ROOT; and the directories."""
    files, dirs = {}, []
    for top, subdirs, names in os.walk(root):
        for d in subdirs:
            dirs.append(os.path.relpath(os.path.join(top, d), root))
        for n in names:
            full = os.path.join(top, n)
            try:
                files[os.path.relpath(full, root)] = os.lstat(full)
            except FileNotFoundError:
                pass
    return files, dirs


def entry(st, digest):
    return [st.st_size, digest, st.st_ino, st.st_ctime_ns]


def same_stat(record, st):
    return record[0] == st.st_size and record[2] == st.st_ino and record[3] == st.st_ctime_ns


def make_manifest(root, manifest):
    files, _ = walk(root)
    records = {rel: entry(st, sha256(os.path.join(root, rel))) for rel, st in sorted(files.items())
               if stat.S_ISREG(st.st_mode)}
    with open(manifest, "w") as f:
        json.dump({"root": root, "files": records}, f)
    print("files=%d bytes=%d" % (len(records), sum(r[0] for r in records.values())))


def load(manifest):
    with open(manifest) as f:
        return json.load(f)["files"]


def compare(root, records):
    """(changed, deleted, renamed, new) relative paths of ROOT against RECORDS."""
    files, _ = walk(root)
    changed, missing = [], []
    for rel, record in records.items():
        st = files.get(rel)
        if st is None or not stat.S_ISREG(st.st_mode):
            missing.append(rel)
        elif not same_stat(record, st) and sha256(os.path.join(root, rel)) != record[1]:
            changed.append(rel)
    new = [rel for rel in files if rel not in records]
    new_inodes = {files[rel].st_ino for rel in new}
    renamed = [rel for rel in missing if records[rel][2] in new_inodes]
    deleted = [rel for rel in missing if records[rel][2] not in new_inodes]
    return changed, deleted, renamed, new


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def events_summary(path, since):
    out = {"alerts": 0, "denials": 0, "stop_time": None, "action": "-", "signal": "-", "score": "-"}
    if not path or not os.path.exists(path):
        return out
    with open(path, errors="replace") as f:
        for number, line in enumerate(f, 1):
            if number <= since:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "behaviour":
                out["alerts"] += 1
                if out["stop_time"] is None and event.get("action") in ("deny-writes", "kill", "freeze"):
                    out["stop_time"] = parse_time(event["time"])
                    out["action"] = event.get("action")
                    out["signal"] = event.get("signal", event.get("op", "-"))
                    out["score"] = event.get("score", "-")
            elif event.get("event") == "access" and event.get("verdict") == "denied":
                out["denials"] += 1
    return out


def first_destructive(log):
    if not log or not os.path.exists(log):
        return None
    with open(log) as f:
        for line in f:
            words = line.split()
            if len(words) >= 2 and words[0] == "first-destructive":
                return float(words[1])
    return None


def measure(root, manifest, log=None, events=None, since=0):
    records = load(manifest)
    changed, deleted, renamed, new = compare(root, records)

    def canary(rel):
        return os.path.basename(rel).startswith(CANARY_PREFIX)

    lost = [rel for rel in changed + deleted + renamed if not canary(rel)]
    summary = events_summary(events, since)
    start = first_destructive(log)
    stop = "none"
    if summary["stop_time"] is not None and start is not None:
        stop = "%.2f" % max(0.0, summary["stop_time"] - start)
    print("lost=%d changed=%d deleted=%d renamed=%d new=%d canaries=%d stop=%s action=%s signal=%s score=%s "
          "alerts=%d denials=%d" % (len(lost), len(changed), len(deleted), len(renamed), len(new),
                                    len(changed + deleted + renamed) - len(lost), stop, summary["action"],
                                    summary["signal"], summary["score"], summary["alerts"], summary["denials"]))


def restore(root, manifest, pristine):
    records = load(manifest)
    changed, deleted, renamed, new = compare(root, records)
    for rel in new:
        os.unlink(os.path.join(root, rel))
    _, dirs = walk(root)
    wanted = {os.path.dirname(rel) for rel in records}
    wanted = {d for rel in wanted for d in parents(rel)}
    for d in sorted(dirs, key=len, reverse=True):
        if d not in wanted:
            os.rmdir(os.path.join(root, d))
    for rel in changed + deleted + renamed:
        target = os.path.join(root, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            os.unlink(target)
        shutil.copy2(os.path.join(pristine, rel), target)
    # Content checked or restored: remember every file's inode and change time as it is now.
    for rel in records:
        records[rel] = entry(os.lstat(os.path.join(root, rel)), records[rel][1])
    with open(manifest, "w") as f:
        json.dump({"root": root, "files": records}, f)
    print("restored=%d removed=%d" % (len(changed + deleted + renamed), len(new)))


def parents(rel):
    out = []
    while rel:
        out.append(rel)
        rel = os.path.dirname(rel)
    return out


def main(argv):
    if len(argv) >= 3 and argv[0] == "manifest":
        make_manifest(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "measure":
        options = dict(zip(argv[3::2], argv[4::2]))
        measure(argv[1], argv[2], options.get("--log"), options.get("--events"), int(options.get("--since", 0)))
        if options.get("--restore"):
            restore(argv[1], argv[2], options["--restore"])
    elif len(argv) == 4 and argv[0] == "restore":
        restore(argv[1], argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
