/**
 * Crop and pad functionals (MONAI's monai/transforms/croppad/functional.py): the tensor work and the
 * MetaTensor bookkeeping (affine translation, applied-operation record, lazy record) of every crop and
 * pad transform.
 *
 * Padding runs in libtorch ops for every dtype and numpy's semantics: `constant` by constant_pad_nd,
 * `edge`/`replicate`, `reflect`, `symmetric` and `wrap`/`circular` by one index_select per padded dim
 * (pads wider than the image repeat the pattern as numpy does).
 */
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaValue } from '../../data/meta_tensor.js';
import { checkChoice } from '../../data/options.js';
import { composeAffine, type Transform } from '../transform.js';

/** Pad modes: torch's names and numpy's (MONAI maps edge<->replicate and wrap<->circular). */
export const PAD_MODES = ['constant', 'edge', 'replicate', 'reflect', 'symmetric', 'wrap', 'circular', 'minimum', 'maximum', 'mean'] as const;
export type PadMode = (typeof PAD_MODES)[number];

/** A crop range per spatial dim: [start, stop) with Python slice semantics (null: open end, negatives count from the end). */
export type SliceRange = readonly [number | null, number | null];

/** Checks a pad mode name, naming the transform on error; resampling padding modes map as MONAI's _convert_pt_pad_mode where asked. */
export function checkPadMode(who: string, mode: unknown, what = 'mode'): PadMode {
  return checkChoice(who, what, mode, PAD_MODES);
}

/** Spatial shape once pending (lazy) operations apply (MONAI's peek_pending_shape). */
export function pendingShape(img: Tensor): number[] {
  const p = (img as unknown as { pendingOperations?: AppliedOperation[] }).pendingOperations;
  const s = img instanceof MetaTensor && p && p.length ? (p[p.length - 1].lazy_shape as number[] | undefined) : undefined;
  return s ? [...s] : img.shape.slice(1);
}

/** (d+1)x(d+1) row-major translation by `shift` (MONAI's create_translate). */
export function createTranslate(d: number, shift: readonly number[]): number[] {
  const m = new Array<number>((d + 1) * (d + 1)).fill(0);
  for (let i = 0; i <= d; i++) m[i * (d + 1) + i] = 1;
  for (let i = 0; i < d; i++) m[i * (d + 1) + d] = shift[i] ?? 0;
  return m;
}

/** Python's slice(start, stop).indices(n) for step 1: clamped [start, stop). */
export function sliceIndices(s: SliceRange, n: number): [number, number] {
  const norm = (v: number | null, dflt: number) => {
    if (v === null) return dflt;
    if (v < 0) return Math.max(v + n, 0);
    return Math.min(v, n);
  };
  return [norm(s[0], 0), norm(s[1], n)];
}

/** Source index for each output position of a padded axis (numpy's pad semantics). */
function padIndex(n: number, lo: number, hi: number, mode: PadMode): number[] {
  const out = new Array<number>(n + lo + hi);
  for (let o = 0; o < out.length; o++) {
    const i = o - lo;
    let j: number;
    if (i >= 0 && i < n) j = i;
    else if (mode === 'edge' || mode === 'replicate') j = i < 0 ? 0 : n - 1;
    else if (mode === 'wrap' || mode === 'circular') j = ((i % n) + n) % n;
    else if (mode === 'reflect') {
      if (n === 1) j = 0;
      else {
        const p = 2 * n - 2;
        const m = ((i % p) + p) % p;
        j = m < n ? m : p - m;
      }
    } else {
      // symmetric
      const p = 2 * n;
      const m = ((i % p) + p) % p;
      j = m < n ? m : p - 1 - m;
    }
    out[o] = j;
  }
  return out;
}

/**
 * Pads `img` (channel first) by `toPad` = [[lo, hi] per dim, channel first], numpy's pad semantics
 * (MONAI's pad_nd). `value` is the constant of the `constant` mode.
 */
