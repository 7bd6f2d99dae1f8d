/**
 * Utility array transforms (MONAI's monai/transforms/utility/array.py): type, device and layout
 * conversions, channel helpers, debugging pass-throughs, user functions and label indices.
 *
 * Ownership: a transform returns either its input object itself (Identity, DataStats, SimulateDelay,
 * a conversion with nothing to do) or a new tensor the caller owns; it never disposes its input.
 * Ops on a MetaTensor give MetaTensors carrying its metadata (torch's subclass hook), so these
 * transforms only add what MONAI adds on top (affine updates, trace records).
 */
import * as torch from '@monai-ts/torch';
import { Tensor, type DType, type Device, type Nested, type TypedArray } from '@monai-ts/torch';
import { MetaTensor } from '../../data/meta_tensor.js';
import { checkOptions, checkChoice } from '../../data/options.js';
import { RandomizableTransform, TraceKeys, Transform, checkProb, describeValue } from '../transform.js';
import { mapBinaryToIndices, mapClassesToIndices } from '../utils.js';
import { FunctionRef, asFunctionRef, type FunctionSpec } from '../serialize.js';

function int(who: string, option: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TypeError(`${who}: ${option} must be an integer${min > -Infinity ? ` >= ${min}` : ''}, got ${JSON.stringify(v)}`);
  return v;
}

