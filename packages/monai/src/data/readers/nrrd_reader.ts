/** NrrdReader: NRRD images (raw, gzip, ascii), array in NRRD axis order, affine in RAS. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { ImageReader, copyCompatibleDict, decodeToTensor, ensureList, isSupportedFormat, registerReader, stackImages } from '../image_reader.js';
import { NrrdInfo, nrrdAffine, readNrrdData, readNrrdInfo } from '../formats/nrrd.js';
import { checkOptions } from '../options.js';
import type { MetaDict } from '../meta_tensor.js';

export interface NrrdReaderOptions {
  channelDim?: number | 'no_channel' | null;
  /** dtype of the loaded array (MONAI's default float32); null keeps the file's type */
  dtype?: torch.DType | null;
  /** convert an LPS (or LAS) affine to RAS (default true, as MONAI) */
  affineLpsToRas?: boolean;
}

export interface NrrdImage {
  kind: 'nrrd';
  file: string;
  info: NrrdInfo;
}

export class NrrdReader implements ImageReader {
  readonly name = 'NrrdReader';
  readonly channelDim: number | null;
  dtype: torch.DType | null;
  readonly affineLpsToRas: boolean;

  constructor(options: NrrdReaderOptions = {}) {
    checkOptions('NrrdReader', options, ['channelDim', 'dtype', 'affineLpsToRas']);
    this.channelDim = typeof options.channelDim === 'number' ? options.channelDim : null;
    this.dtype = options.dtype === undefined ? 'float32' : options.dtype;
    this.affineLpsToRas = options.affineLpsToRas ?? true;
  }

  verifySuffix(filename: string | readonly string[]): boolean {
    return isSupportedFormat(filename, ['nrrd', 'seg.nrrd', 'nhdr']);
  }

  read(data: string | readonly string[], options: Record<string, unknown> = {}): NrrdImage | NrrdImage[] {
    checkOptions('NrrdReader.read', options, []);
    const out = ensureList(data).map((f) => ({ kind: 'nrrd' as const, file: String(f), info: readNrrdInfo(String(f)) }));
    return out.length === 1 ? out[0] : out;
  }

  getData(img: unknown, options: { dtype?: torch.DType | null } = {}): [Tensor, MetaDict] {
    const imgs = ensureList(img as NrrdImage | NrrdImage[]);
    const arrays: Tensor[] = [];
    const meta: MetaDict = {};
    try {
      for (const im of imgs) {
        if (!im || im.kind !== 'nrrd') throw new TypeError('NrrdReader.getData expects images from NrrdReader.read');
        const info = im.info;
        const n = info.sizes.length;
        const t = decodeToTensor(
          {
            file: im.file,
            element: info.element,
            layoutShape: info.sizes.slice().reverse(),
            permutation: Array.from({ length: n }, (_, k) => n - 1 - k),
            fill: (d) => readNrrdData(info, d),
          },
          (options.dtype !== undefined ? options.dtype : this.dtype),
        );
        arrays.push(t);
        const { affine, spatialAxes } = nrrdAffine(this.affineLpsToRas ? info : { ...info, space: 'right-anterior-superior' });
        const header: MetaDict = { ...info.keyValues };
        for (const [k, v] of Object.entries(info.fields)) if (!['sizes', 'space origin', 'space directions'].includes(k)) header[k] = v;
        header.original_affine = affine.slice();
        header.affine = affine.slice();
        const sp = (info.space ?? 'left-posterior-superior').toLowerCase();
        header.space = this.affineLpsToRas && ['left-posterior-superior', 'lps', 'left-anterior-superior', 'las', 'right-anterior-superior', 'ras'].includes(sp) ? 'RAS' : info.space ?? 'LPS';
        const noneAxes = info.directions ? info.directions.map((d, k) => (d === null ? k : -1)).filter((k) => k >= 0) : [];
        const spatial = spatialAxes.length ? spatialAxes.map((k) => info.sizes[k]) : info.sizes.slice();
        header.spatial_shape = this.channelDim === null && noneAxes.length === 0 ? info.sizes.slice() : spatial;
        if (this.channelDim !== null) header.original_channel_dim = this.channelDim;
        else if (noneAxes.length === 1) header.original_channel_dim = noneAxes[0];
        else header.original_channel_dim = t.shape.length === (header.spatial_shape as number[]).length ? Number.NaN : 0;
        copyCompatibleDict(header, meta);
      }
    } catch (e) {
      for (const t of arrays) t.dispose();
      throw e;
    }
    return [stackImages(arrays, meta), meta];
  }
}

registerReader('NrrdReader', (o) => new NrrdReader(o as NrrdReaderOptions));
