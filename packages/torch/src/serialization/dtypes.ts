// Dtype tables shared by the .pt and safetensors readers/writers (file-format names and codes; the
// dtype names themselves and element sizes are dtype.ts's). Pure (no tensor imports) so the
// byte-level code can be tested on its own.
import { ELEMENT_SIZE, type DType } from '../dtype.js';

export { ELEMENT_SIZE, type DType };

/** Bytes per scalar component (what a byte swap works on). */
export const SWAP_SIZE: Record<DType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2,
  uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8,
  bool: 1, complex64: 4, complex128: 8,
};

/** PyTorch legacy typed-storage class names (module `torch`) -> dtype. */
export const STORAGE_CLASS_DTYPE: Record<string, DType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  ByteStorage: 'uint8',
  CharStorage: 'int8',
  ShortStorage: 'int16',
  IntStorage: 'int32',
  LongStorage: 'int64',
  BoolStorage: 'bool',
  ComplexFloatStorage: 'complex64',
  ComplexDoubleStorage: 'complex128',
};

export const DTYPE_STORAGE_CLASS: Record<DType, string> = Object.fromEntries(
  Object.entries(STORAGE_CLASS_DTYPE).map(([k, v]) => [v, k]),
) as Record<DType, string>;

/** safetensors dtype codes. */
export const SAFETENSORS_DTYPE: Record<string, DType> = {
  F16: 'float16', BF16: 'bfloat16', F32: 'float32', F64: 'float64',
  I8: 'int8', I16: 'int16', I32: 'int32', I64: 'int64', U8: 'uint8', BOOL: 'bool',
};

export const DTYPE_SAFETENSORS: Partial<Record<DType, string>> = Object.fromEntries(
  Object.entries(SAFETENSORS_DTYPE).map(([k, v]) => [v, k]),
);

/** Element sizes of every safetensors dtype code, including ones we cannot turn into tensors. */
export const SAFETENSORS_CODE_SIZE: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/**
 * The reference writer (huggingface/safetensors `prepare`) lays tensors out by descending
 * dtype rank (its `Dtype` enum order, which is increasing alignment), then by name.
 */
export const SAFETENSORS_DTYPE_RANK: Record<string, number> = {
  BOOL: 0, U8: 1, I8: 2, F8_E5M2: 3, F8_E4M3: 4, I16: 5, U16: 6, F16: 7, BF16: 8,
  I32: 9, U32: 10, F32: 11, F64: 12, I64: 13, U64: 14,
};

export function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ELEMENT_SIZE, s);
}

/** Swap bytes in place for elements of `size` bytes (endianness conversion). */
export function byteSwapInPlace(bytes: Uint8Array, size: number): void {
  if (size <= 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}
