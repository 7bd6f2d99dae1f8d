#!/usr/bin/python3
"""Builds the IO fixtures and goldens used by packages/monai/test/data and test/transforms/io.

Run from the repository root with Debian's python3 (numpy, nibabel, PIL):

    /usr/bin/python3 tools/goldens/io/make_io_goldens.py

Fixtures go to packages/monai/test/fixtures/io/, goldens to tools/goldens/io/io_goldens.json.
Each golden records what nibabel / PIL / numpy give for a file (after MONAI's reader conventions:
nibabel array order, PIL width axis first, affines as MONAI's readers build them): shape, dtype,
affine, and a SHA-256 of the array's C-order little-endian bytes in the dtype monai-ts loads
(numpy uint16 -> int32, uint32 -> int64; PIL 16-bit gray is int32 already).
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import sys

import numpy as np
import nibabel as nib
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIX = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "io")
NIB_DATA = os.path.join(os.path.dirname(nib.__file__), "tests", "data")
os.makedirs(FIX, exist_ok=True)
goldens = {}

TORCH_DTYPE = {
    "uint8": "uint8", "int8": "int8", "int16": "int16", "uint16": "int32", "int32": "int32",
    "uint32": "int64", "int64": "int64", "uint64": "int64", "float16": "float16", "float32": "float32",
    "float64": "float64", "complex64": "complex64", "complex128": "complex128", "bool": "bool",
}


def digest(arr):
    arr = np.asarray(arr)
    name = arr.dtype.newbyteorder("=").name if arr.dtype.byteorder in "<>" else arr.dtype.name
    tname = TORCH_DTYPE[name]
    a = np.ascontiguousarray(arr.astype(np.dtype(tname if tname != "bool" else bool).newbyteorder("<")))
    return {
        "shape": list(a.shape),
        "dtype": tname,
        "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
        "sum": float(np.sum(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)).real),
        "first": [float(v) for v in a.reshape(-1)[:5].real] if a.size else [],
    }


def rel(p):
    return os.path.relpath(p, ROOT)


def monai_nifti_affine_and_pixdim(img):
    """MONAI's correct_nifti_header_if_necessary / rectify_header_sform_qform effect on affine."""
    hdr = img.header
    d = int(hdr["dim"][0])
    aff = img.affine
    if d >= 5:
        return aff

    def spacing(a, r):
        a = np.asarray(a, dtype=float)[:r, :r]
        s = np.sqrt(np.sum(a * a, axis=0))
        s[s == 0] = 1.0
        return s

    pixdim = np.asarray(hdr.get_zooms())[:d]
    if np.allclose(pixdim, spacing(aff, d)):
        return aff
    sform, qform = img.get_sform(), img.get_qform()
    sm = not np.allclose(spacing(sform, d), pixdim)
    qm = not np.allclose(spacing(qform, d), pixdim)
    if hdr["sform_code"] != 0:
        if not sm:
            return aff
        if not qm:
            return qform
    if hdr["qform_code"] != 0:
        if not qm:
            return aff
        if not sm:
            return sform
    return aff


def add_nifti(name, path):
    img = nib.load(path)
    data = np.asanyarray(img.dataobj)
    g = digest(data)
    g["affine"] = np.asarray(monai_nifti_affine_and_pixdim(img), dtype=float).reshape(-1).tolist()
    g["file"] = rel(path)
    dim = img.header["dim"]
    nd = int(dim[0])
    g["spatial_shape"] = [int(v) for v in dim[1: 1 + max(min(nd, 3), 1)]]
    goldens[name] = g


# ---------------------------------------------------------------- nibabel samples (MIT)
for f in ["anatomical.nii", "example4d.nii.gz", "example_nifti2.nii.gz", "functional.nii",
          "reoriented_anat_moved.nii", "standard.nii.gz"]:
    shutil.copy(os.path.join(NIB_DATA, f), os.path.join(FIX, f))
    add_nifti("nib_" + f, os.path.join(FIX, f))

