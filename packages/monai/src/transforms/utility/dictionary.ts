/**
 * Dictionary utility transforms (MONAI's monai/transforms/utility/dictionary.py): the array transforms
 * applied to `keys`, plus item-level tools (delete, select, copy, concatenate keys). MONAI's aliases
 * (`IdentityD`, `IdentityDict`, ...) are exported beside each class.
 *
 * Ownership: the output dictionary is a new object; values not touched are shared with the input; new
 * tensors made for keys belong to the caller; input tensors are never disposed. If a key fails, the
 * tensors made so far for other keys are freed before the error propagates.
 */
import * as torch from '@monai-ts/torch';
import { Tensor, type DType, type Device } from '@monai-ts/torch';
import { MetaTensor, copyMeta } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { FunctionRef, asFunctionRef } from '../serialize.js';
import { KeyError, MapTransform, RandomizableMapTransform, TraceKeys, checkDict, checkProb, describeValue, ensureKeys, perKey, type DataDict } from '../transform.js';
import {
  AddCoordinateChannels, AsChannelLast, CastToType, ClassesToIndices, ConvertToMultiChannelBasedOnBratsClasses, DataStats, EnsureType, FgBgToIndices, Identity,
  LabelToMask, Lambda, RemoveRepeatedChannel, callUser, identityFunc, type UserFn, type UserFnLike, RepeatChannel, SimulateDelay, SplitDim, SqueezeDim, ToDevice, ToNumpy, ToTensor, Transpose,
  type ClassesToIndicesOptions, type DataStatsOptions, type EnsureTypeOptions, type FgBgToIndicesOptions, type LabelToMaskOptions, type SplitDimOptions, type ToTensorOptions,
} from './array.js';

const MAP = ['keys', 'allowMissingKeys'] as const;

interface KeyOptions {
  keys: string | string[];
  allowMissingKeys?: boolean;
}

function tensorAt(d: DataDict, key: string, who: string): Tensor {
  const v = d[key];
  if (!(v instanceof Tensor)) throw new TypeError(`${who}: data['${key}'] must be a Tensor or MetaTensor, got ${describeValue(v)}`);
  return v;
}

/** Runs per-key work; on failure frees the tensors made so far (those not among the input's values) and rethrows. */
function guarded(input: DataDict, out: DataDict, work: (made: (v: unknown) => void) => void): void {
  const made: Tensor[] = [];
  const inputs = new Set(Object.values(input));
  try {
    work((v) => {
      if (v instanceof Tensor && !inputs.has(v)) made.push(v);
      else if (Array.isArray(v)) for (const x of v) if (x instanceof Tensor && !inputs.has(x)) made.push(x);
    });
  } catch (e) {
    for (const t of made) t.dispose();
    void out;
    throw e;
  }
}

/**
 * A dictionary transform applying one array transform (`apply`) to each key's value (`valueAt`): every
 * key is checked before any work, and a failure frees what the earlier keys made.
 */
abstract class PerKeyBase<V> extends MapTransform {
  protected abstract valueAt(d: DataDict, key: string): V;
  protected abstract apply(value: V, key: string, index: number, d: DataDict): unknown;
  call(data: DataDict): DataDict {
    const d = { ...data };
    const keys = [...this.keyIterator(d)].map(([k]) => k);
    for (const key of keys) this.valueAt(d, key);
    guarded(data, d, (made) => {
      for (const key of keys) {
        const r = this.apply(this.valueAt(d, key), key, this.keys.indexOf(key), d);
        d[key] = r;
        made(r);
      }
    });
    return d;
  }
}

/** PerKeyBase over tensors: a non-tensor value is an error naming the key. */
abstract class PerKeyd extends PerKeyBase<Tensor> {
  protected valueAt(d: DataDict, key: string): Tensor {
    return tensorAt(d, key, this.name);
  }
}

/** PerKeyBase over any value (the type converters also take numbers and lists). */
abstract class PerKeyValued extends PerKeyBase<unknown> {
  protected valueAt(d: DataDict, key: string): unknown {
    return d[key];
  }
}

// ---------------------------------------------------------------------------------------------

