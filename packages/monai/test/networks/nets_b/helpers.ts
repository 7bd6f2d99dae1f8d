// Shared checks for the nets_b tests against MONAI 1.4 (tools/goldens/networks/make_nets_b.py): the
// parameter count, the state-dict keys and shapes in order, and, with MONAI's weights loaded strictly
// from the .pt MONAI wrote, the eval output (and the train output where recorded) for MONAI's input.
// Outputs agree element-wise within |ours - MONAI| <= 1e-4 * |MONAI| + 1e-5 * max|MONAI| (float32 sums
// in a different order differ in the last bits; the max-scaled term covers values that cancel to ~0).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import * as networks from '../../../src/networks/index.js';
import { assertAllClose } from '../../../../torch/test/helpers/all_close.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const GOLD = path.join(here, '..', '..', '..', '..', '..', 'tools', 'goldens', 'networks');

export interface Case {
  class: string;
  options: Record<string, unknown>;
  inputShape: number[];
  train: boolean;
  outputStep: number;
  numParams: number;
  numKeys: number;
  digest: string;
  /** Present for networks of up to 150 keys (the digest covers the others). */
  keys?: [string, number[]][];
  /** Large integer buffers left out of the .pt (SwinUNETR's relative-position index), with MONAI's checksums. */
  omitted?: Record<string, number>;
}
export interface DefaultCase {
  class: string;
  options: Record<string, unknown>;
  numParams: number;
  numKeys: number;
  digest: string;
  firstKeys: string[];
  lastKeys: string[];
}
export const golden = JSON.parse(fs.readFileSync(path.join(GOLD, 'nets_b.json'), 'utf8')) as { cases: Record<string, Case>; defaults: DefaultCase[] };

type Ctor = new (options: Record<string, unknown>) => nn.Module;
export const classes = networks as unknown as Record<string, Ctor>;

export function countParams(net: nn.Module): number {
  let n = 0;
  for (const p of net.parameters()) n += p.numel();
  return n;
}

function firstOutput(out: unknown): Tensor {
  return Array.isArray(out) ? (out[0] as Tensor) : (out as Tensor);
}

/** Every second voxel per spatial axis when step is 2 (as the golden stores large outputs). */
function subsample(t: Tensor, step: number): Tensor {
  if (step === 1) return t;
  let x = t;
  for (let d = 2; d < t.dim(); d++) x = x.slice(d, 0, null, step);
  return x;
}

function compare(actual: Tensor, expected: Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what} shape`);
  const scale = expected.abs().max().item();
  assertAllClose(actual, expected, { rtol: 1e-4, atol: 1e-5 * Math.max(scale, 1e-6) });
}

/** sum(v * (i % 97 + 1)) over the flattened tensor in float64, as make_nets_b.py's checksum. */
function checksum(v: Tensor): number {
  const w = torch.arange(v.numel(), { dtype: 'float64' }).remainder(97).add(1);
  return v.reshape([-1]).to({ dtype: 'float64' }).mul(w).sum().item();
}

/** sha256 of 'key:d0,d1,...;' over the state dict in order (as make_nets_b.py's digest). */
function keysDigest(sd: Record<string, Tensor>): string {
  const h = createHash('sha256');
  for (const [k, v] of Object.entries(sd)) h.update(`${k}:${v.shape.join(',')};`);
  return h.digest('hex');
}

/** Builds the case's network and checks it against MONAI's numbers. */
export function checkCase(name: string): void {
  const c = golden.cases[name];
  assert.ok(c, `no golden case ${name}`);
  const Cls = classes[c.class];
  assert.ok(Cls, `no class ${c.class} exported from networks`);
  const net = new Cls(c.options);
  try {
    torch.tidy(() => {
      assert.equal(countParams(net), c.numParams, 'parameter count');
      const sd = net.stateDict();
      if (c.keys) assert.deepEqual(Object.entries(sd).map(([k, v]) => [k, v.shape]), c.keys, 'state-dict keys and shapes');
      assert.equal(Object.keys(sd).length, c.numKeys, 'number of state-dict keys');
      assert.equal(keysDigest(sd), c.digest, 'digest of state-dict keys and shapes');
      const saved = torch.load(path.join(GOLD, 'nets_b', `${name}.pt`)) as {
        state_dict: Record<string, Tensor>; input: Tensor; output: Tensor; output_train?: Tensor; loss_train?: Tensor;
      };
      // Buffers left out of the file: ours must have MONAI's values (checksum), and then complete the dict.
      const full: Record<string, Tensor> = { ...saved.state_dict };
      for (const [k, sum] of Object.entries(c.omitted ?? {})) {
        assert.equal(checksum(sd[k]), sum, `${k} has MONAI's values (checksum)`);
        full[k] = sd[k];
      }
      net.loadStateDict(full, { strict: true });
      const x = saved.input.to({ dtype: 'float32' });
      assert.deepEqual(x.shape, c.inputShape);
      net.eval();
      compare(subsample(firstOutput(torch.noGrad(() => net.forward(x))), c.outputStep), saved.output, 'eval output');
      if (c.train) {
        assert.ok(saved.output_train, 'golden has a train output');
        net.train();
        // MONAI's train outputs were computed right after torch.manual_seed(123); our generator matches.
        torch.manualSeed(123);
        const out = torch.noGrad(() => net.forward(x));
        compare(subsample(firstOutput(out), c.outputStep), saved.output_train, 'train output');
        if (saved.loss_train) compare((out as Tensor[])[1], saved.loss_train, 'train loss');
      }
    });
  } finally {
    net.dispose();
  }
}

/** Builds a default-size network and checks its parameter count and a digest of its keys and shapes. */
export function checkDefault(d: DefaultCase): void {
  const Cls = classes[d.class];
  assert.ok(Cls, `no class ${d.class} exported from networks`);
  const net = new Cls(d.options);
  try {
    torch.tidy(() => {
      const sd = net.stateDict();
      const keys = Object.keys(sd);
      assert.deepEqual(keys.slice(0, 3), d.firstKeys, 'first keys');
      assert.deepEqual(keys.slice(-3), d.lastKeys, 'last keys');
      assert.equal(keys.length, d.numKeys, 'number of keys');
      assert.equal(keysDigest(sd), d.digest, 'digest of keys and shapes');
      assert.equal(countParams(net), d.numParams, 'parameter count');
    });
  } finally {
    net.dispose();
  }
}

/** Runs fn and returns the message of what it throws (fails when it does not throw). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected an error');
}

/** One forward and backward in training mode: every parameter must receive a gradient. */
export function checkGradients(net: nn.Module, inputShape: number[], skip: (key: string) => boolean = () => false): void {
  net.train();
  try {
    torch.tidy(() => {
      const out = net.forward(torch.randn(inputShape));
      firstOutput(out).square().mean().backward();
      for (const [k, p] of net.namedParameters()) if (!skip(k)) assert.ok(p.grad, `${k} has a gradient`);
    });
  } finally {
    net.zeroGrad();
  }
}
