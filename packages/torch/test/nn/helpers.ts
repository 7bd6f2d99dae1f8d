// Shared by the nn tests: fixture loading (JSON index + little-endian binary) and tolerant comparison.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import { assertAllClose } from '../helpers/all_close.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'nn');

export interface Ref {
  offset: number;
  shape: number[];
  dtype: 'float32' | 'int64' | 'bool';
}

export class Fixture {
  readonly index: any;
  private readonly bin: Buffer;
  constructor(name: string) {
    this.index = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
    this.bin = readFileSync(join(FIXTURES, `${name}.bin`));
  }
  /** A new tensor holding the referenced values. */
  tensor(ref: Ref): torch.Tensor {
    const n = ref.shape.reduce((a, b) => a * b, 1);
    const start = this.bin.byteOffset + ref.offset;
    const buf = this.bin.buffer;
    if (ref.dtype === 'float32') return torch.fromTypedArray(new Float32Array(buf.slice(start, start + 4 * n)), ref.shape, 'float32');
    if (ref.dtype === 'int64') return torch.fromTypedArray(new BigInt64Array(buf.slice(start, start + 8 * n)), ref.shape, 'int64');
    return torch.fromTypedArray(new Uint8Array(buf.slice(start, start + n)), ref.shape, 'bool');
  }
  values(ref: Ref): Float64Array {
    const n = ref.shape.reduce((a, b) => a * b, 1);
    const start = this.bin.byteOffset + ref.offset;
    const buf = this.bin.buffer;
    if (ref.dtype === 'float32') return Float64Array.from(new Float32Array(buf.slice(start, start + 4 * n)));
    if (ref.dtype === 'int64') return Float64Array.from(new BigInt64Array(buf.slice(start, start + 8 * n)), Number);
    return Float64Array.from(new Uint8Array(buf.slice(start, start + n)));
  }
}

export function valuesOf(t: torch.Tensor): Float64Array {
  return torch.tidy(() => {
    const d = t.detach().to('float64').contiguous().data() as Float64Array;
    return Float64Array.from(d);
  });
}

/**
 * Asserts |actual - expected| <= atol + rtol * |expected| elementwise (helpers/all_close.ts: NaN
 * only matches NaN; atol is absolute, not scaled by the largest value), with matching shapes.
 * Returns the largest absolute error.
 */
export function assertClose(actual: torch.Tensor, expected: Float64Array, shape: number[], what: string, rtol = 1e-5, atol = 1e-6): number {
  assert.deepEqual(actual.shape, shape, `${what}: shape ${JSON.stringify(actual.shape)} != ${JSON.stringify(shape)}`);
  const a = valuesOf(actual);
  assertAllClose(a, expected, { rtol, atol, what, shape });
  let worst = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== expected[i] && Math.abs(a[i] - expected[i]) > worst) worst = Math.abs(a[i] - expected[i]);
  return worst;
}

export const snakeToCamel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function camelKeys(o: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) r[snakeToCamel(k)] = v;
  return r;
}
