// Dtype names (PyTorch's, without the "torch." prefix) and the typed arrays that hold them.
export type DType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'bool'
  | 'complex64' | 'complex128';

export type Device = 'cpu' | `cuda` | `cuda:${number}` | (string & {});
export type MemoryFormat = 'contiguous' | 'preserve' | 'channels_last' | 'channels_last_3d';
export type Layout = 'strided';

export type TypedArray =
  | Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Uint8ClampedArray;

export const DTYPES: readonly DType[] = [
  'float32', 'float64', 'float16', 'bfloat16', 'uint8', 'int8', 'int16', 'int32', 'int64', 'bool', 'complex64', 'complex128',
];

/**
 * Every name PyTorch gives a dtype (`torch.<name>`): the canonical names and the aliases
 * (torch.float, torch.long, torch.cfloat, ...). The one table of dtype names: Tensor.to, Module.to
 * and the .pt reader all read it.
 */
export const DTYPE_BY_NAME: Readonly<Record<string, DType>> = Object.freeze({
  ...Object.fromEntries(DTYPES.map((d) => [d, d])),
  float: 'float32', double: 'float64', half: 'float16', short: 'int16', int: 'int32', long: 'int64',
  cfloat: 'complex64', cdouble: 'complex128',
});

/** True when `s` names a dtype ('float32', 'long', 'torch.int64'), false for anything else (a device). */
export function isDtypeName(s: string): boolean {
  return Object.hasOwn(DTYPE_BY_NAME, s.startsWith('torch.') ? s.slice(6) : s);
}

export function normalizeDtype(d: string): DType {
  const n = d.startsWith('torch.') ? d.slice(6) : d;
  if (Object.hasOwn(DTYPE_BY_NAME, n)) return DTYPE_BY_NAME[n];
  throw new TypeError(`unknown dtype '${d}' (expected one of ${DTYPES.join(', ')})`);
}

/**
 * c10::ScalarType's enum order: a ScalarType result arrives as its index here. Includes types with no
 * DType of ours (complex32, the quantized ones), which stay names.
 */
export const SCALAR_TYPE_ORDER: readonly string[] = [
  'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64', 'complex32', 'complex64',
  'complex128', 'bool', 'qint8', 'quint8', 'qint32', 'bfloat16',
];

/** The dtype a typed array maps to when no dtype is given. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  throw new TypeError(`${a.constructor.name} has no matching torch dtype; pass dtype explicitly`);
}

/** Bytes per element of each dtype. */
export const ELEMENT_SIZE: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4, float64: 8, float16: 2, bfloat16: 2,
  uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8,
  bool: 1, complex64: 8, complex128: 16,
});

export function elementSize(d: DType): number {
  return ELEMENT_SIZE[d];
}

export const isFloatingDtype = (d: DType) => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
export const isComplexDtype = (d: DType) => d === 'complex64' || d === 'complex128';