# .hdr/.img pairs written by nibabel: NIfTI-1 pair (big endian source kept), Analyze, gzipped .img
anat = nib.load(os.path.join(FIX, "anatomical.nii"))
pair = nib.Nifti1Pair(np.asanyarray(anat.dataobj), anat.affine, anat.header)
nib.save(pair, os.path.join(FIX, "anat_pair.hdr"))
add_nifti("pair_nifti1", os.path.join(FIX, "anat_pair.hdr"))
ana = nib.AnalyzeImage(np.asanyarray(anat.dataobj).astype(np.int16), np.diag([2.0, 3.0, 4.0, 1.0]))
nib.save(ana, os.path.join(FIX, "analyze75.hdr"))
add_nifti("pair_analyze", os.path.join(FIX, "analyze75.hdr"))
pair_gz_dir = os.path.join(FIX, "pair_gz")
os.makedirs(pair_gz_dir, exist_ok=True)
nib.save(pair, os.path.join(pair_gz_dir, "anat.img"))
with open(os.path.join(pair_gz_dir, "anat.img"), "rb") as fi, gzip.GzipFile(os.path.join(pair_gz_dir, "anat.img.gz"), "wb", mtime=0) as fo:
    fo.write(fi.read())
os.remove(os.path.join(pair_gz_dir, "anat.img"))
goldens["pair_img_gz"] = dict(goldens["pair_nifti1"], file=rel(os.path.join(pair_gz_dir, "anat.hdr")))

# datatypes, scaling, rgb, complex, big endian, 2D, 5D, qform-only, extensions
rng = np.random.RandomState(0)
oblique = np.array([[0.9, -0.3, 0.1, -20.0], [0.35, 1.8, 0.2, 10.0], [-0.05, -0.25, 2.9, 5.5], [0, 0, 0, 1.0]])
for dt in ["uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "complex64", "complex128"]:
    if dt.startswith("complex"):
        a = (rng.randn(5, 4, 3) + 1j * rng.randn(5, 4, 3)).astype(dt)
    elif dt.startswith("float"):
        a = rng.randn(5, 4, 3).astype(dt)
    else:
        info = np.iinfo(dt)
        lo, hi = max(info.min, -1000), min(info.max, 60000)
        a = rng.randint(lo, hi, size=(5, 4, 3)).astype(dt)
        a.flat[0] = info.max if dt not in ("uint64", "int64") else a.flat[0]
    img = nib.Nifti1Image(a, oblique, dtype=dt)
    p = os.path.join(FIX, f"dtype_{dt}.nii")
    nib.save(img, p)
    add_nifti(f"dtype_{dt}", p)
# big-endian float64, gzipped
a = rng.randn(6, 5, 4).astype(">f8")
hdr = nib.Nifti1Header(endianness=">")
img = nib.Nifti1Image(a, oblique, hdr)
nib.save(img, os.path.join(FIX, "be_float64.nii.gz"))
add_nifti("be_float64", os.path.join(FIX, "be_float64.nii.gz"))
# scl_slope / scl_inter on int16
a = rng.randint(-300, 300, size=(7, 6, 5)).astype(np.int16)
img = nib.Nifti1Image(a, np.diag([1.5, 1.5, 2.0, 1.0]))
img.header.set_slope_inter(0.25, -10.0)
img.set_data_dtype(np.int16)
nib.save(img, os.path.join(FIX, "scaled_int16.nii"))
img2 = nib.load(os.path.join(FIX, "scaled_int16.nii"))
add_nifti("scaled_int16", os.path.join(FIX, "scaled_int16.nii"))
# RGB24 / RGBA32
rgb = np.zeros((4, 3, 2), dtype=[("R", "u1"), ("G", "u1"), ("B", "u1")])
vals = rng.randint(0, 255, size=(4, 3, 2, 3)).astype(np.uint8)
rgb["R"], rgb["G"], rgb["B"] = vals[..., 0], vals[..., 1], vals[..., 2]
nib.save(nib.Nifti1Image(rgb, np.eye(4)), os.path.join(FIX, "rgb24.nii"))
g = digest(vals)
g["affine"] = np.eye(4).reshape(-1).tolist()
g["spatial_shape"] = [4, 3, 2]
goldens["rgb24"] = g
rgba = np.zeros((4, 3), dtype=[("R", "u1"), ("G", "u1"), ("B", "u1"), ("A", "u1")])
vals4 = rng.randint(0, 255, size=(4, 3, 4)).astype(np.uint8)
for k, c in enumerate("RGBA"):
    rgba[c] = vals4[..., k]
nib.save(nib.Nifti1Image(rgba, np.eye(4)), os.path.join(FIX, "rgba32.nii"))
g = digest(vals4)
g["affine"] = np.eye(4).reshape(-1).tolist()
g["spatial_shape"] = [4, 3]
goldens["rgba32"] = g
# qform only (sform_code 0), with negative qfac
a = rng.randint(0, 100, size=(5, 6, 7)).astype(np.int16)
img = nib.Nifti1Image(a, None)
qa = np.array([[0, -2.0, 0, 10], [0, 0, 3.0, -5], [-1.5, 0, 0, 7], [0, 0, 0, 1]])
img.set_qform(qa, code=1)
img.set_sform(None, code=0)
nib.save(img, os.path.join(FIX, "qform_only.nii"))
add_nifti("qform_only", os.path.join(FIX, "qform_only.nii"))
# no transforms at all (base affine)
img = nib.Nifti1Image(a, None)
img.set_qform(None, code=0)
img.set_sform(None, code=0)
img.header.set_zooms((2.0, 2.5, 3.0))
nib.save(img, os.path.join(FIX, "no_xform.nii"))
add_nifti("no_xform", os.path.join(FIX, "no_xform.nii"))
# header extension
img = nib.Nifti1Image(a, oblique)
img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"monai-ts extension test" + b"\0" * 8))
nib.save(img, os.path.join(FIX, "with_extension.nii"))
add_nifti("with_extension", os.path.join(FIX, "with_extension.nii"))
# 2D and 5D
a2 = rng.randn(9, 7).astype(np.float32)
nib.save(nib.Nifti1Image(a2, np.diag([0.5, 0.7, 1, 1])), os.path.join(FIX, "twod.nii.gz"))
add_nifti("twod", os.path.join(FIX, "twod.nii.gz"))
a5 = rng.randn(3, 4, 2, 1, 3).astype(np.float32)
nib.save(nib.Nifti1Image(a5, oblique), os.path.join(FIX, "fived.nii.gz"))
add_nifti("fived", os.path.join(FIX, "fived.nii.gz"))
a7 = np.random.RandomState(7).randn(2, 3, 2, 1, 2, 1, 2).astype(np.float32)  # own stream: later fixtures unchanged
nib.save(nib.Nifti1Image(a7, oblique), os.path.join(FIX, "sevend.nii"))
add_nifti("sevend", os.path.join(FIX, "sevend.nii"))
# NIfTI-2 big endian
a = rng.randint(-50, 50, size=(4, 5, 6)).astype(">i4")
h2 = nib.Nifti2Header(endianness=">")
nib.save(nib.Nifti2Image(a, oblique, h2), os.path.join(FIX, "nifti2_be.nii"))
add_nifti("nifti2_be", os.path.join(FIX, "nifti2_be.nii"))

