// MONAI's DICOM readers: PydicomReader and ITKReader (the latter also hands non-DICOM files to another reader).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { copyCompatibleDict, defaultReaders, stackImages, torchDtypeFor, type GetDataOptions, type ImageReader } from '../image_reader.js';
import type { MetaDict } from '../meta_tensor.js';
import { checkOptions } from '../options.js';
import { DicomError, fileProblem } from './errors.js';
import { ImageFormatError } from '../formats/common.js';
import { hasDicmPrefix, type DicomFile } from './parse.js';
import { affineToSpacing, dicomAffine, type Mat4 } from './geometry.js';
import { loadDicom, type DicomVolume, type LoadOptions } from './volume.js';
import { SELECTED_TAGS } from './tags.js';
import { allocTyped, type TypedArray } from './pixels.js';
import { fillIndexOrder } from './layout.js';

export type Meta = MetaDict;

/** What `read` returns for DICOM input: one loaded volume per file or folder. */
export interface DicomImage {
  source: string;
  volume: DicomVolume;
}

/** Typed-array form of a volume in MONAI's index order (for callers that do not want a tensor). */
export interface IndexOrderArray {
  data: TypedArray;
  shape: number[];
  dtype: string;
}

/** MONAI's ImageReader methods (the IO framework's `ImageReader`). */
export type DicomImageReader = ImageReader;

/** The volume as a tensor in MONAI's index order, written straight into the tensor's storage. */
function toTensor(v: DicomVolume, swapIj = true): torch.Tensor {
  const t = torch.empty(swapIj ? v.shape : [v.info.rows, v.info.cols, ...v.shape.slice(2)], { dtype: torchDtypeFor(v.dtype) });
  try {
    t.withData((d) => fillIndexOrder(v, d as TypedArray | BigInt64Array, swapIj));
  } catch (e) {
    t.dispose();
    throw e;
  }
  return t;
}

/** The volume's samples in MONAI's index order, as a typed array (no torch). */
export function toIndexOrder(v: DicomVolume, swapIj = true): IndexOrderArray {
  const out = allocTyped(v.dtype === 'uint32' ? 'float64' : v.dtype, v.data.length);
  fillIndexOrder(v, out, swapIj);
  return { data: out, shape: swapIj ? v.shape.slice() : [v.info.rows, v.info.cols, ...v.shape.slice(2)], dtype: v.dtype };
}

function jsonValue(f: DicomFile, tag: string, vr: string): { vr: string; Value?: Meta[string][] } | undefined {
  const key = `x${tag.toLowerCase()}`;
  if (!f.ds.elements[key]) return undefined;
  let value: Meta[string][] | undefined;
  if (vr === 'DS' || vr === 'IS') value = f.numbers(key);
  else if (vr === 'US') {
    const v = f.us(key);
    value = v === undefined ? undefined : [v];
  } else if (vr === 'PN') {
    const s = f.str(key);
    value = s === undefined ? undefined : [{ Alphabetic: s }];
  } else value = f.strings(key)?.map((s) => s.replace(/\0/g, '').trim());
  return value === undefined ? { vr } : { vr, Value: value };
}

function meta3(v: DicomVolume): { iop?: number[]; ipp?: number[]; ps?: number[] } {
  return { iop: v.geometry.iop, ipp: v.geometry.ipp, ps: v.geometry.pixelSpacing };
}


/** MONAI's multi-file rule: metas must agree on affine and spatial shape; arrays stack on a new first axis. */
function stackCompatible(items: [torch.Tensor, Meta][]): [torch.Tensor, Meta] {
  if (items.length === 1) return items[0];
  const meta: Meta = {};
  try {
    for (const [, m] of items) copyCompatibleDict(m, meta);
  } catch (e) {
    for (const [t] of items) t.dispose();
    throw e;
  }
  return [stackImages(items.map((x) => x[0]), meta), meta];
}

/** Row-major Float64Array(16), the framework's affine format. */
function flat(a: Mat4): Float64Array {
  return Float64Array.from(a.flat());
}

function ensureList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

