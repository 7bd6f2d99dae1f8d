// Element-wise comparison against goldens and tensors from golden JSON, for the losses, optimizers and
// inferers tests: |actual - expected| <= atol + rtol * |expected|, NaN only matching NaN and an
// infinity only the same infinity; a failure names the first bad index and how many differ.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor, DType } from '@monai-ts/torch';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export function readGolden(rel: string): any {
  return JSON.parse(readFileSync(path.join(ROOT, 'tools', 'goldens', rel), 'utf8'));
}

function isClose(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { rtol: number; atol: number }, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let first = -1;
  let bad = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!isClose(Number(actual[i]), Number(expected[i]), tol.rtol, tol.atol)) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad) assert.fail(`${what}: ${bad}/${expected.length} values differ; first at ${first}: ${actual[first]} vs expected ${expected[first]} (rtol ${tol.rtol}, atol ${tol.atol})`);
}

/** A tensor from the golden encoding { shape, dtype, data }. */
export function fromGolden(enc: { shape: number[]; dtype: string; data: number[] }): Tensor {
  return torch.tidy(() => torch.tensor(enc.data, { dtype: enc.dtype as DType }).reshape(enc.shape));
}

/** The tensor's values as float64 numbers. */
export function values(t: Tensor): number[] {
  return torch.tidy(() => Array.from(t.detach().to({ dtype: 'float64' }).reshape([-1]).toTypedArray() as Float64Array));
}
