/** LoadImage and SaveImage (MONAI's monai/transforms/io/array.py). */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import * as path from 'node:path';
import { ImageReader, createReader, defaultReaders, ensureList, registeredReaders } from '../../data/image_reader.js';
import { MetaTensor, copyMeta, type MetaDict } from '../../data/meta_tensor.js';
import { checkChoice, checkOptions, didYouMean } from '../../data/options.js';
import { convertToChannelLast, createFileBasename, resampleToAffine, resolveWriter, writerByName, type WriterEntry } from '../../data/image_writer.js';
import { EnsureChannelFirst } from '../utility/ensure_channel_first.js';
import { Transform } from '../transform.js';
import '../../data/readers/index.js';
import '../../data/dicom/index.js'; // PydicomReader / ITKReader (ITKReader is the fallback for other suffixes)

export interface LoadImageOptions<ImageOnly extends boolean = boolean> {
  /** reader name(s) ('NibabelReader'), reader instance(s), or null for the suffix-based default */
  reader?: string | ImageReader | (string | ImageReader)[] | null;
  /** return only the MetaTensor (default true, as current MONAI); false gives [image, metadata] */
  imageOnly?: ImageOnly;
  /** dtype of the loaded image (default 'float32'); null keeps the file's type */
  dtype?: torch.DType | null;
  ensureChannelFirst?: boolean;
  simpleKeys?: boolean;
  /** options handed to reader constructors (MONAI's *args/**kwargs) */
  readerOptions?: Record<string, unknown>;
  expanduser?: boolean;
}

/** LoadImage's option names (LoadImaged takes them too). */
export const LOAD_IMAGE_OPTIONS = ['reader', 'imageOnly', 'dtype', 'ensureChannelFirst', 'simpleKeys', 'readerOptions', 'expanduser'] as const;

/** What LoadImage.call returns: the image, or [image, metadata] when imageOnly is false. */
export type LoadImageResult<ImageOnly extends boolean> = ImageOnly extends true ? MetaTensor : [MetaTensor, MetaDict];

function expandUser(f: string): string {
  if (f === '~' || f.startsWith('~/')) return path.join(process.env.HOME ?? '', f.slice(1));
  return f;
}

/**
 * Loads an image file (or a list of files, stacked as channels) into a MetaTensor, choosing the
 * reader by suffix as MONAI does: the call-time reader, then user readers, then the defaults
 * (nii/nii.gz -> NibabelReader, png/jpg/bmp -> PILReader, npy/npz -> NumpyReader, nrrd -> NrrdReader,
 * DICOM -> ITKReader/PydicomReader when registered).
 *
 * The result's type follows `imageOnly`: `new LoadImage().call(f)` is a MetaTensor,
 * `new LoadImage({ imageOnly: false }).call(f)` the pair [MetaTensor, MetaDict].
 */
export class LoadImage<ImageOnly extends boolean = true> extends Transform {
  readonly readers: ImageReader[] = [];
  readonly autoSelect: boolean;
  readonly imageOnly: ImageOnly;
  readonly dtype: torch.DType | null;
  readonly ensureChannelFirst: boolean;
  readonly simpleKeys: boolean;
  readonly expanduser: boolean;

  constructor(options: LoadImageOptions<ImageOnly> = {}) {
    super();
    checkOptions('LoadImage', options, LOAD_IMAGE_OPTIONS);
    this.autoSelect = options.reader === undefined || options.reader === null;
    this.imageOnly = options.imageOnly ?? (true as ImageOnly);
    this.dtype = options.dtype === undefined ? 'float32' : options.dtype;
    if (this.dtype !== null) torch.normalizeDtype(this.dtype);
    this.ensureChannelFirst = options.ensureChannelFirst ?? false;
    this.simpleKeys = options.simpleKeys ?? false;
    this.expanduser = options.expanduser ?? true;
    const ro = options.readerOptions;
    this.readers.push(...defaultReaders(ro));
    if (ro && Object.keys(ro).length && this.autoSelect) {
      // at least one reader must understand the options, else they are typos
      let ok = 0;
      let firstErr: unknown = null;
      for (const n of registeredReaders()) {
        try {
          createReader(n, ro);
          ok++;
        } catch (e) {
          firstErr ??= e;
        }
      }
      if (ok === 0 && firstErr) throw firstErr;
    }
    if (!this.autoSelect) {
      for (const r of ensureList(options.reader as string | ImageReader)) {
        if (typeof r === 'string') this.register(createReader(r, ro));
        else this.register(r);
      }
    }
  }

