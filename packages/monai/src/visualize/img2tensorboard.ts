/**
 * MONAI's img2tensorboard: 2D images as PNG image summaries, 3D volumes as animated GIF image summaries
 * (one GIF per channel, frames along `frameDim`), written to a SummaryWriter.
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { rescaleArray } from '../transforms/intensity/functional.js';
import type { SummaryProto } from '../utils/tensorboard/proto.js';
import type { SummaryWriter } from '../utils/tensorboard/summary_writer.js';
import { encodeGreyGif } from './gif.js';

const asTensor = (x: Tensor | ArrayLike<number>, what: string): Tensor => {
  if (x instanceof Tensor) return x.detach().to('cpu');
  throw new TypeError(`${what}: expected a tensor, found ${x === null ? 'null' : typeof x}`);
};

/** The GIF of one [H, W, D] volume with frames along `frameDim` (values times scaleFactor, truncated to uint8). */
function volumeGif(tag: string, image: Tensor, frameDim: number, scaleFactor: number): SummaryProto {
  if (image.dim() !== 3) throw new Error(`makeAnimatedGifSummary '${tag}': expected a 3-d [H, W, D] image per channel, found shape [${image.shape.join(', ')}]`);
  const { frames, h, w } = torch.tidy(() => {
    const f = torch.movedim(image, frameDim, 0).to('float32').mul(scaleFactor).to('uint8').contiguous();
    const [n, hh, ww] = f.shape;
    const all = f.toTypedArray() as Uint8Array;
    return { frames: Array.from({ length: n }, (_, i) => all.subarray(i * hh * ww, (i + 1) * hh * ww)), h: hh, w: ww };
  });
  const gif = encodeGreyGif(frames, h, w);
  return { value: [{ tag, image: { height: h, width: w, colorspace: 1, encodedImageString: gif } }] };
}

export interface AnimatedGifOptions {
  /** channels to animate, one GIF each (default 3) */
  maxOut?: number;
  /** the dimension of the CHWD image used as frames (default -3, the first spatial one) */
  frameDim?: number;
  /** multiplies the values before the uint8 conversion (default 1; 255 for data in [0, 1]) */
  scaleFactor?: number;
}
const GIF_KEYS = ['maxOut', 'frameDim', 'scaleFactor'];

/** One Summary per channel of a CHWD image: tags `<tag>/image` (maxOut 1) or `<tag>/image/<c>`. */
export function makeAnimatedGifSummary(tag: string, image: Tensor, options: AnimatedGifOptions = {}): SummaryProto[] {
  checkOptions('makeAnimatedGifSummary', options, GIF_KEYS);
  const { maxOut = 3, frameDim = -3, scaleFactor = 1.0 } = options;
  return torch.tidy(() => {
    const img = asTensor(image, 'makeAnimatedGifSummary');
    if (img.dim() !== 4) throw new Error(`makeAnimatedGifSummary '${tag}': expected a CHWD image, found shape [${img.shape.join(', ')}]`);
    const suffix = (i: number): string => (maxOut === 1 ? '/image' : `/image/${i}`);
    // the per-channel volume has no channel dim: a positive index moves down by one
    const fd = frameDim > 0 ? frameDim - 1 : frameDim;
    const out: SummaryProto[] = [];
    for (let c = 0; c < Math.min(maxOut, img.shape[0]); c++) {
      out.push(torch.tidy(() => volumeGif(tag + suffix(c), img.select(0, c), fd, scaleFactor)));
    }
    return out;
  });
}

/** Writes the animated GIFs of a CHWD image, one per channel (MONAI's add_animated_gif). */
export function addAnimatedGif(writer: SummaryWriter, tag: string, imageTensor: Tensor, options: AnimatedGifOptions & { globalStep?: number | null } = {}): void {
  const { globalStep, ...rest } = options;
  for (const s of makeAnimatedGifSummary(tag, imageTensor, rest)) writer.addSummary(s, globalStep ?? null);
}

