/** LoadImaged and SaveImaged (MONAI's monai/transforms/io/dictionary.py). */
import { Tensor } from '@monai-ts/torch';
import { LoadImage, SaveImage, SAVE_IMAGE_OPTIONS, type LoadImageOptions, type SaveImageOptions } from './array.js';
import { MetaTensor, type MetaDict } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import type { ImageReader } from '../../data/image_reader.js';

function keyList(k: string | string[]): string[] {
  return Array.isArray(k) ? k : [k];
}

export interface LoadImagedOptions extends LoadImageOptions {
  keys: string | string[];
  metaKeys?: string | string[] | null;
  metaKeyPostfix?: string;
  overwriting?: boolean;
  allowMissingKeys?: boolean;
}

/** Loads the file(s) named by each key into a MetaTensor (and `${key}_meta_dict` when imageOnly is false). */
export class LoadImaged {
  readonly keys: string[];
  readonly loader: LoadImage;
  readonly metaKeys: (string | null)[];
  readonly metaKeyPostfix: string;
  readonly overwriting: boolean;
  readonly allowMissingKeys: boolean;

  constructor(options: LoadImagedOptions) {
    if (!options || options.keys === undefined) throw new TypeError('LoadImaged: keys is required');
    const { keys, metaKeys, metaKeyPostfix, overwriting, allowMissingKeys, ...rest } = options;
    checkOptions('LoadImaged', options, ['keys', 'metaKeys', 'metaKeyPostfix', 'overwriting', 'allowMissingKeys', 'reader', 'imageOnly', 'dtype', 'ensureChannelFirst', 'simpleKeys', 'readerOptions', 'expanduser']);
    this.keys = keyList(keys);
    this.loader = new LoadImage(rest);
    const mk = metaKeys === undefined || metaKeys === null ? this.keys.map(() => null) : keyList(metaKeys);
    if (mk.length !== this.keys.length) throw new TypeError('LoadImaged: metaKeys must match keys in length');
    this.metaKeys = mk;
    this.metaKeyPostfix = metaKeyPostfix ?? 'meta_dict';
    this.overwriting = overwriting ?? false;
    this.allowMissingKeys = allowMissingKeys ?? false;
  }

  register(reader: ImageReader): void {
    this.loader.register(reader);
  }

  call(data: Record<string, unknown>, reader?: ImageReader | null): Record<string, unknown> {
    const d: Record<string, unknown> = { ...data };
    const loaded: Tensor[] = [];
    try {
      this.keys.forEach((key, i) => {
        if (!(key in d)) {
          if (this.allowMissingKeys) return;
          throw new Error(`LoadImaged: key '${key}' is not in the data (keys: ${Object.keys(d).join(', ')})`);
        }
        const r = this.loader.call(d[key] as string | string[], reader);
        if (this.loader.imageOnly) {
          d[key] = r as MetaTensor;
          loaded.push(r as MetaTensor);
        } else {
          const [img, meta] = r as [MetaTensor, MetaDict];
          loaded.push(img);
          d[key] = img;
          const metaKey = this.metaKeys[i] ?? `${key}_${this.metaKeyPostfix}`;
          if (metaKey in d && !this.overwriting) throw new Error(`LoadImaged: metadata with key ${metaKey} already exists and overwriting=false.`);
          d[metaKey] = meta;
        }
      });
    } catch (e) {
      for (const t of loaded) t.dispose();
      throw e;
    }
    return d;
  }
}

export interface SaveImagedOptions extends SaveImageOptions {
  keys: string | string[];
  metaKeys?: string | string[] | null;
  metaKeyPostfix?: string;
  allowMissingKeys?: boolean;
}

/** Saves the image of each key (metadata from the MetaTensor or `${key}_meta_dict`). */
export class SaveImaged {
  readonly keys: string[];
  readonly saver: SaveImage;
  readonly metaKeys: (string | null)[];
  readonly metaKeyPostfix: string;
  readonly allowMissingKeys: boolean;

  constructor(options: SaveImagedOptions) {
    if (!options || options.keys === undefined) throw new TypeError('SaveImaged: keys is required');
    const { keys, metaKeys, metaKeyPostfix, allowMissingKeys, ...rest } = options;
    checkOptions('SaveImaged', options, ['keys', 'metaKeys', 'metaKeyPostfix', 'allowMissingKeys', ...SAVE_IMAGE_OPTIONS]);
    this.keys = keyList(keys);
    this.saver = new SaveImage(rest);
    const mk = metaKeys === undefined || metaKeys === null ? this.keys.map(() => null) : keyList(metaKeys);
    if (mk.length !== this.keys.length) throw new TypeError('SaveImaged: metaKeys must match keys in length');
    this.metaKeys = mk;
    this.metaKeyPostfix = metaKeyPostfix ?? 'meta_dict';
    this.allowMissingKeys = allowMissingKeys ?? false;
  }

  call(data: Record<string, unknown>): Record<string, unknown> {
    this.keys.forEach((key, i) => {
      if (!(key in data)) {
        if (this.allowMissingKeys) return;
        throw new Error(`SaveImaged: key '${key}' is not in the data (keys: ${Object.keys(data).join(', ')})`);
      }
      const metaKey = this.metaKeys[i] ?? `${key}_${this.metaKeyPostfix}`;
      const meta = (data[metaKey] as MetaDict | undefined) ?? null;
      this.saver.call(data[key] as Tensor, meta);
    });
    return data;
  }
}
