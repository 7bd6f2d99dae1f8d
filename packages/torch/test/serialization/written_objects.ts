// The objects that our writers' reference goldens hold (tools/goldens/serialization/write_pt.ts
// writes them for PyTorch to check; written_golden.test.ts writes them again and compares bytes).
// Call inside torch.tidy: the tensors are not owned by anything else.
import * as torch from '../../src/index.js';
import { Parameter } from '../../src/nn/parameter.js';
import { tuple, PY_ATTRS, type Stateful } from '../../src/serialization/index.js';

export interface PtObjects {
  /** ts_state.pt: every dtype, views, shared tensors, Parameter, ints beyond 2^53, nesting (no floats). */
  state: Record<string, unknown>;
  /** ts_floats.pt: Python floats (PyTorch 1.x's weights_only reader refuses them). */
  floats: Record<string, unknown>;
  /** ts_checkpoint.pt: saveCheckpoint of duck-typed stateful objects. */
  checkpoint: Record<string, Stateful | number>;
  /** Disposes what tidy does not (the Parameter). */
  release(): void;
}

export function ptObjects(): PtObjects {
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
  // saveCheckpoint with duck-typed stateful objects (floats in the optimizer state).
  const model = { stateDict: () => ({ weight: w, bias: torch.tensor([0.5]) }), loadStateDict: () => undefined };
  const optimizer = {
    stateDict: () => ({ state: new Map([[0, { momentum_buffer: w }]]), param_groups: [{ lr: 0.01, momentum: 0.9, params: [0, 1] }] }),
    loadStateDict: () => undefined,
  };
  return {
    state: plain, floats: { lr: 0.001, betas: tuple(0.9, 0.999), w }, checkpoint: { model, optimizer, epoch: 4 },
    release: () => plain.param.dispose(),
  };
}
