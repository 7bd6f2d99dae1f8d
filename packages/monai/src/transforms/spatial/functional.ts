/**
 * Spatial functionals (MONAI's monai/transforms/spatial/functional.py): each computes the result's
 * index-space matrix and shape, records the operation on the output through `t.pushTransform` (which
 * also composes the affine), and either does the work eagerly or, when `lazy`, only appends a pending
 * operation. Inputs are channel-first; outputs are new tensors (the input is left to the caller).
 */
import * as torch from '@monai-ts/torch';
import { nn, type Tensor, type DType } from '@monai-ts/torch';
import { MetaTensor, type MetaValue } from '../../data/meta_tensor.js';
import type { Transform } from '../transform.js';
import { GaussianFilter } from '../../networks/layers/simplelayers.js';
import { adoptMeta, peekPendingAffine, peekPendingRank, peekPendingShape, shallowCopy } from '../lazy/utils.js';
import {
  allClose,
  computeShapeOffset,
  createRotate,
  createTranslate,
  eye,
  matmul,
  matmulAll,
  scaleAffine,
  solve,
  toAffineNd,
  flatten,
  type Mat,
} from './matrix.js';
import { affineResample, gridResample } from './resample.js';
import { gridPaddingMode, gridSampleMode, interpolateMode, torchPadMode } from './modes.js';

const F = nn.functional;

/** MONAI records align_corners=None as the string 'none'. */
export const NONE = 'none';

function plain(img: Tensor): Tensor {
  return img instanceof MetaTensor ? img.asTensor() : img.alias();
}

/** MONAI's map_spatial_axes (channel first): spatial axes -> tensor axes. */
export function mapSpatialAxes(imgNdim: number, spatialAxes: number | readonly number[] | null | undefined): number[] {
  if (spatialAxes === null || spatialAxes === undefined) return Array.from({ length: imgNdim - 1 }, (_, i) => i + 1);
  const list = typeof spatialAxes === 'number' ? [spatialAxes] : [...spatialAxes];
  return list.map((a) => (a < 0 ? ((a % imgNdim) + imgNdim) % imgNdim : a + 1));
}

/** MONAI's ensure_tuple_rep: a scalar repeated n times, or a sequence of length n. */
export function tupleRep(v: number | readonly number[], n: number, who: string, option: string): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length === n) return [...v];
  throw new RangeError(`${who}: ${option} must have ${n} value(s) (one per spatial dimension), got ${v.length}`);
}

/** MONAI's fall_back_tuple: entries of `user` that are not positive (or absent) take the default's. */
export function fallBack(user: number | readonly (number | null)[] | null | undefined, dflt: readonly number[], who: string, option: string, keep: (x: number) => boolean = (x) => x > 0): number[] {
  if (user === null || user === undefined) return [...dflt];
  const arr = typeof user === 'number' ? new Array<number>(dflt.length).fill(user) : [...user];
  if (arr.length !== dflt.length) throw new RangeError(`${who}: ${option} must have ${dflt.length} value(s) (one per spatial dimension), got ${arr.length}`);
  return arr.map((u, i) => (u !== null && keep(u) ? u : dflt[i]));
}

function dtypeName(d: DType): string {
  return d;
}

/**
 * Resamples `img` from its (pending) affine to `dstAffine` with output `spatialSize` (MONAI's
 * spatial_resample). `spatialSize` -1 keeps the input size; null computes the size that holds the field
 * of view. No resampling (only a float32 copy) when the affines and sizes already match.
 */
