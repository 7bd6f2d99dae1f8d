/**
 * Summary protos from values, as torch.utils.tensorboard.summary builds them: scalars (simple_value),
 * histograms (numpy.histogram over given edges, trimmed to the occupied range), images (HWC uint8 as
 * PNG) and text (a DT_STRING tensor for the text plugin).
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { encode as encodePng } from 'fast-png';
import { DataType, type HistogramProto, type ImageProto, type SummaryProto } from './proto.js';

/** TensorBoard's default histogram edges (torch's SummaryWriter.default_bins): ±1e-12 · 1.1^k up to 1e20, and 0. */
export const DEFAULT_BINS: readonly number[] = (() => {
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  return [...pos.map((v) => -v).reverse(), 0, ...pos];
})();

/** A number from a number, bigint, boolean or one-element tensor (torch's scalar() squeezes). */
export function toScalar(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
  if (value instanceof Tensor) {
    if (value.numel() !== 1) throw new Error(`${what}: expected a scalar (one element), found a tensor of shape [${value.shape.join(', ')}]`);
    return value.item();
  }
  throw new TypeError(`${what}: expected a number or a one-element tensor, found ${value === null ? 'null' : typeof value}`);
}

export function scalarSummary(tag: string, value: unknown): SummaryProto {
  return { value: [{ tag, simpleValue: toScalar(value, `scalar '${tag}'`) }] };
}

/**
 * numpy.histogram(values, bins=edges) followed by torch's trimming: buckets before the first and after the
 * last non-empty one are dropped, keeping one empty bucket on the left so its right edge bounds the data.
 * `bins` is the edges, or a count of equal-width bins between the data's min and max.
 */
