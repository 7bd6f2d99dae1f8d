// Patient geometry: slice normals, ordering keys and affines (DICOM LPS, converted to RAS on request).

export type Vec3 = [number, number, number];
export type Mat4 = number[][];

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function norm(a: Vec3): number {
  return Math.hypot(a[0], a[1], a[2]);
}

export function eye4(): Mat4 {
  return [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
}

/** The slice normal (row cosine x column cosine) of an ImageOrientationPatient value. */
export function sliceNormal(iop: number[]): Vec3 {
  return cross([iop[0], iop[1], iop[2]], [iop[3], iop[4], iop[5]]);
}

export function lpsToRas(a: Mat4): Mat4 {
  return a.map((row, i) => (i < 2 ? row.map((v) => (v === 0 ? 0 : -v)) : row.slice()));
}

export interface GeometryInput {
  /** ImageOrientationPatient: row cosine (x direction, along a row), then column cosine. */
  iop?: number[];
  /** ImagePositionPatient of the first slice (array index k = 0). */
  ipp?: number[];
  /** ImagePositionPatient of the last slice, for volumes. */
  lastIpp?: number[];
  /** PixelSpacing: [row spacing (between rows), column spacing (between columns)]. */
  pixelSpacing?: number[];
  /** Number of slices along the third axis (1 for a 2D image). */
  slices: number;
  /** Third-axis step when there is no last position (multi-frame without per-frame positions). */
  sliceStep?: number;
}

/**
 * Affine for an array indexed (column i, row j, slice k), as MONAI's PydicomReader with swap_ij=True builds it:
 * column 0 = row cosine x column spacing, column 1 = column cosine x row spacing, column 2 = (last - first) / (n - 1)
 * for volumes, else (0, 0, 1); translation = first ImagePositionPatient. Without orientation and position the
 * result is the identity with its first two axes swapped (what MONAI returns), and stays unconverted.
 */
export function dicomAffine(g: GeometryInput, toRas: boolean): Mat4 {
  const a = eye4();
  if (!g.iop || g.iop.length < 6 || !g.ipp || g.ipp.length < 3) {
    return [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  }
  const [rx, ry, rz, cx, cy, cz] = g.iop;
  const [dr, dc] = g.pixelSpacing && g.pixelSpacing.length >= 2 ? g.pixelSpacing : [1, 1];
  const col0: Vec3 = [rx * dc, ry * dc, rz * dc];
  const col1: Vec3 = [cx * dr, cy * dr, cz * dr];
  let col2: Vec3 = [0, 0, 1];
  if (g.slices > 1 && g.lastIpp && g.lastIpp.length >= 3) {
    const n = g.slices - 1;
    col2 = [(g.lastIpp[0] - g.ipp[0]) / n, (g.lastIpp[1] - g.ipp[1]) / n, (g.lastIpp[2] - g.ipp[2]) / n];
  } else if (g.slices > 1) {
    const nrm = sliceNormal(g.iop);
    const s = g.sliceStep ?? 1;
    col2 = [nrm[0] * s, nrm[1] * s, nrm[2] * s];
  }
  for (let r = 0; r < 3; r++) {
    a[r][0] = col0[r];
    a[r][1] = col1[r];
    a[r][2] = col2[r];
    a[r][3] = g.ipp[r];
  }
  return toRas ? lpsToRas(a) : a;
}

/** Column norms of the first r columns (MONAI's affine_to_spacing). */
export function affineToSpacing(a: Mat4, r: number): number[] {
  // MONAI's affine_to_spacing: column norms of the top-left r x r block (so a 2D image ignores the z row of
  // an oblique affine), a zero norm reported as 1.
  const out: number[] = [];
  for (let c = 0; c < r; c++) {
    let ss = 0;
    for (let row = 0; row < r; row++) ss += a[row][c] * a[row][c];
    out.push(Math.sqrt(ss) || 1);
  }
  return out;
}
