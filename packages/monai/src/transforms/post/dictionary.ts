/**
 * Dictionary forms of the post-processing transforms (MONAI's monai/transforms/post/dictionary.py):
 * each applies its array transform to every key; per-key options take one value or one per key.
 */
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, copyMeta, type AppliedOperation, type MetaDict } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { MapTransform, TraceKeys, Transform, describeValue, isInvertible, perKey, type DataDict, type InvertibleTransform } from '../transform.js';
import {
  Activations, AsDiscrete, DistanceTransformEDT, FillHoles, KeepLargestConnectedComponent, LabelFilter, LabelToContour, MeanEnsemble, ProbNMS, RemoveSmallObjects, SobelGradients, VoteEnsemble,
  type ActivationFn, type AsDiscreteOptions, type KeepLargestConnectedComponentOptions, type ProbNMSOptions, type RemoveSmallObjectsOptions, type SobelGradientsOptions,
} from './array.js';
import { convertAppliedInterpMode } from './functional.js';
import { likeInput } from '../utils.js';

interface KeysOptions {
  keys: string | readonly string[];
  allowMissingKeys?: boolean;
}

const KEY_OPTS = ['keys', 'allowMissingKeys'] as const;

export interface ActivationsdOptions extends KeysOptions {
  sigmoid?: boolean | readonly boolean[];
  softmax?: boolean | readonly boolean[];
  other?: ActivationFn | null | readonly (ActivationFn | null)[];
  dim?: number;
}

export class Activationsd extends MapTransform {
  readonly sigmoid: boolean[];
  readonly softmax: boolean[];
  readonly other: (ActivationFn | null)[];
  readonly converter: Activations;

  constructor(options: ActivationsdOptions) {
    checkOptions('Activationsd', options, [...KEY_OPTS, 'sigmoid', 'softmax', 'other', 'dim'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    const n = this.keys.length;
    this.sigmoid = perKey(options.sigmoid ?? false, n, this.name, 'sigmoid');
    this.softmax = perKey(options.softmax ?? false, n, this.name, 'softmax');
    this.other = perKey<ActivationFn | null>(options.other ?? null, n, this.name, 'other');
    this.converter = new Activations({ dim: options.dim ?? 0 });
  }

  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key, sigmoid, softmax, other] of this.keyIterator<[boolean, boolean, ActivationFn | null]>(d, this.sigmoid, this.softmax, this.other)) {
      d[key] = this.converter.call(tensorAt(d, key, this.name), { sigmoid, softmax, other });
    }
    return d;
  }
}

export interface AsDiscretedOptions extends KeysOptions {
  argmax?: boolean | readonly boolean[];
  toOnehot?: number | null | readonly (number | null)[];
  threshold?: number | null | readonly (number | null)[];
  rounding?: 'torchrounding' | null | readonly ('torchrounding' | null)[];
  dim?: number;
  keepdim?: boolean;
  dtype?: AsDiscreteOptions['dtype'];
}

export class AsDiscreted extends MapTransform {
  readonly argmax: boolean[];
  readonly toOnehot: (number | null)[];
  readonly threshold: (number | null)[];
  readonly rounding: ('torchrounding' | null)[];
  readonly converter: AsDiscrete;

  constructor(options: AsDiscretedOptions) {
    checkOptions('AsDiscreted', options, [...KEY_OPTS, 'argmax', 'toOnehot', 'threshold', 'rounding', 'dim', 'keepdim', 'dtype'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    const n = this.keys.length;
    this.argmax = perKey(options.argmax ?? false, n, this.name, 'argmax');
    this.toOnehot = perKey<number | null>(options.toOnehot ?? null, n, this.name, 'toOnehot');
    this.threshold = perKey<number | null>(options.threshold ?? null, n, this.name, 'threshold');
    this.rounding = perKey<'torchrounding' | null>(options.rounding ?? null, n, this.name, 'rounding');
    for (const t of this.toOnehot) if (typeof t === 'boolean') throw new TypeError('AsDiscreted: toOnehot=true/false is not supported; give the number of classes');
    this.converter = new AsDiscrete({ dim: options.dim, keepdim: options.keepdim, dtype: options.dtype });
  }

  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key, argmax, toOnehot, threshold, rounding] of this.keyIterator<[boolean, number | null, number | null, 'torchrounding' | null]>(d, this.argmax, this.toOnehot, this.threshold, this.rounding)) {
      d[key] = this.converter.call(tensorAt(d, key, this.name), { argmax, toOnehot, threshold, rounding });
    }
    return d;
  }
}

function tensorAt(d: DataDict, key: string, who: string): Tensor {
  const v = d[key];
  if (!(v instanceof Tensor)) throw new TypeError(`${who}: d['${key}'] must be a Tensor, got ${describeValue(v)}`);
  return v;
}

