#!/usr/bin/env python3
"""Builds the DICOM fixtures and goldens for packages/monai/test/data/dicom.

Run from the repository root with Debian's Python (pydicom, numpy, nibabel, torch) and a MONAI checkout:

    PYTHONPATH=/path/to/MONAI /usr/bin/python3 tools/goldens/dicom/make_goldens.py

What it writes under packages/monai/test/fixtures/dicom/:
  pydicom/                 copies of pydicom's MIT-licensed sample files (see README.md there)
  synthetic/               files generated here (oblique series, enhanced multi-frame, two-series
                           folder, MONOCHROME1 / BitsStored cases, HTJ2K)
  goldens.json             expected arrays (shape, dtype, hash, sum/min/max, sample values) and geometry

Expected values come from MONAI's PydicomReader (default options) where pydicom can decode the file.
Otherwise they come from a lossless sibling (the same image uncompressed) or, for synthetic data, from
the numpy array the file was written from. Arrays are hashed as float64 little-endian bytes in MONAI's
index order (column, row[, slice][, sample]).
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian
from pydicom.uid import generate_uid as _generate_uid

warnings.simplefilter("ignore")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIX = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "dicom")
SAMPLES = "/usr/lib/python3/dist-packages/pydicom/data/test_files"

# (file, how the expected array is obtained)
COPIED = [
    ("MR_small.dcm", "monai"),  # explicit VR little endian, int16
    ("MR_small_implicit.dcm", "monai"),  # implicit VR little endian
    ("MR_small_bigendian.dcm", "monai"),  # explicit VR big endian
    ("MR_small_RLE.dcm", "monai"),  # RLE lossless
    ("MR_small_jpeg_ls_lossless.dcm", "ref:MR_small.dcm"),  # JPEG-LS lossless (pydicom here has no JPEG-LS codec)
    ("MR_small_jp2klossless.dcm", "monai"),  # JPEG 2000 lossless (pydicom via Pillow/OpenJPEG)
    ("CT_small.dcm", "monai"),  # rescale slope/intercept -> float32
    ("image_dfl.dcm", "monai"),  # deflated explicit VR little endian
    ("JPEG2000.dcm", "monai"),  # JPEG 2000 (lossy), 1024x256
    ("693_J2KI.dcm", "monai"),  # JPEG 2000, BitsStored 14 signed, rescale
    ("SC_rgb_jpeg_dcmtk.dcm", "monai+rgb"),  # JPEG baseline, YBR_FULL, RGB
    ("SC_rgb_dcmtk_+eb+cy+np.dcm", "monai+rgb"),  # JPEG baseline, YBR_FULL_422 (subsampled chroma)
    ("SC_jpeg_no_color_transform.dcm", "monai"),  # JPEG baseline, RGB without colour transform
    ("SC_rgb_jpeg_gdcm.dcm", "ref:SC_rgb_rle.dcm"),  # JPEG lossless SV1, RGB (same image as SC_rgb_rle)
    ("SC_rgb_rle.dcm", "monai"),  # RLE, RGB 8-bit
    ("SC_rgb_rle_16bit_2frame.dcm", "frames"),  # RLE, RGB 16-bit, 2 frames
    ("ExplVR_BigEnd.dcm", "monai"),  # big endian RGB
    ("rtdose.dcm", "frames"),  # multi-frame, 32-bit unsigned, GridFrameOffsetVector
    ("rtdose_rle.dcm", "frames"),  # the same, RLE
    ("SC_ybr_full_422_uncompressed.dcm", "monai"),  # native YBR_FULL_422 (subsampled)
    ("JPGExtended.dcm", "approx:JPEG2000.dcm"),  # JPEG extended 12-bit (no decoder here: compared with the J2K of the same NM1 image)
    ("MR_truncated.dcm", "error"),  # truncated
    ("rtplan.dcm", "error"),  # no pixel data
]


_UID_COUNTER = [0]


def generate_uid():
    """Deterministic UIDs (so that re-running the script reproduces the same fixture bytes)."""
    _UID_COUNTER[0] += 1
    return _generate_uid(entropy_srcs=["monai-ts dicom fixtures", str(_UID_COUNTER[0])])


def canonical_hash(arr):
    return hashlib.sha256(np.ascontiguousarray(arr, dtype="<f8").tobytes()).hexdigest()


def summary(arr, dtype=None):
    arr = np.asarray(arr)
    flat = arr.reshape(-1)
    idx = sorted(set([int(i) for i in np.linspace(0, flat.size - 1, 16)] + [int(np.argmax(flat)), int(np.argmin(flat))]))
    return {
        "shape": list(arr.shape),
        "dtype": str(dtype or arr.dtype.name),
        "sha256": canonical_hash(arr),
        "sum": float(np.sum(flat, dtype=np.float64)),
        "min": float(flat.min()),
        "max": float(flat.max()),
        "samples": [[i, float(flat[i])] for i in idx],
    }


def monai_read(path, **kw):
    from monai.data.image_reader import PydicomReader

    r = PydicomReader(**kw)
    arr, meta = r.get_data(r.read(path))
    return np.asarray(arr), meta


def geometry(meta):
    out = {
        "affine": np.asarray(meta["affine"], dtype=float).tolist(),
        "spacing": [float(x) for x in np.asarray(meta["spacing"]).tolist()],
        "spatial_shape": [int(x) for x in meta["spatial_shape"]],
    }
    for k in ("00200037", "00200032", "00280030"):
        if k in meta:
            out[k] = [float(v) for v in meta[k]["Value"]]
    if "lastImagePositionPatient" in meta:
        out["lastImagePositionPatient"] = [float(v) for v in meta["lastImagePositionPatient"]]
    return out


def pixel_array_ours(ds):
    """pydicom's pixel_array, rescaled like MONAI, in our index order (frames last, then samples)."""
    a = ds.pixel_array
    if hasattr(ds, "RescaleSlope") or hasattr(ds, "RescaleIntercept"):
        a = a.astype(np.float32) * float(getattr(ds, "RescaleSlope", 1.0)) + float(getattr(ds, "RescaleIntercept", 0.0))
    nf = int(getattr(ds, "NumberOfFrames", 1) or 1)
    spp = int(ds.SamplesPerPixel)
    if nf > 1:
        # (frames, rows, cols[, spp]) -> (cols, rows, frames[, spp])
        a = np.moveaxis(a, 0, 2)  # rows, cols, frames[, spp]
    return np.ascontiguousarray(np.swapaxes(a, 0, 1))