export interface PydicomReaderOptions extends Omit<LoadOptions, 'rescale' | 'invertMonochrome1'> {
  channelDim?: number | 'no_channel' | null;
  affineLpsToRas?: boolean;
  swapIj?: boolean;
  pruneMetadata?: boolean;
  labelDict?: Record<string, number> | null;
  toGpu?: boolean;
}

const PYDICOM_KEYS = new Set(['channelDim', 'affineLpsToRas', 'swapIj', 'pruneMetadata', 'labelDict', 'fnameRegex', 'toGpu', 'seriesName', 'maxBytes']);
const ITK_KEYS = new Set(['channelDim', 'seriesName', 'reverseIndexing', 'seriesMeta', 'affineLpsToRas', 'fnameRegex', 'maxBytes', 'nonDicomReader']);

/**
 * MONAI's PydicomReader: a file or a folder (one series). Arrays follow pydicom's pixel_array values (no
 * MONOCHROME1 inversion), rescaled to float32 when RescaleSlope or RescaleIntercept is present; axes are
 * (column, row[, slice]) with swap_ij=True, and the affine is RAS unless affineLpsToRas is false.
 */
export class PydicomReader implements ImageReader {
  readonly name = 'PydicomReader';
  readonly options: Required<Pick<PydicomReaderOptions, 'affineLpsToRas' | 'swapIj' | 'pruneMetadata'>> & PydicomReaderOptions;

  constructor(options: PydicomReaderOptions = {}) {
    checkOptions('PydicomReader', options, [...PYDICOM_KEYS]);
    this.options = { affineLpsToRas: true, swapIj: true, pruneMetadata: true, ...options };
  }

  verifySuffix(_filename: string | readonly string[]): boolean {
    return true;
  }

  read(data: string | readonly string[], _options: Record<string, unknown> = {}): DicomImage | DicomImage[] {
    const list = ensureList(data as string | string[]).map(String);
    const out = list.map((source) => ({ source, volume: loadDicom(source, { ...this.options, rescale: 'present', invertMonochrome1: false }) }));
    return Array.isArray(data) ? out : out[0];
  }

  /** Per-image data without torch: the typed array in index order and the meta dictionary. */
  getArray(img: DicomImage): [IndexOrderArray, Meta] {
    const v = img.volume;
    const arr = toIndexOrder(v, this.options.swapIj);
    return [arr, this.meta(v)];
  }

  getData(img: unknown): [torch.Tensor, Meta] {
    const items = ensureList(img as DicomImage | DicomImage[]).map((im): [torch.Tensor, Meta] => {
      const v = im.volume;
      const t = toTensor(v, this.options.swapIj);
      return [t, this.meta(v)];
    });
    return stackCompatible(items);
  }

