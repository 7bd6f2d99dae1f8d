/**
 * MONAI's visualize/utils: blendImages overlays a label on an image through a colour map; matshow3d tiles
 * a volume's frames into a montage (montagePng renders it). The colour maps are matplotlib's segmented ones
 * (the same 256-entry lookup tables, built from the same segment data), so blends equal MONAI's, which
 * calls matplotlib.
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkOptions, checkChoice } from '../data/options.js';
import { encode as encodePng } from 'fast-png';
import { rescaleArray } from '../transforms/intensity/functional.js';

/** [x, y0, y1] rows per channel: at x the colour jumps from y0 (left) to y1 (right). */
type Segments = Record<'red' | 'green' | 'blue', [number, number, number][]>;
const two = (a: number, b: number): [number, number, number][] => [[0, a, a], [1, b, b]];

// matplotlib's segment data (matplotlib/_cm.py) for its LinearSegmentedColormaps
const SEGMENTS: Record<string, Segments> = {
  binary: { red: two(1, 0), green: two(1, 0), blue: two(1, 0) },
  gray: { red: two(0, 1), green: two(0, 1), blue: two(0, 1) },
  autumn: { red: two(1, 1), green: two(0, 1), blue: two(0, 0) },
  cool: { red: two(0, 1), green: two(1, 0), blue: two(1, 1) },
  spring: { red: two(1, 1), green: two(0, 1), blue: two(1, 0) },
  summer: { red: two(0, 1), green: two(0.5, 1), blue: two(0.4, 0.4) },
  winter: { red: two(0, 0), green: two(0, 1), blue: two(1, 0.5) },
  bone: {
    red: [[0, 0, 0], [0.746032, 0.652778, 0.652778], [1, 1, 1]],
    green: [[0, 0, 0], [0.365079, 0.319444, 0.319444], [0.746032, 0.777778, 0.777778], [1, 1, 1]],
    blue: [[0, 0, 0], [0.365079, 0.444444, 0.444444], [1, 1, 1]],
  },
  copper: { red: [[0, 0, 0], [0.809524, 1, 1], [1, 1, 1]], green: two(0, 0.7812), blue: two(0, 0.4975) },
  hot: {
    red: [[0, 0.0416, 0.0416], [0.365079, 1, 1], [1, 1, 1]],
    green: [[0, 0, 0], [0.365079, 0, 0], [0.746032, 1, 1], [1, 1, 1]],
    blue: [[0, 0, 0], [0.746032, 0, 0], [1, 1, 1]],
  },
  hsv: {
    red: [[0, 1, 1], [0.15873, 1, 1], [0.174603, 0.96875, 0.96875], [0.333333, 0.03125, 0.03125], [0.349206, 0, 0], [0.666667, 0, 0],
      [0.68254, 0.03125, 0.03125], [0.84127, 0.96875, 0.96875], [0.857143, 1, 1], [1, 1, 1]],
    green: [[0, 0, 0], [0.15873, 0.9375, 0.9375], [0.174603, 1, 1], [0.507937, 1, 1], [0.666667, 0.0625, 0.0625], [0.68254, 0, 0], [1, 0, 0]],
    blue: [[0, 0, 0], [0.333333, 0, 0], [0.349206, 0.0625, 0.0625], [0.507937, 1, 1], [0.84127, 1, 1], [0.857143, 0.9375, 0.9375], [1, 0.09375, 0.09375]],
  },
  jet: {
    red: [[0, 0, 0], [0.35, 0, 0], [0.66, 1, 1], [0.89, 1, 1], [1, 0.5, 0.5]],
    green: [[0, 0, 0], [0.125, 0, 0], [0.375, 1, 1], [0.64, 1, 1], [0.91, 0, 0], [1, 0, 0]],
    blue: [[0, 0.5, 0.5], [0.11, 1, 1], [0.34, 1, 1], [0.65, 0, 0], [1, 0, 0]],
  },
};

export const COLORMAPS = Object.keys(SEGMENTS);

