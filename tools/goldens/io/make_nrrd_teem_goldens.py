#!/usr/bin/python3
"""NRRD fixtures written by teem (the reference NRRD library), and teem's own reading of them.

    apt-get install teem-apps      # Debian 12: /usr/bin/teem-unu
    /usr/bin/python3 tools/goldens/io/make_nrrd_teem_goldens.py

Every fixture in packages/monai/test/fixtures/io/teem/ is made by `unu make` from a raw pattern and
re-encoded by `unu save` (raw, gzip, ascii; little and big endian; attached and detached headers;
several types; space directions, origin, spacings, a vector axis). What teem reads back is taken from
`unu save -f nrrd -e ascii` of each fixture: its header as teem prints it after parsing (type, sizes,
space, space directions, space origin, spacings, kinds) and every value. nrrd_teem.test.ts compares
our NrrdReader against that, so neither the fixtures nor the expected values come from our code.
"""
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "io", "teem")
UNU = shutil.which("teem-unu") or shutil.which("unu")
if not UNU:
    raise SystemExit("teem's unu is needed: apt-get install teem-apps")

DIRS3 = "(0.90000000000000002,0.10000000000000001,0) (-0.20000000000000001,1.1000000000000001,0) (0,0,2.5)"
# name, teem type, numpy dtype, sizes, make options, save options (encoding, endian), output name
CASES = [
    ("float_raw_lps", "float", "f4", [4, 3, 2], ["-spc", "LPS", "-orig", "(1.5,-2,3)", "-dirs", DIRS3, "-k", "domain", "domain", "domain"], ["-e", "raw", "-en", "little"], "float_raw_lps.nrrd"),
    ("short_gzip_ras", "short", "i2", [5, 4, 3], ["-spc", "RAS", "-orig", "(-10,20.5,-30)", "-dirs", "(0.5,0,0) (0,0.75,0) (0,0,1.25)"], ["-e", "gzip", "-en", "little"], "short_gzip_ras.nrrd"),
    ("uchar_ascii_2d", "uchar", "u1", [6, 5], ["-sp", "0.5", "0.75"], ["-e", "ascii"], "uchar_ascii_2d.nrrd"),
    ("int_detached", "int", "i4", [3, 4, 2], ["-spc", "LPS", "-orig", "(0,0,0)", "-dirs", "(-1,0,0) (0,-1,0) (0,0,1)"], ["-e", "raw", "-en", "little"], "int_detached.nhdr"),
    ("double_big", "double", "f8", [3, 2, 4], ["-spc", "LPS", "-orig", "(7,8,9)", "-dirs", DIRS3], ["-e", "raw", "-en", "big"], "double_big.nrrd"),
    ("ushort_gzip_big", "ushort", "u2", [4, 4, 2], ["-spc", "LPS", "-orig", "(1,2,3)", "-dirs", "(2,0,0) (0,2,0) (0,0,3)"], ["-e", "gzip", "-en", "big"], "ushort_gzip_big.nrrd"),
    ("uint_raw", "uint", "u4", [3, 3, 3], ["-spc", "LPS", "-orig", "(0,0,0)", "-dirs", "(1,0,0) (0,1,0) (0,0,1)"], ["-e", "raw", "-en", "little"], "uint_raw.nrrd"),
    ("char_raw", "signed char", "i1", [5, 3], ["-sp", "1.5", "2"], ["-e", "raw"], "char_raw.nrrd"),
    ("longlong_gzip_detached", "long long", "i8", [2, 3, 4], ["-spc", "LPS", "-orig", "(-1,-2,-3)", "-dirs", "(0,1,0) (1,0,0) (0,0,-1)"], ["-e", "gzip", "-en", "big"], "longlong_gzip_detached.nhdr"),
    ("vector_4d", "float", "f4", [3, 4, 3, 2], ["-spc", "LPS", "-orig", "(10,-10,5)", "-dirs", "none " + DIRS3, "-k", "3-vector", "domain", "domain", "domain"], ["-e", "gzip", "-en", "little"], "vector_4d.nrrd"),
]


def pattern(dtype, n):
    i = np.arange(n, dtype=np.int64)
    v = (i * 37) % 251 - 100
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (v * 0.25 + 0.125).astype(dt)
    if dt.kind == "u":
        return ((v + 100) * (1 if dt.itemsize == 1 else 257)).astype(dt)
    if dt.itemsize == 1:
        return v.astype(dt)
    return (v * (1 if dt.itemsize == 2 else 1000003)).astype(dt)


def teem_reads(path):
    """Header fields and values as teem prints them after reading `path`."""
    out = subprocess.run([UNU, "save", "-f", "nrrd", "-e", "ascii", "-i", path, "-o", "-"], check=True, capture_output=True).stdout.decode("latin1")
    head, _, body = out.partition("\n\n")
    fields = {}
    for line in head.splitlines()[1:]:
        if line.startswith("#") or ": " not in line:
            continue
        k, v = line.split(": ", 1)
        fields[k.strip()] = v.strip()
    return fields, [float(x) for x in body.split()]


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    tmp = tempfile.mkdtemp(prefix="monai-ts-teem-")
    goldens = {}
    try:
        for name, ttype, dt, sizes, make_opts, save_opts, fname in CASES:
            raw = os.path.join(tmp, name + ".in")
            pattern("<" + dt if np.dtype(dt).itemsize > 1 else dt, int(np.prod(sizes))).tofile(raw)
            made = os.path.join(tmp, name + ".nrrd")
            subprocess.run([UNU, "make", "-i", raw, "-t", ttype, "-s", *map(str, sizes), "-e", "raw", "-en", "little", *make_opts, "-o", made], check=True)
            # unu save writes a detached header's data next to it (name.raw / name.raw.gz)
            subprocess.run([UNU, "save", "-f", "nrrd", *save_opts, "-i", made, "-o", os.path.join(OUT, fname)], check=True, cwd=OUT)
            fields, values = teem_reads(os.path.join(OUT, fname))
            assert len(values) == int(np.prod(sizes)), name
            goldens[fname] = {"fields": fields, "values": values, "unu_save": save_opts}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "teem-apps"], capture_output=True).stdout.decode() or "unknown"
    with open(os.path.join(os.path.dirname(__file__), "nrrd_teem_goldens.json"), "w") as f:
        json.dump({"teem_apps_version": version, "files": goldens}, f, indent=1, sort_keys=True)
    print(f"{len(goldens)} fixtures written and read by teem {version}: {sorted(os.listdir(OUT))}")


if __name__ == "__main__":
    main()
