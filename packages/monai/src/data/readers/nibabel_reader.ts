/** NibabelReader: NIfTI-1/2 and Analyze .hdr/.img images, with nibabel's array and affine. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import {
  ImageReader,
  copyCompatibleDict,
  decodeToTensor,
  ensureList,
  isNoChannel,
  isSupportedFormat,
  registerReader,
  stackImages,
} from '../image_reader.js';
import { NiftiInfo, headerFileFor, niftiLayout, readNiftiData, readNiftiInfo } from '../formats/nifti.js';
import { checkOptions } from '../options.js';
import type { MetaDict } from '../meta_tensor.js';
import { closestCanonical } from '../orientation.js';

export interface NibabelReaderOptions {
  /** channel axis of the array; null: none (or the RGB axis, -1); 'no_channel' forces none */
  channelDim?: number | 'no_channel' | null;
  asClosestCanonical?: boolean;
  squeezeNonSpatialDims?: boolean;
  /** dtype the data is decoded to (fused with the layout copy); null keeps the file's type */
  dtype?: torch.DType | null;
}

const OPTS = ['channelDim', 'asClosestCanonical', 'squeezeNonSpatialDims', 'dtype'];

export interface NiftiImage {
  kind: 'nifti';
  file: string;
  info: NiftiInfo;
}

export class NibabelReader implements ImageReader {
  readonly name = 'NibabelReader';
  readonly channelDim: number | null;
  readonly asClosestCanonical: boolean;
  readonly squeezeNonSpatialDims: boolean;
  dtype: torch.DType | null;

  constructor(options: NibabelReaderOptions = {}) {
    checkOptions('NibabelReader', options, OPTS);
    this.channelDim = options.channelDim === 'no_channel' || options.channelDim === undefined ? null : options.channelDim;
    this.asClosestCanonical = options.asClosestCanonical ?? false;
    this.squeezeNonSpatialDims = options.squeezeNonSpatialDims ?? false;
    this.dtype = options.dtype ?? null;
  }

  verifySuffix(filename: string | readonly string[]): boolean {
    return isSupportedFormat(filename, ['nii', 'nii.gz', 'hdr', 'img', 'hdr.gz', 'img.gz']);
  }

  read(data: string | readonly string[], options: Record<string, unknown> = {}): NiftiImage | NiftiImage[] {
    checkOptions('NibabelReader.read', options, []);
    const files = ensureList(data);
    const out = files.map((f) => {
      const file = headerFileFor(String(f));
      return { kind: 'nifti' as const, file: String(f), info: readNiftiInfo(file) };
    });
    return out.length === 1 ? out[0] : out;
  }

  getData(img: unknown, options: { dtype?: torch.DType | null } = {}): [Tensor, MetaDict] {
    const imgs = ensureList(img as NiftiImage | NiftiImage[]);
    const arrays: Tensor[] = [];
    const meta: MetaDict = {};
    try {
      for (const im of imgs) {
        if (!im || im.kind !== 'nifti') throw new TypeError('NibabelReader.getData expects images from NibabelReader.read');
        const [t, header] = this.one(im, (options.dtype !== undefined ? options.dtype : this.dtype));
        arrays.push(t);
        copyCompatibleDict(header, meta);
      }
    } catch (e) {
      for (const t of arrays) t.dispose();
      throw e;
    }
    return [stackImages(arrays, meta), meta];
  }

  private one(im: NiftiImage, dtype: torch.DType | null): [Tensor, MetaDict] {
    const info = im.info;
    const lay = niftiLayout(info);
    // nibabel moves scl_slope/scl_inter into the data proxy and leaves NaN in the header it exposes
    const header: MetaDict = { ...info.header, pixdim: info.pixdim.slice(), scl_slope: Number.NaN, scl_inter: Number.NaN };
    for (const [k, v] of Object.entries(header)) if (Array.isArray(v)) header[k] = v.slice();
    const scaled = info.slope !== null;
    // nibabel applies scaling with float64 slope/intercept arrays: the result is float64
    const floatType: torch.DType = 'float64';
    let t = decodeToTensor(
      { file: im.file, element: lay.element, layoutShape: lay.layoutShape, permutation: lay.permutation, fill: (d) => readNiftiData(info, d), fillInOrder: (d) => readNiftiData(info, d) },
      scaled ? floatType : dtype,
    );
    if (scaled) {
      const slope = info.version === 2 ? info.slope! : Math.fround(info.slope!);
      const inter = info.version === 2 ? info.inter : Math.fround(info.inter);
      if (slope !== 1) t.mul_(slope);
      if (inter !== 0) t.add_(inter);
    }
    let affine: Float64Array = info.affine.slice();
    header.affine = affine;
    header.original_affine = info.affine.slice();
    header.as_closest_canonical = this.asClosestCanonical;
    if (this.asClosestCanonical) {
      const r = closestCanonical(t, affine, Math.min(3, info.shape.length));
      if (r.tensor !== t) t.dispose();
      t = r.tensor;
      affine = r.affine;
      header.affine = affine;
    }
    const dims = t.shape;
    const nd = info.shape.length;
    const size = this.asClosestCanonical ? dims.slice(0, nd) : info.shape.slice();
    if (this.channelDim !== null) size.splice(this.channelDim < 0 ? size.length + this.channelDim : this.channelDim, 1);
    const rank = Math.max(Math.min(nd, 3), 1);
    header.spatial_shape = size.slice(0, rank);
    header.space = 'RAS';
    if (this.squeezeNonSpatialDims) {
      for (let d = t.shape.length; d > (header.spatial_shape as number[]).length; d--) {
        if (t.shape[d - 1] === 1) {
          const s = t.squeeze(d - 1);
          t.dispose();
          t = s;
        }
      }
    }
    if (this.channelDim === null) header.original_channel_dim = t.shape.length === (header.spatial_shape as number[]).length ? Number.NaN : -1;
    else header.original_channel_dim = this.channelDim;
    void isNoChannel;
    return [t, header];
  }
}

registerReader('NibabelReader', (o) => new NibabelReader(o as NibabelReaderOptions));
