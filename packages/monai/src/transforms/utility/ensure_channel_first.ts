/** EnsureChannelFirst / EnsureChannelFirstd (MONAI's monai/transforms/utility). */
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, type MetaDict } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { isNoChannel } from '../../data/image_reader.js';
import { MapTransform, Transform } from '../transform.js';

export interface EnsureChannelFirstOptions {
  /** throw (true, default) or warn and pass through when the channel dim is unknown */
  strictCheck?: boolean;
  /** overrides the metadata's original_channel_dim; 'no_channel' adds a new first axis */
  channelDim?: number | 'no_channel' | null;
}

/**
 * Moves the channel axis first using `meta.original_channel_dim` (set by the readers), or adds a
 * new first axis when the image has no channel. Metadata is kept (copied) on the result.
 */
export class EnsureChannelFirst extends Transform {
  readonly strictCheck: boolean;
  readonly inputChannelDim: number | 'no_channel' | null;

  constructor(options: EnsureChannelFirstOptions = {}) {
    super();
    checkOptions('EnsureChannelFirst', options, ['strictCheck', 'channelDim']);
    this.strictCheck = options.strictCheck ?? true;
    this.inputChannelDim = options.channelDim ?? null;
  }

  call(img: Tensor, metaDict?: MetaDict | null): Tensor {
    if (!(img instanceof MetaTensor) && !metaDict) {
      if (this.inputChannelDim === null) {
        const msg = 'Metadata not available and channelDim is null, EnsureChannelFirst is not in use.';
        if (this.strictCheck) throw new Error(msg);
        process.emitWarning(msg);
        return img;
      }
    }
    const meta: MetaDict | null = img instanceof MetaTensor ? img.meta : (metaDict ?? null);
    let cd: MetaDict['original_channel_dim'] | null = meta ? meta.original_channel_dim : undefined;
    if (this.inputChannelDim !== null) cd = this.inputChannelDim === 'no_channel' ? Number.NaN : this.inputChannelDim;
    if (cd === undefined || cd === null) {
      const msg = 'Unknown original_channel_dim in the MetaTensor meta dict or `metaDict` or `channelDim`.';
      if (this.strictCheck) throw new Error(msg);
      process.emitWarning(msg);
      return img;
    }
    if (img instanceof MetaTensor) img.meta.original_channel_dim = cd;
    const out = isNoChannel(cd) ? img.unsqueeze(0) : img.movedim(Number(cd), 0);
    if (img instanceof MetaTensor) return img.withTensor(out);
    return out;
  }
}

export interface EnsureChannelFirstdOptions extends EnsureChannelFirstOptions {
  keys: string | string[];
  metaKeys?: string | string[] | null;
  metaKeyPostfix?: string;
  allowMissingKeys?: boolean;
}

/** Dictionary version: applies EnsureChannelFirst to each key (meta from the MetaTensor or `${key}_meta_dict`). */
export class EnsureChannelFirstd extends MapTransform {
  readonly adjuster: EnsureChannelFirst;
  readonly metaKeys: (string | null)[];
  readonly metaKeyPostfix: string;

  constructor(options: EnsureChannelFirstdOptions) {
    checkOptions('EnsureChannelFirstd', options, ['keys', 'strictCheck', 'channelDim', 'metaKeys', 'metaKeyPostfix', 'allowMissingKeys']);
    if (!options || options.keys === undefined) throw new TypeError('EnsureChannelFirstd: keys is required');
    super(options.keys, options.allowMissingKeys ?? false);
    this.adjuster = new EnsureChannelFirst({ strictCheck: options.strictCheck, channelDim: options.channelDim });
    const mk = options.metaKeys === undefined || options.metaKeys === null ? this.keys.map(() => null) : Array.isArray(options.metaKeys) ? options.metaKeys : [options.metaKeys];
    if (mk.length !== this.keys.length) throw new TypeError('EnsureChannelFirstd: metaKeys must match keys in length');
    this.metaKeys = mk;
    this.metaKeyPostfix = options.metaKeyPostfix ?? 'meta_dict';
  }

  call(data: Record<string, unknown>): Record<string, unknown> {
    const d = { ...data };
    for (const [key, metaKey0] of this.keyIterator<[string | null]>(d, this.metaKeys)) {
      const metaKey = metaKey0 ?? `${key}_${this.metaKeyPostfix}`;
      d[key] = this.adjuster.call(d[key] as Tensor, (d[metaKey] as MetaDict | undefined) ?? null);
    }
    return d;
  }
}