/** One channel's N-entry table: piecewise-linear between the segment points, sampled at i / (N - 1). */
function channelTable(seg: [number, number, number][], n: number): number[] {
  const x = seg.map((r) => r[0] * (n - 1));
  const out: number[] = [seg[0][2]];
  const step = 1 / (n - 1);
  for (let i = 1; i < n - 1; i++) {
    const xi = (n - 1) * (i * step);
    let k = 0;
    while (k < x.length && x[k] < xi) k++; // first segment point at or right of xi (numpy's searchsorted, left)
    const d = (xi - x[k - 1]) / (x[k] - x[k - 1]);
    out.push(d * (seg[k][1] - seg[k - 1][2]) + seg[k - 1][2]);
  }
  out.push(seg[seg.length - 1][1]);
  return out.map((v) => Math.min(1, Math.max(0, v)));
}

const tables = new Map<string, number[][]>();

/** matplotlib's 256-entry RGB lookup table of a colour map, as [r, g, b] rows. */
export function colormapTable(name: string): number[][] {
  checkChoice('colormapTable', 'cmap', name, COLORMAPS);
  let t = tables.get(name);
  if (!t) {
    const s = SEGMENTS[name];
    const [r, g, b] = [channelTable(s.red, 256), channelTable(s.green, 256), channelTable(s.blue, 256)];
    t = r.map((_, i) => [r[i], g[i], b[i]]);
    tables.set(name, t);
  }
  return t;
}

/**
 * The RGB of values in [0, 1] (any shape S, to [3, ...S]) as matplotlib's colormap call: index
 * trunc(v * 256) clamped to [0, 255] (1.0 is the last entry, values outside take the end colours), NaN black.
 */
export function applyColormap(values: Tensor, cmap = 'hsv'): Tensor {
  const table = colormapTable(cmap);
  return torch.tidy(() => {
    const v = values.to('float32');
    const idx = v.mul(256).trunc().clamp({ min: 0, max: 255 }).nanToNum({ nan: 0 }).to('int64');
    const lut = torch.tensor(table, { dtype: 'float64' });
    const rgb = lut.indexSelect(0, idx.flatten()).reshape([...v.shape, 3]);
    const masked = torch.where(v.isnan().unsqueeze(-1), torch.zerosLike(rgb), rgb);
    return masked.movedim(-1, 0).to(values.dtype === 'float64' ? 'float64' : 'float32');
  });
}

export interface BlendImagesOptions {
  /** weight of the label colour: 0 transparent, 1 opaque; a number or a tensor shaped as the image (default 0.5) */
  alpha?: number | Tensor;
  /** a matplotlib segmented colour map name (default 'hsv') */
  cmap?: string;
  /** rescale image and label to [0, 1] first (default true) */
  rescaleArrays?: boolean;
  /** leave pixels where the label is 0 uncoloured (default true) */
  transparentBackground?: boolean;
}
const BLEND_KEYS = ['alpha', 'cmap', 'rescaleArrays', 'transparentBackground'];

/**
 * MONAI's blend_images: an image (C 1 or 3) and a one-channel label, both CHW[D], blended into an RGB
 * image: (1 - w) * image + w * cmap(label), with w = alpha (0 where the label is 0 if transparentBackground).
 */
export function blendImages(image: Tensor, label: Tensor, options: BlendImagesOptions = {}): Tensor {
  checkOptions('blendImages', options, BLEND_KEYS);
  const { alpha = 0.5, cmap = 'hsv', rescaleArrays = true, transparentBackground = true } = options;
  if (!(image instanceof Tensor) || !(label instanceof Tensor)) throw new TypeError('blendImages: image and label must be tensors');
  if (label.shape[0] !== 1) throw new Error(`blendImages: label should have 1 channel, found shape [${label.shape.join(', ')}]`);
  if (image.shape[0] !== 1 && image.shape[0] !== 3) throw new Error(`blendImages: image should have 1 or 3 channels, found shape [${image.shape.join(', ')}]`);
  const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  if (!same(image.shape.slice(1), label.shape.slice(1))) throw new Error(`blendImages: image and label should have matching spatial sizes, found [${image.shape.join(', ')}] and [${label.shape.join(', ')}]`);
  if (alpha instanceof Tensor && !same(alpha.shape.slice(1), image.shape.slice(1))) {
    throw new Error(`blendImages: a tensor alpha should match the image's spatial size, found [${alpha.shape.join(', ')}] for an image [${image.shape.join(', ')}]`);
  }
  colormapTable(cmap); // checks the name before any work
  return torch.tidy(() => {
    let img = rescaleArrays ? rescaleArray(image, 0, 1) : image;
    const lab = rescaleArrays ? rescaleArray(label, 0, 1) : label;
    if (img.shape[0] === 1) img = img.repeat([3, ...new Array<number>(img.dim() - 1).fill(1)]);
    const labelRgb = applyColormap(lab.select(0, 0), cmap).to(lab.dtype);
    let wLabel = alpha instanceof Tensor ? alpha.to(lab.dtype) : torch.fullLike(lab, alpha);
    if (transparentBackground) wLabel = torch.where(lab.eq(0), torch.zerosLike(wLabel), wLabel);
    const wImage = torch.onesLike(wLabel).sub(wLabel);
    return wImage.mul(img).add(wLabel.mul(labelRgb));
  });
}

