/**
 * Small dense matrices (homogeneous affines, at most 4x4) as nested number arrays, and MONAI's affine
 * helpers built on them: to_affine_nd, create_rotate/shear/scale/translate, scale_affine,
 * affine_to_spacing, zoom_affine and compute_shape_offset. All float64, computed in JS: the matrices
 * are tiny and this keeps metadata free of tensors.
 */
export type Mat = number[][];

/** MONAI's AFFINE_TOL: tolerance when deciding whether affines or corners coincide. */
export const AFFINE_TOL = 1e-3;

export function eye(n: number): Mat {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

export function matmul(a: Mat, b: Mat): Mat {
  const n = a.length;
  const m = b[0].length;
  const k = b.length;
  if (a[0].length !== k) throw new RangeError(`matmul: ${n}x${a[0].length} @ ${k}x${m} do not match`);
  const out: Mat = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(m).fill(0);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i][t] * b[t][j];
      row[j] = s;
    }
    out.push(row);
  }
  return out;
}

export function matmulAll(...ms: Mat[]): Mat {
  return ms.reduce((acc, m) => matmul(acc, m));
}

/** Inverse by Gauss-Jordan elimination with partial pivoting; throws on a singular matrix. */
export function inv(a: Mat, who = 'inverse'): Mat {
  const n = a.length;
  const m = a.map((r, i) => [...r, ...eye(n)[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) < 1e-300 || !Number.isFinite(m[p][c])) throw new RangeError(`${who}: matrix is not invertible: ${JSON.stringify(a)}`);
    [m[c], m[p]] = [m[p], m[c]];
    const d = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      if (f !== 0) for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((r) => r.slice(n));
}

/** np.linalg.solve(a, b) for square b. */
export function solve(a: Mat, b: Mat, who = 'solve'): Mat {
  return matmul(inv(a, who), b);
}

export function flatten(m: Mat): Float64Array {
  const n = m.length;
  const out = new Float64Array(n * m[0].length);
  m.forEach((r, i) => r.forEach((v, j) => (out[i * r.length + j] = v)));
  return out;
}

/** A square matrix from a row-major flat array (n*n values) or a nested array. */
export function toMat(a: ArrayLike<number> | Mat): Mat {
  if (Array.isArray(a) && Array.isArray(a[0])) return (a as Mat).map((r) => [...r]);
  const flat = a as ArrayLike<number>;
  const n = Math.round(Math.sqrt(flat.length));
  if (n * n !== flat.length) throw new RangeError(`expected a square matrix, got ${flat.length} values`);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => flat[i * n + j]));
}

/** The 4x4 row-major Float64Array of a MetaTensor affine as a Mat. */
export function affineMat(a: Float64Array): Mat {
  return toMat(a.subarray(0, 16));
}

/**
 * MONAI's to_affine_nd: embeds or truncates `a` to an (r+1)x(r+1) affine. As MONAI, the translation is
 * copied only when the shared spatial rank is above 1.
 */
export function toAffineNd(r: number, a: Mat): Mat {
  const out = eye(r + 1);
  const d = Math.max(Math.min(r, a.length - 1), 1);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i][j] = a[i][j];
  if (d > 1) for (let i = 0; i < d; i++) out[i][r] = a[i][a.length - 1];
  return out;
}

export function createTranslate(dims: number, shift: readonly number[]): Mat {
  const m = eye(dims + 1);
  shift.slice(0, dims).forEach((s, i) => (m[i][dims] = s));
  return m;
}

export function createScale(dims: number, factors: readonly number[]): Mat {
  const m = eye(dims + 1);
  for (let i = 0; i < dims; i++) m[i][i] = i < factors.length ? factors[i] : 1;
  return m;
}

