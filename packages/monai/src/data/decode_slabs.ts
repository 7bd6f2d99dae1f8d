/**
 * Slab-wise decoding of large volumes whose file order is the reverse of the array's (NIfTI: x
 * fastest in the file, first in the array). The file is read into one reusable slab of its slowest
 * axis at a time, and each slab is copied, reordered, into its place in the result: memory stays at
 * the result plus one slab, where decoding the whole file first and then reordering it needs two
 * volumes (over 8.6 GB for a 4.3 GB NIfTI).
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import type { ElementType } from './formats/common.js';

/** Volumes over this many bytes are decoded slab by slab. */
export const SLAB_DECODE_MIN_BYTES = 2 ** 30;
const SLAB_BYTES = 64 << 20;

/**
 * Decodes `layoutShape` (C order, slowest first) whose first `m` axes are reversed in the result
 * (`reverse(slab, m, dtype)` does that for one slab: image_reader's reverseLeadingAxes).
 * `fill` must consume the chunks it is given in order, one at a time. Returns null when one slice
 * of the slowest axis is too large for a slab (the caller decodes the whole volume instead).
 */
export function decodeReversedInSlabs(
  layoutShape: number[],
  m: number,
  element: ElementType,
  storage: torch.DType,
  target: torch.DType,
  fill: (chunks: Iterable<Uint8Array>) => void,
  reverse: (t: Tensor, m: number, dtype: torch.DType) => Tensor,
  slabBytes = SLAB_BYTES,
): Tensor | null {
  const item = torch.elementSize(storage);
  const rest = layoutShape.slice(1);
  const sliceBytes = rest.reduce((a, b) => a * b, 1) * item;
  if (sliceBytes === 0 || sliceBytes > 2 ** 30) return null;
  const per = Math.max(1, Math.min(layoutShape[0], Math.floor(slabBytes / sliceBytes)));
  const finalShape = [...layoutShape.slice(0, m).reverse(), ...layoutShape.slice(m)];
  const out = torch.empty(finalShape, { dtype: target });
  const slab = torch.empty([per, ...rest], { dtype: storage });
  // one shared view of the slab for the whole decode (released with the slab)
  const view = slab.data({ share: true });
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  try {
    const chunks = function* (): Generator<Uint8Array> {
      for (let i0 = 0; i0 < layoutShape[0]; i0 += per) {
        const di = Math.min(per, layoutShape[0] - i0);
        yield bytes.subarray(0, di * sliceBytes);
        // the consumer has filled the slab: put it in place
        torch.tidy(() => {
          let s: Tensor = di === per ? slab : slab.narrow(0, 0, di);
          if (element === 'uint16') s = s.to({ dtype: 'int32' }).bitwiseAnd(0xffff);
          else if (element === 'uint32') s = s.to({ dtype: 'int64' }).bitwiseAnd(0xffffffff);
          // reorder the slab in cache-friendly passes, then place it (contiguous runs of di elements);
          // one strided permuted copy straight into the result measured about 1.7x slower
          out.narrow(m - 1, i0, di).copy_(reverse(s, m, target));
        });
      }
    };
    fill(chunks());
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    slab.dispose();
  }
  return out;
}
