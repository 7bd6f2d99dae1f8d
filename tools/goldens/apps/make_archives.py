"""Archives written by Python's tarfile (GNU, pax and ustar formats, gzip) and zipfile (deflate, stored), for
extractAll's interoperability test (packages/monai/test/apps/extract.test.ts). Each holds the same members:
a 130-character path (a GNU long name / pax path), a non-ASCII name, a 70000-byte file, an empty file, a
folder, a relative symlink (tar only) and an executable file. `archives.json` lists the expected content.

Run: /usr/bin/python3 tools/goldens/apps/make_archives.py
"""
import hashlib
import io
import json
import os
import tarfile
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
long_dir = "pkg/" + "d" * 60 + "/" + "e" * 60
members = {
    "pkg/readme.txt": b"hello from python\n",
    "pkg/big.bin": bytes((i * 31 + 7) % 251 for i in range(70000)),
    "pkg/empty.txt": b"",
    long_dir + "/long.txt": b"long name",
    "pkg/d\u00e9j\u00e0 vu.txt": "caf\u00e9".encode(),
    "pkg/run.sh": b"#!/bin/sh\necho hi\n",
}
expected = {k: hashlib.md5(v).hexdigest() for k, v in members.items()}


def add_tar(tf):
    d = tarfile.TarInfo("pkg")
    d.type = tarfile.DIRTYPE
    d.mode = 0o755
    tf.addfile(d)
    for name, data in members.items():
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        ti.mode = 0o755 if name.endswith(".sh") else 0o644
        ti.mtime = 1700000000
        tf.addfile(ti, io.BytesIO(data))
    ln = tarfile.TarInfo("pkg/link.txt")
    ln.type = tarfile.SYMTYPE
    ln.linkname = "readme.txt"
    tf.addfile(ln)


for fmt, name in ((tarfile.GNU_FORMAT, "gnu.tar.gz"), (tarfile.PAX_FORMAT, "pax.tar"), (tarfile.USTAR_FORMAT, "ustar.tar.gz")):
    mode = "w:gz" if name.endswith(".gz") else "w"
    with tarfile.open(os.path.join(here, name), mode, format=fmt, encoding="utf-8") as tf:
        add_tar(tf)

with zipfile.ZipFile(os.path.join(here, "py.zip"), "w") as zf:
    zf.writestr(zipfile.ZipInfo("pkg/"), b"")
    for name, data in members.items():
        zi = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_STORED if name.endswith(".txt") else zipfile.ZIP_DEFLATED
        zi.external_attr = ((0o100755 if name.endswith(".sh") else 0o100644) << 16)
        zi.create_system = 3
        zf.writestr(zi, data)

with open(os.path.join(here, "archives.json"), "w") as f:
    json.dump({"files": expected, "symlinks": {"pkg/link.txt": "readme.txt"}, "archives": ["gnu.tar.gz", "pax.tar", "ustar.tar.gz", "py.zip"]}, f, indent=1, ensure_ascii=False)
print(expected)