def file_meta(sop_class, ts=ExplicitVRLittleEndian):
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID = sop_class
    fm.MediaStorageSOPInstanceUID = generate_uid()
    fm.TransferSyntaxUID = ts
    fm.ImplementationClassUID = generate_uid()
    return fm


def base_ds(sop_class, rows, cols, series_uid, study_uid, frame_uid):
    ds = Dataset()
    ds.file_meta = file_meta(sop_class)
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "MR"
    ds.PatientName = "Synthetic^Oblique"
    ds.PatientID = "monai-ts"
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.FrameOfReferenceUID = frame_uid
    ds.SeriesDescription = "synthetic oblique"
    ds.Rows = rows
    ds.Columns = cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    return ds


def save(ds, path):
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ds.save_as(path, write_like_original=False)


def rotation(ax, ay, az):
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def make_oblique(goldens):
    """A 20 (columns) x 16 (rows) x 8 (slices) oblique int16 volume with rescale, written three ways."""
    cols, rows, nsl = 20, 16, 8
    dr, dc, dz = 0.9, 0.7, 1.3  # row spacing, column spacing, slice step
    rng = np.random.RandomState(1234)
    vol = rng.randint(-500, 1500, size=(nsl, rows, cols)).astype(np.int16)  # stored (slice, row, col)
    vol[:, 0, 0] = np.arange(nsl) * 100  # a marker that makes the slice order visible
    slope, inter = 2.5, -100.0
    R = rotation(0.35, -0.25, 0.5)
    rowcos, colcos, normal = R[:, 0], R[:, 1], R[:, 2]
    origin = np.array([-40.25, 12.5, 73.0])
    iop = [round(float(v), 8) for v in list(rowcos) + list(colcos)]
    rowcos, colcos = np.array(iop[:3]), np.array(iop[3:])
    normal = np.cross(rowcos, colcos)
    study, frame_uid = generate_uid(), generate_uid()

    # 1. a series of single-frame files, written in a shuffled file-name order
    series_dir = os.path.join(FIX, "synthetic", "oblique_series")
    shutil.rmtree(series_dir, ignore_errors=True)
    series_uid = generate_uid()
    order = rng.permutation(nsl)
    for name_idx, k in enumerate(order):
        ds = base_ds("1.2.840.10008.5.1.4.1.1.4", rows, cols, series_uid, study, frame_uid)
        ds.InstanceNumber = int(k) + 1
        ipp = origin + k * dz * normal
        ds.ImagePositionPatient = [round(float(v), 6) for v in ipp]
        ds.ImageOrientationPatient = iop
        ds.PixelSpacing = [dr, dc]
        ds.SliceThickness = 5.0  # deliberately not the slice step: spacing must come from positions
        ds.RescaleSlope = slope
        ds.RescaleIntercept = inter
        ds.PixelData = vol[k].tobytes()
        save(ds, os.path.join(series_dir, f"slice_{name_idx:02d}.dcm"))

    arr, meta = monai_read(series_dir)
    expected = (vol.astype(np.float32) * np.float32(slope) + np.float32(inter)).transpose(2, 1, 0)
    assert np.array_equal(arr, expected), "MONAI series read differs from the synthetic volume"
    g = {"source": "monai", **summary(arr), **geometry(meta)}
    goldens["synthetic/oblique_series"] = g

    # 2. the same volume as NIfTI (RAS affine, array in index order), for the other readers
    import nibabel as nib

    aff = np.asarray(meta["affine"], dtype=np.float64)
    nii = nib.Nifti1Image(np.ascontiguousarray(expected), aff)
    nii.header.set_data_dtype(np.float32)
    nib.save(nii, os.path.join(FIX, "synthetic", "oblique_volume.nii.gz"))
    back = nib.load(os.path.join(FIX, "synthetic", "oblique_volume.nii.gz"))
    goldens["synthetic/oblique_volume.nii.gz"] = {
        "source": "nibabel",
        **summary(np.asarray(back.dataobj)),
        "affine": back.affine.tolist(),
        "note": "same volume and RAS affine as synthetic/oblique_series (sform stored as float32)",
    }

    # 3. the same volume as one enhanced MR multi-frame object, frames stored in reverse slice order
    ds = base_ds("1.2.840.10008.5.1.4.1.1.4.1", rows, cols, generate_uid(), study, frame_uid)
    ds.NumberOfFrames = nsl
    ds.InstanceNumber = 1
    shared = Dataset()
    po = Dataset()
    po.ImageOrientationPatient = iop
    shared.PlaneOrientationSequence = Sequence([po])
    pm = Dataset()
    pm.PixelSpacing = [dr, dc]
    pm.SliceThickness = 5.0
    shared.PixelMeasuresSequence = Sequence([pm])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    per = []
    frames = []
    for k in reversed(range(nsl)):
        fg = Dataset()
        pp = Dataset()
        pp.ImagePositionPatient = [round(float(v), 6) for v in origin + k * dz * normal]
        fg.PlanePositionSequence = Sequence([pp])
        pvt = Dataset()
        pvt.RescaleSlope = slope
        pvt.RescaleIntercept = inter
        pvt.RescaleType = "US"
        fg.PixelValueTransformationSequence = Sequence([pvt])
        per.append(fg)
        frames.append(vol[k])
    ds.PerFrameFunctionalGroupsSequence = Sequence(per)
    ds.PixelData = np.stack(frames).tobytes()
    save(ds, os.path.join(FIX, "synthetic", "oblique_enhanced.dcm"))
    goldens["synthetic/oblique_enhanced.dcm"] = {"source": "synthetic volume (same as oblique_series)", **summary(expected), **{k: g[k] for k in ("affine", "spacing", "spatial_shape", "lastImagePositionPatient")}}