  meta(v: DicomVolume): Meta {
    const o = this.options;
    const m: Meta = {};
    const f = v.first;
    if (!o.pruneMetadata) {
      for (const [tag, vr] of SELECTED_TAGS) {
        const jv = jsonValue(f, tag, vr);
        if (jv) m[tag] = jv;
      }
    }
    // The tags MONAI keeps when pruning (from functional groups for enhanced multi-frame objects).
    const g = meta3(v);
    if (g.iop) m['00200037'] = { vr: 'DS', Value: g.iop };
    if (g.ipp) m['00200032'] = { vr: 'DS', Value: g.ipp };
    if (g.ps) m['00280030'] = { vr: 'DS', Value: v.files.length > 1 ? [...g.ps, meanSliceZStep(v)] : g.ps };
    if (v.is3d && v.geometry.lastIpp) m.lastImagePositionPatient = v.geometry.lastIpp.slice();
    let affine = dicomAffine(v.geometry, o.affineLpsToRas);
    // MONAI's PydicomReader takes spatial_shape from the whole array (samples of colour images included),
    // except for segmentations, whose last axis is the segment channel.
    let shape = v.labels ? v.shape.slice(0, 3) : v.shape.slice();
    if (!o.swapIj) {
      // Undo the (column, row) order: array (row, column[, slice]), affine columns 0 and 1 swapped back.
      affine = affine.map((row) => [row[1], row[0], row[2], row[3]]);
      shape = [shape[1], shape[0], ...shape.slice(2)];
    }
    if (!v.geometry.iop || !v.geometry.ipp) {
      // MONAI returns the un-converted identity (swapped when swap_ij) when orientation/position are missing.
      affine = o.swapIj ? [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] : [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    }
    m.space = o.affineLpsToRas ? 'RAS' : 'LPS';
    m.spatial_shape = shape;
    m.original_affine = flat(affine);
    m.affine = flat(affine);
    m.original_channel_dim = o.channelDim === undefined || o.channelDim === null ? (v.labels ? -1 : NaN) : o.channelDim === 'no_channel' ? NaN : o.channelDim;
    if (v.labels) m.labels = { ...v.labels };
    m.spacing = [...affineToSpacing(affine, Math.min(shape.length, 3)), ...new Array(Math.max(0, shape.length - 3)).fill(1)];
    if (v.files.length === 1) m.filename_or_obj = v.files[0];
    // Slice files and skipped files stay on the image object from read() (img.volume.files / .skipped):
    // lists of varying length in meta would not collate.
    return m;
  }
}

export interface ITKReaderOptions extends Omit<LoadOptions, 'rescale' | 'invertMonochrome1'> {
  channelDim?: number | 'no_channel' | null;
  reverseIndexing?: boolean;
  seriesMeta?: boolean;
  affineLpsToRas?: boolean;
  /** Reader used for anything that is not DICOM (the IO registry sets this so ITKReader can be the fallback). */
  nonDicomReader?: { read(data: string | readonly string[], options?: Record<string, unknown>): unknown; getData(img: unknown, options?: GetDataOptions): [torch.Tensor, Meta] } | null;
}

function looksDicom(path: string): boolean {
  try {
    if (statSync(path).isDirectory()) return true;
  } catch {
    return false;
  }
  if (/\.(dcm|dicom|dic|ima)$/i.test(path)) return true;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = new Uint8Array(132);
    const n = readSync(fd, buf, 0, 132, 0);
    return n === 132 && hasDicmPrefix(buf);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The US tags GDCM writes as decimal numbers. */
const US_TAGS = new Set(['00280002', '00280010', '00280011', '00280100', '00280101', '00280102', '00280103']);

/** A tag's value as ITK's GDCM dictionary holds it: the raw string with its padding spaces, NULs removed. */
function gdcmString(f: DicomFile, key: string, tag: string): string | undefined {
  const el = f.ds.elements[key];
  if (!el) return undefined;
  if (US_TAGS.has(tag)) return String(f.us(key) ?? '');
  const bytes = f.ds.byteArray as Uint8Array;
  if (el.length <= 0 || el.dataOffset + el.length > bytes.length) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset + el.dataOffset, el.length).toString('latin1').replace(/\0+$/, '');
}

/**
 * GDCM takes the in-plane spacing from a tag that depends on the SOP class (gdcm::ImageHelper): Nominal
 * Scanned Pixel Spacing for secondary capture, Imager Pixel Spacing for projection X-ray, Image Plane Pixel
 * Spacing for RT images, Pixel Spacing otherwise; absent gives 1.
 */
function gdcmPixelSpacing(f: DicomFile): number[] | undefined {
  const sop = (f.str('x00080016') ?? f.str('x00020002') ?? '').replace(/\0/g, '').trim();
  let key = 'x00280030';
  if (/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.7(\.\d+)?$/.test(sop)) key = 'x00182010';
  else if (/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(1(\.\d+)*|12\.\d+)$/.test(sop)) key = 'x00181164';
  else if (sop === '1.2.840.10008.5.1.4.1.1.481.1') key = 'x30020011';
  if (key === 'x00280030') {
    // enhanced objects keep Pixel Spacing in the functional groups (already read into the geometry)
    const top = f.numbers(key);
    if (top) return top.slice(0, 2);
    const shared = f.item('x52009229');
    const pm = shared ? f.item('x00289110', 0, shared) : undefined;
    return pm ? f.numbers(key, pm)?.slice(0, 2) : undefined;
  }
  return f.numbers(key)?.slice(0, 2);
}

/** ITK's GDCMImageIO direction: slice = row x column, row re-derived as column x slice, all normalised. */
function itkDirections(iop: number[]): [number[], number[], number[]] {
  const cross = (a: number[], b: number[]) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const unit = (a: number[]) => {
    const n = Math.hypot(a[0], a[1], a[2]) || 1;
    return a.map((x) => x / n);
  };
  const r = iop.slice(0, 3), c = iop.slice(3, 6);
  const slice = unit(cross(r, c));
  return [unit(cross(c, slice)), unit(c), slice];
}

/**
 * MONAI's PydicomReader appends the series' mean |z step| (world z of consecutive ImagePositionPatient, not
 * the distance along the normal) to the first slice's PixelSpacing list in place, so its '00280030' holds
 * three values for a series.
 */
function meanSliceZStep(v: DicomVolume): number {
  const z = v.slices.map((f, i) => f.numbers('x00200032')?.[2] ?? i); // MONAI's default: the slice index
  let sum = 0;
  for (let i = 1; i < z.length; i++) sum += Math.abs(z[i - 1] - z[i]);
  return z.length > 1 ? sum / (z.length - 1) : 0;
}

interface Delegated {
  delegated: true;
  reader: { getData(img: unknown, options?: GetDataOptions): [torch.Tensor, Meta] };
  img: unknown;
}

/** The registered non-DICOM reader for a file, searched as LoadImage does (latest registered first). */
function registryReaderFor(file: string): ImageReader | undefined {
  const readers = defaultReaders().filter((r) => r.name !== 'ITKReader' && r.name !== 'PydicomReader');
  for (let i = readers.length - 1; i >= 0; i--) if (readers[i].verifySuffix(file)) return readers[i];
  return undefined;
}

/**
 * MONAI's ITKReader for DICOM, with GDCM's conventions: slices sorted along the normal, MONOCHROME1
 * inverted to MONOCHROME2, rescale applied (float32) only when it is not the identity, single files read
 * as 3D (column, row, 1), meta with 'gggg|eeee' keys. Other formats go to `nonDicomReader`.
 */
export class ITKReader implements ImageReader {
  readonly name = 'ITKReader';
  readonly options: ITKReaderOptions & { affineLpsToRas: boolean; reverseIndexing: boolean };

