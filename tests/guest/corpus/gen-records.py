#!/usr/bin/env python3
"""gen-records.py DIR [--seed N] [--canaries]
   gen-records.py --pacs-incoming DIR [--seed N] [--studies N] [--images N]

Writes a realistic, deterministic hospital records tree under DIR in one
process: patient folders with clinical notes (.txt), letters (.odt, .docx:
real zip containers), lab reports (.pdf), DICOM objects (.dcm: 128-byte
preamble, "DICM", explicit-VR meta and data set, pixel data), an imaging
archive of CT/MR/CR studies, small SQLite databases, administrative forms and
protocols, application logs and a small C project. Sizes run from 1 KB to
2 MB, about 90 MB and 540 files in all. The same seed gives the same bytes.

--canaries adds decoy files named .medguard-canary-* at the top of the tree
and of patients/ and imaging/ (what the test policy declares as canaries).

--pacs-incoming writes only new DICOM studies (for the PACS ingest scenario)
under DIR/STUDY-UID/.

Content comes from three pools made once (clinical text, incompressible
bytes standing for deflated or encrypted data, 16-bit pixel data with a
smooth image and noise), sliced per file, so that a file's entropy is what
its type would have without per-byte Python work: this runs under QEMU TCG.
"""
import argparse
import gzip
import os
import random
import sqlite3
import struct
import sys
import zipfile

KB = 1024
MB = 1024 * KB
ZIP_DATE = (2024, 3, 14, 9, 30, 0)

WORDS = """patient presents with history of hypertension diabetes mellitus type two
chronic kidney disease stage three atrial fibrillation on anticoagulation
denies chest pain shortness of breath fever chills nausea vomiting
examination reveals blood pressure heart rate respiratory rate oxygen
saturation temperature abdomen soft non tender no guarding bowel sounds
present lungs clear to auscultation bilaterally heart regular rate rhythm
no murmurs extremities without edema neurological intact plan continue
metformin lisinopril apixaban follow up in clinic in six weeks repeat
creatinine potassium haemoglobin a1c lipid panel refer to cardiology
discharge summary admitted for observation imaging showed no acute findings
ct chest without contrast mri brain with gadolinium ultrasound abdomen
radiology report impression recommendation correlation clinically
allergies penicillin rash medication reconciliation completed by pharmacist
""".split()

FIRST = "Anna Ben Clara David Eva Felix Greta Hugo Ines Jonas Karin Lukas Mia Noah Olga Paul".split()
LAST = "Meyer Schmidt Weber Fischer Wagner Becker Hoffmann Schulz Koch Richter Klein Wolf".split()


