/** Orientation helpers on row-major 4x4 affines (nibabel's io_orientation, as_closest_canonical). */
import { Tensor } from '@monai-ts/torch';

/**
 * For each of the first `r` array axes: the world axis it mostly points along and the sign
 * (nibabel's io_orientation with normalised columns, axes taken in order).
 */
export function ioOrientation(affine: Float64Array, r: number): [number, number][] {
  const cols: number[][] = [];
  for (let j = 0; j < r; j++) {
    const c = [0, 1, 2].map((i) => affine[i * 4 + j]);
    const n = Math.hypot(...c) || 1;
    cols.push(c.map((v) => v / n));
  }
  const used = new Set<number>();
  const out: [number, number][] = [];
  for (let j = 0; j < r; j++) {
    let best = -1;
    let bv = -1;
    for (let i = 0; i < 3; i++) {
      if (used.has(i)) continue;
      const v = Math.abs(cols[j][i]);
      if (v > bv) {
        bv = v;
        best = i;
      }
    }
    used.add(best);
    out.push([best, cols[j][best] < 0 ? -1 : 1]);
  }
  return out;
}

/**
 * Reorders and flips the first `r` axes of `t` (index order) so the affine is closest to RAS+
 * (nibabel's as_closest_canonical). Returns the input tensor itself when nothing changes.
 */
export function closestCanonical(t: Tensor, affine: Float64Array, r: number): { tensor: Tensor; affine: Float64Array } {
  const ornt = ioOrientation(affine, r);
  const shape = t.shape;
  const a = affine.slice();
  const flips: number[] = [];
  for (let j = 0; j < r; j++) {
    if (ornt[j][1] < 0) {
      flips.push(j);
      for (let i = 0; i < 3; i++) {
        a[i * 4 + 3] += a[i * 4 + j] * (shape[j] - 1);
        a[i * 4 + j] = -a[i * 4 + j];
      }
    }
  }
  // permutation: new axis k is old axis j with ornt[j][0] == k (world axes present among the first r)
  const order = Array.from({ length: r }, (_, j) => j).sort((x, y) => ornt[x][0] - ornt[y][0]);
  const perm = [...order, ...Array.from({ length: shape.length - r }, (_, k) => r + k)];
  const identity = perm.every((p, i) => p === i);
  if (!flips.length && identity) return { tensor: t, affine: a };
  const b = a.slice();
  for (let k = 0; k < r; k++) for (let i = 0; i < 4; i++) b[i * 4 + k] = a[i * 4 + order[k]];
  let x = t;
  if (flips.length) x = x.flip(flips);
  if (!identity) {
    const p = x.permute(perm);
    const c = p.contiguous();
    p.dispose();
    if (x !== t) x.dispose();
    x = c;
  }
  return { tensor: x, affine: b };
}