  constructor(options: ITKReaderOptions = {}) {
    checkOptions('ITKReader', options, [...ITK_KEYS]);
    this.options = { affineLpsToRas: true, reverseIndexing: false, ...options };
  }

  verifySuffix(_filename: string | readonly string[]): boolean {
    return true;
  }

  read(data: string | readonly string[], options: Record<string, unknown> = {}): (DicomImage | Delegated) | (DicomImage | Delegated)[] {
    const list = ensureList(data as string | string[]).map(String);
    const out = list.map((source): DicomImage | Delegated => {
      try {
        statSync(source);
      } catch (e) {
        // Not DICOM-specific: ITKReader is the fallback for every format.
        throw new ImageFormatError(source, fileProblem(e));
      }
      if (!looksDicom(source)) {
        const r = this.options.nonDicomReader ?? registryReaderFor(source);
        if (!r) throw new DicomError(source, 'not a DICOM file or folder, and no registered reader handles this format');
        return { delegated: true, reader: r, img: r.read(source, options) };
      }
      return { source, volume: loadDicom(source, { ...this.options, rescale: 'gdcm', invertMonochrome1: true, gdcm: true }) };
    });
    return Array.isArray(data) ? out : out[0];
  }

  /** With no dtype asked for, arrays keep the file's type, as ITK gives it (also for files handed to another reader). */
  getData(img: unknown, options: GetDataOptions = {}): [torch.Tensor, Meta] {
    const items = ensureList(img as (DicomImage | Delegated) | (DicomImage | Delegated)[]).map((im): [torch.Tensor, Meta] => {
      if ('delegated' in im) {
        const [t, m] = im.reader.getData(im.img, { dtype: options.dtype ?? null });
        // MONAI's ITKReader meta always has ITK's spacing: the norms of the affine's spatial columns.
        if (m.spacing === undefined && m.affine instanceof Float64Array) {
          const a = m.affine;
          const n = Math.round(Math.sqrt(a.length)) - 1;
          m.spacing = Array.from({ length: n }, (_, c) => Math.hypot(...Array.from({ length: n }, (_, r) => a[r * (n + 1) + c])));
        }
        return [t, m];
      }
      const v = im.volume;
      const t0 = toTensor(v);
      let t = t0;
      if (!v.is3d) {
        // ITK reads a single DICOM image as a 3D image with one slice.
        t = torch.tidy(() => t0.unsqueeze(2).contiguous());
        t0.dispose();
      }
      if (this.options.reverseIndexing) {
        const nd = t.shape.length;
        const spatial = v.info.spp > 1 ? nd - 1 : nd;
        const perm = [...Array.from({ length: spatial }, (_, k) => spatial - 1 - k), ...(v.info.spp > 1 ? [spatial] : [])];
        const t2 = torch.tidy(() => t.permute(perm).contiguous());
        t.dispose();
        t = t2;
      }
      return [t, this.meta(v)];
    });
    return stackCompatible(items);
  }