export function padNd(img: Tensor, toPad: readonly (readonly [number, number])[], mode: PadMode = 'constant', value = 0): Tensor {
  const full = toPad.map((p) => [p[0], p[1]] as [number, number]);
  while (full.length < img.dim()) full.push([0, 0]);
  if (full.length > img.dim()) throw new RangeError(`pad: ${full.length} pad pairs for a ${img.dim()}-d tensor`);
  if (full.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0)) throw new RangeError(`pad: pad widths must be non-negative integers, got ${JSON.stringify(full)}`);
  if (mode === 'constant') {
    const flat: number[] = [];
    for (let d = full.length - 1; d >= 0; d--) flat.push(full[d][0], full[d][1]);
    return torch.constantPadNd(img, flat, { value: img.dtype === 'bool' ? Number(Boolean(value)) : value });
  }
  return torch.tidy(() => {
    let out = img;
    for (let d = 0; d < full.length; d++) {
      const [lo, hi] = full[d];
      if (lo === 0 && hi === 0) continue;
      const n = out.shape[d];
      if (n === 0) throw new RangeError(`pad: can't extend an empty axis (dim ${d}) with mode '${mode}'`);
      if (mode === 'minimum' || mode === 'maximum' || mode === 'mean') {
        out = statPad(out, d, lo, hi, mode);
        continue;
      }
      out = out.indexSelect(d, torch.tensor(padIndex(n, lo, hi, mode), { dtype: 'int64' }));
    }
    return out === img ? img.clone() : out;
  });
}

/** numpy's minimum/maximum/mean pad of one axis (statistic over the whole axis; mean rounded for ints). */
function statPad(x: Tensor, d: number, lo: number, hi: number, mode: 'minimum' | 'maximum' | 'mean'): Tensor {
  let stat: Tensor;
  if (mode === 'minimum') stat = x.amin(d, { keepdim: true });
  else if (mode === 'maximum') stat = x.amax(d, { keepdim: true });
  else {
    const isFloat = x.isFloatingPoint();
    const m = x.to(isFloat ? x.dtype : 'float64').mean(d, { keepdim: true });
    stat = isFloat ? m : m.round().to(x.dtype);
  }
  const parts: Tensor[] = [];
  if (lo) parts.push(stat.expand(x.shape.map((s, i) => (i === d ? lo : s))));
  parts.push(x);
  if (hi) parts.push(stat.expand(x.shape.map((s, i) => (i === d ? hi : s))));
  return torch.cat(parts, d);
}

/** The record fields a functional needs from its transform. */
type Recorder = Pick<Transform, 'pushTransform'>;

/**
 * Pads a (Meta)Tensor and records it (MONAI's pad_func): the affine shifts by -lo per dim, the record's
 * extra_info holds `padded` (pairs incl. the channel) and `mode`. With `lazy`, only the record (pending,
 * with the output shape) is added. `transform` null: no record, affine still updated (inverse paths).
 */
export function padFunc(img: Tensor, toPad: readonly (readonly [number, number])[], transform: Recorder | null, mode: PadMode = 'constant', lazy = false, value = 0): Tensor {
  const size = pendingShape(img);
  const rank = spatialRank(img, size.length);
  const pairs = toPad.map((p) => [Math.trunc(p[0]), Math.trunc(p[1])] as [number, number]);
  const doPad = pairs.some(([a, b]) => a !== 0 || b !== 0);
  while (pairs.length < img.dim()) pairs.push([0, 0]);
  const shape = doPad ? size.map((s, i) => s + pairs[i + 1][0] + pairs[i + 1][1]) : size;
  const affine = doPad ? createTranslate(rank, pairs.slice(1).map((p) => -p[0])) : null;
  const extraInfo: Record<string, MetaValue> = { padded: toPad.map((p) => [p[0], p[1]]), mode };
  if (lazy) return record(transform, shallow(img), { extraInfo, origSize: size, affine, spSize: shape, lazy: true });
  const out = doPad ? adopt(img, padNd(img, pairs, mode, value)) : shallow(img);
  return record(transform, out, { extraInfo, origSize: size, affine, spSize: shape, lazy: false });
}