export function spatialResample(
  img: Tensor,
  dstAffine: Mat | null,
  spatialSize: number | readonly number[] | null,
  mode: unknown,
  paddingMode: unknown,
  alignCorners: boolean,
  dtype: DType,
  lazy: boolean,
  t: Transform,
): Tensor {
  const who = t.name;
  const origShape = peekPendingShape(img);
  const src4 = peekPendingAffine(img);
  let rank = Math.min(img.dim() - 1, src4.length - 1, 3);
  if (spatialSize !== null && spatialSize !== -1) rank = Math.min(typeof spatialSize === 'number' ? 1 : spatialSize.length, 3);
  if (rank < 1) throw new RangeError(`${who}: the image needs at least one spatial dimension, got shape [${img.shape.join(', ')}]`);
  const src = toAffineNd(rank, src4);
  const dst = dstAffine ? toAffineNd(rank, dstAffine) : src;
  const inSize = origShape.slice(0, rank);
  let size: number[];
  if (spatialSize === -1) size = inSize;
  else if (spatialSize === null && rank > 1) size = computeShapeOffset(inSize, src, dst).shape;
  else {
    const list = spatialSize === null ? [null] : typeof spatialSize === 'number' ? [spatialSize] : spatialSize.slice(0, rank);
    size = fallBack(list, inSize, who, 'spatialSize', (x) => x >= 0);
  }
  const gm = gridSampleMode(who, mode);
  const pm = gridPaddingMode(who, paddingMode);
  const extraInfo: Record<string, MetaValue> = {
    dtype: dtypeName(dtype),
    mode: mode as string,
    padding_mode: paddingMode as string,
    align_corners: alignCorners,
    src_affine: src,
  };
  const xform = rank < 2 ? eye(rank + 1) : solve(src, dst, `${who}: source affine`);
  const sameSize = allClose(size, inSize);
  const unchanged = (allClose(src, dst, 1e-3) && sameSize) || (allClose(xform, eye(rank + 1), 1e-3) && sameSize);
  const rec = { affine: unchanged && !lazy ? null : flatten(xform), extraInfo, origSize: origShape, spSize: size, lazy };
  if (lazy) return t.pushTransform(shallowCopy(img), rec);
  if (unchanged) return t.pushTransform(shallowCopy(img, 'float32'), rec);
  const out = torch.tidy(() => {
    const x = plain(img);
    const shape = x.shape;
    const extra = shape.slice(rank + 1);
    const xs = extra.length ? x.reshape([-1, ...shape.slice(1, rank + 1)]) : x;
    const r = affineResample(xs, xform, size, { mode: gm, paddingMode: pm, alignCorners, dtype }, who);
    return extra.length ? r.reshape([shape[0], ...size, ...extra]) : r;
  });
  return t.pushTransform(adoptMeta(img, out), rec);
}

// ---------------------------------------------------------------------------------------------
// orientation (nibabel's orientation helpers on [axis, flip] pairs)

export type Ornt = [number, number][];

/** nibabel's axcodes2ornt: axis codes ('RAS') to [world axis, direction] pairs. */
export function axcodes2ornt(axcodes: string, labels: readonly (readonly [string, string])[], who: string): Ornt {
  const all = labels.flat();
  if (new Set(all).size !== all.length) throw new RangeError(`${who}: labels must be unique, got ${JSON.stringify(labels)}`);
  return [...axcodes].map((c) => {
    const i = labels.findIndex((pair) => pair.includes(c));
    if (i < 0) throw new RangeError(`${who}: axcodes '${axcodes}' has '${c}', which is not one of the labels ${all.join('')}`);
    return [i, labels[i][0] === c ? -1 : 1];
  });
}

/** nibabel's ornt2axcodes. */
export function ornt2axcodes(ornt: Ornt, labels: readonly (readonly [string, string])[]): (string | null)[] {
  return ornt.map(([ax, dir]) => (Number.isNaN(ax) ? null : labels[ax][dir === -1 ? 0 : 1]));
}

/** nibabel's ornt_transform: the orientation change that takes `start` to `end`. */
export function orntTransform(start: Ornt, end: Ornt, who: string): Ornt {
  if (start.length !== end.length) throw new RangeError(`${who}: orientations have different lengths (${start.length} and ${end.length})`);
  const out: Ornt = start.map(() => [0, 1]);
  end.forEach(([endOut, endFlip], endIn) => {
    const startIn = start.findIndex(([startOut]) => startOut === endOut);
    if (startIn < 0) throw new RangeError(`${who}: unable to find output axis ${endOut} in the image orientation`);
    out[startIn] = [endIn, start[startIn][1] === endFlip ? 1 : -1];
  });
  return out;
}

