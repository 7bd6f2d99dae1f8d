// A DICOM file or series -> one volume of samples in C order (slice/frame, row, column[, sample]) plus geometry.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DicomError, fileProblem } from './errors.js';
import { DicomFile, TS, hasDicmPrefix, mayBeDicom, parseDicomBytes, type DataSet } from './parse.js';
import { scanJ2kSiz } from './codecs.js';
import { BYTES_PER, DEFAULT_MAX_BYTES, allocTyped, decodePixels, encapsulatedFrames, invertMonochrome1, pixelInfo, type DType, type PixelInfo, type TypedArray } from './pixels.js';
import { dot, sliceNormal, type GeometryInput, type Vec3 } from './geometry.js';

export interface LoadOptions {
  /** SeriesInstanceUID to read when a folder holds several series. */
  seriesName?: string;
  /** Only files whose path matches this regular expression are considered in a folder. */
  fnameRegex?: string | RegExp;
  /**
   * Apply RescaleSlope/RescaleIntercept: 'present' (as pydicom/MONAI: whenever a tag is present, to float32),
   * 'nonIdentity', 'never', or 'gdcm' (as ITK's GDCMImageIO: when not the identity, in double precision, into
   * the type GDCM chooses from the first slice, every slice cast to it).
   */
  rescale?: 'present' | 'nonIdentity' | 'never' | 'gdcm';
  /** Invert MONOCHROME1 samples to MONOCHROME2 before rescaling (ITK/GDCM behaviour). */
  invertMonochrome1?: boolean;
  /**
   * GDCM's reading (ITKReader): a SEG is plain frames (no split by segment), 1-bit samples read as 0/255, and
   * a single-frame enhanced object takes its geometry from the functional groups.
   */
  gdcm?: boolean;
  /** Largest decoded volume in bytes (guard against lying headers); default 2 GiB. */
  maxBytes?: number;
  /** DICOM SEG: segment name -> channel (MONAI's label_dict); default: segments in number order. */
  labelDict?: Record<string, number> | null;
}

export interface DicomVolume {
  /** Files in slice order (one entry for a single file). */
  files: string[];
  /** The data set of the first slice (or the only file). */
  first: DicomFile;
  /** Every slice's data set in slice order. */
  slices: DicomFile[];
  info: PixelInfo;
  /** Stored samples (before rescale) in C order with shape `layoutShape`. */
  data: TypedArray;
  /** Output dtype: float32 when any slice is rescaled, else the stored dtype. */
  dtype: DType;
  /** Rescale (slope, intercept) per slice/frame along the first layout axis (one entry for 2D); undefined: none. */
  rescale?: (Rescale | undefined)[];
  /** C-order shape of `data`: [rows, cols(, spp)] for 2D, [slices, rows, cols(, spp)] for volumes. */
  layoutShape: number[];
  /** Axis permutation from layoutShape to MONAI's index order (column, row[, slice][, sample]). */
  permutation: number[];
  /** Shape after the permutation. */
  shape: number[];
  is3d: boolean;
  geometry: GeometryInput;
  /** Files in the folder that were skipped (not DICOM, no pixel data, or another series). */
  skipped: string[];
  /** DICOM SEG: segment name -> channel (the last axis holds one mask per segment, as MONAI). */
  labels?: Record<string, number>;
  /**
   * GDCM could not derive a slice spacing from the frame positions (not evenly spaced along the normal,
   * e.g. a SEG with several segments): ITK then reports spacing (1, 1, 1) and the normal as z direction.
   */
  gdcmUnitSpacing?: boolean;
}

/** GDCM's test for a usable z spacing: positions along the normal step by one nonzero amount. */
function evenlySpaced(keys: number[]): boolean {
  if (keys.length < 2) return true;
  const step = keys[1] - keys[0];
  if (Math.abs(step) < 1e-6) return false;
  for (let i = 2; i < keys.length; i++) if (Math.abs(keys[i] - keys[i - 1] - step) > 1e-3 * Math.max(1, Math.abs(step))) return false;
  return true;
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DicomError(file, fileProblem(e), { cause: e });
  }
}

