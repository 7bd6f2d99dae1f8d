/** Orientation helpers on row-major 4x4 affines (nibabel's io_orientation, as_closest_canonical). */
import { Tensor } from '@monai-ts/torch';

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi). Returns [values, vectors as columns]. */
function symEig(a: number[][]): [number[], number[][]] {
  const n = a.length;
  const m = a.map((r) => r.slice());
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p];
          const mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k];
          const mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
  }
  return [m.map((r, i) => r[i]), v];
}

/**
 * nibabel's io_orientation for the first `r` array axes: for each axis, the world axis it points
 * along most and the sign. Uses the orthogonal (polar) factor of the column-normalised 3 x r block,
 * then picks axes in order, removing each chosen world axis from later choices.
 */
export function ioOrientation(affine: Float64Array, r: number): [number, number][] {
  // RS: 3 x r, columns normalised
  const RS: number[][] = [0, 1, 2].map((i) => Array.from({ length: r }, (_, j) => affine[i * 4 + j]));
  for (let j = 0; j < r; j++) {
    const z = Math.hypot(RS[0][j], RS[1][j], RS[2][j]) || 1;
    for (let i = 0; i < 3; i++) RS[i][j] /= z;
  }
  // polar factor R = RS (RS^T RS)^(-1/2), dropping near-zero singular directions
  const G = Array.from({ length: r }, (_, a) => Array.from({ length: r }, (_, b) => RS[0][a] * RS[0][b] + RS[1][a] * RS[1][b] + RS[2][a] * RS[2][b]));
  const [ev, V] = symEig(G);
  const smax = Math.sqrt(Math.max(...ev.map((x) => Math.max(x, 0))));
  const tol = smax * Math.max(3, r) * 2.220446049250313e-16;
  const inv = Array.from({ length: r }, (_, a) =>
    Array.from({ length: r }, (_, b) => {
      let s = 0;
      for (let k = 0; k < r; k++) {
        const sv = Math.sqrt(Math.max(ev[k], 0));
        if (sv > tol) s += (V[a][k] * V[b][k]) / sv;
      }
      return s;
    }),
  );
  const R = [0, 1, 2].map((i) => Array.from({ length: r }, (_, j) => RS[i].reduce((acc, x, k) => acc + x * inv[k][j], 0)));
  const out: [number, number][] = [];
  for (let j = 0; j < r; j++) {
    const col = [R[0][j], R[1][j], R[2][j]];
    if (col.every((x) => Math.abs(x) <= 1e-8)) {
      out.push([Number.NaN, Number.NaN]);
      continue;
    }
    let best = 0;
    for (let i = 1; i < 3; i++) if (Math.abs(col[i]) > Math.abs(col[best])) best = i;
    out.push([best, col[best] < 0 ? -1 : 1]);
    for (let k = 0; k < r; k++) R[best][k] = 0;
  }
  return out;
}

/**
 * Reorders and flips the first `r` axes of `t` (index order) so the affine is closest to RAS+
 * (nibabel's as_closest_canonical). Returns the input tensor itself when nothing changes.
 */
export function closestCanonical(t: Tensor, affine: Float64Array, r: number): { tensor: Tensor; affine: Float64Array } {
  const ornt = ioOrientation(affine, r);
  if (ornt.some((o) => Number.isNaN(o[0]))) return { tensor: t, affine: affine.slice() }; // degenerate affine: leave as is
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