# ---------------------------------------------------------------- oblique volume: NIfTI and NRRD
vol = (np.arange(6 * 5 * 4, dtype=np.int16).reshape(6, 5, 4) * 3 - 100).astype(np.int16)
ras = np.array([[0.8, -0.6, 0.0, -12.5], [0.6, 0.8, 0.0, 33.0], [0.0, 0.0, 2.5, -7.25], [0, 0, 0, 1.0]]) @ np.diag([1.2, 0.9, 1.0, 1.0])
nib.save(nib.Nifti1Image(vol, ras), os.path.join(FIX, "oblique.nii.gz"))


def write_nrrd(path, arr, ras_affine, encoding="raw", endian="little", space="left-posterior-superior", extra=""):
    lps = np.diag([-1.0, -1.0, 1.0]) @ ras_affine[:3, :]
    if space == "right-anterior-superior":
        lps = ras_affine[:3, :]
    dirs = " ".join("(" + ",".join(repr(float(v)) for v in lps[:3, j]) + ")" for j in range(arr.ndim))
    origin = "(" + ",".join(repr(float(v)) for v in lps[:3, 3]) + ")"
    tname = {"int16": "short", "float32": "float", "uint8": "uchar", "float64": "double", "int32": "int"}[arr.dtype.name]
    head = (
        "NRRD0004\n# written by tools/goldens/io/make_io_goldens.py\n"
        f"type: {tname}\ndimension: {arr.ndim}\nspace: {space}\nsizes: {' '.join(str(s) for s in arr.shape)}\n"
        f"space directions: {dirs}\nkinds: {' '.join(['domain'] * arr.ndim)}\nendian: {endian}\n"
        f"encoding: {encoding}\nspace origin: {origin}\n{extra}\n"
    )
    body = np.asfortranarray(arr).astype(arr.dtype.newbyteorder("<" if endian == "little" else ">")).tobytes(order="F")
    if encoding == "gzip":
        body = gzip.compress(body, mtime=0)
    with open(path, "wb") as f:
        f.write(head.encode("latin1") + body)


