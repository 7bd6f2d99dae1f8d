/** IntensityStats (MONAI's utility/array.py): intensity statistics written into a metadata dictionary. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../../data/meta_tensor.js';
import { checkChoice } from '../../../data/options.js';
import { Transform, describeValue } from '../../transform.js';
import { bool, checkOptions } from '../args.js';
import { checkImage, percentile } from '../functional.js';

export type IntensityStatOp = 'mean' | 'median' | 'max' | 'min' | 'std';
const OPS = ['mean', 'median', 'max', 'min', 'std'] as const;
/** A custom statistic: a function of the (masked or channel) values. */
export type IntensityStatFn = (values: Tensor) => number;

export interface IntensityStatsOptions {
  /** predefined statistics (NaNs ignored, as numpy's nan* functions) or functions of the values */
  ops: (IntensityStatOp | IntensityStatFn)[] | IntensityStatOp | IntensityStatFn;
  /** key prefix: `${prefix}_${op}`, or `${prefix}_custom_${i}` for functions */
  keyPrefix: string;
  /** one value per channel (a list) instead of one for the image */
  channelWise?: boolean;
}

function nanStat(op: IntensityStatOp, v: Tensor): number {
  return torch.tidy(() => {
    const x = v.reshape([-1]).to({ dtype: 'float64' });
    const ok = x.maskedSelect(x.isnan().logicalNot());
    if (ok.numel() === 0) return Number.NaN;
    switch (op) {
      case 'mean': return ok.mean().item();
      case 'max': return ok.max().item();
      case 'min': return ok.min().item();
      case 'std': return ok.std({ unbiased: false }).item();
      case 'median': return percentile(ok, 50).item(); // numpy: the mean of the two middle values
    }
  });
}

/** Computes statistics of the image (inside `mask` when given) into a metadata dictionary; the image passes through. */
export class IntensityStats extends Transform {
  static readonly OPTIONS = ['ops', 'keyPrefix', 'channelWise'] as const;
  readonly ops: (IntensityStatOp | IntensityStatFn)[];
  readonly keyPrefix: string;
  readonly channelWise: boolean;
  constructor(options: IntensityStatsOptions) {
    super();
    const who = 'IntensityStats';
    checkOptions(who, options, IntensityStats.OPTIONS, ['ops', 'keyPrefix']);
    const ops = Array.isArray(options.ops) ? options.ops : [options.ops];
    this.ops = ops.map((o, i) => (typeof o === 'function' ? o : checkChoice(who, `ops[${i}]`, o, OPS)));
    if (typeof options.keyPrefix !== 'string') throw new TypeError(`${who}: keyPrefix must be a string, got ${describeValue(options.keyPrefix)}`);
    this.keyPrefix = options.keyPrefix;
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
  }
  /** Returns [img, metaData] with the statistics added to `metaData` (a new object when not given). */
  call(img: Tensor, metaData?: Record<string, unknown> | null, mask?: Tensor | null): [Tensor, Record<string, unknown>] {
    checkImage(img, this.name);
    const meta = metaData ?? {};
    if (mask != null) {
      if (!(mask instanceof Tensor) || mask.dtype !== 'bool') throw new TypeError(`${this.name}: mask must be a bool Tensor, got ${describeValue(mask)}`);
      if (mask.shape.join() !== img.shape.join()) throw new RangeError(`${this.name}: mask must have the image's shape [${img.shape.join(', ')}], got [${mask.shape.join(', ')}]`);
    }
    torch.tidy(() => {
      const x = img instanceof MetaTensor ? img.asTensor() : img;
      // per channel (masked per channel) or all values (masked)
      const groups: Tensor[] = this.channelWise
        ? Array.from({ length: x.shape[0] }, (_, c) => (mask ? x.select(0, c).maskedSelect(mask.select(0, c)) : x.select(0, c)))
        : [mask ? x.maskedSelect(mask) : x];
      let custom = 0;
      for (const op of this.ops) {
        const f = typeof op === 'function' ? op : (v: Tensor) => nanStat(op, v);
        const key = typeof op === 'function' ? `${this.keyPrefix}_custom_${custom++}` : `${this.keyPrefix}_${op}`;
        const vals = groups.map((g) => f(g));
        meta[key] = this.channelWise ? vals : vals[0];
      }
    });
    return [img, meta];
  }
}