  /** Adds a reader; readers are searched from the most recently registered. */
  register(reader: ImageReader): void {
    if (!reader || typeof reader.read !== 'function' || typeof reader.getData !== 'function' || typeof reader.verifySuffix !== 'function')
      throw new TypeError('LoadImage.register expects an ImageReader (verifySuffix, read, getData)');
    this.readers.push(reader);
  }

  call(filename: string | readonly string[], reader?: ImageReader | null): LoadImageResult<ImageOnly> {
    const files = ensureList(filename).map((f) => {
      if (typeof f !== 'string') throw new TypeError(`LoadImage: filename must be a string or a list of strings, got ${typeof f}`);
      return this.expanduser ? expandUser(f) : f;
    });
    if (files.length === 0) throw new Error('LoadImage: empty list of files');
    const arg = files.length === 1 ? files[0] : files;
    let img: unknown = undefined; // the chosen reader's own image object
    let chosen: ImageReader | null = null;
    const errs: string[] = [];
    const named = (e: unknown): Error => {
      const err = e instanceof Error ? e : new Error(String(e));
      if (files.some((f) => err.message.includes(f))) return err;
      return new Error(`${files.length === 1 ? files[0] : JSON.stringify(files)}: ${err.message}`, { cause: err });
    };
    if (reader) {
      try {
        img = reader.read(arg);
      } catch (e) {
        throw named(e);
      }
      chosen = reader;
    } else {
      for (let i = this.readers.length - 1; i >= 0; i--) {
        const r = this.readers[i];
        if (this.autoSelect) {
          if (r.verifySuffix(arg)) {
            try {
              img = r.read(arg);
            } catch (e) {
              throw named(e);
            }
            chosen = r;
            break;
          }
        } else {
          try {
            img = r.read(arg);
            chosen = r;
            break;
          } catch (e) {
            errs.push(`${r.name}: ${(e as Error).message}`);
          }
        }
      }
    }
    if (img === undefined || chosen === null) {
      const name = files.length === 1 ? files[0] : JSON.stringify(files);
      throw new Error(
        `LoadImage cannot find a suitable reader for file: ${name}. Registered readers: ${this.readers.map((r) => r.name).join(', ')}.` +
          (errs.length ? `\n${errs.join('\n')}` : ''),
      );
    }
    let arr: Tensor;
    let meta: MetaDict;
    try {
      [arr, meta] = chosen.getData(img, { dtype: this.dtype });
    } catch (e) {
      throw named(e);
    }
    if (typeof meta !== 'object' || meta === null) {
      arr.dispose();
      throw new Error(`LoadImage: reader ${chosen.name} returned metadata of type ${typeof meta}, expected an object`);
    }
    if (this.dtype !== null && arr.dtype !== this.dtype) {
      const c = arr.to({ dtype: this.dtype });
      arr.dispose();
      arr = c;
    }
    meta.filename_or_obj = files[0];
    if (this.simpleKeys) for (const k of Object.keys(meta)) if (!SIMPLE_KEYS.includes(k)) delete meta[k];
    let out = MetaTensor.wrap(arr, { meta, affine: meta.affine ?? null });
    if (this.ensureChannelFirst) {
      const ecf = new EnsureChannelFirst().call(out) as MetaTensor;
      if (ecf !== out) out.dispose();
      out = ecf;
    }
    return (this.imageOnly ? out : [out, out.meta]) as LoadImageResult<ImageOnly>;
  }
}

const SIMPLE_KEYS = ['affine', 'original_affine', 'spatial_shape', 'original_channel_dim', 'filename_or_obj', 'space'];

// ---------------------------------------------------------------------------------------------