/** nibabel's inv_ornt_aff: the index-space matrix of an orientation change for `shape`. */
export function invOrntAff(ornt: Ornt, shape: readonly number[]): Mat {
  const p = ornt.length;
  const I = eye(p + 1);
  const undoReorder = [...ornt.map(([ax]) => I[ax]), I[p]];
  const undoFlip = eye(p + 1);
  for (let i = 0; i < p; i++) {
    undoFlip[i][i] = ornt[i][1];
    const c = -(shape[i] - 1) / 2;
    undoFlip[i][p] = ornt[i][1] * c - c;
  }
  return matmul(undoFlip, undoReorder);
}

/** Reorients `img` by `ornt` (one [new axis, flip] per spatial axis), as MONAI's orientation functional. */
export function orientation(img: Tensor, originalAffine: Mat, ornt: Ornt, lazy: boolean, t: Transform): Tensor {
  const spatialShape = peekPendingShape(img);
  const xform = invOrntAff(ornt, spatialShape);
  const axes = ornt.map(([, f], i) => (f === -1 ? i + 1 : -1)).filter((a) => a > 0);
  const perm = Array.from({ length: spatialShape.length + 1 }, (_, i) => i);
  const order = [0, ...ornt.map(([ax]) => ax + 1)];
  const sorted = order.map((_, i) => i).sort((a, b) => order[a] - order[b]);
  sorted.forEach((v, i) => (perm[i] = v));
  const newShape = perm.filter((i) => i > 0).map((i) => spatialShape[i - 1]);
  const rec = { affine: flatten(xform), extraInfo: { original_affine: originalAffine }, origSize: spatialShape, spSize: newShape, lazy };
  if (lazy) return t.pushTransform(shallowCopy(img), rec);
  const identity = perm.every((p, i) => p === i);
  if (!axes.length && identity) return t.pushTransform(shallowCopy(img), rec);
  const out = torch.tidy(() => {
    let x = plain(img);
    if (axes.length) x = x.flip(axes);
    if (!identity) x = x.permute(perm);
    return x;
  });
  return t.pushTransform(adoptMeta(img, out), rec);
}

// ---------------------------------------------------------------------------------------------

/** Flips the given spatial axes (all when null), as MONAI's flip functional. */
export function flip(img: Tensor, spAxes: number | readonly number[] | null, lazy: boolean, t: Transform): Tensor {
  const spSize = peekPendingShape(img);
  const axes = mapSpatialAxes(img.dim(), spAxes);
  for (const a of axes) if (a < 1 || a >= img.dim()) throw new RangeError(`${t.name}: spatialAxis ${JSON.stringify(spAxes)} is out of range for ${img.dim() - 1} spatial dimensions`);
  const rank = peekPendingRank(img);
  const xform = eye(rank + 1);
  for (const a of axes) {
    const sp = a - 1;
    if (sp >= rank) continue;
    xform[sp][sp] *= -1;
    xform[sp][rank] = spSize[sp] - 1;
  }
  const extraInfo: Record<string, MetaValue> = { axes: spAxes === null ? null : typeof spAxes === 'number' ? spAxes : [...spAxes] };
  const rec = { affine: flatten(xform), extraInfo, origSize: spSize, spSize, lazy };
  if (lazy) return t.pushTransform(shallowCopy(img), rec);
  const out = torch.tidy(() => plain(img).flip(axes));
  return t.pushTransform(adoptMeta(img, out), rec);
}

