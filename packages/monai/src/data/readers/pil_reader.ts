/** PILReader: PNG, JPEG and BMP with Pillow's values and MONAI's axis order (width axis first). */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { ImageReader, copyCompatibleDict, decodeToTensor, ensureList, isSupportedFormat, registerReader, stackImages } from '../image_reader.js';
import { DecodedPicture, decodePicture } from '../formats/pil.js';
import { checkOptions } from '../options.js';
import type { MetaDict } from '../meta_tensor.js';

export interface PILReaderOptions {
  /** function applied to each decoded picture after read (MONAI's converter) */
  converter?: ((img: DecodedPicture) => DecodedPicture) | null;
  /** swap the first two axes so axis 0 runs along the width (default true, as MONAI) */
  reverseIndexing?: boolean;
  dtype?: torch.DType | null;
}

export interface PILImage {
  kind: 'pil';
  file: string;
  picture: DecodedPicture;
}

export class PILReader implements ImageReader {
  readonly name = 'PILReader';
  readonly converter: ((img: DecodedPicture) => DecodedPicture) | null;
  readonly reverseIndexing: boolean;
  dtype: torch.DType | null;

  constructor(options: PILReaderOptions = {}) {
    checkOptions('PILReader', options, ['converter', 'reverseIndexing', 'dtype']);
    this.converter = options.converter ?? null;
    this.reverseIndexing = options.reverseIndexing ?? true;
    this.dtype = options.dtype ?? null;
  }

  verifySuffix(filename: string | readonly string[]): boolean {
    return isSupportedFormat(filename, ['png', 'jpg', 'jpeg', 'bmp']);
  }

  read(data: string | readonly string[], options: Record<string, unknown> = {}): PILImage | PILImage[] {
    checkOptions('PILReader.read', options, []);
    const out = ensureList(data).map((f) => {
      let p = decodePicture(String(f));
      if (this.converter) p = this.converter(p);
      return { kind: 'pil' as const, file: String(f), picture: p };
    });
    return out.length === 1 ? out[0] : out;
  }

  getData(img: unknown, options: { dtype?: torch.DType | null } = {}): [Tensor, MetaDict] {
    const imgs = ensureList(img as PILImage | PILImage[]);
    const arrays: Tensor[] = [];
    const meta: MetaDict = {};
    try {
      for (const im of imgs) {
        if (!im || im.kind !== 'pil') throw new TypeError('PILReader.getData expects images from PILReader.read');
        const p = im.picture;
        const layout = p.channels > 1 ? [p.height, p.width, p.channels] : [p.height, p.width];
        const perm = this.reverseIndexing ? (p.channels > 1 ? [1, 0, 2] : [1, 0]) : null;
        const t = decodeToTensor(
          {
            file: im.file,
            element: p.element,
            layoutShape: layout,
            permutation: perm,
            fill: (d) => d[0].set(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)),
          },
          (options.dtype !== undefined ? options.dtype : this.dtype),
        );
        arrays.push(t);
        const header: MetaDict = {
          format: p.format,
          mode: p.mode,
          width: p.width,
          height: p.height,
          spatial_shape: [p.width, p.height],
          original_channel_dim: p.channels > 1 ? -1 : Number.NaN,
        };
        copyCompatibleDict(header, meta);
      }
    } catch (e) {
      for (const t of arrays) t.dispose();
      throw e;
    }
    return [stackImages(arrays, meta), meta];
  }
}

registerReader('PILReader', (o) => new PILReader(o as PILReaderOptions));