write_nrrd(os.path.join(FIX, "oblique.nrrd"), vol, ras, encoding="gzip")
write_nrrd(os.path.join(FIX, "oblique_raw_be.nrrd"), vol, ras, encoding="raw", endian="big")
write_nrrd(os.path.join(FIX, "oblique_ras.nrrd"), vol.astype(np.float32), ras, space="right-anterior-superior", extra="mykey:=my value\n")
g = digest(vol)
g["affine"] = ras.reshape(-1).tolist()
goldens["oblique"] = g


def write_dicom_series(folder, arr, ras_affine):
    """The same volume as a DICOM series (pydicom): one slice per k, LPS geometry from the RAS affine."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    os.makedirs(folder, exist_ok=True)
    lps = np.diag([-1.0, -1.0, 1.0]) @ ras_affine[:3, :]
    col_i, col_j, col_k, origin = lps[:, 0], lps[:, 1], lps[:, 2], lps[:, 3]
    ds_i, ds_j = np.linalg.norm(col_i), np.linalg.norm(col_j)
    fmt = lambda v: f"{v:.10g}"  # noqa: E731 - DICOM DS holds at most 16 characters
    study, series, frame = "1.2.826.0.1.3680043.8.498.1", "1.2.826.0.1.3680043.8.498.1.1", "1.2.826.0.1.3680043.8.498.1.2"
    for k in range(arr.shape[2]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = f"{series}.{k + 1}"
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.Modality, ds.PatientName, ds.PatientID = "CT", "Oblique^Phantom", "monai-ts"
        ds.InstanceNumber = k + 1
        ds.Rows, ds.Columns = arr.shape[1], arr.shape[0]
        ds.PixelSpacing = [fmt(ds_j), fmt(ds_i)]  # row spacing (between rows = along j), column spacing (along i)
        ds.ImageOrientationPatient = [fmt(v) for v in list(col_i / ds_i) + list(col_j / ds_j)]
        ds.ImagePositionPatient = [fmt(v) for v in origin + k * col_k]
        ds.SliceThickness = fmt(np.linalg.norm(col_k))
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = "1", "0"
        ds.PixelData = np.ascontiguousarray(arr[:, :, k].T.astype("<i2")).tobytes()  # rows = j, columns = i
        ds.is_little_endian, ds.is_implicit_VR = True, False
        # slices written in reverse order with shuffled names: the reader must sort by position
        ds.save_as(os.path.join(folder, f"slice_{(7 * k + 3) % 11:02d}.dcm"), write_like_original=False)


write_dicom_series(os.path.join(FIX, "oblique_dicom"), vol, ras)
gf = digest(vol.astype(np.float32))
gf["affine"] = ras.reshape(-1).tolist()
goldens["oblique_float"] = gf

# ---------------------------------------------------------------- NPY / NPZ
npy = {}
for dt in ["bool", "uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "float16", "float32", "float64", "complex64", "complex128"]:
    if dt == "bool":
        a = rng.rand(3, 4, 5) > 0.5
    elif dt.startswith("complex"):
        a = (rng.randn(3, 4, 5) + 1j * rng.randn(3, 4, 5)).astype(dt)
    elif dt.startswith("float"):
        a = rng.randn(3, 4, 5).astype(dt)
    else:
        a = rng.randint(0, 100, size=(3, 4, 5)).astype(dt)
    np.save(os.path.join(FIX, f"npy_{dt}.npy"), a)
    npy[f"npy_{dt}"] = digest(a)
    if dt not in ("bool", "uint8", "int8"):
        np.save(os.path.join(FIX, f"npy_{dt}_be.npy"), a.astype(a.dtype.newbyteorder(">")))
        npy[f"npy_{dt}_be"] = digest(a)
a = np.asfortranarray(rng.randn(4, 3, 2).astype(np.float32))
np.save(os.path.join(FIX, "npy_fortran.npy"), a)
npy["npy_fortran"] = digest(a)
for ver in [(2, 0), (3, 0)]:
    b = rng.randint(0, 9, size=(2, 3)).astype(np.int32)
    with open(os.path.join(FIX, f"npy_v{ver[0]}.npy"), "wb") as f:
        np.lib.format.write_array(f, b, version=ver)
    npy[f"npy_v{ver[0]}"] = digest(b)
x0, x1 = rng.randn(3, 4).astype(np.float32), rng.randn(3, 4).astype(np.float32)
np.savez(os.path.join(FIX, "stored.npz"), first=x0, second=x1)
np.savez_compressed(os.path.join(FIX, "deflated.npz"), first=x0, second=x1)
npy["npz_stacked"] = digest(np.stack([x0, x1]))
npy["npz_first"] = digest(x0)
goldens.update(npy)

# ---------------------------------------------------------------- PNG / JPEG / BMP via PIL
def add_pil(name, path):
    im = Image.open(path)
    arr = np.moveaxis(np.asarray(im), 0, 1)
    g = digest(arr)
    g["mode"] = im.mode
    g["spatial_shape"] = [im.width, im.height]
    g["file"] = rel(path)
    if path.endswith(".jpg"):
        g["values"] = arr.astype(int).reshape(-1).tolist()
    goldens[name] = g


w, h = 13, 9
gray = rng.randint(0, 256, size=(h, w)).astype(np.uint8)
Image.fromarray(gray, "L").save(os.path.join(FIX, "gray8.png"))
Image.fromarray((rng.randint(0, 65536, size=(h, w))).astype(np.uint16)).save(os.path.join(FIX, "gray16.png"))
Image.fromarray(rng.randint(0, 256, size=(h, w, 2)).astype(np.uint8), "LA").save(os.path.join(FIX, "gray_alpha.png"))
Image.fromarray(rng.randint(0, 256, size=(h, w, 3)).astype(np.uint8), "RGB").save(os.path.join(FIX, "rgb.png"))
Image.fromarray(rng.randint(0, 256, size=(h, w, 4)).astype(np.uint8), "RGBA").save(os.path.join(FIX, "rgba.png"))
pal = Image.fromarray(rng.randint(0, 256, size=(h, w, 3)).astype(np.uint8), "RGB").convert("P", palette=Image.ADAPTIVE, colors=16)
pal.save(os.path.join(FIX, "palette.png"))
smooth = (np.add.outer(np.arange(h) * 10, np.arange(w) * 7) % 256).astype(np.uint8)
Image.fromarray(smooth, "L").save(os.path.join(FIX, "gray.jpg"), quality=95)
Image.fromarray(np.stack([smooth, smooth[::-1], 255 - smooth], -1), "RGB").save(os.path.join(FIX, "rgb.jpg"), quality=95, subsampling=0)
Image.fromarray(rng.randint(0, 256, size=(h, w, 3)).astype(np.uint8), "RGB").save(os.path.join(FIX, "rgb24.bmp"))
Image.fromarray(gray, "L").save(os.path.join(FIX, "gray8.bmp"))
pal.save(os.path.join(FIX, "palette8.bmp"))
for n in ["gray8.png", "gray16.png", "gray_alpha.png", "rgb.png", "rgba.png", "palette.png", "gray.jpg", "rgb.jpg", "rgb24.bmp", "gray8.bmp", "palette8.bmp"]:
    add_pil("pil_" + n, os.path.join(FIX, n))

# ---------------------------------------------------------------- as_closest_canonical and io_orientation
for f in ["anatomical.nii", "example4d.nii.gz", "functional.nii", "qform_only.nii", "oblique.nii.gz", "reoriented_anat_moved.nii"]:
    img = nib.load(os.path.join(FIX, f))
    can = nib.as_closest_canonical(img)
    g = digest(np.asanyarray(can.dataobj))
    g["affine"] = np.asarray(can.affine, dtype=float).reshape(-1).tolist()
    g["file"] = rel(os.path.join(FIX, f))
    goldens["canonical_" + f] = g
orients = []
for k in range(40):
    a = np.eye(4)
    a[:3, :3] = rng.randn(3, 3) * (rng.rand(3) + 0.2)
    if k % 4 == 0:
        a[:3, :3] = np.eye(3)[rng.permutation(3)] * rng.choice([-1, 1], size=3) + 0.3 * rng.randn(3, 3)
    o = nib.orientations.io_orientation(a)
    orients.append({"affine": a.reshape(-1).tolist(), "ornt": o.tolist()})
goldens["io_orientation_cases"] = {"cases": orients}

with open(os.path.join(ROOT, "tools", "goldens", "io", "io_goldens.json"), "w") as f:
    json.dump(goldens, f, indent=1, sort_keys=True)
print(f"wrote {len(goldens)} goldens; fixtures in {rel(FIX)}", file=sys.stderr)