/** Resizes to `outSize` with torch interpolate (optionally Gaussian anti-aliasing first), as MONAI's resize functional. */
export function resize(
  img: Tensor,
  outSize: number[],
  mode: string,
  alignCorners: boolean | null,
  dtype: DType,
  inputNdim: number,
  antiAliasing: boolean,
  antiAliasingSigma: number | number[] | null,
  lazy: boolean,
  t: Transform,
): Tensor {
  const who = t.name;
  const origSize = peekPendingShape(img);
  const extraInfo: Record<string, MetaValue> = { mode, align_corners: alignCorners === null ? NONE : alignCorners, dtype, new_dim: origSize.length - inputNdim };
  const rec = { affine: flatten(scaleAffine(origSize, outSize)), extraInfo, origSize, spSize: outSize, lazy };
  if (lazy) {
    if (antiAliasing) process.emitWarning(`${who}: anti-aliasing is not compatible with lazy evaluation`);
    return t.pushTransform(shallowCopy(img), rec);
  }
  if (origSize.length === outSize.length && origSize.every((s, i) => s === outSize[i])) return t.pushTransform(shallowCopy(img, 'float32'), rec);
  const m = interpolateMode(who, mode, img.dim() - 1);
  const out = torch.tidy(() => {
    let x = plain(img).to({ dtype });
    const sp = x.shape.slice(1);
    if (antiAliasing && outSize.some((o, i) => o < sp[i])) {
      const factors = sp.map((s, i) => s / outSize[i]);
      const sigma =
        antiAliasingSigma === null
          ? factors.map((f) => Math.max(0, (f - 1) / 2))
          : tupleRep(antiAliasingSigma, outSize.length, who, 'antiAliasingSigma').map((s, i) => s * (factors[i] > 1 ? 1 : 0));
      const filt = new GaussianFilter({ spatialDims: sp.length, sigma });
      try {
        x = filt.forward(x.to({ dtype: 'float32' }).unsqueeze(0)).squeeze(0);
      } finally {
        filt.dispose();
      }
    }
    const r = F.interpolate(x.unsqueeze(0), { size: outSize, mode: m, alignCorners: alignCorners ?? null });
    return r.squeeze(0).to({ dtype: 'float32' });
  });
  return t.pushTransform(adoptMeta(img, out), rec);
}

/** The output shape that holds a rotated image (MONAI: ptp of the rotated corners + 0.5, truncated). */
function rotatedShape(rot: Mat, shape: readonly number[]): number[] {
  const n = shape.length;
  const corners: number[][] = [];
  const rec = (i: number, cur: number[]) => {
    if (i === n) return void corners.push(cur);
    for (const v of [0, shape[i]]) rec(i + 1, [...cur, v]);
  };
  rec(0, []);
  return Array.from({ length: n }, (_, r) => {
    const vals = corners.map((c) => c.reduce((s, v, k) => s + rot[r][k] * v, 0));
    return Math.trunc(Math.max(...vals) - Math.min(...vals) + 0.5);
  });
}

/** Rotates by `angle` radians around the image centre (grid_sample), as MONAI's rotate functional. */
export function rotate(
  img: Tensor,
  angle: number | readonly number[],
  outputShape: readonly number[] | null,
  mode: string,
  paddingMode: string,
  alignCorners: boolean,
  dtype: DType,
  lazy: boolean,
  t: Transform,
): Tensor {
  const who = t.name;
  const imShape = peekPendingShape(img);
  const nd = imShape.length;
  if (nd !== 2 && nd !== 3) throw new RangeError(`${who}: unsupported image dimension ${nd}, expected 2 or 3 spatial dimensions`);
  const angles = tupleRep(angle, nd === 2 ? 1 : 3, who, 'angle');
  let rot = createRotate(nd, angles, who);
  const outShape = outputShape ? outputShape.map((s) => Math.trunc(s)) : rotatedShape(rot, imShape);
  rot = matmulAll(
    createTranslate(
      nd,
      imShape.map((d) => (d - 1) / 2),
    ),
    rot,
    createTranslate(
      nd,
      outShape.map((d) => -(d - 1) / 2),
    ),
  );
  const gm = gridSampleMode(who, mode);
  const pm = gridPaddingMode(who, paddingMode);
  const extraInfo: Record<string, MetaValue> = { rot_mat: rot, mode, padding_mode: paddingMode, align_corners: alignCorners, dtype };
  const rec = { affine: flatten(rot), extraInfo, origSize: imShape, spSize: outShape, lazy };
  if (lazy) return t.pushTransform(shallowCopy(img), rec);
  const out = torch.tidy(() => affineResample(plain(img), rot, outShape, { mode: gm, paddingMode: pm, alignCorners, dtype }, who));
  return t.pushTransform(adoptMeta(img, out), rec);
}