/** A dictionary transform applying one array transform to each key. */
abstract class PerKey<T extends Transform> extends MapTransform {
  abstract readonly transform: T;
  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.transform.call(tensorAt(d, key, this.name));
    return d;
  }
}

export class KeepLargestConnectedComponentd extends PerKey<KeepLargestConnectedComponent> {
  readonly transform: KeepLargestConnectedComponent;
  constructor(options: KeysOptions & KeepLargestConnectedComponentOptions) {
    checkOptions('KeepLargestConnectedComponentd', options, [...KEY_OPTS, 'appliedLabels', 'isOnehot', 'independent', 'connectivity', 'numComponents'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    const { keys: _k, allowMissingKeys: _a, ...rest } = options;
    this.transform = new KeepLargestConnectedComponent(rest);
  }
}

export class RemoveSmallObjectsd extends PerKey<RemoveSmallObjects> {
  readonly transform: RemoveSmallObjects;
  constructor(options: KeysOptions & RemoveSmallObjectsOptions) {
    checkOptions('RemoveSmallObjectsd', options, [...KEY_OPTS, 'minSize', 'connectivity', 'independentChannels', 'byMeasure', 'pixdim'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    const { keys: _k, allowMissingKeys: _a, ...rest } = options;
    this.transform = new RemoveSmallObjects(rest);
  }
}

export class LabelFilterd extends PerKey<LabelFilter> {
  readonly transform: LabelFilter;
  constructor(options: KeysOptions & { appliedLabels: number | readonly number[] }) {
    checkOptions('LabelFilterd', options, [...KEY_OPTS, 'appliedLabels'], ['keys', 'appliedLabels']);
    super(options.keys, options.allowMissingKeys);
    this.transform = new LabelFilter({ appliedLabels: options.appliedLabels });
  }
}

export class FillHolesd extends PerKey<FillHoles> {
  readonly transform: FillHoles;
  constructor(options: KeysOptions & { appliedLabels?: number | readonly number[] | null; connectivity?: number | null }) {
    checkOptions('FillHolesd', options, [...KEY_OPTS, 'appliedLabels', 'connectivity'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    this.transform = new FillHoles({ appliedLabels: options.appliedLabels, connectivity: options.connectivity });
  }
}

export class LabelToContourd extends PerKey<LabelToContour> {
  readonly transform: LabelToContour;
  constructor(options: KeysOptions & { kernelType?: 'Laplace' }) {
    checkOptions('LabelToContourd', options, [...KEY_OPTS, 'kernelType'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    this.transform = new LabelToContour({ kernelType: options.kernelType });
  }
}

export class DistanceTransformEDTd extends PerKey<DistanceTransformEDT> {
  readonly transform: DistanceTransformEDT;
  constructor(options: KeysOptions & { sampling?: number | readonly number[] | null }) {
    checkOptions('DistanceTransformEDTd', options, [...KEY_OPTS, 'sampling'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    this.transform = new DistanceTransformEDT({ sampling: options.sampling });
  }
}

export class SobelGradientsd extends MapTransform {
  readonly transform: SobelGradients;
  readonly newKeyPrefix: string | null;
  constructor(options: KeysOptions & SobelGradientsOptions & { newKeyPrefix?: string | null }) {
    checkOptions('SobelGradientsd', options, [...KEY_OPTS, 'kernelSize', 'spatialAxes', 'normalizeKernels', 'normalizeGradients', 'paddingMode', 'dtype', 'newKeyPrefix'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    const { keys: _k, allowMissingKeys: _a, newKeyPrefix, ...rest } = options;
    this.transform = new SobelGradients(rest);
    this.newKeyPrefix = newKeyPrefix ?? null;
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[this.newKeyPrefix === null ? key : this.newKeyPrefix + key] = this.transform.call(tensorAt(d, key, this.name));
    return d;
  }
}

export class ProbNMSd extends MapTransform {
  readonly transform: ProbNMS;
  constructor(options: KeysOptions & ProbNMSOptions) {
    checkOptions('ProbNMSd', options, [...KEY_OPTS, 'spatialDims', 'sigma', 'probThreshold', 'boxSize'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    const { keys: _k, allowMissingKeys: _a, ...rest } = options;
    this.transform = new ProbNMS(rest);
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.transform.call(tensorAt(d, key, this.name));
    return d;
  }
}

/** Applies an ensemble function to the values of `keys` and stores the result at `outputKey`. */
export class Ensembled extends MapTransform {
  /** the function, or the transform whose call ensembles (kept as given, so the transform can travel to workers) */
  readonly ensemble: ((items: Tensor | Tensor[]) => Tensor) | { call(items: Tensor | Tensor[]): Tensor };
  readonly outputKey: string;

  constructor(options: KeysOptions & { ensemble: ((items: Tensor | Tensor[]) => Tensor) | { call(items: Tensor | Tensor[]): Tensor }; outputKey?: string | null }) {
    checkOptions(new.target.name, options, [...KEY_OPTS, 'ensemble', 'outputKey', 'weights', 'numClasses'], ['keys']);
    super(options.keys, options.allowMissingKeys);
    const e = options.ensemble;
    if (typeof e === 'function' || (e && typeof e.call === 'function')) this.ensemble = e;
    else throw new TypeError(`${this.name}: ensemble must be a function or a transform, got ${describeValue(e)}`);
    if (this.keys.length > 1 && (options.outputKey === undefined || options.outputKey === null)) throw new TypeError(`${this.name}: outputKey is required when there are several keys`);
    this.outputKey = options.outputKey ?? this.keys[0];
  }

  call(data: DataDict): DataDict {
    const d = { ...data };
    let items: Tensor | Tensor[];
    if (this.keys.length === 1 && this.keys[0] in d) items = tensorAt(d, this.keys[0], this.name);
    else items = [...this.keyIterator(d)].map(([k]) => tensorAt(d, k, this.name));
    const e = this.ensemble;
    if (items instanceof Tensor || items.length > 0) d[this.outputKey] = typeof e === 'function' ? e(items) : e.call(items);
    return d;
  }
}

export class MeanEnsembled extends Ensembled {
  constructor(options: KeysOptions & { outputKey?: string | null; weights?: readonly number[] | readonly (readonly number[])[] | null }) {
    const t = new MeanEnsemble({ weights: options.weights ?? null });
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, outputKey: options.outputKey, ensemble: t, ...checkExtra(options, 'MeanEnsembled', ['weights']) });
  }
}

export class VoteEnsembled extends Ensembled {
  constructor(options: KeysOptions & { outputKey?: string | null; numClasses?: number | null }) {
    const t = new VoteEnsemble({ numClasses: options.numClasses ?? null });
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, outputKey: options.outputKey, ensemble: t, ...checkExtra(options, 'VoteEnsembled', ['numClasses']) });
  }
}

function checkExtra(options: object, who: string, extra: string[]): Record<string, never> {
  checkOptions(who, options, [...KEY_OPTS, 'outputKey', ...extra], ['keys']);
  return {};
}

export interface InvertdOptions extends KeysOptions {
  /** the transform (usually the preprocessing Compose) applied to `origKeys` */
  transform: InvertibleTransform;
  origKeys?: string | readonly string[] | null;
  metaKeys?: string | readonly (string | null)[] | null;
  origMetaKeys?: string | readonly (string | null)[] | null;
  metaKeyPostfix?: string;
  nearestInterp?: boolean | readonly boolean[];
  toTensor?: boolean | readonly boolean[];
  device?: string | null | readonly (string | null)[];
  postFunc?: ((t: Tensor) => Tensor) | null | readonly (((t: Tensor) => Tensor) | null)[];
}

/**
 * Inverts, on `keys` (e.g. predictions), the transform previously applied to `origKeys` (e.g. the
 * image), using the original's applied operations and metadata (MONAI's Invertd).
 */
export class Invertd extends MapTransform {
  readonly transform: InvertibleTransform;
  readonly origKeys: string[];
  readonly metaKeys: (string | null)[];
  readonly origMetaKeys: (string | null)[];
  readonly metaKeyPostfix: string[];
  readonly nearestInterp: boolean[];
  readonly toTensor: boolean[];
  readonly device: (string | null)[];
  readonly postFunc: (((t: Tensor) => Tensor) | null)[];

  constructor(options: InvertdOptions) {
    checkOptions('Invertd', options, [...KEY_OPTS, 'transform', 'origKeys', 'metaKeys', 'origMetaKeys', 'metaKeyPostfix', 'nearestInterp', 'toTensor', 'device', 'postFunc'], ['keys', 'transform']);
    super(options.keys, options.allowMissingKeys);
    if (!isInvertible(options.transform)) throw new TypeError(`Invertd: transform must be invertible (a transform with an inverse method), got ${describeValue(options.transform)}`);
    this.transform = options.transform;
    const n = this.keys.length;
    this.origKeys = options.origKeys === undefined || options.origKeys === null ? [...this.keys] : perKey(typeof options.origKeys === 'string' ? options.origKeys : [...options.origKeys], n, this.name, 'origKeys');
    const mk = options.metaKeys ?? null;
    this.metaKeys = mk === null ? new Array<null>(n).fill(null) : typeof mk === 'string' ? [mk] : [...mk];
    if (this.metaKeys.length !== n) throw new TypeError(`Invertd: metaKeys must hold one key per key (${n}), got ${this.metaKeys.length}`);
    this.origMetaKeys = perKey<string | null>(options.origMetaKeys === undefined ? null : typeof options.origMetaKeys === 'string' ? options.origMetaKeys : options.origMetaKeys === null ? null : [...options.origMetaKeys], n, this.name, 'origMetaKeys');
    this.metaKeyPostfix = perKey(options.metaKeyPostfix ?? 'meta_dict', n, this.name, 'metaKeyPostfix');
    this.nearestInterp = perKey(options.nearestInterp ?? true, n, this.name, 'nearestInterp');
    this.toTensor = perKey(options.toTensor ?? true, n, this.name, 'toTensor');
    this.device = perKey<string | null>(options.device ?? null, n, this.name, 'device');
    this.postFunc = perKey<((t: Tensor) => Tensor) | null>(options.postFunc ?? null, n, this.name, 'postFunc');
  }

  call(data: DataDict): DataDict {
    const d: DataDict = { ...data };
    type Row = [string, string | null, string | null, string, boolean, boolean, string | null, ((t: Tensor) => Tensor) | null];
    for (const [key, origKey, metaKey, origMetaKey0, postfix, nearest, , device, postFunc] of this.keyIterator<[string, string | null, string | null, string, boolean, boolean, string | null, ((t: Tensor) => Tensor) | null]>(
      d, this.origKeys, this.metaKeys, this.origMetaKeys, this.metaKeyPostfix, this.nearestInterp, this.toTensor, this.device, this.postFunc,
    ) as Iterable<[string, ...Row]>) {
      const traceKey = `${origKey}${TraceKeys.KEY_SUFFIX}`;
      if (d[key] instanceof MetaTensor) {
        if (!(origKey in d)) {
          process.emitWarning(`Invertd: transform info of '${origKey}' is not available in MetaTensor '${key}'`);
          continue;
        }
      } else if (!(traceKey in d)) {
        process.emitWarning(`Invertd: transform info of '${origKey}' is not available or no invertible transform was applied`);
        continue;
      }
      const origMetaKey = origMetaKey0 ?? `${origKey}_${postfix}`;
      const orig = d[origKey];
      let transformInfo: AppliedOperation[];
      let metaInfo: MetaDict;
      if (orig instanceof MetaTensor) {
        transformInfo = orig.appliedOperations;
        metaInfo = orig.meta;
      } else {
        transformInfo = (d[traceKey] as AppliedOperation[]) ?? [];
        metaInfo = (d[origMetaKey] as MetaDict) ?? {};
      }
      if (nearest) transformInfo = convertAppliedInterpMode(transformInfo, 'nearest', null);
      const value = d[key];
      if (!(value instanceof Tensor)) throw new TypeError(`Invertd: d['${key}'] must be a Tensor, got ${describeValue(value)}`);
      const input = likeInput(value.detach() as Tensor, value);
      const inputs = input instanceof MetaTensor ? input : MetaTensor.wrap(input, {});
      inputs.appliedOperations = copyMeta(transformInfo);
      inputs.meta = copyMeta(metaInfo);
      const inputDict: DataDict = { [origKey]: inputs };
      let inverted: DataDict;
      try {
        inverted = withMissingKeysAllowed(this.transform, () => this.transform.inverse(inputDict)) as DataDict;
      } catch (e) {
        inputs.dispose();
        throw e;
      }
      let out = inverted[origKey];
      if (out !== inputs) inputs.dispose(); // our detached copy of d[key]
      if (out instanceof Tensor && device !== null) {
        const moved = out.to({ device });
        if (moved !== out) out.dispose();
        out = moved;
      }
      d[key] = postFunc && out instanceof Tensor ? postFunc(out) : out;
      if (traceKey in d && out instanceof MetaTensor) d[traceKey] = out.appliedOperations;
      if (origMetaKey in d) d[metaKey ?? `${key}_${postfix}`] = inverted[origMetaKey] ?? (out instanceof MetaTensor ? copyMeta(out.meta) : undefined);
    }
    return d;
  }
}

/** MONAI's allow_missing_keys_mode: runs `fn` with every MapTransform inside `t` allowing missing keys. */
export function withMissingKeysAllowed<R>(t: Transform, fn: () => R): R {
  const maps: MapTransform[] = [];
  const visit = (x: unknown) => {
    if (x instanceof MapTransform) maps.push(x);
    const children = (x as { transforms?: unknown }).transforms;
    if (Array.isArray(children)) children.forEach(visit);
  };
  visit(t);
  const saved = maps.map((m) => m.allowMissingKeys);
  for (const m of maps) m.allowMissingKeys = true;
  try {
    return fn();
  } finally {
    maps.forEach((m, i) => (m.allowMissingKeys = saved[i]));
  }
}