class Pools:
    """Byte pools sliced per file; each is doubled so a slice can wrap."""

    def __init__(self, rng):
        words = []
        size = 0
        while size < 512 * KB:
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))).capitalize() + ".\n"
            words.append(line)
            size += len(line)
        text = "".join(words).encode()
        self.text = text + text
        noise = rng.randbytes(4 * MB)
        self.random = noise + noise
        # Pixel data: 16-bit little-endian, high byte a slow gradient, low byte noise.
        n = 2 * MB
        low = noise[:n].translate(bytes((b & 0x3F) for b in range(256)))
        ramp = bytes((i >> 12) & 0x0F for i in range(4096)) * (n // 4096)
        pixels = bytearray(2 * n)
        pixels[0::2] = low
        pixels[1::2] = ramp
        self.pixels = bytes(pixels) * 2

    @staticmethod
    def _slice(pool, rng, size):
        half = len(pool) // 2
        start = rng.randrange(half)
        out = pool[start:start + min(size, half)]
        while len(out) < size:
            out += pool[:size - len(out)]
        return out

    def text_bytes(self, rng, size):
        return self._slice(self.text, rng, size)

    def random_bytes(self, rng, size):
        return self._slice(self.random, rng, size)

    def pixel_bytes(self, rng, size):
        return self._slice(self.pixels, rng, size)


def log_uniform(rng, low, high):
    import math
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def person(rng):
    return "%s^%s" % (rng.choice(LAST), rng.choice(FIRST))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def note(pools, rng, mrn, name, size):
    head = ("MRN: %s\nPatient: %s\nDate: 2024-%02d-%02d\nAuthor: Dr. %s\n\n"
            % (mrn, name.replace("^", ", "), rng.randint(1, 12), rng.randint(1, 28), rng.choice(LAST))).encode()
    return head + pools.text_bytes(rng, max(0, size - len(head)))


def office(pools, rng, path, size, kind):
    """An .odt or .docx: a zip with deflated XML and, for larger ones, an embedded image."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = pools.text_bytes(rng, min(size * 3, 96 * KB)).decode()
    image = max(0, size - 12 * KB)
    with zipfile.ZipFile(path, "w") as z:
        def add(name, data, method=zipfile.ZIP_DEFLATED):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = method
            z.writestr(info, data, compresslevel=1 if method == zipfile.ZIP_DEFLATED else None)
        if kind == "odt":
            add("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
            add("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
            add("content.xml", '<?xml version="1.0"?><office:document-content><office:text><text:p>'
                + text + "</text:p></office:text></office:document-content>")
            if image:
                add("Pictures/scan.jpg", b"\xff\xd8\xff\xe0" + pools.random_bytes(rng, image), zipfile.ZIP_STORED)
        else:
            add("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
            add("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
            add("word/document.xml", '<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>'
                + text + "</w:t></w:r></w:p></w:body></w:document>")
            if image:
                add("word/media/image1.png", b"\x89PNG\r\n\x1a\n" + pools.random_bytes(rng, image),
                    zipfile.ZIP_STORED)


def pdf(pools, rng, size):
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" \
           b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n" \
           b"3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n"
    tail = b"\nendstream\nendobj\nxref\n0 5\ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    body = max(64, size - len(head) - len(tail) - 48)
    stream = b"4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % body
    return head + stream + pools.random_bytes(rng, body) + tail


def dicom_element(group, element, vr, value):
    if len(value) % 2:
        value += b" " if vr in (b"PN", b"LO", b"SH", b"CS", b"DA", b"UI", b"TM") else b"\0"
    if vr in (b"OB", b"OW", b"UN", b"SQ", b"UT"):
        return struct.pack("<HH2sHI", group, element, vr, 0, len(value)) + value
    return struct.pack("<HH2sH", group, element, vr, len(value)) + value


def dicom(pools, rng, size, mrn, name, modality, study_uid, series, number):
    sop_uid = ("%s.%d.%d" % (study_uid, series, number)).encode()
    meta = (dicom_element(0x0002, 0x0001, b"OB", b"\0\1")
            + dicom_element(0x0002, 0x0002, b"UI", b"1.2.840.10008.5.1.4.1.1.2")
            + dicom_element(0x0002, 0x0003, b"UI", sop_uid)
            + dicom_element(0x0002, 0x0010, b"UI", b"1.2.840.10008.1.2.1"))
    meta = dicom_element(0x0002, 0x0000, b"UL", struct.pack("<I", len(meta))) + meta
    data = (dicom_element(0x0008, 0x0018, b"UI", sop_uid)
            + dicom_element(0x0008, 0x0060, b"CS", modality.encode())
            + dicom_element(0x0010, 0x0010, b"PN", name.encode())
            + dicom_element(0x0010, 0x0020, b"LO", mrn.encode())
            + dicom_element(0x0020, 0x000D, b"UI", study_uid.encode())
            + dicom_element(0x0020, 0x0013, b"IS", str(number).encode()))
    header = b"\0" * 128 + b"DICM" + meta + data
    pixels = max(1024, (size - len(header) - 12) & ~1)
    return header + dicom_element(0x7FE0, 0x0010, b"OW", pools.pixel_bytes(rng, pixels))


def sqlite_db(rng, path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE encounters (id INTEGER PRIMARY KEY, mrn TEXT, name TEXT, date TEXT, ward TEXT, note TEXT)")
    db.execute("CREATE INDEX encounters_mrn ON encounters (mrn)")
    db.executemany("INSERT INTO encounters (mrn, name, date, ward, note) VALUES (?, ?, ?, ?, ?)",
                   (("MRN%07d" % rng.randrange(10 ** 7), person(rng), "2024-%02d-%02d" % (rng.randint(1, 12),
                     rng.randint(1, 28)), rng.choice(["ICU", "ER", "CARD", "ONC", "PED"]),
                     " ".join(rng.choice(WORDS) for _ in range(12))) for _ in range(rows)))
    db.commit()
    db.close()


C_PROJECT = {
    "Makefile": """CFLAGS = -O1 -Wall
OBJS = main.o label.o barcode.o

labelprinter: $(OBJS)
\t$(CC) -o $@ $(OBJS)

%.o: %.c label.h
\t$(CC) $(CFLAGS) -c -o $@ $<

clean:
\trm -f labelprinter $(OBJS)
""",
    "label.h": """#ifndef LABEL_H
#define LABEL_H
struct label { char mrn[16]; char name[64]; char ward[8]; };
int label_format(const struct label *l, char *out, int size);
int barcode_checksum(const char *digits);
#endif
""",
    "main.c": """#include <stdio.h>
#include <string.h>
#include "label.h"

int main(int argc, char **argv)
{
\tstruct label l = { "MRN0001234", "Doe, Jane", "ICU" };
\tchar out[160];

\tif (argc > 1)
\t\tsnprintf(l.mrn, sizeof(l.mrn), "%s", argv[1]);
\tlabel_format(&l, out, sizeof(out));
\tputs(out);
\treturn 0;
}
""",
    "label.c": """#include <stdio.h>
#include "label.h"

int label_format(const struct label *l, char *out, int size)
{
\treturn snprintf(out, size, "%s | %s | %s | %d", l->mrn, l->name, l->ward,
\t\t\tbarcode_checksum(l->mrn + 3));
}
""",
    "barcode.c": """#include "label.h"

int barcode_checksum(const char *digits)
{
\tint sum = 0, i;

\tfor (i = 0; digits[i]; i++)
\t\tsum += (digits[i] - '0') * (i % 2 ? 3 : 1);
\treturn (10 - sum % 10) % 10;
}
""",
}


def generate_tree(root, seed, canaries):
    rng = random.Random(seed)
    pools = Pools(rng)
    count = 0

    def put(rel, data):
        nonlocal count
        write(os.path.join(root, rel), data)
        count += 1

    # Patient folders: notes, letters, reports, some images.
    for p in range(1, 81):
        mrn = "MRN%07d" % (1000 + p * 37)
        name = person(rng)
        base = "patients/P%05d" % p
        for n in range(rng.randint(1, 3)):
            put("%s/notes-%d.txt" % (base, n + 1), note(pools, rng, mrn, name, log_uniform(rng, 1 * KB, 32 * KB)))
        kind = rng.choice(["odt", "docx"])
        office(pools, rng, os.path.join(root, base, "letter.%s" % kind), log_uniform(rng, 8 * KB, 200 * KB), kind)
        count += 1
        put("%s/lab-report.pdf" % base, pdf(pools, rng, log_uniform(rng, 20 * KB, 600 * KB)))
        if p % 2 == 0:
            uid = "1.2.826.0.1.3680043.9.7%d" % p
            put("%s/xray.dcm" % base, dicom(pools, rng, log_uniform(rng, 64 * KB, 512 * KB), mrn, name,
                                          "CR", uid, 1, 1))
    # Imaging archive: studies with series of slices.
    studies = [("CT", 512 * KB, 2, 15), ("MR", 256 * KB, 2, 12), ("CR", 2 * MB - 4 * KB, 2, 2),
               ("US", 160 * KB, 1, 12), ("DX", 1 * MB, 2, 3), ("CT", 512 * KB, 2, 15)]
    for s, (modality, size, nseries, nimages) in enumerate(studies, 1):
        uid = "1.2.826.0.1.3680043.9.8%d" % s
        mrn = "MRN%07d" % (1000 + s * 37)
        name = person(rng)
        for series in range(1, nseries + 1):
            for i in range(1, nimages + 1):
                put("imaging/ST%04d/SE%d/IM%04d.dcm" % (s, series, i),
                    dicom(pools, rng, int(size * rng.uniform(0.8, 1.0)), mrn, name, modality, uid, series, i))
    # Databases.
    for name, rows in [("emr-index", 1200), ("lab-results", 600), ("appointments", 300),
                       ("pharmacy", 200), ("bed-management", 80)]:
        sqlite_db(rng, os.path.join(root, "db", name + ".sqlite"), rows)
        count += 1
    # Administrative forms (the git scenario's repository) and protocols.
    for i in range(1, 31):
        kind = "docx" if i % 3 else "odt"
        office(pools, rng, os.path.join(root, "admin/forms/form-%03d.%s" % (i, kind)),
               log_uniform(rng, 4 * KB, 64 * KB), kind)
        count += 1
    for i in range(1, 21):
        put("admin/protocols/protocol-%03d.pdf" % i, pdf(pools, rng, log_uniform(rng, 30 * KB, 1 * MB)))
    for i in range(1, 11):
        put("admin/minutes/minutes-2024-%02d.txt" % i, note(pools, rng, "-", "Board^Meeting",
                                                               log_uniform(rng, 2 * KB, 24 * KB)))
    # Application logs (their own records tree in the test policy).
    for name in ["emr-app", "pacs-store", "hl7-interface", "audit", "backup-agent", "auth"]:
        lines = []
        size = log_uniform(rng, 40 * KB, 400 * KB)
        total = 0
        second = 0
        while total < size:
            second += rng.randint(1, 20)
            line = "2024-03-14T%02d:%02d:%02d %s[%d]: %s\n" % (
                (second // 3600) % 24, (second // 60) % 60, second % 60, name, rng.randint(100, 9999),
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))))
            lines.append(line)
            total += len(line)
        text = "".join(lines).encode()
        put("logs/%s.log" % name, text)
        if name in ("emr-app", "audit", "auth"):
            put("logs/%s.log.1.gz" % name, gzip.compress(text[: len(text) // 2], compresslevel=6, mtime=0))
    # A small C project (the compile scenario).
    for name, text in C_PROJECT.items():
        put("src/labelprinter/" + name, text.encode())
    if canaries:
        for directory in ["", "patients", "imaging"]:
            put(os.path.join(directory, ".medguard-canary-0001.docx"),
                b"PK\x03\x04" + pools.random_bytes(rng, 24 * KB))
    return count


def generate_incoming(root, seed, studies, images):
    rng = random.Random(seed)
    pools = Pools(rng)
    count = 0
    for s in range(1, studies + 1):
        uid = "1.2.826.0.1.3680043.9.9%d.%d" % (seed, s)
        mrn = "MRN%07d" % rng.randrange(10 ** 7)
        name = person(rng)
        for i in range(1, images + 1):
            write(os.path.join(root, "STUDY-%s" % uid, "IM%04d.dcm" % i),
                  dicom(pools, rng, int(rng.uniform(64, 160) * KB), mrn, name, "CT", uid, 1, i))
            count += 1
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--seed", type=int, default=20240314)
    parser.add_argument("--canaries", action="store_true")
    parser.add_argument("--pacs-incoming", action="store_true")
    parser.add_argument("--studies", type=int, default=4)
    parser.add_argument("--images", type=int, default=50)
    args = parser.parse_args()
    if args.pacs_incoming:
        count = generate_incoming(args.dir, args.seed, args.studies, args.images)
    else:
        count = generate_tree(args.dir, args.seed, args.canaries)
    print(count)


if __name__ == "__main__":
    sys.exit(main())