  meta(v: DicomVolume): Meta {
    const m: Meta = {};
    const f = v.first;
    // itk.imread of a series leaves the image's meta-data dictionary empty (MONAI's series_meta copies the
    // first slice's); a single file's has every tag, as GDCM's strings.
    if (v.files.length === 1 || this.options.seriesMeta) {
      for (const [tag] of SELECTED_TAGS) {
        const value = gdcmString(f, `x${tag.toLowerCase()}`, tag);
        if (value !== undefined) m[`${tag.slice(0, 4).toLowerCase()}|${tag.slice(4).toLowerCase()}`] = value;
      }
    }
    const g = v.geometry;
    const [row, col, normal] = itkDirections(g.iop ?? [1, 0, 0, 0, 1, 0]);
    const ps = v.gdcmUnitSpacing ? [1, 1] : gdcmPixelSpacing(f) ?? [1, 1];
    const origin = g.ipp ?? [0, 0, 0];
    let zStep = 1;
    let zDir = normal;
    if (v.is3d && g.lastIpp && g.ipp && g.slices > 1 && !v.gdcmUnitSpacing) {
      const d = g.lastIpp.map((x, i) => (x - g.ipp![i]) / (g.slices - 1));
      zStep = Math.hypot(d[0], d[1], d[2]) || 1;
      zDir = d.map((x) => x / zStep);
    } else if (v.is3d && !v.gdcmUnitSpacing) {
      zStep = g.sliceStep ?? 1;
    }
    const iop = [...row, ...col];
    const spacing = [ps[1], ps[0], zStep];
    const direction = [
      [iop[0], iop[3], zDir[0]],
      [iop[1], iop[4], zDir[1]],
      [iop[2], iop[5], zDir[2]],
    ];
    let affine: Mat4 = [0, 1, 2].map((r) => [direction[r][0] * spacing[0], direction[r][1] * spacing[1], direction[r][2] * spacing[2], origin[r]]);
    affine.push([0, 0, 0, 1]);
    if (this.options.affineLpsToRas) affine = affine.map((row, i) => (i < 2 ? row.map((x) => (x === 0 ? 0 : -x)) : row));
    m.spacing = spacing;
    m.origin = origin.slice();
    m.direction = direction;
    m.original_affine = flat(affine);
    m.space = this.options.affineLpsToRas ? 'RAS' : 'LPS';
    m.affine = flat(affine);
    const shape = [v.info.cols, v.info.rows, v.is3d ? v.layoutShape[0] : 1];
    m.spatial_shape = shape;
    const cd = this.options.channelDim;
    m.original_channel_dim = cd === undefined || cd === null ? (v.info.spp > 1 ? -1 : NaN) : cd === 'no_channel' ? NaN : cd;
    if (v.files.length === 1) m.filename_or_obj = v.files[0];
    return m;
  }
}