export interface SaveImageOptions {
  outputDir?: string;
  outputPostfix?: string;
  outputExt?: string;
  /** dtype written to the file (default float32; PNG: uint8 unless 'uint8'/'uint16') */
  outputDtype?: torch.DType | 'uint16' | null;
  resample?: boolean;
  mode?: 'nearest' | 'bilinear' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  scale?: 255 | 65535 | null;
  /** dtype used while resampling (default float64) */
  dtype?: torch.DType | null;
  squeezeEndDims?: boolean;
  dataRootDir?: string;
  separateFolder?: boolean;
  printLog?: boolean;
  outputFormat?: string;
  writer?: string | null;
  channelDim?: number | null;
  outputNameFormatter?: ((meta: MetaDict, saver: SaveImage) => { subject: string; idx?: number | string | null }) | null;
  savepathInMetadict?: boolean;
}

export const SAVE_IMAGE_OPTIONS = [
  'outputDir',
  'outputPostfix',
  'outputExt',
  'outputDtype',
  'resample',
  'mode',
  'paddingMode',
  'scale',
  'dtype',
  'squeezeEndDims',
  'dataRootDir',
  'separateFolder',
  'printLog',
  'outputFormat',
  'writer',
  'channelDim',
  'outputNameFormatter',
  'savepathInMetadict',
];

/** SaveImage's default file naming: the subject from meta filename_or_obj (else the saver's count), the patch index. */
export function defaultNameFormatter(meta: MetaDict | null | undefined, saver: SaveImage): { subject: string; idx: number | string | null } {
  return { subject: String(meta?.filename_or_obj ?? saver.dataIndex), idx: (meta?.patch_index ?? null) as number | string | null };
}

/**
 * Saves a channel-first image (MetaTensor, or tensor + metadata) to
 * `outputDir/[subject/]subject_postfix.ext`, optionally resampled back to the original affine and
 * spatial shape. Supported: .nii, .nii.gz, .png, .npy, .nrrd (atomic writes).
 */
export class SaveImage extends Transform {
  readonly outputDir: string;
  readonly outputPostfix: string;
  readonly outputExt: string;
  readonly outputDtype: torch.DType | 'uint16' | null;
  readonly resample: boolean;
  readonly mode: 'nearest' | 'bilinear' | 'bicubic';
  readonly paddingMode: 'zeros' | 'border' | 'reflection';
  readonly scale: number | null;
  readonly dtype: torch.DType | null;
  readonly squeezeEndDims: boolean;
  readonly dataRootDir: string;
  readonly separateFolder: boolean;
  readonly printLog: boolean;
  /** names of the writers tried in order (resolved on use, so a SaveImage travels to workers) */
  readonly writerNames: string[];
  channelDim: number | null;
  readonly nameFormatter: NonNullable<SaveImageOptions['outputNameFormatter']>;
  readonly savepathInMetadict: boolean;
  dataIndex = 0;

  constructor(options: SaveImageOptions = {}) {
    super();
    checkOptions('SaveImage', options, SAVE_IMAGE_OPTIONS);
    this.outputDir = options.outputDir ?? './';
    this.outputPostfix = options.outputPostfix ?? 'trans';
    let ext = (options.outputExt ?? '.nii.gz').toLowerCase() || (options.outputFormat ?? '').toLowerCase();
    if (ext && !ext.startsWith('.')) ext = `.${ext}`;
    this.outputExt = ext;
    this.writerNames = (options.writer ? [writerByName(options.writer)] : resolveWriter(this.outputExt)).map((w) => w.name);
    let od = options.outputDtype === undefined ? 'float32' : options.outputDtype;
    if (this.outputExt === '.png' && od !== 'uint8' && od !== 'uint16' && od !== null) od = 'uint8';
    if (od !== null && od !== 'uint16') torch.normalizeDtype(od);
    this.outputDtype = od;
    this.resample = options.resample ?? false;
    this.mode = checkChoice('SaveImage', 'mode', options.mode ?? 'nearest', ['nearest', 'bilinear', 'bicubic'] as const);
    this.paddingMode = checkChoice('SaveImage', 'paddingMode', options.paddingMode ?? 'border', ['zeros', 'border', 'reflection'] as const);
    this.scale = options.scale ?? null;
    if (this.scale !== null && this.scale !== 255 && this.scale !== 65535) throw new TypeError(`SaveImage: scale must be 255, 65535 or null, got ${this.scale}`);
    this.dtype = options.dtype === undefined ? 'float64' : options.dtype;
    this.squeezeEndDims = options.squeezeEndDims ?? true;
    this.dataRootDir = options.dataRootDir ?? '';
    this.separateFolder = options.separateFolder ?? true;
    this.printLog = options.printLog ?? true;
    this.channelDim = options.channelDim === undefined ? 0 : options.channelDim;
    this.nameFormatter = options.outputNameFormatter ?? defaultNameFormatter;
    this.savepathInMetadict = options.savepathInMetadict ?? false;
  }

