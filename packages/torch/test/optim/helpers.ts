// Shared pieces of the optim tests: the fixed least-squares problem of tools/goldens/optim/make_goldens.py.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { assertAllClose } from '../helpers/all_close.js';

export function fixture(name: string): any {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/optim/${name}`, import.meta.url)), 'utf8'));
}

export interface Problem {
  A: number[];
  A_shape: number[];
  b: number[];
  w0: number[];
  c0: number[];
}

/** Owns A and b; makes fresh parameters and computes the loss as the golden script does. */
export class LeastSquares {
  readonly A: Tensor;
  readonly b: Tensor;
  constructor(readonly pr: Problem, readonly dtype: 'float64' | 'float32' = 'float64') {
    this.A = torch.tidy(() => torch.fromTypedArray(new Float64Array(pr.A), pr.A_shape).to(dtype));
    this.b = torch.tensor(pr.b, { dtype });
  }
  params(): [Tensor, Tensor] {
    return [torch.tensor(this.pr.w0, { dtype: this.dtype, requiresGrad: true }), torch.tensor(this.pr.c0, { dtype: this.dtype, requiresGrad: true })];
  }
  /** mean((A @ w + c - b) ** 2) + 0.01 * sum(w ** 4), negated when neg. */
  loss(w: Tensor, c: Tensor, neg = false): Tensor {
    return torch.tidy(() => {
      const l = this.A.matmul(w).add(c).sub(this.b).pow(2).mean().add(w.pow(4).sum().mul(0.01));
      return neg ? l.neg() : l;
    });
  }
  dispose(): void {
    this.A.dispose();
    this.b.dispose();
  }
}

export function flat(w: Tensor, c: Tensor): number[] {
  return [...(w.toArray() as number[]), ...(c.toArray() as number[])];
}

/** snake_case -> camelCase for golden option keys. */
export function camelOptions(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.replace(/_([a-z0-9])/gi, (_, ch: string) => ch.toUpperCase())] = v;
  return out;
}

/**
 * |actual - expected| <= tol + tol * |expected| per element (NaN-aware, helpers/all_close.ts). The
 * problem runs in float64, so trajectories are held to 1e-10.
 */
export function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assertAllClose(actual, expected, { rtol: tol, atol: tol, what });
}