def make_two_series(goldens):
    d = os.path.join(FIX, "synthetic", "two_series")
    shutil.rmtree(d, ignore_errors=True)
    study, frame_uid = generate_uid(), generate_uid()
    uids = ["1.2.826.0.1.3680043.8.498.1001", "1.2.826.0.1.3680043.8.498.1002"]
    for s, uid in enumerate(uids):
        for k in range(2):
            ds = base_ds("1.2.840.10008.5.1.4.1.1.4", 4, 3, uid, study, frame_uid)
            ds.SeriesDescription = f"series {s + 1}"
            ds.InstanceNumber = k + 1
            ds.ImagePositionPatient = [0.0, 0.0, float(k)]
            ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
            ds.PixelSpacing = [1.0, 1.0]
            ds.PixelData = (np.arange(12, dtype=np.int16).reshape(4, 3) + 100 * s + 10 * k).tobytes()
            save(ds, os.path.join(d, f"s{s + 1}_{k}.dcm"))
    with open(os.path.join(d, "README.txt"), "w") as f:
        f.write("not DICOM: must be skipped when the folder is read\n")
    for s, uid in enumerate(uids):
        vol = np.stack([np.arange(12, dtype=np.int16).reshape(4, 3) + 100 * s + 10 * k for k in range(2)])
        goldens[f"synthetic/two_series#{uid}"] = {"source": "synthetic", **summary(vol.transpose(2, 1, 0))}


