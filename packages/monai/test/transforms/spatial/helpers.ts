/** Shared helpers of the spatial transform tests: golden loading, MetaTensor inputs, comparisons. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const GOLDEN = path.resolve(HERE, '../../../../../tools/goldens/transforms/spatial/spatial.pt');

export interface Rec {
  out: Tensor;
  shape: number[];
  affine?: Tensor;
  nops?: number;
  npending?: number;
}

export function camel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Python kwargs -> our options: camelCase keys, tensors (matrices) -> nested arrays. */
export function tsOptions(opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) out[camel(k)] = v instanceof torch.Tensor ? (v.tolist() as unknown) : v;
  return out;
}

export function affineOf(t: Tensor): Float64Array {
  return Float64Array.from(t.toTypedArray() as ArrayLike<number>);
}

export function metaInput(inputs: Record<string, Tensor>, name: string): MetaTensor {
  const aff = inputs[name.startsWith('d') ? 'D3' : name.startsWith('img3') || name.startsWith('lab3') ? 'A3' : 'A2'];
  return MetaTensor.wrap(inputs[name].clone(), { affine: affineOf(aff) });
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  return torch.tidy(() => a.to({ dtype: 'float64' }).sub(b.to({ dtype: 'float64' })).abs().max().item() as number);
}

/** Number of elements that differ by more than tol. */
export function countDiff(a: Tensor, b: Tensor, tol: number): number {
  return torch.tidy(() => a.to({ dtype: 'float64' }).sub(b.to({ dtype: 'float64' })).abs().gt(tol).sum().item() as number);
}

/** Largest difference seen per stated tolerance (printed by the golden test with SPATIAL_REPORT=1). */
export const worst = new Map<number, number>();

/** Checks shape, values (max abs diff <= tol), affine (1e-6) and the applied-operation count against a MONAI record. */
export function checkRec(what: string, got: Tensor, exp: Rec, tol: number): void {
  assert.deepEqual(got.shape, exp.shape, `${what}: shape`);
  const d = maxAbsDiff(got, exp.out);
  worst.set(tol, Math.max(worst.get(tol) ?? 0, d));
  assert.ok(d <= tol, `${what}: max abs diff ${d} > ${tol}`);
  if (exp.affine) {
    assert.ok(got instanceof MetaTensor, `${what}: expected a MetaTensor`);
    const a = got.affine;
    const e = affineOf(exp.affine);
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(a[i] - e[i]) <= 1e-6 * Math.max(1, Math.abs(e[i])), `${what}: affine[${i}] ${a[i]} vs MONAI ${e[i]}`);
    assert.equal(got.appliedOperations.length, exp.nops, `${what}: applied operations`);
  }
}

/** Foreground Dice of two label maps (2 |same label > 0| / (|a > 0| + |b > 0|)), for round trips. */
export function dice(a: Tensor, b: Tensor): number {
  return torch.tidy(() => {
    const x = a.round();
    const y = b.round();
    const inter = x.eq(y).logicalAnd(x.gt(0)).sum().item() as number;
    const n = (x.gt(0).sum().item() as number) + (y.gt(0).sum().item() as number);
    return n === 0 ? 1 : (2 * inter) / n;
  });
}

export function disposeDeep(v: unknown): void {
  if (v instanceof torch.Tensor) v.dispose();
  else if (Array.isArray(v)) v.forEach(disposeDeep);
  else if (v !== null && typeof v === 'object') Object.values(v).forEach(disposeDeep);
}

export function disposeAll(...vs: unknown[]): void {
  for (const v of vs) disposeDeep(v);
}
