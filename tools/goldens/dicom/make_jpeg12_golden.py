#!/usr/bin/env python3
"""Goldens for 12-bit JPEG (JPEG Extended, process 4) decoding, from a real libjpeg: GDCM's 12-bit IJG build.

Run from the repository root on Debian 12 (apt-get install libgdcm-tools python3-pydicom):

    /usr/bin/python3 tools/goldens/dicom/make_jpeg12_golden.py

`gdcmconv --raw` decompresses JPGExtended.dcm (pydicom's sample, the only real 12-bit JPEG file there;
JPEG-lossy.dcm is the same image with a broken SOS) with GDCM's bundled IJG libjpeg built for 12-bit
samples (default islow IDCT): the decoder ITK uses for DICOM. The decoded samples, in pydicom's
(rows, columns) order, are hashed as float64 little-endian bytes and written with a few values to
packages/monai/test/fixtures/dicom/jpeg12_gdcm.json.

pydicom has no other 12-bit JPEG, and no encoder here writes one (GDCM's --jpeg picks 16-bit precision for
16-bit allocated data), so the script also writes synthetic/jpeg12_restart.dcm with its own minimal
sequential DCT encoder: 37 x 29 samples (partial blocks at both edges), 16-bit quantisation table entries,
restart markers every 3 blocks, saturated regions (so the IDCT output needs the range limit). Only the
encoder is ours; the expected samples are again GDCM's decode.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIX = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "dicom")


def gdcm_version():
    out = subprocess.run(["gdcmconv", "--version"], capture_output=True, text=True).stdout.strip()
    return out.splitlines()[0] if out else "unknown"


ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
          14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
          53, 60, 61, 54, 47, 55, 62, 63]


def encode_jpeg12(img, restart=3):
    """Sequential DCT JPEG, 12-bit, one component, fixed-length canonical Huffman codes (valid, not small)."""
    rows, cols = img.shape
    q = np.array([max(1, int(round(v * 3.1))) for v in [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29,
        51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121,
        120, 101, 72, 92, 95, 98, 112, 100, 103, 99]]).reshape(8, 8)  # natural order
    n = np.arange(8)
    c = np.where(n == 0, np.sqrt(0.5), 1.0)
    basis = (c[:, None] / 2) * np.cos((2 * n[None, :] + 1) * n[:, None] * np.pi / 16)  # [u, x]
    by, bx = -(-rows // 8), -(-cols // 8)
    padded = np.pad(img.astype(np.float64) - 2048, ((0, by * 8 - rows), (0, bx * 8 - cols)), mode="edge")
    dc_codes = {s: (s, 5) for s in range(16)}
    ac_symbols = [0x00, 0xF0] + [(r << 4) | s for r in range(16) for s in range(1, 15)]
    ac_codes = {sym: (i, 8) for i, sym in enumerate(ac_symbols)}
    bits = []

    def put(value, length):
        bits.append(format(value, f"0{length}b") if length else "")

    def category(v):
        return 0 if v == 0 else int(abs(v)).bit_length()

    def magnitude(v, s):
        return v if v >= 0 else v + (1 << s) - 1

    out = bytearray()

    def flush(pad=True):
        s = "".join(bits)
        bits.clear()
        if pad:
            s += "1" * (-len(s) % 8)
        for i in range(0, len(s), 8):
            b = int(s[i:i + 8], 2)
            out.append(b)
            if b == 0xFF:
                out.append(0)

    pred, blocks, rst = 0, 0, 0
    for y in range(by):
        for x in range(bx):
            if restart and blocks and blocks % restart == 0:
                flush()
                out.extend(bytes([0xFF, 0xD0 + rst]))
                rst = (rst + 1) % 8
                pred = 0
            f = padded[y * 8:y * 8 + 8, x * 8:x * 8 + 8]
            coef = np.rint(basis @ f @ basis.T / q).astype(int).reshape(-1)
            zz = [int(coef[k]) for k in ZIGZAG]
            d = zz[0] - pred
            pred = zz[0]
            s = category(d)
            put(*dc_codes[s])
            put(magnitude(d, s), s)
            run = 0
            last = max([k for k in range(1, 64) if zz[k] != 0], default=0)
            for k in range(1, last + 1):
                if zz[k] == 0:
                    run += 1
                    continue
                while run > 15:
                    put(*ac_codes[0xF0])
                    run -= 16
                s = category(zz[k])
                put(*ac_codes[(run << 4) | s])
                put(magnitude(zz[k], s), s)
                run = 0
            if last < 63:
                put(*ac_codes[0x00])
            blocks += 1
    flush()

    def seg(marker, payload):
        return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload

    def dht(tc_th, codes):
        counts = [0] * 16
        syms = sorted(codes, key=lambda k: codes[k][0])
        for k in syms:
            counts[codes[k][1] - 1] += 1
        return seg(0xC4, bytes([tc_th] + counts + syms))

    dqt = seg(0xDB, bytes([0x10]) + b"".join(int(q.reshape(-1)[k]).to_bytes(2, "big") for k in ZIGZAG))
    sof1 = seg(0xC1, bytes([12]) + rows.to_bytes(2, "big") + cols.to_bytes(2, "big") + bytes([1, 1, 0x11, 0]))
    dri = seg(0xDD, restart.to_bytes(2, "big"))
    sos = seg(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    return b"\xff\xd8" + dqt + sof1 + dht(0x00, dc_codes) + dht(0x10, ac_codes) + dri + sos + bytes(out) + b"\xff\xd9"


def make_restart_fixture(path):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.encaps import encapsulate
    from pydicom.uid import generate_uid

    rng = np.random.default_rng(12)
    rows, cols = 29, 37
    y, x = np.mgrid[0:rows, 0:cols]
    img = 2048 + 1700 * np.sin(x / 4.0) * np.cos(y / 6.0) + rng.normal(0, 150, (rows, cols))
    img[2:10, 3:13] = 4095
    img[16:24, 20:31] = 0
    img = img.clip(0, 4095).astype(np.uint16)
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    fm.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["monai-ts jpeg12 restart"])
    fm.TransferSyntaxUID = "1.2.840.10008.1.2.4.51"
    ds = Dataset()
    ds.file_meta = fm
    ds.SOPClassUID, ds.SOPInstanceUID = fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID
    ds.Modality, ds.PatientName, ds.PatientID = "MR", "Synthetic^Jpeg12", "monai-ts"
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, cols, 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = encapsulate([encode_jpeg12(img)])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)


def main():
    goldens = {}
    make_restart_fixture(os.path.join(FIX, "synthetic", "jpeg12_restart.dcm"))
    for key in ["pydicom/JPGExtended.dcm", "synthetic/jpeg12_restart.dcm"]:
        with tempfile.TemporaryDirectory() as td:
            raw = os.path.join(td, "raw.dcm")
            subprocess.run(["gdcmconv", "--raw", os.path.join(FIX, key), raw], check=True, capture_output=True)
            ds = pydicom.dcmread(raw)
            assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1", ds.file_meta.TransferSyntaxUID
            a = ds.pixel_array
        flat = a.reshape(-1).astype("<f8")
        idx = sorted(set([int(i) for i in np.linspace(0, flat.size - 1, 16)] + [int(np.argmax(flat)), int(np.argmin(flat))]))
        goldens[key] = {
            "source": f"gdcmconv --raw ({gdcm_version()}, IJG 12-bit)",
            "shape": list(a.shape),
            "sha256": hashlib.sha256(flat.tobytes()).hexdigest(),
            "sum": float(flat.sum()),
            "min": float(flat.min()),
            "max": float(flat.max()),
            "samples": [[i, float(flat[i])] for i in idx],
        }
    with open(os.path.join(FIX, "jpeg12_gdcm.json"), "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(goldens[k], sort_keys=True)}" for k in sorted(goldens)) + "\n}\n")
    print(f"wrote {len(goldens)} golden(s)", file=sys.stderr)


if __name__ == "__main__":
    main()