def make_rescale_per_slice(goldens):
    """Three axial uint16 slices with different RescaleSlope/Intercept each (float32 per slice, as MONAI)."""
    d = os.path.join(FIX, "synthetic", "rescale_per_slice")
    shutil.rmtree(d, ignore_errors=True)
    study, fr, uid = generate_uid(), generate_uid(), generate_uid()
    rng = np.random.RandomState(3)
    for k, (slope, inter) in enumerate([(1.0, -1024.0), (0.5, 10.25), (3.0, 0.0)]):
        ds = base_ds("1.2.840.10008.5.1.4.1.1.2", 6, 5, uid, study, fr)
        ds.Modality = "CT"
        ds.PixelRepresentation = 0
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [-10.0, -20.0, 2.0 * k]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [0.5, 0.75]
        ds.RescaleSlope, ds.RescaleIntercept = slope, inter
        ds.PixelData = rng.randint(0, 60000, size=(6, 5)).astype(np.uint16).tobytes()
        save(ds, os.path.join(d, f"ct{k}.dcm"))
    arr, meta = monai_read(d)
    goldens["synthetic/rescale_per_slice"] = {"source": "monai", **summary(arr), **geometry(meta)}


def make_seg(goldens):
    """A DICOM SEG (BitsAllocated 1) with 2 segments x 3 frames, read through MONAI's segmentation path."""
    rows, cols, nz = 6, 8, 3
    rng = np.random.RandomState(11)
    masks = rng.randint(0, 2, size=(2, nz, rows, cols)).astype(np.uint8)
    study, fr = generate_uid(), generate_uid()
    ds = base_ds("1.2.840.10008.5.1.4.1.1.66.4", rows, cols, generate_uid(), study, fr)
    ds.Modality = "SEG"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 1, 1, 0, 0
    ds.NumberOfFrames = 2 * nz
    segs = []
    for i, (label, desc) in enumerate([("liver", "Liver"), ("tumor", "Tumor")]):
        sd = Dataset()
        sd.SegmentNumber = i + 1
        sd.SegmentLabel = label
        sd.SegmentDescription = desc
        segs.append(sd)
    ds.SegmentSequence = Sequence(segs)
    shared = Dataset()
    po = Dataset()
    po.ImageOrientationPatient = [1, 0, 0, 0, 0.8, -0.6]
    shared.PlaneOrientationSequence = Sequence([po])
    pm = Dataset()
    pm.PixelSpacing = [0.8, 0.6]
    pm.SliceThickness = 2.0
    shared.PixelMeasuresSequence = Sequence([pm])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    normal = np.cross([1, 0, 0], [0, 0.8, -0.6])
    per = []
    for s_ in range(2):
        for z in range(nz):
            fg = Dataset()
            si = Dataset()
            si.ReferencedSegmentNumber = s_ + 1
            fg.SegmentIdentificationSequence = Sequence([si])
            pp = Dataset()
            pp.ImagePositionPatient = [float(v) for v in np.array([5.0, -3.0, 12.0]) + 2.0 * z * normal]
            fg.PlanePositionSequence = Sequence([pp])
            per.append(fg)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per)
    bits = masks.reshape(-1)
    ds.PixelData = np.packbits(bits, bitorder="little").tobytes()
    save(ds, os.path.join(FIX, "synthetic", "seg_2x3.dcm"))
    arr, meta = monai_read(os.path.join(FIX, "synthetic", "seg_2x3.dcm"))
    g = {"source": "monai", **summary(arr), **geometry(meta), "labels": meta["labels"]}
    goldens["synthetic/seg_2x3.dcm"] = g