/** Symmetric pad then centre crop of spatial dims to `target` (MONAI's ResizeWithPadOrCrop). */
export function padCropPlan(cur: readonly number[], target: readonly number[]): { pad: [number, number][]; crop: [number, number][]; padded: number[]; xform: Mat } {
  const pad = cur.map((c, i): [number, number] => {
    const total = Math.max(target[i] - c, 0);
    const before = Math.floor(total / 2);
    return [before, total - before];
  });
  const padded = cur.map((c, i) => c + pad[i][0] + pad[i][1]);
  const crop = padded.map((c, i): [number, number] => {
    if (c <= target[i]) return [0, c];
    const start = Math.max(Math.floor(c / 2) - Math.floor(target[i] / 2), 0);
    return [start, start + target[i]];
  });
  const r = cur.length;
  const xform = matmul(
    createTranslate(
      r,
      pad.map((p) => -p[0]),
    ),
    createTranslate(
      r,
      crop.map((c) => c[0]),
    ),
  );
  return { pad, crop, padded, xform };
}

/** Applies a padCropPlan to a plain (C, *spatial) tensor. */
export function applyPadCrop(x: Tensor, plan: { pad: [number, number][]; crop: [number, number][] }, mode: nn.functional.PadMode): Tensor {
  return torch.tidy(() => {
    let y = x;
    if (plan.pad.some(([a, b]) => a > 0 || b > 0)) {
      const pads = [...plan.pad].reverse().flatMap(([a, b]) => [a, b]);
      y = F.pad(y.unsqueeze(0), pads, { mode }).squeeze(0);
    }
    plan.crop.forEach(([s, e], i) => {
      if (s !== 0 || e !== y.shape[i + 1]) y = y.narrow(i + 1, s, e - s);
    });
    return y === x ? x.alias() : y.contiguous();
  });
}

/** Zooms by `scale` with torch interpolate (then pads/crops back to the input size when keepSize), as MONAI's zoom functional. */
export function zoom(
  img: Tensor,
  scale: readonly number[],
  keepSize: boolean,
  mode: string,
  paddingMode: string,
  alignCorners: boolean | null,
  dtype: DType,
  lazy: boolean,
  t: Transform,
): Tensor {
  const who = t.name;
  const imShape = peekPendingShape(img);
  let outSize = imShape.map((s, i) => Math.floor(s * scale[i]));
  let xform = scaleAffine(imShape, outSize);
  const extraInfo: Record<string, MetaValue> = { mode, align_corners: alignCorners === null ? NONE : alignCorners, dtype, do_padcrop: false, padcrop: {} };
  const pm = torchPadMode(who, paddingMode);
  if (keepSize) {
    const doPadCrop = !allClose(outSize, imShape);
    if (doPadCrop && lazy) {
      const plan = padCropPlan(outSize, imShape);
      xform = matmul(xform, plan.xform);
      extraInfo.padcrop = { pad: plan.pad, crop: plan.crop, padded: plan.padded, mode: paddingMode };
      extraInfo.do_padcrop = true;
    }
    outSize = [...imShape];
  }
  if (lazy) return t.pushTransform(shallowCopy(img), { affine: flatten(xform), extraInfo, origSize: imShape, spSize: outSize, lazy });
  const m = interpolateMode(who, mode, img.dim() - 1);
  let plan: ReturnType<typeof padCropPlan> | null = null;
  const out = torch.tidy(() => {
    const x = plain(img).to({ dtype });
    const z = F.interpolate(x.unsqueeze(0), { scaleFactor: [...scale], recomputeScaleFactor: true, mode: m, alignCorners }).squeeze(0).to({ dtype: 'float32' });
    const zs = z.shape.slice(1);
    if (!allClose(outSize, zs)) {
      plan = padCropPlan(zs, x.shape.slice(1));
      return applyPadCrop(z, plan, pm);
    }
    return z;
  });
  if (plan !== null) {
    const p = plan as ReturnType<typeof padCropPlan>;
    xform = matmul(xform, p.xform);
    extraInfo.padcrop = { pad: p.pad, crop: p.crop, padded: p.padded, mode: paddingMode };
    extraInfo.do_padcrop = true;
  }
  return t.pushTransform(adoptMeta(img, out), { affine: flatten(xform), extraInfo, origSize: imShape, spSize: outSize, lazy });
}

