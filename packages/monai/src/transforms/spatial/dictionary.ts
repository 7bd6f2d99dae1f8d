/**
 * Deterministic spatial dictionary transforms (MONAI's spatial/dictionary.py): SpatialResampled,
 * ResampleToMatchd, Spacingd, Orientationd, Flipd, Resized, Rotated, Zoomd, Rotate90d, Affined. Each
 * holds its array transform and hands it the per-key options; `inverse` undoes each key's record.
 */
import { Tensor } from '@monai-ts/torch';
import { checkedKeys, checkGridModes, checkInterpModes, perKeyResampling, tensorAt } from './dict_utils.js';
import { MetaTensor } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { MapTransform, perKey, type DataDict } from '../transform.js';
import { peekPendingShape } from '../lazy/utils.js';
import { allClose, type Mat } from './matrix.js';
import {
  Flip,
  Orientation,
  Resize,
  ResampleToMatch,
  Rotate,
  Rotate90,
  SpatialResample,
  Spacing,
  Zoom,
  type AxisLabels,
  type FloatDType,
  type ResizeOptions,
  type RotateOptions,
  type SpacingOptions,
  type ZoomOptions,
} from './array.js';
import { Affine, type AffineOptions } from './array_affine.js';

type PerKey<T> = T | readonly T[];
const MAP_KEYS = ['keys', 'allowMissingKeys', 'lazy'] as const;


interface MapBase {
  keys: string | readonly string[];
  allowMissingKeys?: boolean;
  lazy?: boolean;
}

// ---------------------------------------------------------------------------------------------

export interface SpatialResampledOptions extends MapBase {
  mode?: PerKey<'bilinear' | 'nearest' | 'bicubic'>;
  paddingMode?: PerKey<'zeros' | 'border' | 'reflection'>;
  alignCorners?: PerKey<boolean>;
  dtype?: PerKey<FloatDType | null>;
  /** keys whose values are the destination affines (default 'dst_affine') */
  dstKeys?: PerKey<string>;
}

/** SpatialResample per key, to the affine stored under the matching dst key (MONAI's SpatialResampled). */
export class SpatialResampled extends MapTransform {
  override readonly supportsLazy = true;
  readonly spTransform = new SpatialResample({});
  readonly mode: string[];
  readonly paddingMode: string[];
  readonly alignCorners: boolean[];
  readonly dtype: (FloatDType | null)[];
  readonly dstKeys: string[];

