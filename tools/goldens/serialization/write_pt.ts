// Writes .pt files with @monai-ts/torch's `save` for tools/check_pt_weights_only.py to read in Python.
// Usage: npx tsx tools/goldens/serialization/write_pt.ts OUT_DIR
// Writes OUT_DIR/ts_state.pt (no floats outside tensors: PyTorch 1.13's weights_only reader has no
// float opcode), OUT_DIR/ts_floats.pt (with Python floats), and OUT_DIR/ts_expected.json (the
// canonical form of what was saved, the same form the Python script builds from torch.load).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../../../packages/torch/src/index.js';
import { Parameter } from '../../../packages/torch/src/nn/parameter.js';
import { save, saveCheckpoint, tuple, isTuple, PY_ATTRS } from '../../../packages/torch/src/serialization/index.js';

const out = process.argv[2];
if (!out) throw new Error('usage: write_pt.ts OUT_DIR');
fs.mkdirSync(out, { recursive: true });

function values(t: torch.Tensor): unknown[] {
  const a = t.toTypedArray();
  if (t.dtype === 'int64') return Array.from(a as BigInt64Array, (x) => x.toString());
  return Array.from(a as ArrayLike<number>, (x) => (Number.isNaN(x) ? { __float__: 'nan' } : x === Infinity ? { __float__: 'inf' } : x === -Infinity ? { __float__: '-inf' } : x));
}

function canon(v: unknown): unknown {
  if (v instanceof torch.Tensor) return { __tensor__: { dtype: v.dtype, shape: v.shape, values: values(v) } };
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : { __bigint__: v.toString() };
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return isTuple(v) ? { __tuple__: v.map(canon) } : v.map(canon);
  if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [canon(k), canon(x)]) };
  return { __dict__: Object.entries(v).map(([k, x]) => [k, canon(x)]) };
}

torch.tidy(() => {
  const w = torch.tensor([[1.5, -2.25, 3], [4, 5, 6.125]], { dtype: 'float32' });
  const f16 = torch.tensor([0.5, -1, 65504], { dtype: 'float16' });
  const bf16 = torch.tensor([1, -2.5, 1e30], { dtype: 'bfloat16' });
  const sd: Record<string, unknown> = {
    'layer.weight': w,
    'layer.weight_t': (w as any).t(),                       // a non-contiguous view: saved as its values
    'layer.bias': torch.tensor([0.25, -0.5], { dtype: 'float64' }),
    f16, bf16,
    u8: torch.tensor([0, 255, 7], { dtype: 'uint8' }),
    i8: torch.tensor([-128, 127], { dtype: 'int8' }),
    i16: torch.tensor([-32768, 32767], { dtype: 'int16' }),
    i32: torch.tensor([[-1, 2], [3, -4]], { dtype: 'int32' }),
    i64: torch.tensor([-(2n ** 63n), 2n ** 63n - 1n, 5n], { dtype: 'int64' }),
    mask: torch.tensor([true, false, true], { dtype: 'bool' }),
    scalar: torch.tensor(3.5, { dtype: 'float32' }),
    num_batches_tracked: torch.tensor(12n, { dtype: 'int64' }),
    empty: torch.tensor([], { dtype: 'float32' }),
  };
  // Like a PyTorch state dict: an OrderedDict with a `_metadata` attribute.
  Object.defineProperty(sd, PY_ATTRS, { value: { _metadata: { '': { version: 1 }, layer: { version: 2 } } }, enumerable: false });
  const plain = {
    model: sd,
    epoch: 12,
    step: 2 ** 40,
    big: 2n ** 70n,
    neg: -123456,
    name: 'unet ✓',
    flags: [true, false, null],
    nested: { list: [1, [2, [3]]], tup: tuple<unknown>(1, 'a', tuple()), empty: {} },
    optimizer_state: new Map<unknown, unknown>([[0, { momentum_buffer: w }], [1, { step: 3 }]]),
    same_tensor_twice: [w, w],
    param: new Parameter(torch.tensor([1, -1], { dtype: 'float32' })),
    leaf_requires_grad: torch.tensor([2, 3], { dtype: 'float32' }).requiresGrad_(true),
  };
  save(plain, path.join(out, 'ts_state.pt'));
  save({ lr: 0.001, betas: tuple(0.9, 0.999), w }, path.join(out, 'ts_floats.pt'));
  // saveCheckpoint with duck-typed stateful objects (floats in the optimizer state).
  const model = { stateDict: () => ({ weight: w, bias: torch.tensor([0.5]) }), loadStateDict: () => undefined };
  const optimizer = {
    stateDict: () => ({ state: new Map([[0, { momentum_buffer: w }]]), param_groups: [{ lr: 0.01, momentum: 0.9, params: [0, 1] }] }),
    loadStateDict: () => undefined,
  };
  saveCheckpoint(path.join(out, 'ts_checkpoint.pt'), { model, optimizer, epoch: 4 });
  fs.writeFileSync(path.join(out, 'ts_expected.json'), JSON.stringify({
    ts_state: canon(plain),
    ts_floats: canon({ lr: 0.001, betas: tuple(0.9, 0.999), w }),
  }));
  return undefined;
});