export interface Matshow3dOptions {
  /** frames per montage row (default ceil(sqrt(frames))) */
  framesPerRow?: number | null;
  /** the dimension whose slices are the frames (default -3) */
  frameDim?: number;
  /** null for grey frames; 0 or 1 for a channel dim with 1, 3 or 4 channels (kept as the last dim of the montage) */
  channelDim?: 0 | 1 | null;
  /** display range (default the volume's NaN-ignoring min and max) */
  vmin?: number | null;
  vmax?: number | null;
  /** take every n-th frame (default 1) */
  everyN?: number;
  /** value of the margins and the empty grid cells (default NaN) */
  fillValue?: number;
  /** pixels around each frame (default 1) */
  margin?: number;
}
const MATSHOW_KEYS = ['framesPerRow', 'frameDim', 'channelDim', 'vmin', 'vmax', 'everyN', 'fillValue', 'margin'];

/**
 * The montage MONAI's matshow3d draws: the frames of a volume (or of a list of channel-first volumes,
 * centre-padded to a common size) tiled row by row with `margin` pixels of `fillValue` around each, as a
 * float32 [rows * (H + 2m), cols * (W + 2m)] tensor (with channels last when channelDim is given), and the
 * display range. There is no matplotlib figure here: render it with montagePng.
 */