/** The first 132 bytes of a file (fewer if it is shorter), without reading the rest. */
function readHead(file: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = new Uint8Array(132);
    const n = readSync(fd, buf, 0, 132, 0);
    return buf.subarray(0, n);
  } catch (e) {
    throw new DicomError(file, fileProblem(e), { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function parseFile(file: string): DicomFile {
  return parseDicomBytes(readBytes(file), file);
}

export interface Rescale {
  slope: number;
  intercept: number;
}

function rescaleOf(f: DicomFile, ds: DataSet | undefined, mode: LoadOptions['rescale']): { slope: number; intercept: number } | undefined {
  if (mode === 'never') return undefined;
  let slope = f.number('x00281053');
  let intercept = f.number('x00281052');
  if (ds) {
    slope = f.number('x00281053', ds) ?? slope;
    intercept = f.number('x00281052', ds) ?? intercept;
  }
  if (slope === undefined && intercept === undefined) return undefined;
  const r = { slope: slope ?? 1, intercept: intercept ?? 0 };
  if ((mode === 'nonIdentity' || mode === 'gdcm') && r.slope === 1 && r.intercept === 0) return undefined;
  return r;
}

function layoutFor(rows: number, cols: number, slices: number, spp: number, is3d: boolean) {
  const layoutShape = is3d ? [slices, rows, cols] : [rows, cols];
  const permutation = is3d ? [2, 1, 0] : [1, 0];
  if (spp > 1) {
    layoutShape.push(spp);
    permutation.push(permutation.length);
  }
  const shape = permutation.map((p) => layoutShape[p]);
  return { layoutShape, permutation, shape };
}

const vec = (a: number[] | undefined): number[] | undefined => (a && a.length >= 3 && a.every(Number.isFinite) ? a : undefined);
const iopOf = (a: number[] | undefined): number[] | undefined => (a && a.length >= 6 && a.every(Number.isFinite) ? a.slice(0, 6) : undefined);

/** Frame geometry of a multi-frame file (enhanced per-frame functional groups, or RT dose frame offsets). */
function frameGeometry(f: DicomFile, frames: number) {
  const shared = f.item('x52009229');
  const perFrame = f.items('x52009230');
  const pick = (fg: DataSet | undefined, seq: string, tag: string, kind: 'num'): number[] | undefined => {
    if (!fg) return undefined;
    const it = f.item(seq, 0, fg);
    return it ? f.numbers(tag, it) : undefined;
  };
  let iop = iopOf(f.numbers('x00200037')) ?? iopOf(pick(shared, 'x00209116', 'x00200037', 'num'));
  let spacing = f.numbers('x00280030') ?? pick(shared, 'x00289110', 'x00280030', 'num');
  const positions: (number[] | undefined)[] = [];
  const rescales: ({ slope?: number; intercept?: number } | undefined)[] = [];
  if (perFrame.length >= frames) {
    for (const fg of perFrame.slice(0, frames)) {
      positions.push(vec(pick(fg, 'x00209113', 'x00200032', 'num')));
      iop ??= iopOf(pick(fg, 'x00209116', 'x00200037', 'num'));
      spacing ??= pick(fg, 'x00289110', 'x00280030', 'num');
    }
  }
  const sharedThickness = pick(shared, 'x00289110', 'x00180050', 'num')?.[0];
  const ipp = vec(f.numbers('x00200032'));
  const offsets = f.numbers('x3004000c');
  if (positions.length === 0 && ipp && iop && offsets && offsets.length === frames) {
    const n = sliceNormal(iop);
    for (const o of offsets) positions.push([ipp[0] + n[0] * o, ipp[1] + n[1] * o, ipp[2] + n[2] * o]);
  }
  // Per-frame or shared pixel value transformation (enhanced objects).
  const fgRescale = (fg: DataSet | undefined) => {
    const it = fg ? f.item('x00289145', 0, fg) : undefined;
    return it ? { slope: f.number('x00281053', it), intercept: f.number('x00281052', it) } : undefined;
  };
  const sharedRescale = fgRescale(shared);
  for (let i = 0; i < frames; i++) rescales.push(fgRescale(perFrame[i]) ?? sharedRescale);
  const step = f.number('x00180088') ?? f.number('x00180050') ?? sharedThickness;
  return { iop, spacing, positions, rescales, ipp, step };
}

/** Reads one parsed file (single- or multi-frame). */
export function loadDicomFile(f: DicomFile, opts: LoadOptions = {}): DicomVolume {
  return loadSingle(f, opts, []);
}

function loadSingle(f: DicomFile, opts: LoadOptions, skipped: string[]): DicomVolume {
  const info = pixelInfo(f);
  let raw = decodePixels(f, info, { maxBytes: opts.maxBytes });
  if (f.ds.elements.x00620002 && info.spp === 1 && !opts.gdcm) return loadSegmentation(f, info, raw, opts, skipped);
  if (opts.invertMonochrome1 && info.photometric === 'MONOCHROME1') invertMonochrome1(raw, info);
  const frames = info.frames;
  const is3d = frames > 1;
  const fg = is3d ? frameGeometry(f, frames) : undefined;
  // GDCM reads a single-frame enhanced object (a one-frame SEG) from its functional groups as well.
  const fg1 = !is3d && opts.gdcm && f.ds.elements.x52009229 ? frameGeometry(f, 1) : undefined;
  const px = info.rows * info.cols * info.spp;
  const order = Array.from({ length: frames }, (_, i) => i);
  let gdcmNoZ = false;
  let geometry: GeometryInput = {
    iop: iopOf(f.numbers('x00200037')) ?? fg1?.iop,
    ipp: vec(f.numbers('x00200032')) ?? fg1?.positions[0],
    pixelSpacing: f.numbers('x00280030') ?? fg1?.spacing,
    slices: frames,
  };
  if (fg) {
    geometry = { iop: fg.iop, pixelSpacing: fg.spacing, ipp: fg.ipp, slices: frames, sliceStep: fg.step };
    if (fg.iop && fg.positions.length === frames && fg.positions.every((p) => p !== undefined)) {
      const n = sliceNormal(fg.iop);
      const keys = fg.positions.map((p) => dot(p as Vec3, n));
      // GDCM keeps the stored frame order (its z axis then runs from the first stored frame to the last).
      if (!opts.gdcm) order.sort((a, b) => keys[a] - keys[b] || a - b);
      else if (!evenlySpaced(keys)) gdcmNoZ = true;
      geometry.ipp = fg.positions[order[0]];
      geometry.lastIpp = fg.positions[order[frames - 1]];
    } else if (opts.gdcm) {
      gdcmNoZ = true;
    }
  }
  // Rescale (top-level tags for every frame, or per-frame functional groups) and frame reordering.
  const top = rescaleOf(f, undefined, opts.rescale ?? 'present');
  const perFrame = fg?.rescales.some((r) => r && (r.slope !== undefined || r.intercept !== undefined)) && opts.rescale !== 'never';
  let rescale: (Rescale | undefined)[] | undefined;
  if (top || perFrame) {
    rescale = order.map((k) => {
      const r = perFrame ? fg!.rescales[k] : undefined;
      const eff = r && (r.slope !== undefined || r.intercept !== undefined) ? { slope: r.slope ?? 1, intercept: r.intercept ?? 0 } : top;
      return eff && !((opts.rescale === 'nonIdentity' || opts.rescale === 'gdcm') && eff.slope === 1 && eff.intercept === 0) ? eff : undefined;
    });
    if (rescale.every((r) => r === undefined)) rescale = undefined;
  }
  if (order.some((v, i) => v !== i)) {
    const out = allocTyped(info.dtype, raw.length);
    for (let k = 0; k < frames; k++) out.set(raw.subarray(order[k] * px, order[k] * px + px) as never, k * px);
    raw = out;
  }
  const dtype: DType = rescale ? 'float32' : info.dtype;
  const lay = layoutFor(info.rows, info.cols, frames, info.spp, is3d);
  const vol: DicomVolume = { files: [f.filename], first: f, slices: [f], info, data: raw, dtype, rescale, ...lay, is3d, geometry, skipped };
  if (gdcmNoZ) vol.gdcmUnitSpacing = true;
  return opts.rescale === 'gdcm' ? gdcmRescale(vol, vol.rescale?.[0]) : vol;
}

/**
 * DICOM SEG as MONAI's PydicomReader reads it: frames grouped by ReferencedSegmentNumber (segments in number
 * order, frames in stored order), one channel per segment (named by SegmentDescription, else SegmentLabel,
 * else label_<i>), geometry from the shared functional groups and the first and last per-frame positions.
 */
function loadSegmentation(f: DicomFile, info: PixelInfo, raw: TypedArray, opts: LoadOptions, skipped: string[]): DicomVolume {
  const file = f.filename;
  // NumberOfFrames (absent: 1) says how many frames the pixel data holds, as pydicom reads it; per-frame
  // items beyond those describe frames that are not there (pydicom's liver_1frame.dcm keeps 3 for 1 frame).
  const perFrame = f.items('x52009230').slice(0, info.frames);
  if (perFrame.length < info.frames) throw new DicomError(file, `SEG needs PerFrameFunctionalGroupsSequence with one item per frame (${perFrame.length} items, ${info.frames} frames)`);
  const segNums = perFrame.map((fg, i) => {
    const it = f.item('x0062000a', 0, fg);
    const n = it ? f.us('x0062000b', it) : undefined;
    if (n === undefined) throw new DicomError(file, `SEG frame ${i} has no SegmentIdentificationSequence/ReferencedSegmentNumber`);
    return n;
  });
  const descriptions = new Map<number, DataSet>();
  for (const it of f.items('x00620002')) {
    const n = f.us('x00620004', it);
    if (n !== undefined) descriptions.set(n, it);
  }
  const unique = [...new Set(segNums)].sort((a, b) => a - b);
  const perSeg = unique.map((n) => segNums.map((m, i) => (m === n ? i : -1)).filter((i) => i >= 0));
  const nz = Math.floor(info.frames / unique.length);
  if (perSeg.some((fr) => fr.length !== nz)) throw new DicomError(file, `SEG segments have different numbers of frames (${perSeg.map((x) => x.length).join(', ')})`);
  const labels: Record<string, number> = opts.labelDict ? { ...opts.labelDict } : {};
  const channels = opts.labelDict ? Object.keys(opts.labelDict).length : unique.length;
  const px = info.rows * info.cols;
  // MONAI fills the masks into np.zeros(...): float64, whatever the stored bit depth.
  const out = allocTyped('float64', nz * px * channels);
  unique.forEach((n, i) => {
    const d = descriptions.get(n);
    const label = (d && f.str('x00620005', d)) || `label_${i}`;
    const name = (d && f.str('x00620006', d)) || label;
    if (!(name in labels)) labels[name] = i;
    const c = labels[name];
    if (!(c >= 0 && c < channels)) throw new DicomError(file, `SEG segment '${name}' maps to channel ${c}, outside 0..${channels - 1}`);
    perSeg[i].forEach((frame, z) => {
      const src = frame * px, dst = z * px;
      for (let p = 0; p < px; p++) out[(dst + p) * channels + c] = raw[src + p];
    });
  });
  const shared = f.item('x52009229');
  const sub = (ds: DataSet | undefined, seq: string, tag: string) => {
    const it = ds ? f.item(seq, 0, ds) : undefined;
    return it ? f.numbers(tag, it) : undefined;
  };
  const geometry: GeometryInput = {
    iop: iopOf(sub(shared, 'x00209116', 'x00200037') ?? f.numbers('x00200037')),
    pixelSpacing: sub(shared, 'x00289110', 'x00280030') ?? f.numbers('x00280030'),
    ipp: vec(sub(perFrame[0], 'x00209113', 'x00200032')),
    lastIpp: vec(sub(perFrame[perFrame.length - 1], 'x00209113', 'x00200032')),
    slices: nz,
  };
  const segInfo: PixelInfo = { ...info, spp: channels, frames: nz, dtype: 'float64' };
  const lay = layoutFor(info.rows, info.cols, nz, channels, true);
  if (channels === 1) {
    // MONAI keeps the segment axis for a single segment too: (column, row, slice, 1).
    lay.layoutShape.push(1);
    lay.permutation.push(3);
    lay.shape.push(1);
  }
  return { files: [file], first: f, slices: [f], info: segInfo, data: out, dtype: 'float64', ...lay, is3d: true, geometry, skipped, labels };
}

interface SeriesGroup {
  uid: string;
  files: DicomFile[];
}

function describeSeries(groups: SeriesGroup[]): string {
  return groups
    .map((g) => {
      const f = g.files[0];
      const desc = f.str('x0008103e');
      const mod = f.str('x00080060');
      return `  ${g.uid || '(no SeriesInstanceUID)'}: ${g.files.length} file(s)${mod ? `, ${mod}` : ''}${desc ? `, '${desc}'` : ''}`;
    })
    .join('\n');
}

/** Lists and parses a folder's DICOM files and groups them by SeriesInstanceUID. */
export function scanFolder(dir: string, opts: LoadOptions = {}): { groups: SeriesGroup[]; skipped: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new DicomError(dir, `cannot list folder: ${fileProblem(e)}`, { cause: e });
  }
  const re = opts.fnameRegex ? (typeof opts.fnameRegex === 'string' ? new RegExp(opts.fnameRegex) : opts.fnameRegex) : undefined;
  const skipped: string[] = [];
  const byUid = new Map<string, DicomFile[]>();
  for (const name of names) {
    const path = join(dir, name);
    if (re && !re.test(path)) continue;
    try {
      if (!statSync(path).isFile()) continue;
    } catch {
      continue;
    }
    if (!mayBeDicom(readHead(path))) {
      skipped.push(path);
      continue;
    }
    const bytes = readBytes(path);
    let f: DicomFile;
    try {
      f = parseDicomBytes(bytes, path);
    } catch (e) {
      // A file that says it is DICOM but cannot be parsed is an error, not something to drop silently.
      if (hasDicmPrefix(bytes)) throw e;
      skipped.push(path);
      continue;
    }
    if (!f.ds.elements.x7fe00010 && !f.ds.elements.x7fe00008 && !f.ds.elements.x7fe00009) {
      skipped.push(path);
      continue;
    }
    const uid = (f.str('x0020000e') ?? '').replace(/\0/g, '').trim();
    const list = byUid.get(uid);
    if (list) list.push(f);
    else byUid.set(uid, [f]);
  }
  const groups = [...byUid.entries()].map(([uid, files]) => ({ uid, files }));
  return { groups, skipped };
}

/** Orders slices along the slice normal (ImagePositionPatient . normal), ties and missing positions by InstanceNumber. */
export function orderSlices(files: DicomFile[]): DicomFile[] {
  const inst = (f: DicomFile) => f.number('x00200013') ?? 0;
  const iop = iopOf(files[0].numbers('x00200037'));
  const pos = files.map((f) => vec(f.numbers('x00200032')));
  if (iop && pos.every((p) => p !== undefined)) {
    const n = sliceNormal(iop);
    const keyed = files.map((f, i) => ({ f, k: dot(pos[i] as Vec3, n), n: inst(f), i }));
    keyed.sort((a, b) => a.k - b.k || a.n - b.n || a.i - b.i);
    return keyed.map((x) => x.f);
  }
  return files.map((f, i) => ({ f, n: inst(f), i })).sort((a, b) => a.n - b.n || a.i - b.i).map((x) => x.f);
}

/** Reads several single-frame files as one volume, ordered along the slice normal. */
export function loadSeries(filesIn: DicomFile[], opts: LoadOptions = {}, skipped: string[] = []): DicomVolume {
  if (filesIn.length === 0) throw new DicomError('(series)', 'no DICOM files');
  if (filesIn.length === 1) return loadSingle(filesIn[0], opts, skipped);
  const files = orderSlices(filesIn);
  const first = files[0];
  const info = pixelInfo(first);
  const label = `${basename(first.filename)} and ${files.length - 1} other slice(s)`;
  const infos = files.map((f) => {
    const i = pixelInfo(f);
    if (i.rows !== info.rows || i.cols !== info.cols || i.spp !== info.spp) {
      throw new DicomError(f.filename, `slice is ${i.rows}x${i.cols}x${i.spp} but ${first.filename} is ${info.rows}x${info.cols}x${info.spp}: cannot stack one series`);
    }
    if (i.frames !== 1) throw new DicomError(f.filename, `multi-frame file (${i.frames} frames) inside a series of ${files.length} files is not supported`);
    return i;
  });
  const mode = opts.rescale ?? 'present';
  const rescales = files.map((f) => rescaleOf(f, undefined, mode));
  const anyRescale = rescales.some((r) => r !== undefined);
  const sameDtype = infos.every((i) => i.dtype === info.dtype);
  // Stored values are kept in the first slice's dtype when all agree, else in float64 (exact for every integer type).
  const rawDtype: DType = sameDtype ? info.dtype : 'float64';
  const dtype: DType = anyRescale ? 'float32' : sameDtype ? info.dtype : 'float32';
  const px = info.rows * info.cols * info.spp;
  const total = px * files.length;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (total * BYTES_PER[rawDtype] > maxBytes) {
    throw new DicomError(label, `series of ${files.length} slices of ${info.rows}x${info.cols} exceeds the ${maxBytes}-byte limit`);
  }
  const out = allocTyped(rawDtype, total);
  files.forEach((f, k) => {
    const raw = decodePixels(f, infos[k], { maxBytes: opts.maxBytes });
    if (opts.invertMonochrome1 && infos[k].photometric === 'MONOCHROME1') invertMonochrome1(raw, infos[k]);
    out.set(raw as never, k * px);
  });
  const geometry: GeometryInput = {
    iop: iopOf(first.numbers('x00200037')),
    ipp: vec(first.numbers('x00200032')),
    lastIpp: vec(files[files.length - 1].numbers('x00200032')),
    pixelSpacing: first.numbers('x00280030'),
    slices: files.length,
  };
  const lay = layoutFor(info.rows, info.cols, files.length, info.spp, true);
  const vol: DicomVolume = { files: files.map((f) => f.filename), first, slices: files, info, data: out, dtype, rescale: anyRescale ? rescales : undefined, ...lay, is3d: true, geometry, skipped };
  return mode === 'gdcm' ? gdcmRescale(vol, rescales[0]) : vol;
}

/**
 * GDCM's choice of output type (gdcm::Rescaler::ComputeInterceptSlopePixelType): the stored type without
 * rescale; float64 for a non-integer slope or intercept; else the smallest integer type holding
 * slope * [min, max] + intercept over the BitsStored range.
 */
export function gdcmRescaledDtype(info: PixelInfo, r: Rescale | undefined): DType {
  if (!r || info.bitsAllocated === 1 || info.dtype.startsWith('float')) return info.dtype;
  if (!Number.isInteger(r.slope) || !Number.isInteger(r.intercept)) return 'float64';
  const bs = info.bitsStored;
  const signed = info.pixelRepresentation === 1;
  const min = r.slope * (signed ? -(2 ** (bs - 1)) : 0) + r.intercept;
  const max = r.slope * (signed ? 2 ** (bs - 1) - 1 : 2 ** bs - 1) + r.intercept;
  if (min >= 0) {
    if (max <= 255) return 'uint8';
    if (max <= 65535) return 'uint16';
    if (max <= 2 ** 32 - 1) return 'uint32';
  } else {
    if (min >= -128 && max <= 127) return 'int8';
    if (min >= -32768 && max <= 32767) return 'int16';
    if (min >= -(2 ** 31) && max <= 2 ** 31 - 1) return 'int32';
  }
  return 'float64';
}

/** GDCM takes BitsStored of a JPEG 2000 image from the codestream (SIZ precision), not from the data set. */
function gdcmPixelFormat(v: DicomVolume): PixelInfo {
  const info = v.info;
  if (!J2K_SYNTAXES.has(info.transferSyntax)) return info;
  const el = v.first.ds.elements[info.pixelTag];
  if (!el?.encapsulatedPixelData) return info;
  const siz = scanJ2kSiz(encapsulatedFrames(v.first, el, info.frames)[0]);
  return siz ? { ...info, bitsStored: siz.precision } : info;
}

const J2K_SYNTAXES = new Set<string>([TS.j2k, TS.j2kLossless, TS.htj2k, TS.htj2kLossless, TS.htj2kLosslessRPCL]);

/**
 * ITK's values: each slice rescaled in double precision (when its own rescale is not the identity) and
 * cast to the type chosen from the first slice, as ImageSeriesReader casts every slice to the output type
 * (typed-array assignment truncates and wraps integers as the C cast does on x86-64).
 */
function gdcmRescale(v: DicomVolume, first: Rescale | undefined): DicomVolume {
  const dtype = gdcmRescaledDtype(gdcmPixelFormat(v), first);
  if (v.info.bitsAllocated === 1) {
    // GDCMImageIO unpacks single-bit samples to 0 and 255.
    const d = v.data as Uint8Array;
    for (let i = 0; i < d.length; i++) d[i] = d[i] ? 255 : 0;
    return { ...v, dtype: 'uint8', rescale: undefined };
  }
  if (!v.rescale && dtype === v.info.dtype) return { ...v, dtype };
  const out = allocTyped(dtype, v.data.length);
  const src = v.data;
  const per = v.data.length / (v.is3d ? v.layoutShape[0] : 1);
  const slices = v.is3d ? v.layoutShape[0] : 1;
  for (let z = 0; z < slices; z++) {
    const r = v.rescale?.[z];
    const lo = z * per, hi = lo + per;
    if (r) for (let i = lo; i < hi; i++) out[i] = src[i] * r.slope + r.intercept;
    else for (let i = lo; i < hi; i++) out[i] = src[i];
  }
  return { ...v, data: out, dtype, rescale: undefined };
}

/** Reads an explicit list of single-frame files as one series (ordered along the slice normal). */
export function loadDicomFiles(paths: readonly string[], opts: LoadOptions = {}): DicomVolume {
  if (paths.length === 0) throw new DicomError('(no files)', 'empty list of DICOM files');
  return loadSeries(paths.map(parseFile), opts);
}

/** Reads a DICOM file, or a folder holding one series (or several, with `seriesName`). */
export function loadDicom(path: string, opts: LoadOptions = {}): DicomVolume {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new DicomError(path, fileProblem(e), { cause: e });
  }
  if (!isDir) return loadSingle(parseFile(path), opts, []);
  const { groups, skipped } = scanFolder(path, opts);
  if (groups.length === 0) throw new DicomError(path, `folder holds no DICOM image files${skipped.length ? ` (${skipped.length} file(s) skipped as not DICOM or without pixel data)` : ''}`);
  let group: SeriesGroup | undefined;
  if (opts.seriesName) {
    group = groups.find((g) => g.uid === opts.seriesName);
    if (!group) throw new DicomError(path, `series '${opts.seriesName}' not found; the folder holds:\n${describeSeries(groups)}`);
  } else if (groups.length > 1) {
    throw new DicomError(path, `folder holds ${groups.length} series; choose one with the seriesName option:\n${describeSeries(groups)}`);
  } else {
    group = groups[0];
  }
  for (const g of groups) if (g !== group) for (const f of g.files) skipped.push(f.filename);
  return loadSeries(group.files, opts, skipped);
}