def make_bits(goldens):
    """BitsStored < BitsAllocated with junk in the high bits, and MONOCHROME1."""
    rows, cols = 5, 7
    rng = np.random.RandomState(7)
    stored = rng.randint(0, 4096, size=(rows, cols)).astype(np.uint16)
    junk = (rng.randint(0, 16, size=(rows, cols)).astype(np.uint16) << 12)
    study, fr = generate_uid(), generate_uid()
    # unsigned 12-bit, MONOCHROME1, junk high bits -> masked (pydicom >= 3 / GDCM), no rescale
    ds = base_ds("1.2.840.10008.5.1.4.1.1.7", rows, cols, generate_uid(), study, fr)
    ds.Modality = "OT"
    ds.PhotometricInterpretation = "MONOCHROME1"
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 12, 11, 0
    ds.PixelData = (stored | junk).tobytes()
    save(ds, os.path.join(FIX, "synthetic", "mono1_u12.dcm"))
    goldens["synthetic/mono1_u12.dcm"] = {"source": "synthetic (masked to 12 bits, not inverted)", **summary(stored.T.astype(np.uint16))}
    goldens["synthetic/mono1_u12.dcm#itk"] = {"source": "synthetic (masked, inverted 4095 - v, shape cols x rows x 1)", **summary((4095 - stored.T.astype(np.int32))[:, :, None])}
    # signed 12-bit, junk high bits -> sign-extended from bit 11
    signed = stored.astype(np.int32)
    signed = np.where(signed >= 2048, signed - 4096, signed).astype(np.int16)
    ds = base_ds("1.2.840.10008.5.1.4.1.1.7", rows, cols, generate_uid(), study, fr)
    ds.Modality = "OT"
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 12, 11, 1
    ds.PixelData = (stored | junk).tobytes()
    save(ds, os.path.join(FIX, "synthetic", "signed_s12.dcm"))
    goldens["synthetic/signed_s12.dcm"] = {"source": "synthetic (sign-extended from BitsStored 12)", **summary(signed.T)}


def jpeg_lossless_sv1(arr16):
    """A minimal JPEG lossless encoder (process 14, selection value 1, 16-bit, one component).

    Huffman table: the 17 difference categories all get 5-bit codes (a valid canonical table), which is
    simple and lossless (not small). Used to make a 16-bit grayscale JPEG lossless fixture, since pydicom
    cannot encode JPEG and the samples only hold an 8-bit colour one.
    """
    rows, cols = arr16.shape
    a = arr16.astype(np.int64)
    pred = np.empty_like(a)
    pred[0, 0] = 1 << 15
    pred[0, 1:] = a[0, :-1]
    pred[1:, 0] = a[:-1, 0]
    pred[1:, 1:] = a[1:, :-1]
    diff = (a - pred) % 65536
    diff = np.where(diff >= 32768, diff - 65536, diff)
    bits = []
    for d in diff.reshape(-1):
        d = int(d)
        ssss = 0 if d == 0 else (16 if d == -32768 else abs(d).bit_length())
        bits.append(format(ssss, "05b"))
        if 0 < ssss < 16:
            v = d if d > 0 else d + (1 << ssss) - 1
            bits.append(format(v, f"0{ssss}b"))
    s = "".join(bits)
    s += "1" * (-len(s) % 8)
    data = bytearray()
    for i in range(0, len(s), 8):
        b = int(s[i : i + 8], 2)
        data.append(b)
        if b == 0xFF:
            data.append(0)
    def seg(marker, payload):
        return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
    counts = bytes([0, 0, 0, 0, 17] + [0] * 11)
    dht = seg(0xC4, bytes([0x00]) + counts + bytes(range(17)))
    sof3 = seg(0xC3, bytes([16]) + rows.to_bytes(2, "big") + cols.to_bytes(2, "big") + bytes([1, 1, 0x11, 0]))
    sos = seg(0xDA, bytes([1, 1, 0x00, 1, 0, 0]))
    return b"\xff\xd8" + dht + sof3 + sos + bytes(data) + b"\xff\xd9"