/** MONAI's create_rotate: one angle (radians) in 2D; up to three in 3D, applied as Rx @ Ry @ Rz. */
export function createRotate(dims: number, radians: readonly number[], who = 'createRotate'): Mat {
  if (radians.length < 1) throw new RangeError(`${who}: rotation angles must not be empty`);
  if (dims === 2) {
    const [s, c] = [Math.sin(radians[0]), Math.cos(radians[0])];
    return [
      [c, -s, 0],
      [s, c, 0],
      [0, 0, 1],
    ];
  }
  if (dims === 3) {
    let m = eye(4);
    const [sx, cx] = [Math.sin(radians[0]), Math.cos(radians[0])];
    m[1][1] = cx;
    m[1][2] = -sx;
    m[2][1] = sx;
    m[2][2] = cx;
    if (radians.length >= 2) {
      const r = eye(4);
      const [s, c] = [Math.sin(radians[1]), Math.cos(radians[1])];
      r[0][0] = c;
      r[0][2] = s;
      r[2][0] = -s;
      r[2][2] = c;
      m = matmul(m, r);
    }
    if (radians.length >= 3) {
      const r = eye(4);
      const [s, c] = [Math.sin(radians[2]), Math.cos(radians[2])];
      r[0][0] = c;
      r[0][1] = -s;
      r[1][0] = s;
      r[1][1] = c;
      m = matmul(m, r);
    }
    return m;
  }
  throw new RangeError(`${who}: rotation needs 2 or 3 spatial dimensions, got ${dims}`);
}

/** MONAI's create_shear: coefficients (2 in 2D, 6 in 3D, missing ones 0) off the diagonal. */
export function createShear(dims: number, coefs: readonly number[], who = 'createShear'): Mat {
  const c = (i: number) => (i < coefs.length ? coefs[i] : 0);
  const m = eye(dims + 1);
  if (dims === 2) {
    m[0][1] = c(0);
    m[1][0] = c(1);
    return m;
  }
  if (dims === 3) {
    m[0][1] = c(0);
    m[0][2] = c(1);
    m[1][0] = c(2);
    m[1][2] = c(3);
    m[2][0] = c(4);
    m[2][1] = c(5);
    return m;
  }
  throw new RangeError(`${who}: shear needs 2 or 3 spatial dimensions, got ${dims}`);
}

/** MONAI's scale_affine: index-space map of a resize from `size` to `newSize` (pixel centres aligned when centered). */
export function scaleAffine(size: readonly number[], newSize: readonly number[], centered = true): Mat {
  const r = Math.max(size.length, newSize.length);
  if (size.length === newSize.length && size.every((s, i) => s === newSize[i])) return eye(r + 1);
  const n = Math.min(size.length, newSize.length);
  const s = Array.from({ length: n }, (_, i) => size[i] / Math.max(newSize[i], 1));
  const m = createScale(r, s);
  if (centered) for (let i = 0; i < r; i++) m[i][r] = (m[i][i] - 1) / 2;
  return m;
}

/** MONAI's affine_to_spacing: column norms of the top-left r x r block (zeros become 1). */
export function affineToSpacing(a: Mat, r: number): number[] {
  return Array.from({ length: r }, (_, j) => {
    let s = 0;
    for (let i = 0; i < r; i++) s += a[i][j] * a[i][j];
    const v = Math.sqrt(s);
    return v === 0 ? 1 : v;
  });
}

/** Upper Cholesky factor U of a symmetric positive definite matrix (A = U^T U). */
function choleskyUpper(a: Mat): Mat {
  const n = a.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (s <= 0) throw new RangeError('zoomAffine: the affine is singular (Cholesky failed)');
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  return L[0].map((_, j) => L.map((r) => r[j])); // transpose
}

/**
 * MONAI's zoom_affine: an affine with voxel sizes `scale` (missing or zero entries keep the input's),
 * either diagonal or keeping the input's rotation (no flips or axis swaps added).
 */
