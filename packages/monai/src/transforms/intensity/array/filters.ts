/** MedianSmooth and DetectEnvelope (MONAI's intensity/array.py): a median window and a Hilbert envelope. */
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { Transform } from '../../transform.js';
import { checkOptions, int } from '../args.js';
import { checkImage, withMeta } from '../functional.js';

export interface MedianSmoothOptions {
  /** window radius: one for all spatial dimensions or one per dimension (default 1, a 3x3x3 window) */
  radius?: number | number[];
}

/** The median of each (2r + 1)-wide window (edges replicated), in float32, per channel. */
export class MedianSmooth extends Transform {
  static readonly OPTIONS = ['radius'] as const;
  readonly radius: number | number[];
  constructor(options: MedianSmoothOptions = {}) {
    super();
    checkOptions('MedianSmooth', options, MedianSmooth.OPTIONS);
    const r = options.radius ?? 1;
    if (Array.isArray(r)) r.forEach((v, i) => int('MedianSmooth', `radius[${i}]`, v, 0));
    else int('MedianSmooth', 'radius', r, 0);
    this.radius = Array.isArray(r) ? [...r] : r;
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    const nd = img.dim() - 1;
    if (nd > 3) throw new RangeError(`${this.name}: 1 to 3 spatial dimensions are supported, got ${nd}`);
    const radius = Array.isArray(this.radius) ? this.radius : new Array<number>(nd).fill(this.radius);
    if (radius.length !== nd) throw new RangeError(`${this.name}: radius has ${radius.length} values but the image has ${nd} spatial dimensions`);
    return withMeta(img, (x0) => {
      const x = x0.to({ dtype: 'float32' });
      const pads = [...radius].reverse().flatMap((r) => [r, r]);
      let w = nn.functional.pad(x.unsqueeze(1), pads, { mode: 'replicate' }).squeeze(1);
      // one window axis per spatial dimension, then the median over the flattened window
      radius.forEach((r, d) => { w = w.unfold(d + 1, 2 * r + 1, 1); });
      return w.reshape([...x.shape, -1]).median(-1)[0];
    });
  }
}

export interface DetectEnvelopeOptions {
  /** axis of the image (1 = first spatial) along which to take the envelope (default 1) */
  axis?: number;
  /** FFT length (default the axis length; the signal is zero-padded or cut to it) */
  n?: number | null;
}

/** |analytic signal| along one axis: the Hilbert transform by FFT, doubling positive and dropping negative frequencies. */
export class DetectEnvelope extends Transform {
  static readonly OPTIONS = ['axis', 'n'] as const;
  readonly axis: number;
  readonly n: number | null;
  constructor(options: DetectEnvelopeOptions = {}) {
    super();
    checkOptions('DetectEnvelope', options, DetectEnvelope.OPTIONS);
    this.axis = int('DetectEnvelope', 'axis', options.axis ?? 1, 0);
    this.n = options.n == null ? null : int('DetectEnvelope', 'n', options.n, 1);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    if (this.axis > img.dim() - 1) throw new RangeError(`${this.name}: axis ${this.axis} is out of range for an image of shape [${img.shape.join(', ')}]`);
    return withMeta(img, (x0) => {
      const x = x0.to({ dtype: 'float32' }).to({ dtype: 'complex64' });
      const n = this.n ?? x.shape[this.axis];
      const dev = { device: x.device };
      const f = torch.cat([torch.arange(0, Math.floor((n - 1) / 2) + 1, dev).div(n), torch.arange(-Math.floor(n / 2), 0, dev).div(n)]);
      const xf = torch.fftFft(x, { n, dim: this.axis });
      const shape = xf.shape.map((s, i) => (i === this.axis ? s : 1));
      const u = torch.heaviside(f, torch.tensor([0.5], { dtype: 'float32', ...dev })).to({ dtype: 'complex64' }).reshape(shape);
      const ht = torch.fftIfft(xf.mul(2).mul(u), { dim: this.axis });
      return ht.abs().to({ dtype: x0.dtype });
    });
  }
}
