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

const ALIASES: Record<string, DType> = {
  float: 'float32', double: 'float64', half: 'float16', short: 'int16', int: 'int32', long: 'int64',
};

export function normalizeDtype(d: string): DType {
  const n = d.startsWith('torch.') ? d.slice(6) : d;
  if ((DTYPES as readonly string[]).includes(n)) return n as DType;
  if (n in ALIASES) return ALIASES[n];
  throw new TypeError(`unknown dtype '${d}' (expected one of ${DTYPES.join(', ')})`);
}

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

export function elementSize(d: DType): number {
  switch (d) {
    case 'float64': case 'int64': case 'complex64': return 8;
    case 'complex128': return 16;
    case 'float32': case 'int32': return 4;
    case 'float16': case 'bfloat16': case 'int16': return 2;
    default: return 1;
  }
}

export const isFloatingDtype = (d: DType) => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
export const isComplexDtype = (d: DType) => d === 'complex64' || d === 'complex128';