export function zoomAffine(affine: Mat, scale: readonly number[], diagonal: boolean): Mat {
  const d = affine.length - 1;
  const norm = affineToSpacing(affine, d);
  let s = scale.slice(0, d);
  if (s.length < d) s = [...s, ...norm.slice(s.length)];
  s = s.map((v, i) => (v > 0 ? v : norm[i])); // fall_back_tuple: non-positive -> input spacing
  s = s.map((v) => (v === 0 ? 1 : v));
  if (diagonal) return createScale(d, s);
  const rzs = affine.slice(0, d).map((r) => r.slice(0, d));
  const rtr = matmul(
    rzs[0].map((_, j) => rzs.map((r) => r[j])),
    rzs,
  );
  const zs = choleskyUpper(rtr);
  const rotation = matmul(rzs, inv(zs));
  const signed = s.map((v, i) => Math.sign(zs[i][i]) * Math.abs(v));
  const out = eye(d + 1);
  const rs = matmul(rotation, createScale(d, signed).slice(0, d).map((r) => r.slice(0, d)));
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i][j] = rs[i][j];
  return out;
}

/**
 * MONAI's compute_shape_offset: the output shape that holds the input's field of view under
 * `outAffine`, and the world offset that puts the output's first corner on the input's.
 */
export function computeShapeOffset(shape: readonly number[], inAffine: Mat, outAffine: Mat, scaleExtent = false): { shape: number[]; offset: number[] } {
  const sr = shape.length;
  const inA = toAffineNd(sr, inAffine);
  const outA = toAffineNd(sr, outAffine);
  const ranges = shape.map((d) => (scaleExtent ? [-0.5, d - 0.5] : [0, d - 1]));
  // corners in 'ij' meshgrid order
  const corners: number[][] = [];
  const rec = (i: number, cur: number[]) => {
    if (i === sr) return void corners.push([...cur, 1]);
    for (const v of ranges[i]) rec(i + 1, [...cur, v]);
  };
  rec(0, []);
  const xf = solve(outA, inA, 'computeShapeOffset (output affine)');
  const cOut = corners.map((c) => xf.map((row) => row.reduce((s, v, k) => s + v * c[k], 0)));
  const cIn = corners.map((c) => inA.map((row) => row.reduce((s, v, k) => s + v * c[k], 0)));
  const outShape = Array.from({ length: sr }, (_, i) => {
    const vals = cOut.map((c) => c[i] / c[sr]);
    const ptp = Math.max(...vals) - Math.min(...vals);
    return roundHalfEven(scaleExtent ? ptp : ptp + 1);
  });
  let offset: number[] | null = null;
  for (let i = 0; i < corners.length; i++) {
    // is corner i the smallest along every axis (np.allclose(min_corner, 0, rtol=AFFINE_TOL), atol 1e-8)?
    let ok = true;
    for (let a = 0; a < sr && ok; a++) {
      let mn = Infinity;
      for (const c of cOut) mn = Math.min(mn, c[a] - cOut[i][a]);
      if (Math.abs(mn) > 1e-8) ok = false;
    }
    if (ok) {
      offset = cIn[i].slice(0, sr);
      break;
    }
  }
  if (offset === null) {
    offset = Array.from({ length: sr }, (_, i) => {
      let s = inA[i][sr];
      for (let k = 0; k < sr; k++) s += inA[i][k] * (shape[k] / 2) - outA[i][k] * (outShape[k] / 2);
      return s;
    });
  }
  if (scaleExtent) {
    const io = [...shape.map((s, i) => 0.5 * (s / outShape[i] - 1)), 1];
    const p = inA.map((row) => row.reduce((s, v, k) => s + v * io[k], 0));
    offset = offset.map((o, i) => Math.abs(p[i] / p[sr]) * Math.sign(o));
  }
  return { shape: outShape, offset };
}

/** numpy's round (half to even). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.allclose(a, b, rtol, atol) for matrices or vectors. */
export function allClose(a: readonly (number | readonly number[])[], b: readonly (number | readonly number[])[], atol = 1e-8, rtol = 1e-5): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!allClose(x as number[], y as number[], atol, rtol)) return false;
    } else if (!(Math.abs((x as number) - (y as number)) <= atol + rtol * Math.abs(y as number))) return false;
  }
  return true;
}
