#!/usr/bin/python3
"""NRRD files written by monai-ts, judged by teem, committed for a byte-identity test.

    apt-get install teem-apps
    /usr/bin/python3 tools/goldens/io/make_nrrd_writer_goldens.py

Writes every case of packages/monai/test/data/nrrd_writer_cases.ts with our writer (through
write_nrrd_writer_cases.ts) and has teem (`unu save -f nrrd -e ascii`) read each file: sizes, every
value, and the geometry (space directions and origin in LPS, `none` for the channel axis) must be what
was written. Only if all pass are the files copied to packages/monai/test/fixtures/io/written_nrrd/
with their SHA-256 and teem's reading in tools/goldens/io/nrrd_writer_goldens.json.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEST = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "io", "written_nrrd")
UNU = shutil.which("teem-unu") or shutil.which("unu")
if not UNU:
    raise SystemExit("teem's unu is needed: apt-get install teem-apps")


def teem_reads(path):
    out = subprocess.run([UNU, "save", "-f", "nrrd", "-e", "ascii", "-i", path, "-o", "-"], check=True, capture_output=True).stdout.decode("latin1")
    head, _, body = out.partition("\n\n")
    fields = {}
    for line in head.splitlines()[1:]:
        if not line.startswith("#") and ": " in line:
            k, v = line.split(": ", 1)
            fields[k.strip()] = v.strip()
    return fields, [float(x) for x in body.split()]


def vec(s):
    return [float(x) for x in s.strip("()").split(",")]


def main():
    tmp = tempfile.mkdtemp(prefix="monai-ts-nrrdw-")
    try:
        subprocess.run(["node", "--conditions=source", "--import", "tsx", "tools/goldens/io/write_nrrd_writer_cases.ts", tmp], cwd=ROOT, check=True)
        cases = json.load(open(os.path.join(tmp, "cases.json")))
        goldens, bad = {}, []
        for c in cases:
            path = os.path.join(tmp, c["file"])
            fields, values = teem_reads(path)
            aff = np.asarray(c["affine"], dtype=float).reshape(4, 4)
            lps = np.diag([-1.0, -1.0, 1.0]) @ aff[:3]  # what the file must say, in LPS
            dirs = fields.get("space directions", "").split(" ")
            spatial = [vec(d) for d in dirs if d != "none"]
            checks = {
                "sizes": [int(x) for x in fields["sizes"].split()] == c["shape"],
                "values": values == c["values"],
                "space": fields.get("space") == "left-posterior-superior",
                "directions": len(spatial) == min(3, len(c["shape"]) - (c["channelAxis"] is not None))
                and all(np.allclose(spatial[j], lps[:, j], atol=1e-12) for j in range(len(spatial))),
                "origin": np.allclose(vec(fields["space origin"]), lps[:, 3], atol=1e-12),
                "none_axis": c["channelAxis"] is None or dirs[c["channelAxis"]] == "none",
            }
            if not all(checks.values()):
                bad.append((c["name"], checks))
            with open(path, "rb") as f:
                raw = f.read()
            goldens[c["file"]] = {"sha256": hashlib.sha256(raw).hexdigest(), "teem_fields": fields, "checks": sorted(checks)}
        if bad:
            print("teem disagrees with the writer:", bad, file=sys.stderr)
            sys.exit(1)
        if os.path.isdir(DEST):
            shutil.rmtree(DEST)
        os.makedirs(DEST)
        for name in goldens:
            shutil.copyfile(os.path.join(tmp, name), os.path.join(DEST, name))
        version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "teem-apps"], capture_output=True).stdout.decode() or "unknown"
        with open(os.path.join(os.path.dirname(__file__), "nrrd_writer_goldens.json"), "w") as f:
            json.dump({"teem_apps_version": version, "files": goldens}, f, indent=1, sort_keys=True)
        print(f"{len(goldens)} NRRD files verified by teem {version}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