export function matshow3d(volume: Tensor | Tensor[], options: Matshow3dOptions = {}): { image: Tensor; vmin: number; vmax: number } {
  checkOptions('matshow3d', options, MATSHOW_KEYS);
  const { framesPerRow = null, frameDim = -3, channelDim = null, everyN = 1, fillValue = NaN, margin = 1 } = options;
  if (!Number.isInteger(margin) || margin < 0) throw new Error(`matshow3d: margin must be an integer >= 0, found ${String(margin)}`);
  return torch.tidy(() => {
    let vol: Tensor;
    if (Array.isArray(volume)) {
      if (!volume.length || !volume.every((v) => v instanceof Tensor)) throw new TypeError('matshow3d: volume must be a tensor or a non-empty list of tensors');
      const nd = volume[0].dim();
      if (!volume.every((v) => v.dim() === nd)) throw new Error(`matshow3d: the volumes of the list must have the same number of dims, found ${volume.map((v) => v.dim()).join(', ')}`);
      const target = Array.from({ length: nd }, (_, d) => Math.max(...volume.map((v) => v.shape[d])));
      // centre padding with zeros to the largest spatial size (MONAI's SpatialPad, 'symmetric'), then channels stacked
      const padded = volume.map((v) => {
        const pad: number[] = [];
        for (let d = nd - 1; d >= 1; d--) {
          const extra = target[d] - v.shape[d];
          pad.push(Math.floor(extra / 2), extra - Math.floor(extra / 2));
        }
        return torch.nn.functional.pad(v, pad);
      });
      vol = torch.cat(padded, { dim: 0 });
    } else {
      if (!(volume instanceof Tensor)) throw new TypeError(`matshow3d: volume must be a tensor or a list of tensors, found ${typeof volume}`);
      vol = volume;
      while (vol.dim() < 3) vol = vol.unsqueeze(0);
    }
    if (channelDim !== null && (![0, 1].includes(channelDim) || ![1, 3, 4].includes(vol.shape[channelDim]))) {
      throw new Error(`matshow3d: channelDim must be null, 0 or 1 with 1, 3 or 4 channels there, found channelDim ${channelDim} on shape [${vol.shape.join(', ')}]`);
    }
    vol = vol.to('float32');
    if (channelDim !== null) {
      vol = vol.movedim(frameDim, -4);
      vol = vol.reshape([-1, ...vol.shape.slice(-3)]);
    } else {
      vol = vol.movedim(frameDim, -3);
      vol = vol.reshape([-1, ...vol.shape.slice(-2)]);
    }
    const finite = vol.isnan().logicalNot();
    const vmin = options.vmin ?? (finite.any().item() ? vol.maskedSelect(finite).min().item() : NaN);
    const vmax = options.vmax ?? (finite.any().item() ? vol.maskedSelect(finite).max().item() : NaN);
    if (everyN > 1) vol = vol.slice(0, 0, null, everyN);
    const n = vol.shape[0];
    const perRow = framesPerRow || Math.ceil(Math.sqrt(n));
    const cols = Math.max(Math.min(n, perRow), 1);
    const rows = Math.ceil(n / cols);
    const [h, w] = vol.shape.slice(-2);
    const H = h + 2 * margin;
    const W = w + 2 * margin;
    const c = channelDim !== null ? vol.shape[1] : 1;
    const canvas = torch.full([rows * cols, c, H, W], fillValue, { dtype: 'float32' });
    canvas.slice(0, 0, n).slice(2, margin, margin + h).slice(3, margin, margin + w).copy_(channelDim !== null ? vol : vol.unsqueeze(1));
    // [rows, cols, c, H, W] -> [c, rows, H, cols, W] -> [c, rows*H, cols*W]
    const grid = canvas.reshape([rows, cols, c, H, W]).permute([2, 0, 3, 1, 4]).reshape([c, rows * H, cols * W]);
    const image = channelDim !== null ? grid.movedim(0, -1).contiguous() : grid.select(0, 0).contiguous();
    return { image, vmin, vmax };
  });
}

/**
 * A montage (matshow3d's image) as PNG bytes: a 2-D one through a colour map over [vmin, vmax] (matplotlib's
 * Normalize; NaN margins transparent), an [H, W, 3|4] one as colours in [0, 1].
 */
export function montagePng(image: Tensor, options: { vmin?: number | null; vmax?: number | null; cmap?: string } = {}): Uint8Array {
  checkOptions('montagePng', options, ['vmin', 'vmax', 'cmap']);
  const { cmap = 'gray' } = options;
  const { data, h, w, c } = torch.tidy(() => {
    let rgba: Tensor;
    if (image.dim() === 2) {
      const x = image.to('float32');
      const finite = x.isnan().logicalNot();
      const any = finite.any().item();
      const vmin = options.vmin ?? (any ? x.maskedSelect(finite).min().item() : 0);
      const vmax = options.vmax ?? (any ? x.maskedSelect(finite).max().item() : 1);
      const norm = vmax === vmin ? torch.zerosLike(x) : x.sub(vmin).div(vmax - vmin);
      const rgb = applyColormap(torch.where(finite, norm, torch.fullLike(norm, NaN)), cmap).movedim(0, -1);
      rgba = torch.cat([rgb, finite.unsqueeze(-1).to(rgb.dtype)], { dim: -1 });
    } else if (image.dim() === 3 && (image.shape[2] === 3 || image.shape[2] === 4)) {
      rgba = image.to('float32').nanToNum({ nan: 0 });
    } else {
      throw new Error(`montagePng: expected a 2-d montage or an [H, W, 3|4] one, found shape [${image.shape.join(', ')}]`);
    }
    const u8 = rgba.clamp({ min: 0, max: 1 }).mul(255).round().to('uint8').contiguous();
    return { data: u8.toTypedArray() as Uint8Array, h: u8.shape[0], w: u8.shape[1], c: u8.shape[2] };
  });
  return encodePng({ width: w, height: h, data, depth: 8, channels: c });
}