export interface Plot2dOr3dImageOptions {
  /** which item of the batch (default 0) */
  index?: number;
  /** channels to plot (default 1); 3 with a 3-channel 2D image plots it as RGB */
  maxChannels?: number;
  /** the frame dimension of an NCHWD batch for GIFs (default -3) */
  frameDim?: number;
  /** frames per second of RGB videos, which tensorboardX writes and this writer does not (kept for MONAI's signature) */
  maxFrames?: number;
  /** tag prefix (default 'output') */
  tag?: string;
}
const PLOT_KEYS = ['index', 'maxChannels', 'frameDim', 'maxFrames', 'tag'];

/**
 * Plots item `index` of a batch (an NCHW[D] tensor or a list of CHW[D] tensors): a 2D item as image
 * `<tag>_HW` (rescaled to [0, 1]), a 3D item as `<tag>_CHW` when RGB (3 channels and maxChannels 3) or
 * per channel `<tag>_HW_<c>`, and a 4D or higher item (channels flattened) as animated GIFs `<tag>_HWD`
 * rescaled to [0, 255] per channel.
 */
export function plot2dOr3dImage(data: Tensor | Tensor[], step: number, writer: SummaryWriter, options: Plot2dOr3dImageOptions = {}): void {
  checkOptions('plot2dOr3dImage', options, PLOT_KEYS);
  const { index = 0, maxChannels = 1, frameDim = -3, tag = 'output' } = options;
  if (!Number.isInteger(maxChannels) || maxChannels < 1) throw new Error(`plot2dOr3dImage: maxChannels must be a positive integer, found ${String(maxChannels)}`);
  const n = Array.isArray(data) ? data.length : data instanceof Tensor ? data.shape[0] : 0;
  if (!Array.isArray(data) && !(data instanceof Tensor)) throw new TypeError(`plot2dOr3dImage: data must be a batch tensor or a list of tensors, found ${data === null ? 'null' : typeof data}`);
  if (!Number.isInteger(index) || index < -n || index >= n) throw new RangeError(`plot2dOr3dImage: index ${index} is out of range for a batch of ${n}`);
  // the item has no batch dim: a positive frame index moves down by one
  const fd = frameDim > 0 ? frameDim - 1 : frameDim;
  torch.tidy(() => {
    const item = Array.isArray(data) ? data[index < 0 ? n + index : index] : data.select(0, index);
    if (!(item instanceof Tensor)) throw new TypeError(`plot2dOr3dImage: item ${index} is not a tensor`);
    const d = item.detach().to('cpu');
    if (d.dim() === 2) {
      writer.addImage(`${tag}_HW`, rescaleArray(d, 0, 1), step, { dataformats: 'HW' });
      return;
    }
    if (d.dim() === 3) {
      if (d.shape[0] === 3 && maxChannels === 3) {
        writer.addImage(`${tag}_CHW`, d, step, { dataformats: 'CHW' });
        return;
      }
      for (let j = 0; j < Math.min(maxChannels, d.shape[0]); j++) {
        writer.addImage(`${tag}_HW_${j}`, rescaleArray(d.select(0, j), 0, 1), step, { dataformats: 'HW' });
      }
      return;
    }
    if (d.dim() >= 4) {
      const spatial = d.shape.slice(-3);
      const flat = d.reshape([-1, ...spatial]);
      const c = Math.min(maxChannels, flat.shape[0]);
      const scaled = torch.stack(Array.from({ length: c }, (_, i) => rescaleArray(flat.select(0, i), 0, 255)), { dim: 0 });
      addAnimatedGif(writer, `${tag}_HWD`, scaled, { maxOut: c, frameDim: fd, globalStep: step });
      return;
    }
    throw new Error(`plot2dOr3dImage: expected items with 2 or more dims (HW, CHW, CHWD), found shape [${d.shape.join(', ')}]`);
  });
}
