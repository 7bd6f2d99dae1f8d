/** NumpyReader: NPY (v1-v3) and NPZ (stored or deflated) arrays. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { ImageReader, copyCompatibleDict, decodeToTensor, ensureList, isSupportedFormat, registerReader, stackImages } from '../image_reader.js';
import { NpyArray, npyLayout, readNpyData, readNpyFile, readNpz } from '../formats/npy.js';
import { readFileBytes } from '../formats/common.js';
import { checkOptions } from '../options.js';
import type { MetaDict } from '../meta_tensor.js';

export interface NumpyReaderOptions {
  /** NPZ members to load (default: all, in archive order) */
  npzKeys?: string | string[] | null;
  channelDim?: number | 'no_channel' | null;
  dtype?: torch.DType | null;
}

export interface NumpyImage {
  kind: 'npy';
  file: string;
  array: NpyArray;
}

export class NumpyReader implements ImageReader {
  readonly name = 'NumpyReader';
  readonly npzKeys: string[] | null;
  readonly channelDim: number | null;
  dtype: torch.DType | null;

  constructor(options: NumpyReaderOptions = {}) {
    checkOptions('NumpyReader', options, ['npzKeys', 'channelDim', 'dtype']);
    this.npzKeys = options.npzKeys === undefined || options.npzKeys === null ? null : ensureList(options.npzKeys);
    this.channelDim = typeof options.channelDim === 'number' ? options.channelDim : null;
    this.dtype = options.dtype ?? null;
  }

  verifySuffix(filename: string | readonly string[]): boolean {
    return isSupportedFormat(filename, ['npz', 'npy']);
  }

  read(data: string | readonly string[], options: Record<string, unknown> = {}): NumpyImage | NumpyImage[] {
    checkOptions('NumpyReader.read', options, []);
    const out: NumpyImage[] = [];
    for (const f of ensureList(data)) {
      const file = String(f);
      const arrays = file.toLowerCase().endsWith('.npz') ? readNpz(file, readFileBytes(file), this.npzKeys ?? undefined) : readNpyFile(file);
      for (const a of arrays) out.push({ kind: 'npy', file, array: a });
    }
    return out.length === 1 ? out[0] : out;
  }

  getData(img: unknown, options: { dtype?: torch.DType | null } = {}): [Tensor, MetaDict] {
    const imgs = ensureList(img as NumpyImage | NumpyImage[]);
    const arrays: Tensor[] = [];
    const meta: MetaDict = {};
    try {
      for (const im of imgs) {
        if (!im || im.kind !== 'npy') throw new TypeError('NumpyReader.getData expects images from NumpyReader.read');
        const a = im.array;
        const lay = npyLayout(a);
        const t = decodeToTensor(
          { file: im.file, element: a.element, layoutShape: lay.layoutShape, permutation: lay.permutation, fill: (d) => readNpyData(a, d) },
          (options.dtype !== undefined ? options.dtype : this.dtype),
        );
        arrays.push(t);
        const spatial = a.shape.slice();
        if (this.channelDim !== null) spatial.splice(this.channelDim < 0 ? spatial.length + this.channelDim : this.channelDim, 1);
        const header: MetaDict = { spatial_shape: spatial, space: 'RAS', original_channel_dim: this.channelDim ?? Number.NaN };
        copyCompatibleDict(header, meta);
      }
    } catch (e) {
      for (const t of arrays) t.dispose();
      throw e;
    }
    return [stackImages(arrays, meta), meta];
  }
}

registerReader('NumpyReader', (o) => new NumpyReader(o as NumpyReaderOptions));