/**
 * Crops a (Meta)Tensor to `slices` (one per spatial dim, channel excluded) and records it (MONAI's
 * crop_func): the affine shifts by the start per dim, extra_info.cropped holds [start, n - stop] per dim.
 * The result is a view of the input's storage, as MONAI's slicing.
 */
export function cropFunc(img: Tensor, slices: readonly SliceRange[], transform: Recorder | null, lazy = false): Tensor {
  const size = pendingShape(img);
  const rank = spatialRank(img, size.length);
  const idx = size.map((n, i) => sliceIndices(slices[i] ?? [null, null], n));
  const cropped: number[] = [];
  idx.forEach(([s, e], i) => cropped.push(s, size[i] - e));
  const shift = size.map((n, i) => {
    const st = slices[i]?.[0] ?? null;
    return st === null ? 0 : st < 0 ? n + st : st;
  });
  const shape = idx.map(([s, e]) => Math.max(e - s, 0));
  const opts = { extraInfo: { cropped } as Record<string, MetaValue>, origSize: size, affine: createTranslate(rank, shift), spSize: shape };
  if (lazy) return record(transform, shallow(img), { ...opts, lazy: true });
  let out: Tensor = img;
  const views: Tensor[] = [];
  idx.forEach(([s, e], i) => {
    if (s === 0 && e === out.shape[i + 1]) return;
    out = out.narrow(i + 1, s, Math.max(e - s, 0));
    views.push(out);
  });
  for (const v of views.slice(0, -1)) v.dispose();
  const res = views.length ? adopt(img, out) : shallow(img);
  return record(transform, res, { ...opts, lazy: false });
}

/** MONAI's peek_pending_rank: the affine's rank for MetaTensors (3 for plain tensors). */
function spatialRank(img: Tensor, nSpatial: number): number {
  if (!(img instanceof MetaTensor)) return Math.max(3, nSpatial);
  return Math.max(Math.round(Math.sqrt(img.affine.length)) - 1, nSpatial);
}

/** A new handle on img's storage carrying img's metadata (the output when nothing changes, as MONAI's convert_to_tensor copy). */
function shallow(img: Tensor): Tensor {
  return adopt(img, img.alias());
}

/** `t` (taken over) with img's metadata and pending operations when img is a MetaTensor. */
function adopt(img: Tensor, t: Tensor): Tensor {
  if (!(img instanceof MetaTensor)) return t;
  const out = img.withTensor(t);
  const pend = (img as unknown as { pendingOperations?: AppliedOperation[] }).pendingOperations;
  if (pend !== undefined) (out as unknown as { pendingOperations: AppliedOperation[] }).pendingOperations = pend.map((p) => ({ ...p }));
  return out;
}

function record(transform: Recorder | null, out: Tensor, o: { extraInfo: Record<string, MetaValue>; origSize: number[]; affine: number[] | null; spSize: number[]; lazy: boolean }): Tensor {
  if (transform === null) {
    if (o.affine && !o.lazy && out instanceof MetaTensor) composeAffine(out, o.affine, 'crop/pad');
    return out;
  }
  return transform.pushTransform(out, { extraInfo: o.extraInfo, origSize: o.origSize, affine: o.affine, spSize: o.spSize, lazy: o.lazy });
}

/** Pops-and-reads helper type for inverse code: the applied operation's extra info. */
export function extraInfoOf(rec: AppliedOperation, who: string): Record<string, MetaValue> {
  const e = rec.extra_info;
  if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new Error(`${who}.inverse: the applied-operation record has no extra_info`);
  return e as Record<string, MetaValue>;
}