  constructor(options: SpatialResampledOptions) {
    checkOptions('SpatialResampled', options, [...MAP_KEYS, 'mode', 'paddingMode', 'alignCorners', 'dtype', 'dstKeys'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    const n = this.keys.length;
    ({ mode: this.mode, paddingMode: this.paddingMode, alignCorners: this.alignCorners, dtype: this.dtype } = perKeyResampling(this, options, { mode: 'bilinear', paddingMode: 'border', alignCorners: false, dtype: 'float64', kind: 'grid' }));
    this.dstKeys = perKey(options.dstKeys ?? 'dst_affine', n, this.name, 'dstKeys');
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    const lazy_ = lazy ?? this.lazy;
    for (const [key, mode, pm, ac, dtype, dstKey] of checkedKeys<[string, string, boolean, FloatDType | null, string]>(this, d, this.mode, this.paddingMode, this.alignCorners, this.dtype, this.dstKeys)) {
      const dst = d[dstKey];
      if (dst === undefined) throw new TypeError(`${this.name}: the destination affine key '${dstKey}' (for key '${key}') is not in the data`);
      d[key] = this.spTransform.call(tensorAt(d, key, this.name), lazy_, { dstAffine: dst as Mat, spatialSize: null, mode: mode as 'bilinear', paddingMode: pm as 'border', alignCorners: ac, dtype });
    }
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.spTransform.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

export interface ResampleToMatchdOptions extends Omit<SpatialResampledOptions, 'dstKeys'> {
  /** the key of the image to match */
  keyDst: string;
}

/** ResampleToMatch per key, matching data[keyDst] (MONAI's ResampleToMatchd). */
export class ResampleToMatchd extends MapTransform {
  override readonly supportsLazy = true;
  readonly resampler = new ResampleToMatch({});
  readonly keyDst: string;
  readonly mode: string[];
  readonly paddingMode: string[];
  readonly alignCorners: boolean[];
  readonly dtype: (FloatDType | null)[];

  constructor(options: ResampleToMatchdOptions) {
    checkOptions('ResampleToMatchd', options, [...MAP_KEYS, 'keyDst', 'mode', 'paddingMode', 'alignCorners', 'dtype'], ['keys', 'keyDst']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.keyDst = options.keyDst;
    ({ mode: this.mode, paddingMode: this.paddingMode, alignCorners: this.alignCorners, dtype: this.dtype } = perKeyResampling(this, options, { mode: 'bilinear', paddingMode: 'border', alignCorners: false, dtype: 'float64', kind: 'grid' }));
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    const lazy_ = lazy ?? this.lazy;
    const dst = tensorAt(d, this.keyDst, this.name);
    for (const [key, mode, pm, ac, dtype] of checkedKeys<[string, string, boolean, FloatDType | null]>(this, d, this.mode, this.paddingMode, this.alignCorners, this.dtype))
      d[key] = this.resampler.call(tensorAt(d, key, this.name), lazy_, { imgDst: dst, mode: mode as 'bilinear', paddingMode: pm as 'border', alignCorners: ac, dtype });
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.resampler.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

// ---------------------------------------------------------------------------------------------

export interface SpacingdOptions extends MapBase, Omit<SpacingOptions, 'mode' | 'paddingMode' | 'alignCorners' | 'dtype' | 'scaleExtent' | 'lazy'> {
  mode?: PerKey<'bilinear' | 'nearest' | 'bicubic'>;
  paddingMode?: PerKey<'zeros' | 'border' | 'reflection'>;
  alignCorners?: PerKey<boolean>;
  dtype?: PerKey<FloatDType | null>;
  scaleExtent?: PerKey<boolean>;
  /** give keys with the same shape and spacing the same output shape (default true) */
  ensureSameShape?: boolean;
}

/** Spacing per key with per-key modes (MONAI's Spacingd). */
export class Spacingd extends MapTransform {
  override readonly supportsLazy = true;
  readonly spacingTransform: Spacing;
  readonly mode: string[];
  readonly paddingMode: string[];
  readonly alignCorners: boolean[];
  readonly dtype: (FloatDType | null)[];
  readonly scaleExtent: boolean[];
  readonly ensureSameShape: boolean;

  constructor(options: SpacingdOptions) {
    checkOptions('Spacingd', options, [...MAP_KEYS, 'pixdim', 'diagonal', 'mode', 'paddingMode', 'alignCorners', 'dtype', 'scaleExtent', 'recomputeAffine', 'minPixdim', 'maxPixdim', 'ensureSameShape'], ['keys', 'pixdim']);
    super(options.keys, options.allowMissingKeys ?? false);
    const n = this.keys.length;
    this.spacingTransform = new Spacing({ pixdim: options.pixdim, diagonal: options.diagonal, recomputeAffine: options.recomputeAffine, minPixdim: options.minPixdim, maxPixdim: options.maxPixdim });
    ({ mode: this.mode, paddingMode: this.paddingMode, alignCorners: this.alignCorners, dtype: this.dtype } = perKeyResampling(this, options, { mode: 'bilinear', paddingMode: 'border', alignCorners: false, dtype: 'float64', kind: 'grid' }));
    this.scaleExtent = perKey(options.scaleExtent ?? false, n, this.name, 'scaleExtent');
    this.ensureSameShape = options.ensureSameShape ?? true;
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    const lazy_ = lazy ?? this.lazy;
    let initShape: number[] | null = null;
    let initPixdim: number[] | null = null;
    let shouldMatch = false;
    let outShape: number[] | null = null;
    for (const [key, mode, pm, ac, dtype, se] of checkedKeys<[string, string, boolean, FloatDType | null, boolean]>(this, d, this.mode, this.paddingMode, this.alignCorners, this.dtype, this.scaleExtent)) {
      const img = tensorAt(d, key, this.name);
      if (this.ensureSameShape && img instanceof MetaTensor) {
        if (initShape === null) {
          initShape = peekPendingShape(img);
          initPixdim = img.pixdim;
        } else {
          const s = peekPendingShape(img);
          const p = img.pixdim;
          shouldMatch = s.length === initShape.length && allClose(initShape, s) && p.length === initPixdim!.length && allClose(initPixdim!, p, 1e-3);
        }
      }
      d[key] = this.spacingTransform.call(img, lazy_, {
        mode: mode as 'bilinear',
        paddingMode: pm as 'border',
        alignCorners: ac,
        dtype,
        scaleExtent: se,
        outputSpatialShape: shouldMatch ? outShape : null,
      });
      if (outShape === null) outShape = peekPendingShape(d[key] as Tensor);
    }
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.spacingTransform.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

export interface OrientationdOptions extends MapBase {
  axcodes?: string | null;
  asClosestCanonical?: boolean;
  labels?: AxisLabels | null;
}

/** Orientation per key (MONAI's Orientationd). */
export class Orientationd extends MapTransform {
  override readonly supportsLazy = true;
  readonly orntTransform: Orientation;

  constructor(options: OrientationdOptions) {
    checkOptions('Orientationd', options, [...MAP_KEYS, 'axcodes', 'asClosestCanonical', 'labels'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.orntTransform = new Orientation({ axcodes: options.axcodes, asClosestCanonical: options.asClosestCanonical, labels: options.labels });
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.orntTransform.call(tensorAt(d, key, this.name), lazy ?? this.lazy);
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.orntTransform.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

/** Flip per key (MONAI's Flipd). */
export class Flipd extends MapTransform {
  override readonly supportsLazy = true;
  readonly flipper: Flip;

  constructor(options: MapBase & { spatialAxis?: number | readonly number[] | null }) {
    checkOptions('Flipd', options, [...MAP_KEYS, 'spatialAxis'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.flipper = new Flip({ spatialAxis: options.spatialAxis });
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.flipper.call(tensorAt(d, key, this.name), lazy ?? this.lazy);
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.flipper.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

export interface ResizedOptions extends MapBase {
  spatialSize: ResizeOptions['spatialSize'];
  sizeMode?: 'all' | 'longest';
  mode?: PerKey<string>;
  alignCorners?: PerKey<boolean | null>;
  antiAliasing?: PerKey<boolean>;
  antiAliasingSigma?: number | number[] | null | readonly (number | number[] | null)[];
  dtype?: PerKey<FloatDType | null>;
}

/** Resize per key (MONAI's Resized). */
export class Resized extends MapTransform {
  override readonly supportsLazy = true;
  readonly resizer: Resize;
  readonly mode: string[];
  readonly alignCorners: (boolean | null)[];
  readonly antiAliasing: boolean[];
  readonly antiAliasingSigma: (number | number[] | null)[];
  readonly dtype: (FloatDType | null)[];

  constructor(options: ResizedOptions) {
    checkOptions('Resized', options, [...MAP_KEYS, 'spatialSize', 'sizeMode', 'mode', 'alignCorners', 'antiAliasing', 'antiAliasingSigma', 'dtype'], ['keys', 'spatialSize']);
    super(options.keys, options.allowMissingKeys ?? false);
    const n = this.keys.length;
    this.resizer = new Resize({ spatialSize: options.spatialSize, sizeMode: options.sizeMode });
    this.mode = perKey(options.mode ?? 'area', n, this.name, 'mode');
    this.alignCorners = perKey<boolean | null>(options.alignCorners ?? null, n, this.name, 'alignCorners');
    this.antiAliasing = perKey(options.antiAliasing ?? false, n, this.name, 'antiAliasing');
    const sig = options.antiAliasingSigma ?? null;
    // a list of numbers is one sigma per axis for every key; a list holding lists/null is per key
    this.antiAliasingSigma = Array.isArray(sig) && sig.some((s) => Array.isArray(s) || s === null) ? perKey(sig as (number | number[] | null)[], n, this.name, 'antiAliasingSigma') : new Array(n).fill(sig);
    this.dtype = perKey<FloatDType | null>(options.dtype === undefined ? 'float32' : options.dtype, n, this.name, 'dtype');
    checkInterpModes(this.name, this.mode);
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    for (const [key, mode, ac, aa, sig, dtype] of checkedKeys<[string, boolean | null, boolean, number | number[] | null, FloatDType | null]>(this, d, this.mode, this.alignCorners, this.antiAliasing, this.antiAliasingSigma, this.dtype))
      d[key] = this.resizer.call(tensorAt(d, key, this.name), lazy ?? this.lazy, { mode, alignCorners: ac, antiAliasing: aa, antiAliasingSigma: sig, dtype });
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.resizer.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

export interface RotatedOptions extends MapBase {
  angle: RotateOptions['angle'];
  keepSize?: boolean;
  mode?: PerKey<'bilinear' | 'nearest' | 'bicubic'>;
  paddingMode?: PerKey<'zeros' | 'border' | 'reflection'>;
  alignCorners?: PerKey<boolean>;
  dtype?: PerKey<FloatDType | null>;
}

/** Rotate per key (MONAI's Rotated). */
export class Rotated extends MapTransform {
  override readonly supportsLazy = true;
  readonly rotator: Rotate;
  readonly mode: string[];
  readonly paddingMode: string[];
  readonly alignCorners: boolean[];
  readonly dtype: (FloatDType | null)[];

  constructor(options: RotatedOptions) {
    checkOptions('Rotated', options, [...MAP_KEYS, 'angle', 'keepSize', 'mode', 'paddingMode', 'alignCorners', 'dtype'], ['keys', 'angle']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.rotator = new Rotate({ angle: options.angle, keepSize: options.keepSize });
    ({ mode: this.mode, paddingMode: this.paddingMode, alignCorners: this.alignCorners, dtype: this.dtype } = perKeyResampling(this, options, { mode: 'bilinear', paddingMode: 'border', alignCorners: false, dtype: 'float32', kind: 'grid' }));
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    for (const [key, mode, pm, ac, dtype] of checkedKeys<[string, string, boolean, FloatDType | null]>(this, d, this.mode, this.paddingMode, this.alignCorners, this.dtype))
      d[key] = this.rotator.call(tensorAt(d, key, this.name), lazy ?? this.lazy, { mode, paddingMode: pm, alignCorners: ac, dtype });
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.rotator.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

export interface ZoomdOptions extends MapBase {
  zoom: ZoomOptions['zoom'];
  mode?: PerKey<string>;
  paddingMode?: PerKey<string>;
  alignCorners?: PerKey<boolean | null>;
  dtype?: PerKey<FloatDType | null>;
  keepSize?: boolean;
}

/** Zoom per key (MONAI's Zoomd). */
export class Zoomd extends MapTransform {
  override readonly supportsLazy = true;
  readonly zoomer: Zoom;
  readonly mode: string[];
  readonly paddingMode: string[];
  readonly alignCorners: (boolean | null)[];
  readonly dtype: (FloatDType | null)[];

  constructor(options: ZoomdOptions) {
    checkOptions('Zoomd', options, [...MAP_KEYS, 'zoom', 'mode', 'paddingMode', 'alignCorners', 'dtype', 'keepSize'], ['keys', 'zoom']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.zoomer = new Zoom({ zoom: options.zoom, keepSize: options.keepSize });
    ({ mode: this.mode, paddingMode: this.paddingMode, alignCorners: this.alignCorners, dtype: this.dtype } = perKeyResampling(this, options, { mode: 'area', paddingMode: 'edge', alignCorners: null, dtype: 'float32', kind: 'interp' }));
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    for (const [key, mode, pm, ac, dtype] of checkedKeys<[string, string, boolean | null, FloatDType | null]>(this, d, this.mode, this.paddingMode, this.alignCorners, this.dtype))
      d[key] = this.zoomer.call(tensorAt(d, key, this.name), lazy ?? this.lazy, { mode, paddingMode: pm, alignCorners: ac, dtype });
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.zoomer.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

/** Rotate90 per key (MONAI's Rotate90d). */
export class Rotate90d extends MapTransform {
  override readonly supportsLazy = true;
  readonly rotator: Rotate90;

  constructor(options: MapBase & { k?: number; spatialAxes?: readonly number[] }) {
    checkOptions('Rotate90d', options, [...MAP_KEYS, 'k', 'spatialAxes'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.rotator = new Rotate90({ k: options.k, spatialAxes: options.spatialAxes });
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.rotator.call(tensorAt(d, key, this.name), lazy ?? this.lazy);
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.rotator.inverse(tensorAt(d, key, this.name));
    return d;
  }
}

export interface AffinedOptions extends MapBase, Omit<AffineOptions, 'mode' | 'paddingMode' | 'imageOnly' | 'normalized' | 'lazy'> {
  mode?: PerKey<'bilinear' | 'nearest' | 'bicubic'>;
  paddingMode?: PerKey<'zeros' | 'border' | 'reflection'>;
}

/** Affine per key (MONAI's Affined). */
export class Affined extends MapTransform {
  override readonly supportsLazy = true;
  readonly affine: Affine;
  readonly mode: string[];
  readonly paddingMode: string[];

  constructor(options: AffinedOptions) {
    checkOptions('Affined', options, [...MAP_KEYS, 'rotateParams', 'shearParams', 'translateParams', 'scaleParams', 'affine', 'spatialSize', 'mode', 'paddingMode', 'dtype', 'alignCorners'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    const { keys: _k, allowMissingKeys: _a, lazy: _l, mode, paddingMode, ...rest } = options;
    this.affine = new Affine({ ...rest, imageOnly: false });
    const n = this.keys.length;
    this.mode = perKey(mode ?? 'bilinear', n, this.name, 'mode');
    this.paddingMode = perKey(paddingMode ?? 'reflection', n, this.name, 'paddingMode');
    checkGridModes(this.name, this.mode, this.paddingMode);
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    for (const [key, mode, pm] of checkedKeys<[string, string]>(this, d, this.mode, this.paddingMode)) {
      const r = this.affine.call(tensorAt(d, key, this.name), lazy ?? this.lazy, { mode, paddingMode: pm });
      d[key] = Array.isArray(r) ? r[0] : r;
    }
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) d[key] = this.affine.inverse(tensorAt(d, key, this.name));
    return d;
  }
}
