/** LoadImaged and SaveImaged (MONAI's monai/transforms/io/dictionary.py). */
import { Tensor } from '@monai-ts/torch';
import { LoadImage, SaveImage, LOAD_IMAGE_OPTIONS, SAVE_IMAGE_OPTIONS, type LoadImageOptions, type SaveImageOptions } from './array.js';
import { MetaTensor, type MetaDict } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import type { ImageReader } from '../../data/image_reader.js';
import { MapTransform } from '../transform.js';

function keyList<K extends string>(k: K | readonly K[]): K[] {
  return Array.isArray(k) ? [...(k as readonly K[])] : [k as K];
}

/**
 * K: the keys; ImageOnly: whether metadata goes into the image only; MK: the metadata keys
 * (`${key}_${metaKeyPostfix}` unless metaKeys names them); AllowMissing: keys may be absent.
 */
export interface LoadImagedOptions<K extends string = string, ImageOnly extends boolean = boolean, P extends string = string, MK extends string = string, AllowMissing extends boolean = boolean>
  extends LoadImageOptions<ImageOnly> {
  keys: K | readonly K[];
  metaKeys?: MK | readonly MK[] | null;
  metaKeyPostfix?: P;
  overwriting?: boolean;
  allowMissingKeys?: AllowMissing;
}

type Present<T, AllowMissing extends boolean> = AllowMissing extends false ? T : Partial<T>;
/**
 * The dictionary LoadImaged returns for input D: each key holds a MetaTensor; with imageOnly false,
 * each metadata key holds the MetaDict (with allowMissingKeys, either may be absent). Other keys keep
 * D's types; looked up by a computed string, a value is unknown.
 */
export type LoadedDict<D, K extends string, ImageOnly extends boolean, MK extends string, AllowMissing extends boolean> = Omit<D, K | MK> &
  Present<{ [k in K]: MetaTensor }, AllowMissing> &
  (ImageOnly extends true ? unknown : Present<{ [k in MK]: MetaDict }, AllowMissing>) &
  Record<string, unknown>;

/**
 * Loads the file(s) named by each key into a MetaTensor (and `${key}_meta_dict` when imageOnly is
 * false). The result is typed from the options: `new LoadImaged({ keys: ['image'] }).call(d).image`
 * is a MetaTensor, and with `imageOnly: false`, `.image_meta_dict` a MetaDict.
 */
export class LoadImaged<
  K extends string = string,
  ImageOnly extends boolean = true,
  P extends string = 'meta_dict',
  MK extends string = `${K}_${P}`,
  AllowMissing extends boolean = false,
> extends MapTransform {
  declare readonly keys: K[];
  readonly loader: LoadImage<ImageOnly>;
  readonly metaKeys: (string | null)[];
  readonly metaKeyPostfix: string;
  readonly overwriting: boolean;

  constructor(options: LoadImagedOptions<K, ImageOnly, P, MK, AllowMissing>) {
    if (!options || options.keys === undefined) throw new TypeError('LoadImaged: keys is required');
    const { keys, metaKeys, metaKeyPostfix, overwriting, allowMissingKeys, ...rest } = options;
    checkOptions('LoadImaged', options, ['keys', 'metaKeys', 'metaKeyPostfix', 'overwriting', 'allowMissingKeys', ...LOAD_IMAGE_OPTIONS]);
    super(keyList(keys), allowMissingKeys ?? false);
    this.loader = new LoadImage(rest);
    const mk = metaKeys === undefined || metaKeys === null ? this.keys.map(() => null) : keyList(metaKeys);
    if (mk.length !== this.keys.length) throw new TypeError('LoadImaged: metaKeys must match keys in length');
    this.metaKeys = mk;
    this.metaKeyPostfix = metaKeyPostfix ?? 'meta_dict';
    this.overwriting = overwriting ?? false;
  }

  register(reader: ImageReader): void {
    this.loader.register(reader);
  }

  call<D extends object>(data: D, reader?: ImageReader | null): LoadedDict<D, K, ImageOnly, MK, AllowMissing> {
    const d = { ...data } as Record<string, unknown>;
    const loaded: Tensor[] = [];
    try {
      for (const [key, i] of this.keyIterator<[number]>(d, this.keys.map((_, j) => j))) {
        const r: MetaTensor | [MetaTensor, MetaDict] = this.loader.call(d[key] as string | string[], reader);
        if (!Array.isArray(r)) {
          d[key] = r;
          loaded.push(r);
        } else {
          const [img, meta] = r;
          loaded.push(img);
          d[key] = img;
          const metaKey = this.metaKeys[i] ?? `${key}_${this.metaKeyPostfix}`;
          if (metaKey in d && !this.overwriting) throw new Error(`LoadImaged: metadata with key ${metaKey} already exists and overwriting=false.`);
          d[metaKey] = meta;
        }
      }
    } catch (e) {
      for (const t of loaded) t.dispose();
      throw e;
    }
    return d as LoadedDict<D, K, ImageOnly, MK, AllowMissing>;
  }
}

export interface SaveImagedOptions extends SaveImageOptions {
  keys: string | string[];
  metaKeys?: string | string[] | null;
  metaKeyPostfix?: string;
  allowMissingKeys?: boolean;
}

/** Saves the image of each key (metadata from the MetaTensor or `${key}_meta_dict`). */
export class SaveImaged extends MapTransform {
  readonly saver: SaveImage;
  readonly metaKeys: (string | null)[];
  readonly metaKeyPostfix: string;

  constructor(options: SaveImagedOptions) {
    if (!options || options.keys === undefined) throw new TypeError('SaveImaged: keys is required');
    const { keys, metaKeys, metaKeyPostfix, allowMissingKeys, ...rest } = options;
    checkOptions('SaveImaged', options, ['keys', 'metaKeys', 'metaKeyPostfix', 'allowMissingKeys', ...SAVE_IMAGE_OPTIONS]);
    super(keyList(keys), allowMissingKeys ?? false);
    this.saver = new SaveImage(rest);
    const mk = metaKeys === undefined || metaKeys === null ? this.keys.map(() => null) : keyList(metaKeys);
    if (mk.length !== this.keys.length) throw new TypeError('SaveImaged: metaKeys must match keys in length');
    this.metaKeys = mk;
    this.metaKeyPostfix = metaKeyPostfix ?? 'meta_dict';
  }

  call(data: Record<string, unknown>): Record<string, unknown> {
    for (const [key, i] of this.keyIterator<[number]>(data, this.keys.map((_, j) => j))) {
      const metaKey = this.metaKeys[i] ?? `${key}_${this.metaKeyPostfix}`;
      const meta = (data[metaKey] as MetaDict | undefined) ?? null;
      this.saver.call(data[key] as Tensor, meta);
    }
    return data;
  }
}
