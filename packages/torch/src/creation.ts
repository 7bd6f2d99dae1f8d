// Tensors from JS values: nested arrays, typed arrays, and handles shared by another thread.
import { native } from './native.js';
import { Tensor, type Nested } from './tensor.js';
import { dtypeOfArray, normalizeDtype, type DType, type Device, type TypedArray } from './dtype.js';
import { checkOptions } from './options.js';

/** torch.tensor's keyword arguments, as Python's. */
export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
  /** Copy into page-locked memory (needs CUDA), as Python's pin_memory. */
  pinMemory?: boolean;
}
const TENSOR_OPTIONS = ['dtype', 'device', 'requiresGrad', 'pinMemory'] as const;

const BUFFER: Record<DType, (n: number) => TypedArray> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  float16: (n) => new Float32Array(n),
  bfloat16: (n) => new Float32Array(n),
  uint8: (n) => new Uint8Array(n),
  int8: (n) => new Int8Array(n),
  int16: (n) => new Int16Array(n),
  int32: (n) => new Int32Array(n),
  int64: (n) => new BigInt64Array(n),
  bool: (n) => new Uint8Array(n),
  complex64: (n) => new Float32Array(2 * n),
  complex128: (n) => new Float64Array(2 * n),
};

// Integer dtypes whose typed arrays would wrap an out-of-range value silently (PyTorch throws).
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** One element as int64, or a RangeError naming it: BigInt64Array would wrap it silently. */
function toInt64(v: unknown, i: number): bigint {
  const b = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
  if (b < INT64_MIN || b > INT64_MAX)
    throw new RangeError(`tensor: value ${String(v)}${typeof v === 'bigint' ? 'n' : ''} at index ${i} does not fit in int64 (${INT64_MIN}n to ${INT64_MAX}n)`);
  return b;
}

/** The dtype holding the values of one buffer, before any requested cast. */
const STAGING: Partial<Record<DType, DType>> = { float16: 'float32', bfloat16: 'float32' };

function finish(t: Tensor, options: TensorOptions): Tensor {
  let out = t;
  try {
    if (options.device && options.device !== 'cpu') {
      out = t.to(options.device);
      if (out !== t) t.dispose();
    }
    if (options.pinMemory) {
      const pinned = out.pinMemory();
      if (pinned !== out) out.dispose();
      out = pinned;
    }
    if (options.requiresGrad) out.requiresGrad_(true);
  } catch (e) {
    if (!out.isDisposed) out.dispose();
    throw e;
  }
  return out;
}

/**
 * Copies a typed array into a new tensor of the given shape (default: 1-D) and dtype (default:
 * the array's own). float16/bfloat16 data is raw 16-bit words (Uint16Array), int64 a BigInt64Array.
 */
export function fromTypedArray(data: TypedArray | ArrayBuffer, shape?: number[], dtype?: DType, options: TensorOptions = {}): Tensor {
  checkOptions('fromTypedArray', options, TENSOR_OPTIONS);
  const dt = dtype ? normalizeDtype(dtype) : data instanceof ArrayBuffer ? 'uint8' : dtypeOfArray(data);
  const size = shape ?? [data instanceof ArrayBuffer ? data.byteLength : (data as TypedArray).length];
  if (data instanceof BigUint64Array && dt === 'int64')
    for (let i = 0; i < data.length; i++)
      if (data[i] > INT64_MAX) throw new RangeError(`fromTypedArray: BigUint64Array value ${data[i]}n at index ${i} does not fit in int64 (at most ${INT64_MAX}n)`);
  return finish(new Tensor(native.fromTypedArray(data, size, dt)), options);
}

function inferShape(x: unknown, what: string): number[] {
  const shape: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  if (cur instanceof Tensor) throw new TypeError(`${what}: nested arrays of Tensors are not supported; use torch.stack`);
  return shape;
}

function inferDtype(flat: unknown[]): DType {
  let sawFloat = false;
  let sawBool = false;
  let sawNumber = false;
  for (const v of flat) {
    if (typeof v === 'boolean') sawBool = true;
    else if (typeof v === 'bigint') sawNumber = true;
    else if (typeof v === 'number') {
      sawNumber = true;
      if (!Number.isInteger(v)) sawFloat = true;
    }
  }
  if (sawFloat) return 'float32';
  if (sawNumber) return 'int64';
  if (sawBool) return 'bool';
  return 'float32';
}

/**
 * A tensor from a number, a boolean, nested arrays of them, or a typed array (copied). The
 * dtype is inferred as PyTorch does: float32 if any value is fractional, int64 for integers,
 * bool for booleans, unless options.dtype says otherwise.
 */
export function tensor(data: Nested<number | boolean | bigint> | TypedArray, options: TensorOptions = {}): Tensor {
  checkOptions('tensor', options, TENSOR_OPTIONS);
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray;
    const own = dtypeOfArray(src);
    const t = new Tensor(native.fromTypedArray(src, [src.length], own));
    if (!options.dtype || normalizeDtype(options.dtype) === own) return finish(t, options);
    const c = (t as any).to({ dtype: normalizeDtype(options.dtype) }) as Tensor;
    t.dispose();
    return finish(c, options);
  }
  const shape = inferShape(data, 'tensor');
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as unknown[];
  const expected = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== expected)
    throw new TypeError(`tensor: nested arrays are ragged (shape starts ${JSON.stringify(shape)}, ${flat.length} values)`);
  for (const v of flat)
    if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint')
      throw new TypeError(`tensor: expected numbers or booleans, found ${typeof v}`);
  // JS cannot tell 1.0 from 1: a tensor that should require grad must be floating, so integral
  // values are taken as float32 there instead of failing as int64 would.
  let dt = options.dtype ? normalizeDtype(options.dtype) : inferDtype(flat);
  if (!options.dtype && options.requiresGrad && (dt === 'int64' || dt === 'bool')) dt = 'float32';
  const staging = STAGING[dt] ?? dt;
  const buf = BUFFER[staging](flat.length);
  if (staging === 'int64') for (let i = 0; i < flat.length; i++) (buf as BigInt64Array)[i] = toInt64(flat[i], i);
  else if (staging.startsWith('complex')) for (let i = 0; i < flat.length; i++) buf[2 * i] = Number(flat[i]);
  else if (staging === 'bool') for (let i = 0; i < flat.length; i++) buf[i] = flat[i] ? 1 : 0;
  else if (staging in INT_RANGE) {
    const [lo, hi] = INT_RANGE[staging]!;
    for (let i = 0; i < flat.length; i++) {
      const v = Math.trunc(Number(flat[i]));
      if (!(v >= lo && v <= hi)) throw new RangeError(`tensor: value ${String(flat[i])} at index ${i} does not fit in ${staging} (${lo} to ${hi})`);
      buf[i] = v;
    }
  } else for (let i = 0; i < flat.length; i++) buf[i] = Number(flat[i]);
  let t = new Tensor(native.fromTypedArray(buf, shape, staging));
  if (staging !== dt) {
    const c = (t as any).to({ dtype: dt }) as Tensor;
    t.dispose();
    t = c;
  }
  return finish(t, options);
}

/** Adopts a tensor that another thread of this process handed over with Tensor.share(). */
export function fromShared(token: bigint): Tensor {
  return new Tensor(native.adopt(token));
}
