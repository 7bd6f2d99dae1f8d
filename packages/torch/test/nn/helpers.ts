// Shared by the nn tests: fixture loading (JSON index + little-endian binary) and tolerant comparison.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';

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
 * Asserts |actual - expected| <= rtol * |expected| + atol * max(1, max|expected|) elementwise
 * (default rtol 1e-5: "1e-5 relative"), with matching shapes. Returns the largest absolute error.
 */
export function assertClose(actual: torch.Tensor, expected: Float64Array, shape: number[], what: string, rtol = 1e-5, atol = 1e-6): number {
  assert.deepEqual(actual.shape, shape, `${what}: shape ${JSON.stringify(actual.shape)} != ${JSON.stringify(shape)}`);
  const a = valuesOf(actual);
  let scale = 1;
  for (const v of expected) if (Math.abs(v) > scale) scale = Math.abs(v);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = expected[i];
    const d = Math.abs(a[i] - e);
    const bothNan = Number.isNaN(a[i]) && Number.isNaN(e);
    if (bothNan || a[i] === e) continue;
    if (!(d <= rtol * Math.abs(e) + atol * scale)) assert.fail(`${what}: element ${i} is ${a[i]}, expected ${e} (|diff| ${d})`);
    if (d > worst) worst = d;
  }
  return worst;
}

export const snakeToCamel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function camelKeys(o: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) r[snakeToCamel(k)] = v;
  return r;
}
