#!/usr/bin/env python3
"""The damage meter of the behaviour tests.

It never opens a file of the records tree itself: python3 is an interpreter
in the test policy, so medguard denies it every access while it enforces.
It lists the tree with find and hashes files with sha256sum, trusted tools
that may read the records (reading is not scored).

damage.py manifest DIR MANIFEST
    Records every file under DIR: relative path, size, SHA-256, inode, ctime.
damage.py measure DIR MANIFEST [--log LOG] [--events EVENTS] [--since LINE]
                 [--plan PRISTINE PLAN]
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
                deny-writes, kill or freeze behaviour event in EVENTS after
                line SINCE; `none` without such an event
      action, signal, score   of that event
      alerts    behaviour events of any action
      denials   access events with verdict "denied"
      unreadable  files sha256sum could not read (counted as changed)
    A file whose inode, size and change time are those of the manifest is
    not read again: any write to it would have moved its change time.
    With --plan, writes to PLAN the steps that put DIR back from the
    pristine copy, one a line, tab-separated: `rm PATH` for a new file,
    `rmdir PATH` for a new directory, `cp FROM TO` for a lost file. The test
    runs each step as a process of its own (see test_behaviour.sh).
damage.py exfil OUT MANIFEST [--log LOG] [--events EVENTS] [--since LINE]
    Counts the records of MANIFEST whose content reached OUT (a directory
    an exfiltration scenario copied into): every file under OUT, and every
    member of a tar archive or gzip stream there, hashed and matched
    against the manifest's digests. Prints `exfiltrated=N` (distinct
    records), `stop` (seconds from the copy's start to medguard's first deny-reads, or none),
    `alerts` and `denials`. OUT lies outside the records: it is read
    directly.
damage.py refresh DIR MANIFEST
    After a plan has run: checks that DIR holds the manifest's content again
    and takes the new inodes and change times of the restored files into
    the manifest. Prints `restored=ok` or what is still wrong.
"""
import datetime
import gzip
import hashlib
import zlib
import json
import os
import subprocess
import sys

CANARY_PREFIX = ".medguard-canary-"


def listing(root):
    """Relative path -> (type, size, inode, ctime in ns) of everything under ROOT, by find."""
    out = subprocess.run(["find", root, "-mindepth", "1", "-printf", r"%P\0%y\0%s\0%i\0%C@\0"],
                         stdout=subprocess.PIPE, check=False).stdout.split(b"\0")
    entries = {}
    for i in range(0, len(out) - 4, 5):
        rel, kind, size, ino, ctime = (x.decode("utf-8", "surrogateescape") for x in out[i:i + 5])
        seconds, _, fraction = ctime.partition(".")
        entries[rel] = (kind, int(size), int(ino), int(seconds) * 10 ** 9 + int((fraction + "000000000")[:9]))
    return entries


UNREADABLE = []


def hashes(root, rels):
    """Relative path -> SHA-256 of each of RELS, by sha256sum; UNREADABLE gets the others."""
    result = {}
    rels = list(rels)
    for start in range(0, len(rels), 200):
        chunk = rels[start:start + 200]
        out = subprocess.run(["sha256sum", "--"] + [os.path.join(root, r) for r in chunk],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False).stdout
        for line in out.decode("utf-8", "surrogateescape").splitlines():
            digest, _, path = line.partition("  ")
            result[os.path.relpath(path, root)] = digest
    UNREADABLE.extend(rel for rel in rels if rel not in result)
    return result


def make_manifest(root, manifest):
    entries = {rel: e for rel, e in listing(root).items() if e[0] == "f"}
    digests = hashes(root, sorted(entries))
    records = {rel: [e[1], digests.get(rel, ""), e[2], e[3]] for rel, e in sorted(entries.items())}
    with open(manifest, "w") as f:
        json.dump({"root": root, "files": records}, f)
    print("files=%d bytes=%d" % (len(records), sum(r[0] for r in records.values())))


def load(manifest):
    with open(manifest) as f:
        return json.load(f)["files"]


def compare(root, records):
    """(changed, deleted, renamed, new files, new directories, listing) of ROOT against RECORDS."""
    entries = listing(root)
    missing, suspects = [], []
    for rel, record in records.items():
        e = entries.get(rel)
        if e is None or e[0] != "f":
            missing.append(rel)
        elif (e[1], e[2], e[3]) != (record[0], record[2], record[3]):
            suspects.append(rel)
    digests = hashes(root, suspects)
    changed = [rel for rel in suspects if digests.get(rel) != records[rel][1]]
    wanted_dirs = set()
    for rel in records:
        d = os.path.dirname(rel)
        while d and d not in wanted_dirs:
            wanted_dirs.add(d)
            d = os.path.dirname(d)
    new = [rel for rel, e in entries.items() if e[0] != "d" and rel not in records]
    new_dirs = [rel for rel, e in entries.items() if e[0] == "d" and rel not in wanted_dirs]
    new_inodes = {entries[rel][2] for rel in new}
    renamed = [rel for rel in missing if records[rel][2] in new_inodes]
    deleted = [rel for rel in missing if records[rel][2] not in new_inodes]
    return changed, deleted, renamed, new, new_dirs, entries


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
                if out["stop_time"] is None and event.get("action") in ("deny-writes", "deny-reads", "kill", "freeze"):
                    out["stop_time"] = parse_time(event["time"])
                    out["action"] = event.get("action")
                    out["signal"] = event.get("signal", "-")
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