export function histogramProto(tag: string, values: Tensor | number[], bins: number | readonly number[] = DEFAULT_BINS, maxBins: number | null = null): HistogramProto {
  return torch.tidy(() => {
    const v = (values instanceof Tensor ? values.detach().to('cpu') : torch.tensor(values, { dtype: 'float64' })).to('float64').flatten();
    const n = v.numel();
    if (n === 0) throw new Error(`histogram '${tag}': the values are empty`);
    const min = v.min().item();
    const max = v.max().item();
    let edges: number[];
    if (typeof bins === 'number') {
      if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram '${tag}': bins must be a positive integer or a list of edges, found ${bins}`);
      let [lo, hi] = [min, max];
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`histogram '${tag}': values must be finite to compute ${bins} equal-width bins, found range [${lo}, ${hi}]`);
      if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
      // numpy.linspace's arithmetic (start + i * step, the last edge exactly hi), so edges match numpy's bit for bit
      const stepW = (hi - lo) / bins;
      edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * stepW));
    } else {
      edges = [...bins];
      if (edges.length < 2) throw new Error(`histogram '${tag}': expected at least 2 bin edges, found ${edges.length}`);
      for (let i = 1; i < edges.length; i++) {
        if (!(edges[i] >= edges[i - 1])) throw new Error(`histogram '${tag}': bin edges must increase monotonically (edge ${i}: ${edges[i]} after ${edges[i - 1]})`);
      }
    }
    const nb = edges.length - 1;
    const e = torch.tensor(edges, { dtype: 'float64' });
    // bin i holds [e_i, e_{i+1}); the last bin also holds its right edge; values outside (and NaN) are dropped
    let idx = torch.searchsorted(e, v, { right: true }).sub(1);
    idx = torch.where(v.eq(edges[nb]), torch.fullLike(idx, nb - 1), idx);
    const inRange = idx.ge(0).logicalAnd(idx.lt(nb));
    let counts = Array.from(idx.maskedSelect(inRange).bincount({ minlength: nb }).to('float64').toTypedArray() as Float64Array);
    let limits = edges;
    if (maxBins !== null && nb > maxBins) {
      const sub = Math.floor(nb / maxBins);
      const rem = nb % sub;
      if (rem !== 0) counts = [...counts, ...new Array<number>(sub - rem).fill(0)];
      const merged: number[] = [];
      for (let i = 0; i < counts.length; i += sub) merged.push(counts.slice(i, i + sub).reduce((a, b) => a + b, 0));
      const newLimits: number[] = [];
      for (let i = 0; i < limits.length - 1; i += sub) newLimits.push(limits[i]);
      newLimits.length = merged.length;
      newLimits.push(limits[limits.length - 1]);
      counts = merged;
      limits = newLimits;
    }
    const firstNz = counts.findIndex((c) => c > 0);
    let lastNz = -1;
    for (let i = counts.length - 1; i >= 0; i--) if (counts[i] > 0) { lastNz = i; break; }
    // numpy's searchsorted on the cumulative non-empty count: with no data in range, start = len, end = 0
    const start = firstNz < 0 ? counts.length : firstNz;
    const end = (firstNz < 0 ? 0 : lastNz) + 1;
    const kept = start > 0 ? counts.slice(start - 1, end) : [0, ...counts.slice(0, end)];
    const keptLimits = limits.slice(start, end + 1);
    if (!kept.length || !keptLimits.length) throw new Error(`histogram '${tag}': no value falls inside the bin edges [${limits[0]}, ${limits[limits.length - 1]}]`);
    return {
      min, max, num: n, sum: v.sum().item(), sumSquares: v.dot(v).item(), bucketLimit: keptLimits, bucket: kept,
    };
  });
}

export function histogramSummary(tag: string, values: Tensor | number[], bins?: number | readonly number[], maxBins: number | null = null): SummaryProto {
  return { value: [{ tag, histo: histogramProto(tag, values, bins ?? DEFAULT_BINS, maxBins) }] };
}

export type ImageDataFormat = 'CHW' | 'HWC' | 'HW' | 'WH' | 'NCHW' | 'NHWC' | string;

/** torch's make_grid: N images (1 or 3 channels, [N, C, H, W]) tiled into rows of up to `ncols`. */
function makeGrid(nchw: Tensor, ncols = 8): Tensor {
  let x = nchw;
  if (x.shape[1] === 1) x = x.expand([x.shape[0], 3, x.shape[2], x.shape[3]]);
  if (x.shape[1] !== 3) throw new Error(`addImages: expected 1 or 3 channels per image, found ${x.shape[1]}`);
  const [n, , h, w] = x.shape;
  const cols = Math.min(n, ncols);
  const rows = Math.ceil(n / cols);
  const pad = rows * cols - n;
  if (pad) x = torch.cat([x, torch.zeros([pad, 3, h, w], { dtype: x.dtype })], { dim: 0 });
  // [rows, cols, 3, h, w] -> [3, rows, h, cols, w] -> [3, rows*h, cols*w]
  return x.reshape([rows, cols, 3, h, w]).permute([2, 0, 3, 1, 4]).reshape([3, rows * h, cols * w]);
}

/** torch's convert_to_HWC, each of its layouts to [H, W, C] with C 3 (grey repeated) or 4. */
export function toHWC(img: Tensor, dataformats: string): Tensor {
  const fmt = dataformats.toUpperCase();
  if (new Set(fmt).size !== fmt.length) throw new Error(`image: dataformats '${dataformats}' repeats a dimension`);
  if (img.dim() !== fmt.length) throw new Error(`image: dataformats '${dataformats}' needs a ${fmt.length}-d tensor, found shape [${img.shape.join(', ')}]`);
  const order = (letters: string): number[] => [...letters].map((c) => {
    const i = fmt.indexOf(c);
    if (i < 0) throw new Error(`image: dataformats '${dataformats}' lacks '${c}' (expected a permutation of ${letters})`);
    return i;
  });
  if (fmt.length === 4) return makeGrid(img.permute(order('NCHW'))).permute([1, 2, 0]);
  if (fmt.length === 3) {
    const hwc = img.permute(order('HWC'));
    return hwc.shape[2] === 1 ? hwc.expand([hwc.shape[0], hwc.shape[1], 3]) : hwc;
  }
  if (fmt.length === 2) {
    const hw = img.permute(order('HW'));
    return hw.unsqueeze(2).expand([hw.shape[0], hw.shape[1], 3]);
  }
  throw new Error(`image: dataformats must have 2, 3 or 4 letters (HW, CHW, HWC, NCHW, ...), found '${dataformats}'`);
}

/**
 * Summary.Image of an image tensor: uint8 values are taken as they are, others are taken as [0, 1] and
 * scaled by 255, clipped to [0, 255] and truncated to uint8 (torch's image()), then PNG-encoded.
 */
export function imageProto(img: Tensor, dataformats: string): ImageProto {
  const { data, h, w, c } = torch.tidy(() => {
    const hwc = toHWC(img.detach().to('cpu'), dataformats);
    const u8 = img.dtype === 'uint8' ? hwc : hwc.to('float32').mul(255).clamp({ min: 0, max: 255 }).to('uint8');
    const [hh, ww, cc] = u8.shape;
    return { data: u8.contiguous().toTypedArray() as Uint8Array, h: hh, w: ww, c: cc };
  });
  if (c !== 3 && c !== 4) throw new Error(`image: expected 1, 3 or 4 channels, found ${c}`);
  if (h === 0 || w === 0) throw new Error(`image: the image is empty (${h}x${w})`);
  const png = encodePng({ width: w, height: h, data, depth: 8, channels: c });
  return { height: h, width: w, colorspace: c, encodedImageString: png };
}

export function imageSummary(tag: string, img: Tensor, dataformats = 'CHW'): SummaryProto {
  return { value: [{ tag, image: imageProto(img, dataformats) }] };
}

/** A text summary for TensorBoard's text plugin (the tag gets torch's '/text_summary' suffix). */
export function textSummary(tag: string, text: string): SummaryProto {
  return {
    value: [{
      tag: `${tag}/text_summary`,
      tensor: { dtype: DataType.DT_STRING, shape: [1], stringVal: [new TextEncoder().encode(text)] },
      metadata: { pluginData: { pluginName: 'text' } },
    }],
  };
}