  /** The writers tried in order (by name from the registry of image writers). */
  get writers(): WriterEntry[] {
    return this.writerNames.map((n) => writerByName(n));
  }

  /** Saves `img` (channel-first); returns `img`. */
  call(img: Tensor, metaData?: MetaDict | null, filename?: string | null): Tensor {
    if (!(img instanceof Tensor)) throw new TypeError('SaveImage: img must be a Tensor or MetaTensor');
    const meta: MetaDict | null = img instanceof MetaTensor ? img.meta : (metaData ?? null);
    let file: string;
    if (filename) file = `${filename}${this.outputExt}`;
    else {
      const kw = this.nameFormatter(meta ?? {}, this);
      file = createFileBasename(this.outputPostfix, kw.subject, this.outputDir, this.dataRootDir, this.separateFolder, kw.idx ?? null, true) + this.outputExt;
    }
    let channelDim = this.channelDim;
    const ss = meta?.spatial_shape;
    if (meta && ss && ss.length >= img.shape.length) channelDim = null;
    const affine = meta?.affine ?? identity();
    const errs: string[] = [];
    for (const w of this.writers) {
      try {
        torch.tidy(() => {
          let data: Tensor = img;
          let outAffine = affine;
          let cd = channelDim;
          const originalAffine = meta?.original_affine;
          if (this.resample && originalAffine instanceof Float64Array) {
            const cf = channelDim === null ? data.unsqueeze(0) : channelDim === 0 ? data : data.movedim(channelDim, 0);
            const shape = ss ? Array.from(ss).slice(0, cf.shape.length - 1) : null;
            data = resampleToAffine(cf, affine, originalAffine, shape, this.mode, this.paddingMode, false, this.dtype ?? 'float64');
            outAffine = originalAffine;
            if (channelDim === null) data = data.squeeze(0);
            else cd = 0;
          }
          const cl = convertToChannelLast(data, cd, this.squeezeEndDims, w.spatialNdim);
          let out: Tensor = cl;
          const od = this.outputDtype;
          if (w.name !== 'PILWriter') {
            if (od !== null && od !== 'uint16' && out.dtype !== od) out = out.to({ dtype: od });
          } else if (od === 'uint8' && !this.scale && out.dtype !== 'uint8') out = out.to({ dtype: 'uint8' });
          if (!out.device.startsWith('cpu')) out = out.to({ device: 'cpu' }); // files are written from host memory
          const inSpatial = cd === null ? data.shape.length : data.shape.length - 1;
          const spatialNdim = Math.min(w.spatialNdim ?? inSpatial, out.shape.length);
          w.write(file, { data: out, affine: outAffine, spatialNdim, scale: this.scale, outputDtype: od });
        });
      } catch (e) {
        errs.push(`${w.name}: ${(e as Error).message}`);
        continue;
      }
      this.dataIndex++;
      if (this.printLog && process.env.MONAI_TS_LOG) console.info(`file written: ${file}.`);
      if (this.savepathInMetadict && meta) meta.saved_to = file;
      return img;
    }
    throw new Error(`SaveImage cannot write ${file}:\n${errs.join('\n')}`);
  }
}

function identity(): Float64Array {
  const a = new Float64Array(16);
  a[0] = a[5] = a[10] = a[15] = 1;
  return a;
}

export { copyMeta, didYouMean };
