// Shared helpers for the DICOM tests: fixture paths, goldens, canonical hashing of arrays.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'dicom');

export interface Golden {
  source: string;
  shape?: number[];
  dtype?: string;
  sha256?: string;
  sum?: number;
  min?: number;
  max?: number;
  samples?: [number, number][];
  affine?: number[][];
  spacing?: number[];
  spatial_shape?: number[];
  lastImagePositionPatient?: number[];
  [k: string]: unknown;
}

export const goldens: Record<string, Golden> = JSON.parse(readFileSync(join(FIXTURES, 'goldens.json'), 'utf8'));

export function fixture(key: string): string {
  return join(FIXTURES, key.split('#')[0]);
}

/** Values as float64 (int64 through Number). */
export function asFloat64(a: ArrayLike<number | bigint>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
  return out;
}

export function tensorValues(t: torch.Tensor): Float64Array {
  return asFloat64(t.toTypedArray() as ArrayLike<number | bigint>);
}

/** sha256 of the values as float64 little-endian bytes (what make_goldens.py hashes). */
export function canonicalHash(v: Float64Array): string {
  return createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
}

export function summaryOf(v: Float64Array) {
  let sum = 0, min = Infinity, max = -Infinity;
  for (const x of v) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { sum, min, max, sha256: canonicalHash(v) };
}

export function assertClose(actual: number[][], expected: number[][], atol: number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i].length; j++) {
      if (!(Math.abs(actual[i][j] - expected[i][j]) <= atol)) { // NaN fails too
        throw new Error(`${what}[${i}][${j}] = ${actual[i][j]}, expected ${expected[i][j]} (atol ${atol})\nactual ${JSON.stringify(actual)}\nexpected ${JSON.stringify(expected)}`);
      }
    }
  }
}

/** A meta affine (row-major Float64Array(16), or nested arrays) as 4x4 rows. */
export function m4(a: unknown): number[][] {
  if (a instanceof Float64Array || (Array.isArray(a) && typeof a[0] === 'number')) {
    const v = Array.from(a as ArrayLike<number>);
    return [0, 1, 2, 3].map((r) => v.slice(4 * r, 4 * r + 4));
  }
  return a as number[][];
}