/** Rotates by k*90 degrees in the plane of `axes` (tensor axes, channel first), as MONAI's rotate90 functional. */
export function rotate90(img: Tensor, axes: [number, number], k: number, lazy: boolean, t: Transform): Tensor {
  const who = t.name;
  const ori = peekPendingShape(img);
  for (const a of axes) if (a < 1 || a > ori.length) throw new RangeError(`${who}: spatialAxes ${JSON.stringify(axes.map((a) => a - 1))} out of range for ${ori.length} spatial dimensions`);
  if (axes[0] === axes[1]) throw new RangeError(`${who}: spatialAxes must be two different axes, got ${JSON.stringify(axes.map((a) => a - 1))}`);
  const extraInfo: Record<string, MetaValue> = { axes: axes.map((a) => a - 1), k };
  const spShape = [...ori];
  if (k === 1 || k === 3) [spShape[axes[0] - 1], spShape[axes[1] - 1]] = [ori[axes[1] - 1], ori[axes[0] - 1]];
  const r = peekPendingRank(img);
  const spR = ori.length;
  let xform = toAffineNd(
    r,
    createTranslate(
      spR,
      spShape.map((d) => -(d - 1) / 2),
    ),
  );
  const s = [-1, 2].includes(axes[0] - axes[1]) ? -1 : 1;
  let rot: Mat;
  if (spR === 2) rot = toAffineNd(r, createRotate(2, [(s * Math.PI) / 2]));
  else {
    const angle = [0, 0, 0];
    const idx = [1, 2, 3].find((i) => !axes.includes(i))!;
    angle[idx - 1] = (s * Math.PI) / 2;
    rot = toAffineNd(r, createRotate(3, angle, who));
  }
  for (let i = 0; i < k; i++) xform = matmul(rot, xform);
  xform = matmul(
    toAffineNd(
      r,
      createTranslate(
        spR,
        ori.map((d) => (d - 1) / 2),
      ),
    ),
    xform,
  );
  const rec = { affine: flatten(xform), extraInfo, origSize: ori, spSize: spShape, lazy };
  if (lazy) return t.pushTransform(shallowCopy(img), rec);
  const out = torch.tidy(() => torch.rot90(plain(img), k, axes).contiguous());
  return t.pushTransform(adoptMeta(img, out), rec);
}

/** MONAI's Affine.compute_w_affine: a centred-coordinate matrix as an index-space one. */
export function computeWAffine(rank: number, mat: Mat, imgSize: readonly number[], spSize: readonly number[]): Mat {
  const r = Math.trunc(rank);
  return matmulAll(
    createTranslate(
      r,
      imgSize.slice(0, r).map((d) => (d - 1) / 2),
    ),
    toAffineNd(r, mat),
    createTranslate(
      r,
      spSize.slice(0, r).map((d) => -(d - 1) / 2),
    ),
  );
}

/** What affineFunc needs of a resampler (MONAI's Resample). */
export interface GridResampler {
  alignCorners: boolean;
  call(img: Tensor, grid: Tensor | null, mode?: unknown, paddingMode?: unknown): Tensor;
}

/** MONAI's affine_func: records the affine (centred coordinates) and resamples `img` at `grid`. */
export function affineFunc(
  img: Tensor,
  affine: Mat,
  grid: Tensor | null,
  resampler: GridResampler,
  spSize: number[],
  mode: unknown,
  paddingMode: unknown,
  doResampling: boolean,
  lazy: boolean,
  t: Transform,
): Tensor {
  const imgSize = peekPendingShape(img);
  const rank = peekPendingRank(img);
  const extraInfo: Record<string, MetaValue> = { affine, mode: mode as string, padding_mode: paddingMode as string, do_resampling: doResampling, align_corners: resampler.alignCorners };
  const w = computeWAffine(rank, affine, imgSize, spSize);
  const rec = { affine: flatten(w), extraInfo, origSize: imgSize, spSize, lazy };
  if (lazy) return t.pushTransform(shallowCopy(img), rec);
  if (doResampling) {
    const r = resampler.call(img, grid, mode, paddingMode);
    const out = r instanceof MetaTensor ? r : adoptMeta(img, r);
    return t.pushTransform(out, rec);
  }
  return t.pushTransform(shallowCopy(img, 'float32'), rec);
}

export { gridResample };