def measure(root, manifest, log, events, since, plan):
    records = load(manifest)
    changed, deleted, renamed, new, new_dirs, _ = compare(root, records)

    def canary(rel):
        return os.path.basename(rel).startswith(CANARY_PREFIX)

    lost = [rel for rel in changed + deleted + renamed if not canary(rel)]
    summary = events_summary(events, since)
    start = first_destructive(log)
    stop = "none"
    if summary["stop_time"] is not None and start is not None:
        stop = "%.2f" % max(0.0, summary["stop_time"] - start)
    print("lost=%d changed=%d deleted=%d renamed=%d new=%d canaries=%d stop=%s action=%s signal=%s score=%s "
          "alerts=%d denials=%d unreadable=%d" % (
              len(lost), len(changed), len(deleted), len(renamed), len(new), len(changed + deleted + renamed) - len(lost),
              stop, summary["action"], summary["signal"], summary["score"], summary["alerts"], summary["denials"],
              len(UNREADABLE)))
    if plan:
        pristine, plan_file = plan
        with open(plan_file, "w") as f:
            for rel in new:
                f.write("rm\t%s\n" % os.path.join(root, rel))
            for rel in sorted(new_dirs, key=len, reverse=True):
                f.write("rmdir\t%s\n" % os.path.join(root, rel))
            for rel in changed + deleted + renamed:
                f.write("cp\t%s\t%s\n" % (os.path.join(pristine, rel), os.path.join(root, rel)))


def gunzip_prefix(data):
    """As much of a gzip stream as decompresses: a thief stopped mid-copy leaves a truncated one."""
    out = []
    while data[:2] == b"\x1f\x8b":
        stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out.append(stream.decompress(data))
        except zlib.error:
            break
        data = stream.unused_data
    return b"".join(out)


def tar_members(data):
    """The complete regular-file members of a (possibly truncated) tar stream."""
    offset = 0
    while offset + 512 <= len(data):
        header = data[offset:offset + 512]
        if header == b"\0" * 512 or header[257:262] != b"ustar":
            return
        try:
            size = int(header[124:136].split(b"\0")[0].strip() or b"0", 8)
        except ValueError:
            return
        start = offset + 512
        if header[156:157] in (b"0", b"\0") and start + size <= len(data):
            yield data[start:start + size]
        offset = start + (size + 511) // 512 * 512


def contents(path):
    """The byte strings a file under an exfiltration's output holds: itself, its gzip stream, its tar members."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    yield data
    plain = gunzip_prefix(data) if data[:2] == b"\x1f\x8b" else data
    if plain is not data:
        yield plain
    yield from tar_members(plain)


def exfil(out, manifest, log, events, since):
    records = load(manifest)
    wanted = {record[1] for record in records.values() if record[0] > 0 and record[1]}
    found = set()
    for directory, _, files in os.walk(out):
        for name in files:
            for data in contents(os.path.join(directory, name)):
                digest = hashlib.sha256(data).hexdigest()
                if digest in wanted:
                    found.add(digest)
    summary = events_summary(events, since)
    start = first_destructive(log)
    stop = "none"
    if summary["stop_time"] is not None and start is not None:
        stop = "%.2f" % max(0.0, summary["stop_time"] - start)
    print("exfiltrated=%d stop=%s action=%s alerts=%d denials=%d" % (
        len(found), stop, summary["action"], summary["alerts"], summary["denials"]))


def refresh(root, manifest):
    records = load(manifest)
    changed, deleted, renamed, new, new_dirs, entries = compare(root, records)
    if changed or deleted or renamed or new or new_dirs:
        print("restored=incomplete changed=%d missing=%d new=%d new-directories=%d unreadable=%d" % (
            len(changed), len(deleted + renamed), len(new), len(new_dirs), len(UNREADABLE)))
        return 1
    # Same content everywhere (compare hashed every file whose stat moved): keep the new stat.
    for rel, record in records.items():
        e = entries[rel]
        records[rel] = [e[1], record[1], e[2], e[3]]
    with open(manifest, "w") as f:
        json.dump({"root": root, "files": records}, f)
    print("restored=ok")
    return 0


def main(argv):
    if len(argv) == 3 and argv[0] == "manifest":
        make_manifest(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "measure":
        options, rest = {}, argv[3:]
        while rest:
            if rest[0] == "--plan" and len(rest) >= 3:
                options["--plan"] = (rest[1], rest[2])
                rest = rest[3:]
            elif len(rest) >= 2:
                options[rest[0]] = rest[1]
                rest = rest[2:]
            else:
                break
        measure(argv[1], argv[2], options.get("--log"), options.get("--events"), int(options.get("--since", 0)),
                options.get("--plan"))
    elif len(argv) >= 3 and argv[0] == "exfil":
        options = dict(zip(argv[3::2], argv[4::2]))
        exfil(argv[1], argv[2], options.get("--log"), options.get("--events"), int(options.get("--since", 0)))
    elif len(argv) == 3 and argv[0] == "refresh":
        return refresh(argv[1], argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