function bool(who: string, option: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${who}: ${option} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function tensorArg(who: string, v: unknown, what = 'img'): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${who}: ${what} must be a Tensor or MetaTensor, got ${describeValue(v)}`);
  return v;
}

function checkDtype(who: string, option: string, v: unknown): DType | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !torch.isDtypeName(v)) throw new TypeError(`${who}: ${option} must be a dtype name such as 'float32', got ${JSON.stringify(v)}`);
  return torch.normalizeDtype(v);
}

function checkFn(who: string, option: string, v: unknown, required: boolean): ((x: unknown) => unknown) | null {
  if ((v === undefined || v === null) && !required) return null;
  if (typeof v !== 'function') throw new TypeError(`${who}: ${option} must be a function, got ${describeValue(v)}`);
  return v as (x: unknown) => unknown;
}

/** Row-major n x n product a @ b. */
function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
    r[i * n + j] = s;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Pass-throughs

/** Returns its input unchanged (a chain-testing tool). */
export class Identity extends Transform {
  constructor(options: Record<string, never> = {}) {
    super();
    checkOptions('Identity', options, []);
  }
  call<T>(img: T): T {
    return img;
  }
}

/** Identity that counts as random, so caching datasets stop before it (MONAI's RandIdentity). */
export class RandIdentity extends RandomizableTransform {
  constructor(options: Record<string, never> = {}) {
    super();
    checkOptions('RandIdentity', options, []);
  }
  call<T>(data: T): T {
    return data;
  }
}

export interface DataStatsOptions {
  /** printed as "{prefix} statistics:" */
  prefix?: string;
  dataType?: boolean;
  dataShape?: boolean;
  valueRange?: boolean;
  /** print the values themselves */
  dataValue?: boolean;
  /** print the MetaTensor's meta */
  metaInfo?: boolean;
  /** a function of the input whose result is printed as "Additional info" */
  additionalInfo?: ((img: unknown) => unknown) | null;
  /** logger name (MONAI's logging.getLogger(name)); part of each message */
  name?: string;
  /** where the message goes (default: console.info); not in MONAI, which uses Python logging */
  logger?: ((message: string) => void) | null;
}

type DataStatsFlags = Pick<DataStatsOptions, 'prefix' | 'dataType' | 'dataShape' | 'valueRange' | 'dataValue' | 'metaInfo' | 'additionalInfo'>;

/** DataStats' default logger: console.info (a named export, so a DataStats can travel to worker threads). */
export function consoleInfo(message: string): void {
  console.info(message);
}

/** Logs type, shape, value range (and optionally values, metadata, custom info) of its input; returns it unchanged. */
export class DataStats extends Transform {
  static readonly OPTIONS = ['prefix', 'dataType', 'dataShape', 'valueRange', 'dataValue', 'metaInfo', 'additionalInfo', 'name', 'logger'] as const;
  readonly prefix: string;
  readonly dataType: boolean;
  readonly dataShape: boolean;
  readonly valueRange: boolean;
  readonly dataValue: boolean;
  readonly metaInfo: boolean;
  readonly additionalInfo: ((img: unknown) => unknown) | null;
  readonly loggerName: string;
  readonly logger: (message: string) => void;

  constructor(options: DataStatsOptions = {}) {
    super();
    const who = 'DataStats';
    checkOptions(who, options, DataStats.OPTIONS);
    if (options.prefix !== undefined && typeof options.prefix !== 'string') throw new TypeError(`${who}: prefix must be a string, got ${describeValue(options.prefix)}`);
    this.prefix = options.prefix ?? 'Data';
    this.dataType = bool(who, 'dataType', options.dataType, true);
    this.dataShape = bool(who, 'dataShape', options.dataShape, true);
    this.valueRange = bool(who, 'valueRange', options.valueRange, true);
    this.dataValue = bool(who, 'dataValue', options.dataValue, false);
    this.metaInfo = bool(who, 'metaInfo', options.metaInfo, false);
    this.additionalInfo = checkFn(who, 'additionalInfo', options.additionalInfo, false);
    this.loggerName = options.name ?? 'DataStats';
    this.logger = (checkFn(who, 'logger', options.logger, false) as ((m: string) => void) | null) ?? consoleInfo;
  }

  /** The message for `img` (what call logs); per-call flags override the constructor's. */
  describe(img: unknown, flags: DataStatsFlags = {}): string {
    const lines = [`${flags.prefix ?? this.prefix} statistics:`];
    const t = img instanceof Tensor ? img : null;
    if (flags.dataType ?? this.dataType) lines.push(`Type: ${t ? (t instanceof MetaTensor ? 'MetaTensor' : 'Tensor') : describeValue(img)} ${t ? t.dtype : 'None'}`);
    if (flags.dataShape ?? this.dataShape) lines.push(`Shape: ${t ? `[${t.shape.join(', ')}]` : 'None'}`);
    if (flags.valueRange ?? this.valueRange) {
      if (t) {
        const [lo, hi] = t.numel() === 0 ? ['(empty)', '(empty)'] : torch.tidy(() => [String(t.min().item()), String(t.max().item())]);
        lines.push(`Value range: (${lo}, ${hi})`);
      } else lines.push(`Value range: (not a Tensor, type: ${describeValue(img)})`);
    }
    if (flags.dataValue ?? this.dataValue) lines.push(`Value: ${t ? Tensor.prototype.toString.call(t) : String(img)}`);
    if (flags.metaInfo ?? this.metaInfo) lines.push(`Meta info: ${img instanceof MetaTensor ? describeMeta(img.meta) : '(input is not a MetaTensor)'}`);
    const extra = flags.additionalInfo ?? this.additionalInfo;
    if (extra) lines.push(`Additional info: ${String(extra(img))}`);
    return lines.join('\n');
  }

  call<T>(img: T, flags: DataStatsFlags = {}): T {
    checkOptions(this.name, flags, ['prefix', 'dataType', 'dataShape', 'valueRange', 'dataValue', 'metaInfo', 'additionalInfo']);
    this.logger(`${this.loggerName}: ${this.describe(img, flags)}`);
    return img;
  }
}

function describeMeta(meta: object): string {
  return JSON.stringify(meta, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>, (x) => (typeof x === 'bigint' ? Number(x) : x)) : v instanceof Tensor ? `Tensor[${v.shape.join(', ')}]` : v));
}

/** Blocks for `delayTime` seconds, then returns the input (simulates slow IO in tests). */
export class SimulateDelay extends Transform {
  readonly delayTime: number;
  constructor(options: { delayTime?: number } = {}) {
    super();
    checkOptions('SimulateDelay', options, ['delayTime']);
    this.delayTime = checkDelay(options.delayTime ?? 0);
  }
  call<T>(img: T, delayTime?: number | null): T {
    sleepSync(checkDelay(delayTime ?? this.delayTime));
    return img;
  }
}

function checkDelay(v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new TypeError(`SimulateDelay: delayTime must be a finite number of seconds >= 0, got ${JSON.stringify(v)}`);
  return v;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Synchronous sleep (transforms are synchronous, as MONAI's time.sleep). */
function sleepSync(seconds: number): void {
  if (seconds > 0) Atomics.wait(sleepCell, 0, 0, seconds * 1000);
}

// ---------------------------------------------------------------------------------------------
// Layout

/** Moves the channel axis (default 0) to the end. */
export class AsChannelLast extends Transform {
  readonly channelDim: number;
  constructor(options: { channelDim?: number } = {}) {
    super();
    checkOptions('AsChannelLast', options, ['channelDim']);
    this.channelDim = int('AsChannelLast', 'channelDim', options.channelDim ?? 0, -1);
  }
  call(img: Tensor): Tensor {
    return tensorArg(this.name, img).movedim(this.channelDim, -1);
  }
}

/** Repeats each channel `repeats` times in place ([[1, 2], [3, 4]] with 2 -> [[1, 2], [1, 2], [3, 4], [3, 4]]). */
export class RepeatChannel extends Transform {
  readonly repeats: number;
  constructor(options: { repeats: number }) {
    super();
    checkOptions('RepeatChannel', options, ['repeats'], ['repeats']);
    this.repeats = int('RepeatChannel', 'repeats', options.repeats, 1);
  }
  call(img: Tensor): Tensor {
    return tensorArg(this.name, img).repeatInterleave(this.repeats, { dim: 0 });
  }
}

/** Undoes RepeatChannel: keeps every `repeats`-th channel. */
export class RemoveRepeatedChannel extends Transform {
  readonly repeats: number;
  constructor(options: { repeats: number }) {
    super();
    checkOptions('RemoveRepeatedChannel', options, ['repeats'], ['repeats']);
    this.repeats = int('RemoveRepeatedChannel', 'repeats', options.repeats, 1);
  }
  call(img: Tensor): Tensor {
    tensorArg(this.name, img);
    if (img.dim() === 0 || img.shape[0] < 2) throw new RangeError(`${this.name}: the image must have more than one channel, got shape [${img.shape.join(', ')}]`);
    return img.at(`::${this.repeats}`);
  }
}

/** Permutes axes by `indices` (null: reverses them). */
export class Transpose extends Transform {
  readonly indices: number[] | null;
  constructor(options: { indices: number[] | null }) {
    super();
    checkOptions('Transpose', options, ['indices'], ['indices']);
    const ix = options.indices;
    if (ix !== null && (!Array.isArray(ix) || ix.some((i) => !Number.isInteger(i)))) throw new TypeError(`Transpose: indices must be a list of integers or null, got ${JSON.stringify(ix)}`);
    this.indices = ix === null ? null : [...ix];
  }
  call(img: Tensor): Tensor {
    tensorArg(this.name, img);
    const nd = img.dim();
    const perm = this.indices ?? Array.from({ length: nd }, (_, i) => nd - 1 - i);
    if (perm.length !== nd) throw new RangeError(`${this.name}: indices [${perm.join(', ')}] do not match a ${nd}-d image of shape [${img.shape.join(', ')}]`);
    return img.permute(perm);
  }
}

/**
 * Removes a singleton axis. With `updateMeta` and a spatial axis (dim > 0), the affine loses that axis'
 * row and column (kept 4x4: the remaining block re-embedded, as MONAI's to_affine_nd would read it).
 */
export class SqueezeDim extends Transform {
  readonly dim: number | null;
  readonly updateMeta: boolean;
  constructor(options: { dim?: number | null; updateMeta?: boolean } = {}) {
    super();
    checkOptions('SqueezeDim', options, ['dim', 'updateMeta']);
    const dim = options.dim === undefined ? 0 : options.dim;
    if (dim !== null && !Number.isInteger(dim)) throw new TypeError(`SqueezeDim: dim must be an integer or null, got ${JSON.stringify(dim)}`);
    this.dim = dim;
    this.updateMeta = bool('SqueezeDim', 'updateMeta', options.updateMeta, true);
  }
  call(img: Tensor): Tensor {
    tensorArg(this.name, img);
    if (this.dim === null) {
      if (this.updateMeta) process.emitWarning('SqueezeDim: updateMeta is ignored when dim is null');
      return img.squeeze();
    }
    const shape = img.shape;
    const dim = this.dim < 0 ? this.dim + shape.length : this.dim;
    if (dim < 0 || dim >= shape.length) throw new RangeError(`${this.name}: dim ${this.dim} is out of range for shape [${shape.join(', ')}]`);
    if (shape[dim] !== 1) throw new RangeError(`${this.name}: can only squeeze a singleton dimension, dim ${dim} has size ${shape[dim]} in shape [${shape.join(', ')}]`);
    const out = img.squeeze(dim);
    if (this.updateMeta && out instanceof MetaTensor && dim > 0 && !out.isBatch) out.affine = dropAxis(out.affine, dim - 1);
    return out;
  }
}

/** The 4x4 affine without spatial axis `ax`'s row and column, re-embedded in 4x4 (translation kept last). */
function dropAxis(a: Float64Array, ax: number): Float64Array {
  const keep = [0, 1, 2, 3].filter((i) => i !== ax);
  const n = keep.length; // 3: a 2-D affine
  const out = new Float64Array(16);
  out[0] = out[5] = out[10] = out[15] = 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const r = i === n - 1 ? 3 : i;
    const c = j === n - 1 ? 3 : j;
    out[r * 4 + c] = a[keep[i] * 4 + keep[j]];
  }
  const det = out[0] * (out[5] * out[10] - out[6] * out[9]) - out[1] * (out[4] * out[10] - out[6] * out[8]) + out[2] * (out[4] * out[9] - out[5] * out[8]);
  if (det === 0) process.emitWarning('SqueezeDim: after squeezing, the affine is singular (ill-posed)');
  return out;
}

export interface SplitDimOptions {
  /** axis to split into size-1 pieces (default -1) */
  dim?: number;
  /** keep the split axis as a singleton (default true) */
  keepdim?: boolean;
  /** shift each piece's affine origin to its position along a spatial axis (default true) */
  updateMeta?: boolean;
}

/** Splits along `dim` into pieces of size 1 (views of the input), e.g. a 3-D volume into 2-D slices. */
export class SplitDim extends Transform {
  readonly dim: number;
  readonly keepdim: boolean;
  readonly updateMeta: boolean;
  constructor(options: SplitDimOptions = {}) {
    super();
    checkOptions('SplitDim', options, ['dim', 'keepdim', 'updateMeta']);
    this.dim = int('SplitDim', 'dim', options.dim ?? -1);
    this.keepdim = bool('SplitDim', 'keepdim', options.keepdim, true);
    this.updateMeta = bool('SplitDim', 'updateMeta', options.updateMeta, true);
  }
  call(img: Tensor): Tensor[] {
    tensorArg(this.name, img);
    const nd = img.dim();
    if (this.dim < -nd || this.dim >= nd) throw new RangeError(`${this.name}: dim ${this.dim} is out of range for shape [${img.shape.join(', ')}]`);
    const pieces = img.split(1, this.dim) as Tensor[];
    const out = this.keepdim
      ? pieces
      : pieces.map((p) => {
          const s = p.squeeze(this.dim);
          p.dispose();
          return s;
        });
    const dim = this.dim < 0 ? this.dim + nd : this.dim;
    if (this.updateMeta && img instanceof MetaTensor && dim !== 0 && !img.isBatch) {
      // piece idx starts idx voxels along spatial axis dim - 1: shift the affine's origin by that column
      const row = dim - 1;
      out.forEach((p, idx) => {
        if (!(p instanceof MetaTensor)) return;
        const shift = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        shift[row * 4 + 3] = idx;
        p.affine = matmul(p.affine, shift, 4);
      });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Types and devices

/** Casts to `dtype` (default float32); the input itself when it already has it. */
export class CastToType extends Transform {
  readonly dtype: DType;
  constructor(options: { dtype?: DType } = {}) {
    super();
    checkOptions('CastToType', options, ['dtype']);
    this.dtype = checkDtype('CastToType', 'dtype', options.dtype) ?? 'float32';
  }
  call(img: Tensor, dtype?: DType | null): Tensor {
    tensorArg(this.name, img);
    return img.to({ dtype: checkDtype(this.name, 'dtype', dtype) ?? this.dtype });
  }
}

/** Values ToTensor and EnsureType convert. */
export type Convertible = Tensor | TypedArray | number | boolean | bigint | Nested<number | boolean | bigint> | string | null | undefined | Convertible[] | { [key: string]: Convertible };

interface ConvertSpec {
  dtype: DType | null;
  device: Device | null;
  wrapSequence: boolean;
  trackMeta: boolean;
  /** plain CPU tensor without metadata (EnsureType's 'numpy') */
  numpy: boolean;
}

function isNumericList(v: unknown): boolean {
  if (!Array.isArray(v)) return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint';
  return v.every((x) => isNumericList(x));
}

/**
 * MONAI's convert_to_tensor/convert_data_type: tensors are cast and moved (contiguous), numbers,
 * typed arrays and numeric lists become tensors, strings and other objects pass through, and lists and
 * dictionaries are converted item by item unless `wrapSequence` makes a numeric list one tensor.
 */
function convert(who: string, v: unknown, spec: ConvertSpec): unknown {
  if (v instanceof Tensor) return convertTensor(v, spec);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return finishNew(torch.tensor(v as TypedArray), spec);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return finishNew(torch.tidy(() => torch.tensor([v]).reshape([])), spec);
  if (Array.isArray(v)) {
    if (spec.wrapSequence && v.length > 0 && isNumericList(v)) return finishNew(torch.tensor(v as Nested<number>), spec);
    return v.map((x) => convert(who, x, spec));
  }
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = convert(who, x, spec);
    return out;
  }
  return v;
}

/** A new tensor made from JS values: cast/moved, then wrapped as MetaTensor when tracking. */
function finishNew(t: Tensor, spec: ConvertSpec): Tensor {
  let r = t;
  if ((spec.dtype && spec.dtype !== r.dtype) || (spec.device && spec.device !== r.device)) {
    r = t.to({ dtype: spec.dtype ?? undefined, device: spec.device ?? undefined });
    if (r !== t) t.dispose();
  }
  return spec.trackMeta && !spec.numpy ? MetaTensor.wrap(r) : r;
}

function convertTensor(t: Tensor, spec: ConvertSpec): Tensor {
  const device = spec.numpy ? 'cpu' : spec.device;
  let r = t.to({ dtype: spec.dtype ?? undefined, device: device ?? undefined });
  if (r !== t && r.is(t)) {
    r.dispose();
    r = t; // nothing changed: the input itself, as PyTorch's .to returns self
  }
  // .to keeps a transposed 2-D view as it is (memory formats only speak of 4-D/5-D layouts): make it
  // contiguous explicitly, as MONAI's ascontiguousarray does
  const c = r.contiguous();
  if (c.is(r)) {
    if (c !== r) c.dispose();
  } else {
    if (r !== t) r.dispose();
    r = c;
  }
  const wantMeta = spec.trackMeta && !spec.numpy;
  if (wantMeta && !(r instanceof MetaTensor)) {
    const m = r === t ? MetaTensor.fromTensor(t) : MetaTensor.wrap(r);
    return m;
  }
  if (!wantMeta && r instanceof MetaTensor) {
    const plain = r.asTensor();
    if (r !== t) r.dispose();
    return plain;
  }
  return r;
}

export interface ToTensorOptions {
  dtype?: DType | null;
  device?: Device | null;
  /** a numeric list becomes one tensor (true, default) or a list of tensors (false) */
  wrapSequence?: boolean;
  /** MetaTensor output (default true, MONAI's get_track_meta()) */
  trackMeta?: boolean | null;
}

/**
 * Converts to a contiguous tensor (MetaTensor by default): tensors, typed arrays, numbers and numeric
 * lists; strings and other objects pass through. Clears a MetaTensor input's applied operations, as MONAI.
 */
export class ToTensor extends Transform {
  readonly spec: ConvertSpec;
  constructor(options: ToTensorOptions = {}) {
    super();
    const who = 'ToTensor';
    checkOptions(who, options, ['dtype', 'device', 'wrapSequence', 'trackMeta']);
    this.spec = {
      dtype: checkDtype(who, 'dtype', options.dtype),
      device: options.device ?? null,
      wrapSequence: bool(who, 'wrapSequence', options.wrapSequence, true),
      trackMeta: bool(who, 'trackMeta', options.trackMeta, true),
      numpy: false,
    };
  }
  call(img: unknown): unknown {
    if (img instanceof MetaTensor) img.appliedOperations = [];
    return convert(this.name, img, this.spec);
  }
}

export interface EnsureTypeOptions extends ToTensorOptions {
  /** 'tensor' (default) or 'numpy': a plain contiguous CPU Tensor without metadata (there is no numpy; read values with .data()) */
  dataType?: 'tensor' | 'numpy';
}

/** Ensures tensors (MetaTensor by default) or, with dataType 'numpy', plain CPU tensors; other values pass through. */
export class EnsureType extends Transform {
  readonly dataType: 'tensor' | 'numpy';
  readonly spec: ConvertSpec;
  constructor(options: EnsureTypeOptions = {}) {
    super();
    const who = 'EnsureType';
    checkOptions(who, options, ['dataType', 'dtype', 'device', 'wrapSequence', 'trackMeta']);
    this.dataType = checkChoice(who, 'dataType', typeof options.dataType === 'string' ? options.dataType.toLowerCase() : (options.dataType ?? 'tensor'), ['tensor', 'numpy'] as const);
    this.spec = {
      dtype: checkDtype(who, 'dtype', options.dtype),
      device: options.device ?? null,
      wrapSequence: bool(who, 'wrapSequence', options.wrapSequence, true),
      trackMeta: bool(who, 'trackMeta', options.trackMeta, true),
      numpy: this.dataType === 'numpy',
    };
  }
  call(data: unknown, dtype?: DType | null): unknown {
    const d = checkDtype(this.name, 'dtype', dtype);
    return convert(this.name, data, d ? { ...this.spec, dtype: d } : this.spec);
  }
}

/**
 * MONAI's ToNumpy: a plain contiguous CPU tensor without metadata (there is no numpy here; read the
 * values with `.data()` or `.toTypedArray()`), optionally cast to `dtype`; numbers and numeric lists
 * become tensors too. Same conversion as EnsureType({ dataType: 'numpy' }).
 */
export class ToNumpy extends Transform {
  readonly spec: ConvertSpec;
  constructor(options: { dtype?: DType | null; wrapSequence?: boolean } = {}) {
    super();
    const who = 'ToNumpy';
    checkOptions(who, options, ['dtype', 'wrapSequence']);
    this.spec = { dtype: checkDtype(who, 'dtype', options.dtype), device: null, wrapSequence: bool(who, 'wrapSequence', options.wrapSequence, true), trackMeta: false, numpy: true };
  }
  call(img: unknown): unknown {
    return convert(this.name, img, this.spec);
  }
}

/** Moves a tensor to `device` (options as Tensor.to: nonBlocking). */
export class ToDevice extends Transform {
  readonly device: Device;
  readonly nonBlocking: boolean;
  constructor(options: { device: Device; nonBlocking?: boolean }) {
    super();
    checkOptions('ToDevice', options, ['device', 'nonBlocking'], ['device']);
    if (typeof options.device !== 'string') throw new TypeError(`ToDevice: device must be a string such as 'cpu' or 'cuda:0', got ${describeValue(options.device)}`);
    this.device = options.device;
    this.nonBlocking = bool('ToDevice', 'nonBlocking', options.nonBlocking, false);
  }
  call(img: Tensor): Tensor {
    return tensorArg(this.name, img).to({ device: this.device, nonBlocking: this.nonBlocking });
  }
}

// ---------------------------------------------------------------------------------------------
// User functions

/** A user function of one value; typed with a `never` parameter so that `(x: Tensor) => ...` fits. */
export type UserFn = (x: never) => unknown;

/** A user function, or an importable one (`{ module, name }`: runs in worker threads too, which import it). */
export type UserFnLike = UserFn | FunctionSpec | FunctionRef;

/** Calls a user function (a FunctionRef resolved first) with a value of any type. */
export function callUser(fn: UserFn | FunctionRef, x: unknown, who = 'Lambda'): unknown {
  const f = fn instanceof FunctionRef ? fn.resolve(who) : fn;
  return (f as (x: unknown) => unknown)(x);
}

/** The identity: Lambda's default invFunc (a named export, so a Lambda can travel to worker threads). */
export function identityFunc<T>(x: T): T {
  return x;
}

/** A function option: a function or a { module, name } spec (as a FunctionRef); null when absent and optional. */
function checkUserFn(who: string, option: string, v: unknown, required: boolean): UserFn | FunctionRef | null {
  const r = asFunctionRef(v, `${who}: ${option}`);
  if (r instanceof FunctionRef) return r;
  return checkFn(who, option, r, required) as UserFn | null;
}

export interface LambdaOptions {
  /**
   * the function applied by call (may be given per call instead); `{ module, name }` names an export of
   * an ES module (absolute path or URL), which worker threads import, so the Lambda runs there too
   */
  func?: UserFnLike | null;
  /** the function applied by inverse (default: identity); a function or a `{ module, name }` spec */
  invFunc?: UserFnLike | null;
  /** make a tensor result a MetaTensor (default true) */
  trackMeta?: boolean;
}

/**
 * Applies a user function; a tensor result becomes a MetaTensor (trackMeta) and records this transform,
 * so `inverse` can apply `invFunc`. A plain tensor the function returns is taken over (wrapped), unless
 * it is the input itself, which is shared through a new handle.
 */
export class Lambda extends Transform {
  readonly func: UserFn | FunctionRef | null;
  readonly invFunc: UserFn | FunctionRef;
  readonly trackMeta: boolean;
  constructor(options: LambdaOptions = {}) {
    super();
    const who = new.target.name;
    checkOptions(who, options, ['func', 'invFunc', 'trackMeta']);
    this.func = checkUserFn(who, 'func', options.func, false);
    this.invFunc = checkUserFn(who, 'invFunc', options.invFunc, false) ?? identityFunc;
    this.trackMeta = bool(who, 'trackMeta', options.trackMeta, true);
  }

  /** Applies the function and the MetaTensor conversion, without the trace record. */
  protected applyFunc(img: unknown, func?: UserFn | FunctionRef | null): unknown {
    const fn = func ?? this.func;
    if (typeof fn !== 'function' && !(fn instanceof FunctionRef)) throw new TypeError(`${this.name}: func must be a function (given to the constructor or the call), got ${describeValue(fn)}`);
    const out = callUser(fn, img, this.name);
    if (out instanceof Tensor && !(out instanceof MetaTensor) && this.trackMeta) return out === img ? MetaTensor.fromTensor(out) : MetaTensor.wrap(out);
    return out;
  }

  call(img: unknown, func?: UserFn | FunctionRef | null): unknown {
    const out = this.applyFunc(img, func);
    if (out instanceof MetaTensor) this.pushTransform(out);
    return out;
  }

  inverse(data: unknown): unknown {
    if (data instanceof MetaTensor) this.popTransform(data);
    return callUser(this.invFunc, data, this.name);
  }
}

/** Lambda applied with probability `prob` (drawn from its RandomState); records whether it ran. */
export class RandLambda extends RandomizableTransform {
  readonly lambda: Lambda;
  constructor(options: LambdaOptions & { prob?: number } = {}) {
    super();
    const { prob, ...rest } = options;
    checkOptions('RandLambda', options, ['func', 'invFunc', 'trackMeta', 'prob']);
    this.lambda = new Lambda(rest);
    this.prob = checkProb(prob ?? 1, 'RandLambda');
  }
  get trackMeta(): boolean {
    return this.lambda.trackMeta;
  }
  call(img: unknown, func?: UserFn | FunctionRef | null): unknown {
    this.randomize(img);
    // MONAI deep-copies the output: a skipped call gives a copy of the input
    let out: unknown = this.doTransform ? this.lambda.call(img, func) : img instanceof Tensor ? img.clone() : img;
    if (this.doTransform && out === img && out instanceof Tensor) out = out.clone();
    if (out instanceof Tensor && !(out instanceof MetaTensor) && this.trackMeta) out = MetaTensor.wrap(out);
    if (out instanceof MetaTensor) {
      const info = this.doTransform ? out.appliedOperations.pop()! : {};
      this.pushTransform(out, { extraInfo: info as Record<string, never> });
    }
    return out;
  }
  inverse(data: unknown): unknown {
    if (!(data instanceof MetaTensor)) return callUser(this.lambda.invFunc, data, this.name);
    const rec = this.popTransform(data);
    if (rec[TraceKeys.DO_TRANSFORM]) return callUser(this.lambda.invFunc, data, this.name);
    return data;
  }
}

// ---------------------------------------------------------------------------------------------
// Labels

function labelList(who: string, v: unknown): number[] {
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'number' || !Number.isInteger(x))) throw new TypeError(`${who}: selectLabels must be an integer or a non-empty list of integers, got ${JSON.stringify(v)}`);
  return [...list];
}

export interface LabelToMaskOptions {
  /** label values (one-channel labels) or channel indices (one-hot labels) */
  selectLabels: number | number[];
  /** merge the channels into one with any() (default false) */
  mergeChannels?: boolean;
}

/** A mask of the selected labels (bool for one-channel labels; the selected channels for one-hot labels). */
export class LabelToMask extends Transform {
  readonly selectLabels: number[];
  readonly mergeChannels: boolean;
  constructor(options: LabelToMaskOptions) {
    super();
    checkOptions('LabelToMask', options, ['selectLabels', 'mergeChannels'], ['selectLabels']);
    this.selectLabels = labelList('LabelToMask', options.selectLabels);
    this.mergeChannels = bool('LabelToMask', 'mergeChannels', options.mergeChannels, false);
  }
  call(img: Tensor, selectLabels?: number | number[] | null, mergeChannels = false): Tensor {
    tensorArg(this.name, img);
    if (img.dim() < 1) throw new RangeError(`${this.name}: expected a channel-first label, got a 0-d tensor`);
    const labels = selectLabels === undefined || selectLabels === null ? this.selectLabels : labelList(this.name, selectLabels);
    return torch.tidy(() => {
      let data: Tensor;
      if (img.shape[0] > 1) {
        const c = img.shape[0];
        const bad = labels.find((l) => l < -c || l >= c);
        if (bad !== undefined) throw new RangeError(`${this.name}: channel ${bad} is out of range for a ${c}-channel one-hot label`);
        data = img.at(labels);
      } else {
        data = torch.isin(img, torch.tensor(labels, { dtype: img.dtype === 'bool' ? 'int64' : img.dtype, device: img.device }));
      }
      return mergeChannels || this.mergeChannels ? data.any(0).unsqueeze(0) : data;
    });
  }
}

function outputShapeOf(who: string, v: unknown): number[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || x < 1)) throw new TypeError(`${who}: outputShape must be a list of positive integers or null, got ${JSON.stringify(v)}`);
  return [...v];
}

/** Flat indices [N] -> coordinates [N, ndim] (C order), as MONAI's unravel_indices. */
export function unravelIndices(idx: Tensor, shape: readonly number[]): Tensor {
  return torch.tidy(() => {
    const coords: Tensor[] = [];
    let rest = idx;
    for (let d = shape.length - 1; d >= 0; d--) {
      coords.unshift(rest.remainder(shape[d]));
      rest = rest.div(shape[d], { roundingMode: 'floor' });
    }
    return torch.stack(coords, 1);
  });
}

export interface FgBgToIndicesOptions {
  /** with an image given to call, background is only where image > imageThreshold (default 0) */
  imageThreshold?: number;
  /** unravel the flat indices to coordinates of this shape */
  outputShape?: number[] | null;
}

/** Flat (or unravelled) indices of foreground and background voxels of a label (MONAI's map_binary_to_indices). */
export class FgBgToIndices extends Transform {
  readonly imageThreshold: number;
  readonly outputShape: number[] | null;
  constructor(options: FgBgToIndicesOptions = {}) {
    super();
    checkOptions('FgBgToIndices', options, ['imageThreshold', 'outputShape']);
    this.imageThreshold = options.imageThreshold ?? 0;
    if (typeof this.imageThreshold !== 'number') throw new TypeError(`FgBgToIndices: imageThreshold must be a number, got ${JSON.stringify(options.imageThreshold)}`);
    this.outputShape = outputShapeOf('FgBgToIndices', options.outputShape);
  }
  call(label: Tensor, image: Tensor | null = null, outputShape?: number[] | null): [Tensor, Tensor] {
    tensorArg(this.name, label, 'label');
    if (image !== null) tensorArg(this.name, image, 'image');
    const shape = outputShape === undefined || outputShape === null ? this.outputShape : outputShapeOf(this.name, outputShape);
    return torch.tidy(() => {
      const [fg, bg] = mapBinaryToIndices(plainOf(label), image === null ? null : plainOf(image), this.imageThreshold);
      return (shape ? [unravelIndices(fg, shape), unravelIndices(bg, shape)] : [fg, bg]) as [Tensor, Tensor];
    });
  }
}

/** A plain handle of t inside a tidy (indices carry no image metadata). */
function plainOf(t: Tensor): Tensor {
  return t instanceof MetaTensor ? t.asTensor() : t;
}

export interface ClassesToIndicesOptions {
  /** classes of an argmax (one-channel) label; not needed for one-hot labels */
  numClasses?: number | null;
  imageThreshold?: number;
  outputShape?: number[] | null;
  /** keep at most this many evenly spaced indices per class */
  maxSamplesPerClass?: number | null;
}

/** Flat (or unravelled) indices of every class of a label (MONAI's map_classes_to_indices). */
export class ClassesToIndices extends Transform {
  readonly numClasses: number | null;
  readonly imageThreshold: number;
  readonly outputShape: number[] | null;
  readonly maxSamplesPerClass: number | null;
  constructor(options: ClassesToIndicesOptions = {}) {
    super();
    const who = 'ClassesToIndices';
    checkOptions(who, options, ['numClasses', 'imageThreshold', 'outputShape', 'maxSamplesPerClass']);
    this.numClasses = options.numClasses === undefined || options.numClasses === null ? null : int(who, 'numClasses', options.numClasses, 1);
    this.imageThreshold = options.imageThreshold ?? 0;
    if (typeof this.imageThreshold !== 'number') throw new TypeError(`${who}: imageThreshold must be a number, got ${JSON.stringify(options.imageThreshold)}`);
    this.outputShape = outputShapeOf(who, options.outputShape);
    this.maxSamplesPerClass = options.maxSamplesPerClass === undefined || options.maxSamplesPerClass === null ? null : int(who, 'maxSamplesPerClass', options.maxSamplesPerClass, 1);
  }
  call(label: Tensor, image: Tensor | null = null, outputShape?: number[] | null): Tensor[] {
    tensorArg(this.name, label, 'label');
    if (image !== null) tensorArg(this.name, image, 'image');
    const shape = outputShape === undefined || outputShape === null ? this.outputShape : outputShapeOf(this.name, outputShape);
    if (label.dim() < 1) throw new RangeError(`${this.name}: expected a channel-first label, got a 0-d tensor`);
    if (label.shape[0] === 1 && this.numClasses === null) throw new TypeError(`${this.name}: a one-channel label is not one-hot; numClasses is required`);
    return torch.tidy(() => {
      const idx = mapClassesToIndices(plainOf(label), { numClasses: this.numClasses, image: image === null ? null : plainOf(image), imageThreshold: this.imageThreshold, maxSamplesPerClass: this.maxSamplesPerClass });
      return shape ? idx.map((i) => unravelIndices(i, shape)) : idx;
    });
  }
}

/** Appends channels holding each selected spatial axis' coordinate, from -0.5 to 0.5 (a CoordConv input). */
export class AddCoordinateChannels extends Transform {
  readonly spatialDims: number[];
  constructor(options: { spatialDims: number[] }) {
    super();
    checkOptions('AddCoordinateChannels', options, ['spatialDims'], ['spatialDims']);
    const sd = options.spatialDims;
    if (!Array.isArray(sd) || sd.length === 0 || sd.some((d) => !Number.isInteger(d))) throw new TypeError(`AddCoordinateChannels: spatialDims must be a non-empty list of integers, got ${JSON.stringify(sd)}`);
    this.spatialDims = [...sd];
  }
  call(img: Tensor): Tensor {
    tensorArg(this.name, img);
    const nd = img.dim() - 1;
    if (Math.max(...this.spatialDims) > nd - 1 || Math.min(...this.spatialDims) < 0) throw new RangeError(`${this.name}: spatialDims values must be within [0, ${nd - 1}] for shape [${img.shape.join(', ')}], got [${this.spatialDims.join(', ')}]`);
    const spatial = img.shape.slice(1);
    return torch.tidy(() => {
      const coords = this.spatialDims.map((d) => {
        const view = spatial.map((_, i) => (i === d ? spatial[d] : 1));
        return torch.linspace(-0.5, 0.5, spatial[d], { dtype: 'float64', device: img.device }).reshape(view).expand(spatial);
      });
      return torch.cat([img, torch.stack(coords).to({ dtype: img.dtype })], 0);
    });
  }
}

/** BraTS labels (1 necrotic, 2 edema, 4 enhancing) to 3 channels: tumor core, whole tumor, enhancing tumor. */
export class ConvertToMultiChannelBasedOnBratsClasses extends Transform {
  constructor(options: Record<string, never> = {}) {
    super();
    checkOptions('ConvertToMultiChannelBasedOnBratsClasses', options, []);
  }
  call(img: Tensor): Tensor {
    tensorArg(this.name, img);
    return torch.tidy(() => {
      const x = img.dim() === 4 && img.shape[0] === 1 ? img.squeeze(0) : img;
      const tc = torch.logicalOr(x.eq(1), x.eq(4));
      const wt = torch.logicalOr(tc, x.eq(2));
      return torch.stack([tc, wt, x.eq(4)], 0);
    });
  }
}

