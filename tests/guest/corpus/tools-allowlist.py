#!/usr/bin/env python3
"""tools-allowlist.py TOOL...: prints a SHA-256 allowlist (sha256sum format)
of each TOOL (a command name or path), every shared library it loads and the
helpers it runs or maps that its ELF headers do not name: gcc's cc1, as,
collect2, ld and LTO plugin, 7z's codec library, gpg's agent, git's copy of
itself in its exec-path.

Paths are the real files (readlink -f): the daemon trusts allowlisted paths
at start, so the first run of each tool is already trusted. The libraries
are what ldd lists: the DT_NEEDED entries of each file, recursively, looked
up in its RUNPATH/RPATH and the system library directories, plus the
dynamic loader (PT_INTERP). It reads the ELF headers itself instead of
running ldd once per program: under QEMU TCG each process costs.
"""
import hashlib
import os
import shutil
import struct
import subprocess
import sys

LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
PT_INTERP, PT_DYNAMIC, PT_LOAD = 3, 2, 1
DT_NEEDED, DT_STRTAB, DT_RPATH, DT_RUNPATH = 1, 5, 15, 29


def elf_deps(path):
    """(interpreter or None, [needed sonames], [search dirs]) of an ELF64 little-endian file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None, [], []
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads, dynamic, interp = [], None, None
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
        elif p_type == PT_INTERP:
            interp = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
    if not dynamic:
        return interp, [], []

    def offset(vaddr):
        for start, off, size in loads:
            if start <= vaddr < start + size:
                return vaddr - start + off
        return vaddr

    entries, strtab = [], 0
    for i in range(dynamic[1] // 16):
        tag, value = struct.unpack_from("<qQ", data, dynamic[0] + i * 16)
        if tag == 0:
            break
        if tag == DT_STRTAB:
            strtab = offset(value)
        entries.append((tag, value))

    def string(at):
        end = data.index(b"\0", strtab + at)
        return data[strtab + at:end].decode()

    needed = [string(v) for t, v in entries if t == DT_NEEDED]
    origin = os.path.dirname(path)
    dirs = []
    for t, v in entries:
        if t in (DT_RPATH, DT_RUNPATH):
            dirs += [d.replace("$ORIGIN", origin) for d in string(v).split(":") if d]
    return interp, needed, dirs


def closure(paths):
    seen, todo = set(), list(paths)
    while todo:
        path = os.path.realpath(todo.pop())
        if path in seen or not os.path.isfile(path):
            continue
        seen.add(path)
        interp, needed, dirs = elf_deps(path)
        if interp:
            todo.append(interp)
        for soname in needed:
            for d in dirs + LIB_DIRS:
                candidate = os.path.join(d, soname)
                if os.path.exists(candidate):
                    todo.append(candidate)
                    break
            else:
                print("tools-allowlist: %s: %s not found" % (path, soname), file=sys.stderr)
    return seen


def helpers(tool, path):
    name = os.path.basename(tool)
    if name in ("gcc", "cc"):
        cc1 = subprocess.run([path, "-print-prog-name=cc1"], capture_output=True, text=True).stdout.strip()
        libexec = os.path.dirname(cc1)
        return [cc1] + [os.path.join(libexec, n) for n in ("collect2", "lto-wrapper", "liblto_plugin.so")] + \
            [shutil.which(n) or n for n in ("as", "ld")]
    if name in ("7z", "7za"):
        return [p for p in ("/usr/lib/p7zip/7z", "/usr/lib/p7zip/7za", "/usr/lib/p7zip/7z.so") if os.path.exists(p)]
    if name == "git":
        # git runs its subcommands (gc --auto, maintenance) from its exec-path, a copy of itself.
        path = subprocess.run([path, "--exec-path"], capture_output=True, text=True).stdout.strip()
        return [os.path.join(path, "git")]
    if name == "gpg":
        return [shutil.which(n) or n for n in ("gpg-agent", "gpgconf")]
    return []


def main(tools):
    roots = []
    for tool in tools:
        path = shutil.which(tool)
        if not path:
            print("tools-allowlist: no %s" % tool, file=sys.stderr)
            continue
        roots += [path] + helpers(tool, path)
    for path in sorted(closure(roots)):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        print("%s  %s" % (h.hexdigest(), path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