export class Identityd extends MapTransform {
  readonly identity = new Identity();
  constructor(options: KeyOptions) {
    checkOptions('Identityd', options, MAP, ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.identity.call(d[key]);
    return d;
  }
}

export class AsChannelLastd extends PerKeyd {
  readonly converter: AsChannelLast;
  constructor(options: KeyOptions & { channelDim?: number }) {
    checkOptions('AsChannelLastd', options, [...MAP, 'channelDim'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.converter = new AsChannelLast({ channelDim: options.channelDim });
  }
  protected apply(img: Tensor): Tensor {
    return this.converter.call(img);
  }
}

export class RepeatChanneld extends PerKeyd {
  readonly repeater: RepeatChannel;
  constructor(options: KeyOptions & { repeats: number }) {
    checkOptions('RepeatChanneld', options, [...MAP, 'repeats'], ['keys', 'repeats']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.repeater = new RepeatChannel({ repeats: options.repeats });
  }
  protected apply(img: Tensor): Tensor {
    return this.repeater.call(img);
  }
}

export class RemoveRepeatedChanneld extends PerKeyd {
  readonly repeater: RemoveRepeatedChannel;
  constructor(options: KeyOptions & { repeats: number }) {
    checkOptions('RemoveRepeatedChanneld', options, [...MAP, 'repeats'], ['keys', 'repeats']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.repeater = new RemoveRepeatedChannel({ repeats: options.repeats });
  }
  protected apply(img: Tensor): Tensor {
    return this.repeater.call(img);
  }
}

export class CastToTyped extends PerKeyd {
  readonly dtype: DType[];
  readonly converter = new CastToType();
  constructor(options: KeyOptions & { dtype?: DType | DType[] }) {
    checkOptions('CastToTyped', options, [...MAP, 'dtype'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.dtype = perKey(options.dtype ?? 'float32', this.keys.length, this.name, 'dtype').map((dt) => new CastToType({ dtype: dt }).dtype);
  }
  protected apply(img: Tensor, _key: string, i: number): Tensor {
    return this.converter.call(img, this.dtype[i]);
  }
}

/** ToTensor on each key; records itself so that `inverse` gives plain CPU tensors (MONAI's ToNumpy). */
export class ToTensord extends PerKeyValued {
  readonly converter: ToTensor;
  constructor(options: KeyOptions & ToTensorOptions) {
    checkOptions('ToTensord', options, [...MAP, 'dtype', 'device', 'wrapSequence', 'trackMeta'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    const { keys: _k, allowMissingKeys: _a, ...rest } = options;
    this.converter = new ToTensor(rest);
  }
  protected apply(value: unknown): unknown {
    const r = this.converter.call(value);
    this.pushTransform(r);
    return r;
  }
  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) {
      const v = d[key];
      if (v instanceof MetaTensor) this.popTransform(v);
      if (v instanceof Tensor) d[key] = torch.tidy(() => (v instanceof MetaTensor ? v.asTensor() : v).cpu().contiguous().clone());
    }
    return d;
  }
}

export class EnsureTyped extends PerKeyValued {
  readonly converter: EnsureType;
  readonly dtype: (DType | null)[];
  constructor(options: KeyOptions & Omit<EnsureTypeOptions, 'dtype'> & { dtype?: DType | null | (DType | null)[] }) {
    checkOptions('EnsureTyped', options, [...MAP, 'dataType', 'dtype', 'device', 'wrapSequence', 'trackMeta'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    const { keys: _k, allowMissingKeys: _a, dtype, ...rest } = options;
    this.converter = new EnsureType(rest);
    this.dtype = perKey<DType | null>(dtype ?? null, this.keys.length, this.name, 'dtype');
  }
  protected apply(value: unknown, _key: string, i: number): unknown {
    return this.converter.call(value, this.dtype[i]);
  }
}

export class ToNumpyd extends PerKeyValued {
  readonly converter: ToNumpy;
  constructor(options: KeyOptions & { dtype?: DType | null; wrapSequence?: boolean }) {
    checkOptions('ToNumpyd', options, [...MAP, 'dtype', 'wrapSequence'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    const { keys: _k, allowMissingKeys: _a, ...rest } = options;
    this.converter = new ToNumpy(rest);
  }
  protected apply(value: unknown): unknown {
    return this.converter.call(value);
  }
}

export class ToDeviced extends PerKeyd {
  readonly converter: ToDevice;
  constructor(options: KeyOptions & { device: Device; nonBlocking?: boolean }) {
    checkOptions('ToDeviced', options, [...MAP, 'device', 'nonBlocking'], ['keys', 'device']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.converter = new ToDevice({ device: options.device, nonBlocking: options.nonBlocking });
  }
  protected apply(img: Tensor): Tensor {
    return this.converter.call(img);
  }
}

/** Transpose on each key, recorded with its indices so that `inverse` applies the inverse permutation. */
export class Transposed extends PerKeyd {
  readonly transform: Transpose;
  constructor(options: KeyOptions & { indices: number[] | null }) {
    checkOptions('Transposed', options, [...MAP, 'indices'], ['keys', 'indices']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.transform = new Transpose({ indices: options.indices });
  }
  protected apply(img: Tensor): Tensor {
    const out = this.transform.call(img);
    const nd = out.dim();
    const indices = this.transform.indices ?? Array.from({ length: nd }, (_, i) => nd - 1 - i);
    return this.pushTransform(out, { extraInfo: { indices } });
  }
  inverse(data: DataDict): DataDict {
    const d = { ...data };
    guarded(data, d, (made) => {
      for (const [key] of this.keyIterator(d)) {
        const img = tensorAt(d, key, this.name);
        const rec = this.getMostRecentTransform(img);
        const fwd = (rec[TraceKeys.EXTRA_INFO] as { indices: number[] }).indices;
        const inv = fwd.map((_, i) => fwd.indexOf(i)); // argsort of a permutation
        const out = new Transpose({ indices: inv }).call(img);
        this.popTransform(out);
        d[key] = out;
        made(out);
      }
    });
    return d;
  }
}

export class SqueezeDimd extends PerKeyd {
  readonly converter: SqueezeDim;
  constructor(options: KeyOptions & { dim?: number | null; updateMeta?: boolean }) {
    checkOptions('SqueezeDimd', options, [...MAP, 'dim', 'updateMeta'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.converter = new SqueezeDim({ dim: options.dim, updateMeta: options.updateMeta });
  }
  protected apply(img: Tensor): Tensor {
    return this.converter.call(img);
  }
}

export interface SplitDimdOptions extends KeyOptions, SplitDimOptions {
  /** key postfixes of the pieces (`${key}_${postfix}`); default the piece numbers */
  outputPostfixes?: string[] | null;
  /** return one dictionary per piece (other keys copied) instead of adding keys */
  listOutput?: boolean;
}

/** SplitDim on each key: pieces become `${key}_${i}` keys, or one dictionary per piece with listOutput. Default dim 0. */
export class SplitDimd extends MapTransform {
  readonly splitter: SplitDim;
  readonly outputPostfixes: string[] | null;
  readonly listOutput: boolean;
  constructor(options: SplitDimdOptions) {
    checkOptions('SplitDimd', options, [...MAP, 'outputPostfixes', 'dim', 'keepdim', 'updateMeta', 'listOutput'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.splitter = new SplitDim({ dim: options.dim ?? 0, keepdim: options.keepdim, updateMeta: options.updateMeta });
    this.outputPostfixes = options.outputPostfixes ?? null;
    this.listOutput = options.listOutput ?? false;
    if (this.listOutput && this.outputPostfixes !== null) throw new TypeError('SplitDimd: outputPostfixes cannot be given with listOutput');
  }
  call(data: DataDict): DataDict | DataDict[] {
    const d = { ...data };
    const keys = [...new Set([...this.keyIterator(d)].map(([k]) => k))];
    if (this.listOutput) {
      const results: Tensor[][] = [];
      guarded(data, d, (made) => {
        for (const key of keys) {
          const r = this.splitter.call(tensorAt(d, key, this.name));
          results.push(r);
          made(r);
        }
        const n = Math.min(...results.map((r) => r.length));
        if (results.some((r) => r.length !== n)) throw new RangeError(`${this.name}: keys split into different numbers of pieces (${results.map((r) => r.length).join(', ')})`);
      });
      const n = results.length ? results[0].length : 0;
      return Array.from({ length: n }, (_, i) => {
        const o: DataDict = {};
        for (const [k, v] of Object.entries(d)) if (!keys.includes(k)) o[k] = copyItem(v);
        keys.forEach((k, j) => (o[k] = results[j][i]));
        return o;
      });
    }
    guarded(data, d, (made) => {
      for (const key of keys) {
        const rets = this.splitter.call(tensorAt(d, key, this.name));
        made(rets);
        const postfixes = this.outputPostfixes ?? rets.map((_, i) => String(i));
        if (postfixes.length !== rets.length) throw new RangeError(`${this.name}: ${rets.length} pieces for key '${key}' but ${postfixes.length} outputPostfixes`);
        rets.forEach((r, i) => {
          const k = `${key}_${postfixes[i]}`;
          if (k in d) throw new KeyError(`${this.name}: the data already contains key '${k}'`);
          d[k] = r;
        });
      }
    });
    return d;
  }
}

/** A deep copy of an item value (MONAI's deepcopy / MetaObj.copy_items): tensors cloned (detached), metadata copied. */
function copyItem(v: unknown): unknown {
  if (v instanceof Tensor) return torch.tidy(() => v.detach().clone());
  return copyMeta(v as never);
}

type PerKeyOption<T> = T | T[];

export interface DataStatsdOptions extends KeyOptions {
  prefix?: PerKeyOption<string>;
  dataType?: PerKeyOption<boolean>;
  dataShape?: PerKeyOption<boolean>;
  valueRange?: PerKeyOption<boolean>;
  dataValue?: PerKeyOption<boolean>;
  metaInfo?: PerKeyOption<boolean>;
  additionalInfo?: PerKeyOption<((img: unknown) => unknown) | null>;
  name?: string;
  logger?: DataStatsOptions['logger'];
}

export class DataStatsd extends MapTransform {
  readonly printer: DataStats;
  readonly flags: { prefix: string[]; dataType: boolean[]; dataShape: boolean[]; valueRange: boolean[]; dataValue: boolean[]; metaInfo: boolean[]; additionalInfo: (((img: unknown) => unknown) | null)[] };
  constructor(options: DataStatsdOptions) {
    checkOptions('DataStatsd', options, [...MAP, 'prefix', 'dataType', 'dataShape', 'valueRange', 'dataValue', 'metaInfo', 'additionalInfo', 'name', 'logger'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    const n = this.keys.length;
    const who = this.name;
    this.flags = {
      prefix: perKey(options.prefix ?? 'Data', n, who, 'prefix'),
      dataType: perKey(options.dataType ?? true, n, who, 'dataType'),
      dataShape: perKey(options.dataShape ?? true, n, who, 'dataShape'),
      valueRange: perKey(options.valueRange ?? true, n, who, 'valueRange'),
      dataValue: perKey(options.dataValue ?? false, n, who, 'dataValue'),
      metaInfo: perKey(options.metaInfo ?? false, n, who, 'metaInfo'),
      additionalInfo: perKey(options.additionalInfo ?? null, n, who, 'additionalInfo'),
    };
    this.printer = new DataStats({ name: options.name, logger: options.logger });
    // each per-key value is checked by a DataStats built from it
    for (let i = 0; i < n; i++) new DataStats(this.flagsAt(i));
  }
  private flagsAt(i: number) {
    const f = this.flags;
    return { prefix: f.prefix[i], dataType: f.dataType[i], dataShape: f.dataShape[i], valueRange: f.valueRange[i], dataValue: f.dataValue[i], metaInfo: f.metaInfo[i], additionalInfo: f.additionalInfo[i] };
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.printer.call(d[key], this.flagsAt(this.keys.indexOf(key)));
    return d;
  }
}

export class SimulateDelayd extends MapTransform {
  readonly delayTime: number[];
  readonly delayer = new SimulateDelay();
  constructor(options: KeyOptions & { delayTime?: number | number[] }) {
    checkOptions('SimulateDelayd', options, [...MAP, 'delayTime'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.delayTime = perKey(options.delayTime ?? 0, this.keys.length, this.name, 'delayTime').map((t) => new SimulateDelay({ delayTime: t }).delayTime);
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key, t] of this.keyIterator<[number]>(d, this.delayTime)) d[key] = this.delayer.call(d[key], t);
    return d;
  }
}

// ---------------------------------------------------------------------------------------------
// User functions

type Fn = UserFn | FunctionRef;

export interface LambdadOptions extends KeyOptions {
  /** one function per key (or one for all); a `{ module, name }` spec names an importable export (runs in workers too) */
  func: UserFnLike | UserFnLike[];
  /** default: identity */
  invFunc?: UserFnLike | UserFnLike[] | null;
  trackMeta?: boolean;
  /** true: the result replaces the key; false: it is dropped; a string: stored under that key */
  overwrite?: boolean | string | (boolean | string)[];
}

/** Lambda on each key (per-key functions), invertible through invFunc. */
export class Lambdad extends MapTransform {
  readonly func: Fn[];
  readonly invFunc: Fn[];
  readonly overwrite: (boolean | string)[];
  readonly lambd: Lambda;
  constructor(options: LambdadOptions) {
    const who = new.target.name;
    checkOptions(who, options, [...MAP, 'func', 'invFunc', 'trackMeta', 'overwrite'], ['keys', 'func']);
    super(options.keys, options.allowMissingKeys ?? false);
    const n = this.keys.length;
    this.func = perKey<UserFnLike>(options.func, n, who, 'func').map((f) => asFunctionRef(f, `${who}: func`));
    this.invFunc = perKey<UserFnLike>(options.invFunc ?? identityFunc, n, who, 'invFunc').map((f) => asFunctionRef(f, `${who}: invFunc`));
    for (const f of [...this.func, ...this.invFunc]) if (typeof f !== 'function' && !(f instanceof FunctionRef)) throw new TypeError(`${who}: func and invFunc must be functions or { module, name } specs, got ${describeValue(f)}`);
    this.overwrite = perKey(options.overwrite ?? true, n, who, 'overwrite');
    this.lambd = new Lambda({ trackMeta: options.trackMeta });
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    guarded(data, d, (made) => {
      for (const [key, func, overwrite] of this.keyIterator<[Fn, boolean | string]>(d, this.func, this.overwrite)) {
        const ret = this.lambd.call(d[key], func);
        if (overwrite === true) d[key] = ret;
        else if (typeof overwrite === 'string') d[overwrite] = ret;
        made(ret);
      }
    });
    return d;
  }
  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key, invFunc, overwrite] of this.keyIterator<[Fn, boolean | string]>(d, this.invFunc, this.overwrite)) {
      const v = d[key];
      if (v instanceof MetaTensor) this.lambd.popTransform(v);
      const ret = callUser(invFunc, v, this.name);
      if (overwrite) d[key] = ret;
    }
    return d;
  }
}

/** Lambdad applied with probability `prob` (one draw per call for all keys); records whether it ran. */
export class RandLambdad extends RandomizableMapTransform {
  readonly inner: Lambdad;
  constructor(options: LambdadOptions & { prob?: number }) {
    checkOptions('RandLambdad', options, [...MAP, 'func', 'invFunc', 'trackMeta', 'overwrite', 'prob'], ['keys', 'func']);
    super(options.keys, options.allowMissingKeys ?? false);
    const { prob, ...rest } = options;
    this.inner = new Lambdad(rest);
    this.prob = checkProb(prob ?? 1, this.name);
  }
  call(data: DataDict): DataDict {
    this.randomize(data);
    const d = { ...data };
    const lambd = this.inner.lambd;
    guarded(data, d, (made) => {
      for (const [key, func, overwrite] of this.keyIterator<[Fn, boolean | string]>(d, this.inner.func, this.inner.overwrite)) {
        let ret = d[key];
        if (!(ret instanceof MetaTensor) && ret instanceof Tensor) {
          ret = MetaTensor.fromTensor(ret);
          made(ret);
        }
        if (this.doTransform) {
          const r = lambd.call(ret, func);
          if (r !== ret) made(r);
          if (r instanceof MetaTensor) this.pushTransform(r, { extraInfo: { lambda_info: lambd.popTransform(r) } });
          ret = r;
        } else if (ret instanceof MetaTensor) {
          this.pushTransform(ret);
        }
        if (overwrite) d[key] = ret;
      }
    });
    return d;
  }
  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key, invFunc, overwrite] of this.keyIterator<[Fn, boolean | string]>(d, this.inner.invFunc, this.inner.overwrite)) {
      const v = d[key];
      if (!(v instanceof MetaTensor)) continue;
      const rec = this.popTransform(v);
      if (rec[TraceKeys.DO_TRANSFORM]) {
        const ret = callUser(invFunc, v, this.name);
        if (overwrite) d[key] = ret;
      }
    }
    return d;
  }
}

// ---------------------------------------------------------------------------------------------
// Labels

export class LabelToMaskd extends PerKeyd {
  readonly converter: LabelToMask;
  constructor(options: KeyOptions & LabelToMaskOptions) {
    checkOptions('LabelToMaskd', options, [...MAP, 'selectLabels', 'mergeChannels'], ['keys', 'selectLabels']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.converter = new LabelToMask({ selectLabels: options.selectLabels, mergeChannels: options.mergeChannels });
  }
  protected apply(img: Tensor): Tensor {
    return this.converter.call(img);
  }
}

function imageOf(d: DataDict, key: string | null, who: string): Tensor | null {
  if (key === null) return null;
  if (!(key in d)) throw new KeyError(`${who}: imageKey '${key}' is not in the data (keys: ${Object.keys(d).join(', ') || 'none'})`);
  return tensorAt(d, key, who);
}

export interface FgBgToIndicesdOptions extends KeyOptions, FgBgToIndicesOptions {
  fgPostfix?: string;
  bgPostfix?: string;
  /** key of the image whose values > imageThreshold limit the background */
  imageKey?: string | null;
}

/** FgBgToIndices on each key: `${key}${fgPostfix}` and `${key}${bgPostfix}` hold the indices. */
export class FgBgToIndicesd extends MapTransform {
  readonly fgPostfix: string;
  readonly bgPostfix: string;
  readonly imageKey: string | null;
  readonly converter: FgBgToIndices;
  constructor(options: FgBgToIndicesdOptions) {
    checkOptions('FgBgToIndicesd', options, [...MAP, 'fgPostfix', 'bgPostfix', 'imageKey', 'imageThreshold', 'outputShape'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.fgPostfix = options.fgPostfix ?? '_fg_indices';
    this.bgPostfix = options.bgPostfix ?? '_bg_indices';
    this.imageKey = options.imageKey ?? null;
    this.converter = new FgBgToIndices({ imageThreshold: options.imageThreshold, outputShape: options.outputShape });
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    const image = imageOf(d, this.imageKey, this.name);
    guarded(data, d, (made) => {
      for (const [key] of this.keyIterator(d)) {
        const [fg, bg] = this.converter.call(tensorAt(d, key, this.name), image);
        made([fg, bg]);
        d[key + this.fgPostfix] = fg;
        d[key + this.bgPostfix] = bg;
      }
    });
    return d;
  }
}

export interface ClassesToIndicesdOptions extends KeyOptions, ClassesToIndicesOptions {
  indicesPostfix?: string;
  imageKey?: string | null;
}

/** ClassesToIndices on each key: `${key}${indicesPostfix}` holds the list of per-class indices. */
export class ClassesToIndicesd extends MapTransform {
  readonly indicesPostfix: string;
  readonly imageKey: string | null;
  readonly converter: ClassesToIndices;
  constructor(options: ClassesToIndicesdOptions) {
    checkOptions('ClassesToIndicesd', options, [...MAP, 'indicesPostfix', 'numClasses', 'imageKey', 'imageThreshold', 'outputShape', 'maxSamplesPerClass'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.indicesPostfix = options.indicesPostfix ?? '_cls_indices';
    this.imageKey = options.imageKey ?? null;
    const { keys: _k, allowMissingKeys: _a, indicesPostfix: _p, imageKey: _i, ...rest } = options;
    this.converter = new ClassesToIndices(rest);
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    const image = imageOf(d, this.imageKey, this.name);
    guarded(data, d, (made) => {
      for (const [key] of this.keyIterator(d)) {
        const idx = this.converter.call(tensorAt(d, key, this.name), image);
        made(idx);
        d[key + this.indicesPostfix] = idx;
      }
    });
    return d;
  }
}

export class AddCoordinateChannelsd extends PerKeyd {
  readonly addCoordinateChannels: AddCoordinateChannels;
  constructor(options: KeyOptions & { spatialDims: number[] }) {
    checkOptions('AddCoordinateChannelsd', options, [...MAP, 'spatialDims'], ['keys', 'spatialDims']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.addCoordinateChannels = new AddCoordinateChannels({ spatialDims: options.spatialDims });
  }
  protected apply(img: Tensor): Tensor {
    return this.addCoordinateChannels.call(img);
  }
}

export class ConvertToMultiChannelBasedOnBratsClassesd extends PerKeyd {
  readonly converter = new ConvertToMultiChannelBasedOnBratsClasses();
  constructor(options: KeyOptions) {
    checkOptions('ConvertToMultiChannelBasedOnBratsClassesd', options, MAP, ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
  }
  protected apply(img: Tensor): Tensor {
    return this.converter.call(img);
  }
}

// ---------------------------------------------------------------------------------------------
// Item tools

/**
 * Removes keys from the item. A key with `sep` (default '.') names a nested key ('meta.filename'); with
 * `useRe`, the last part is a regular expression matched against each key (re.search).
 */
export class DeleteItemsd extends MapTransform {
  readonly sep: string;
  readonly useRe: boolean[];
  constructor(options: { keys: string | string[]; sep?: string; useRe?: boolean | boolean[] }) {
    checkOptions('DeleteItemsd', options, ['keys', 'sep', 'useRe'], ['keys']);
    super(options.keys, false);
    this.sep = options.sep ?? '.';
    this.useRe = perKey(options.useRe ?? false, this.keys.length, this.name, 'useRe');
  }
  call(data: DataDict): DataDict {
    checkDict(data, this.name);
    let d: DataDict = { ...data };
    const remove = (path: string[], obj: DataDict, re: boolean): DataDict => {
      const [head, ...rest] = path;
      if (rest.length > 0) {
        const inner = obj[head];
        if (inner === null || typeof inner !== 'object' || inner instanceof Tensor) throw new KeyError(`${this.name}: '${head}' is not a dictionary in the data (cannot delete '${path.join(this.sep)}')`);
        return { ...obj, [head]: remove(rest, inner as DataDict, re) };
      }
      const pattern = re ? new RegExp(head) : null;
      const out: DataDict = {};
      for (const [k, v] of Object.entries(obj)) if (pattern ? !pattern.test(k) : k !== head) out[k] = v;
      return out;
    };
    this.keys.forEach((key, i) => (d = remove(key.split(this.sep), d, this.useRe[i])));
    return d;
  }
}

/** Keeps only `keys` (in that order). */
export class SelectItemsd extends MapTransform {
  constructor(options: KeyOptions) {
    checkOptions('SelectItemsd', options, MAP, ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
  }
  call(data: DataDict): DataDict {
    const out: DataDict = {};
    for (const [key] of this.keyIterator(data)) out[key] = data[key];
    return out;
  }
}

/** Copies keys `times` times to `names` (default `${key}_${i}`): tensors cloned (detached, metadata copied), other values deep-copied. */
export class CopyItemsd extends MapTransform {
  readonly times: number;
  readonly names: string[];
  constructor(options: KeyOptions & { times?: number; names?: string | string[] | null }) {
    checkOptions('CopyItemsd', options, [...MAP, 'times', 'names'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new TypeError(`CopyItemsd: times must be a positive integer, got ${JSON.stringify(options.times)}`);
    this.times = times;
    const names = options.names === undefined || options.names === null ? this.keys.flatMap((k) => Array.from({ length: times }, (_, i) => `${k}_${i}`)) : ensureKeys(options.names, 'CopyItemsd');
    if (names.length !== this.keys.length * times) throw new TypeError(`CopyItemsd: names must hold keys x times = ${this.keys.length * times} names, got ${names.length}`);
    this.names = names;
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    const n = this.keys.length;
    guarded(data, d, (made) => {
      for (let i = 0; i < this.times; i++) {
        for (const [key, newKey] of this.keyIterator<[string]>(d, this.names.slice(i * n, (i + 1) * n))) {
          if (newKey in d) throw new KeyError(`${this.name}: key '${newKey}' already exists in the data`);
          const v = copyItem(d[key]);
          made(v);
          d[newKey] = v;
        }
      }
    });
    return d;
  }
}

/** Concatenates the tensors of `keys` along `dim` (default 0) into `name`; metadata from the first. */
export class ConcatItemsd extends MapTransform {
  readonly outputName: string;
  readonly dim: number;
  constructor(options: KeyOptions & { name: string; dim?: number }) {
    checkOptions('ConcatItemsd', options, [...MAP, 'name', 'dim'], ['keys', 'name']);
    super(options.keys, options.allowMissingKeys ?? false);
    if (typeof options.name !== 'string') throw new TypeError(`ConcatItemsd: name must be a string, got ${describeValue(options.name)}`);
    this.outputName = options.name;
    this.dim = options.dim ?? 0;
    if (!Number.isInteger(this.dim)) throw new TypeError(`ConcatItemsd: dim must be an integer, got ${JSON.stringify(options.dim)}`);
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    const items: Tensor[] = [];
    for (const [key] of this.keyIterator(d)) items.push(tensorAt(d, key, this.name));
    if (items.length === 0) return d;
    d[this.outputName] = torch.cat(items, this.dim);
    return d;
  }
}

// ---------------------------------------------------------------------------------------------
// MONAI's aliases (XD and XDict)

export { Identityd as IdentityD, Identityd as IdentityDict };
export { AsChannelLastd as AsChannelLastD, AsChannelLastd as AsChannelLastDict };
export { RepeatChanneld as RepeatChannelD, RepeatChanneld as RepeatChannelDict };
export { RemoveRepeatedChanneld as RemoveRepeatedChannelD, RemoveRepeatedChanneld as RemoveRepeatedChannelDict };
export { SplitDimd as SplitDimD, SplitDimd as SplitDimDict };
export { CastToTyped as CastToTypeD, CastToTyped as CastToTypeDict };
export { ToTensord as ToTensorD, ToTensord as ToTensorDict };
export { EnsureTyped as EnsureTypeD, EnsureTyped as EnsureTypeDict };
export { ToDeviced as ToDeviceD, ToDeviced as ToDeviceDict };
export { Transposed as TransposeD, Transposed as TransposeDict };
export { DeleteItemsd as DeleteItemsD, DeleteItemsd as DeleteItemsDict };
export { SelectItemsd as SelectItemsD, SelectItemsd as SelectItemsDict };
export { SqueezeDimd as SqueezeDimD, SqueezeDimd as SqueezeDimDict };
export { DataStatsd as DataStatsD, DataStatsd as DataStatsDict };
export { SimulateDelayd as SimulateDelayD, SimulateDelayd as SimulateDelayDict };
export { CopyItemsd as CopyItemsD, CopyItemsd as CopyItemsDict };
export { ConcatItemsd as ConcatItemsD, ConcatItemsd as ConcatItemsDict };
export { Lambdad as LambdaD, Lambdad as LambdaDict };
export { RandLambdad as RandLambdaD, RandLambdad as RandLambdaDict };
export { LabelToMaskd as LabelToMaskD, LabelToMaskd as LabelToMaskDict };
export { FgBgToIndicesd as FgBgToIndicesD, FgBgToIndicesd as FgBgToIndicesDict };
export { ClassesToIndicesd as ClassesToIndicesD, ClassesToIndicesd as ClassesToIndicesDict };
export { AddCoordinateChannelsd as AddCoordinateChannelsD, AddCoordinateChannelsd as AddCoordinateChannelsDict };
export { ConvertToMultiChannelBasedOnBratsClassesd as ConvertToMultiChannelBasedOnBratsClassesD, ConvertToMultiChannelBasedOnBratsClassesd as ConvertToMultiChannelBasedOnBratsClassesDict };
export { ToNumpyd as ToNumpyD, ToNumpyd as ToNumpyDict };
