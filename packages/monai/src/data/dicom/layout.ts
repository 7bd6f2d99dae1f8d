// Stored samples (slice, row, column[, sample]) -> MONAI's index order (column, row[, slice][, sample]),
// rescaled per slice to float32 on the way, in one cache-blocked pass that can write straight into a
// tensor's storage.
import type { TypedArray } from './pixels.js';
import type { DicomVolume, Rescale } from './volume.js';

type Out = TypedArray | BigInt64Array;

const BLOCK = 32;

/** float32(float32(v * slope) + intercept), as numpy computes float32 data with Python float scalars. */
function scaler(r: Rescale | undefined): [number, number] | undefined {
  return r ? [Math.fround(r.slope), Math.fround(r.intercept)] : undefined;
}

/**
 * Writes the volume into `out` (length = number of samples) in index order. `out` may be a view of tensor
 * storage. With `swapIj` false the first two axes stay (row, column) as MONAI's swap_ij=False gives.
 */
export function fillIndexOrder(v: DicomVolume, out: Out, swapIj = true): void {
  const src = v.data;
  const S = v.info.spp;
  const Z = v.is3d ? v.layoutShape[0] : 1;
  const Y = v.info.rows, X = v.info.cols;
  if (out.length !== src.length) throw new Error(`output holds ${out.length} samples, the volume ${src.length}`);
  const scales = Array.from({ length: Z }, (_, z) => scaler(v.rescale?.[z]));
  const big = out instanceof BigInt64Array;
  if (!swapIj || big) {
    // Generic path: (row, column) order kept, or int64 output.
    const o64 = out as BigInt64Array;
    for (let z = 0; z < Z; z++) {
      const sc = scales[z];
      for (let y = 0; y < Y; y++) {
        for (let x = 0; x < X; x++) {
          const i = ((z * Y + y) * X + x) * S;
          const o = swapIj ? ((x * Y + y) * Z + z) * S : ((y * X + x) * Z + z) * S;
          for (let s = 0; s < S; s++) {
            const val = sc ? Math.fround(Math.fround(src[i + s] * sc[0]) + sc[1]) : src[i + s];
            if (big) o64[o + s] = BigInt(val);
            else (out as TypedArray)[o + s] = val;
          }
        }
      }
    }
    return;
  }
  const o = out as TypedArray;
  if (Z === 1 && S === 1) {
    const sc = scales[0];
    for (let x0 = 0; x0 < X; x0 += BLOCK) {
      const x1 = Math.min(X, x0 + BLOCK);
      for (let y0 = 0; y0 < Y; y0 += BLOCK) {
        const y1 = Math.min(Y, y0 + BLOCK);
        for (let x = x0; x < x1; x++) {
          let w = x * Y + y0;
          if (sc) for (let y = y0; y < y1; y++) o[w++] = Math.fround(Math.fround(src[y * X + x] * sc[0]) + sc[1]);
          else for (let y = y0; y < y1; y++) o[w++] = src[y * X + x];
        }
      }
    }
    return;
  }
  if (S === 1 && scales.every((sc) => sc !== undefined)) {
    const XY = X * Y;
    const sl = new Float64Array(Z), ic = new Float64Array(Z);
    scales.forEach((sc, z) => {
      sl[z] = sc![0];
      ic[z] = sc![1];
    });
    for (let y = 0; y < Y; y++) {
      for (let x0 = 0; x0 < X; x0 += BLOCK) {
        const x1 = Math.min(X, x0 + BLOCK);
        for (let z0 = 0; z0 < Z; z0 += BLOCK) {
          const z1 = Math.min(Z, z0 + BLOCK);
          for (let x = x0; x < x1; x++) {
            let w = (x * Y + y) * Z + z0;
            let r = z0 * XY + y * X + x;
            for (let z = z0; z < z1; z++, r += XY) o[w++] = Math.fround(src[r] * sl[z]) + ic[z];
          }
        }
      }
    }
    return;
  }
  if (S === 1) {
    const XY = X * Y;
    for (let y = 0; y < Y; y++) {
      for (let x0 = 0; x0 < X; x0 += BLOCK) {
        const x1 = Math.min(X, x0 + BLOCK);
        for (let z0 = 0; z0 < Z; z0 += BLOCK) {
          const z1 = Math.min(Z, z0 + BLOCK);
          for (let x = x0; x < x1; x++) {
            let w = (x * Y + y) * Z + z0;
            let r = z0 * XY + y * X + x;
            for (let z = z0; z < z1; z++, r += XY) {
              const sc = scales[z];
              o[w++] = sc ? Math.fround(Math.fround(src[r] * sc[0]) + sc[1]) : src[r];
            }
          }
        }
      }
    }
    return;
  }
  for (let z = 0; z < Z; z++) {
    const sc = scales[z];
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = ((z * Y + y) * X + x) * S;
        const w = ((x * Y + y) * Z + z) * S;
        for (let s = 0; s < S; s++) o[w + s] = sc ? Math.fround(Math.fround(src[i + s] * sc[0]) + sc[1]) : src[i + s];
      }
    }
  }
}