def make_jpeg_lossless16(goldens):
    src = pydicom.dcmread(os.path.join(SAMPLES, "MR_small.dcm"))
    stream = jpeg_lossless_sv1(src.pixel_array.view(np.uint16))
    ds = src.copy()
    ds.file_meta = src.file_meta.copy()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.70"
    ds.PixelData = encapsulate([stream])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(os.path.join(FIX, "synthetic", "MR_small_jpeg_lossless.dcm"), write_like_original=False)
    goldens["synthetic/MR_small_jpeg_lossless.dcm"] = {"source": "ref:MR_small.dcm"}


def make_htj2k(goldens):
    src = pydicom.dcmread(os.path.join(SAMPLES, "MR_small.dcm"))
    with tempfile.TemporaryDirectory() as td:
        raw, j2c = os.path.join(td, "in.raw"), os.path.join(td, "out.j2c")
        src.pixel_array.astype("<i2").tofile(raw)
        subprocess.check_call(["node", os.path.join(os.path.dirname(__file__), "encode_htj2k.cjs"), raw, j2c, str(src.Columns), str(src.Rows), "16", "1"], cwd=ROOT)
        data = open(j2c, "rb").read()
    # pydicom 2.3 predates HTJ2K: register its UID so that dcmwrite treats it as a compressed syntax.
    from pydicom._uid_dict import UID_dictionary

    UID_dictionary.setdefault("1.2.840.10008.1.2.4.201", ("HTJ2K Image Compression (Lossless Only)", "Transfer Syntax", "", "", "HTJ2KLossless"))
    ds = src.copy()
    ds.file_meta = src.file_meta.copy()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.201"  # HTJ2K Lossless
    ds.PixelData = encapsulate([data])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(os.path.join(FIX, "synthetic", "MR_small_htj2k.dcm"), write_like_original=False)
    goldens["synthetic/MR_small_htj2k.dcm"] = {"source": "ref:MR_small.dcm"}


def main():
    os.makedirs(os.path.join(FIX, "pydicom"), exist_ok=True)
    os.makedirs(os.path.join(FIX, "synthetic"), exist_ok=True)
    goldens = {}
    for name, how in COPIED:
        shutil.copyfile(os.path.join(SAMPLES, name), os.path.join(FIX, "pydicom", name))
        key = f"pydicom/{name}"
        if how == "error":
            goldens[key] = {"source": "error"}
            continue
        if how.startswith("ref:") or how.startswith("approx:"):
            goldens[key] = {"source": how}
            continue
        ds = pydicom.dcmread(os.path.join(SAMPLES, name))
        if how == "frames":
            # MONAI's PydicomReader swaps (frames, rows) for multi-frame images; we put frames last.
            a = pixel_array_ours(ds)
            goldens[key] = {"source": "pydicom pixel_array, frames moved last", **summary(a)}
            continue
        arr, meta = monai_read(os.path.join(SAMPLES, name))
        if how == "monai+rgb":
            # pydicom >= 3 (what current MONAI runs on) returns YBR JPEGs converted to RGB; Debian's 2.3 does not.
            from pydicom.pixel_data_handlers.util import convert_color_space

            arr = convert_color_space(arr, "YBR_FULL", "RGB")
        goldens[key] = {"source": how, **summary(arr), **geometry(meta)}
    make_oblique(goldens)
    make_two_series(goldens)
    make_bits(goldens)
    make_rescale_per_slice(goldens)
    make_seg(goldens)
    make_htj2k(goldens)
    make_jpeg_lossless16(goldens)
    with open(os.path.join(FIX, "goldens.json"), "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(goldens[k], sort_keys=True)}" for k in sorted(goldens)) + "\n}\n")
    print(f"wrote {len(goldens)} goldens", file=sys.stderr)


if __name__ == "__main__":
    main()
