// nn.functional activations, after torch/nn/functional.py.
import * as torch from '../../core.js';
import type { Tensor } from '../../tensor.js';
import type { DType } from '../../dtype.js';

type Inplace = { inplace?: boolean };

export function relu(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? input.relu_() : torch.relu(input);
}
export function relu6(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? torch.hardtanh_(input, { minVal: 0, maxVal: 6 }) : torch.relu6(input);
}
export function leakyRelu(input: Tensor, options: { negativeSlope?: number } & Inplace = {}): Tensor {
  const o = { negativeSlope: options.negativeSlope ?? 0.01 };
  return options.inplace ? torch.leakyRelu_(input, o) : torch.leakyRelu(input, o);
}
export function prelu(input: Tensor, weight: Tensor): Tensor {
  return torch.prelu(input, weight);
}
export function elu(input: Tensor, options: { alpha?: number } & Inplace = {}): Tensor {
  const o = { alpha: options.alpha ?? 1.0 };
  return options.inplace ? torch.elu_(input, o) : torch.elu(input, o);
}
export function selu(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? torch.selu_(input) : torch.selu(input);
}
export function celu(input: Tensor, options: { alpha?: number } & Inplace = {}): Tensor {
  const o = { alpha: options.alpha ?? 1.0 };
  return options.inplace ? torch.celu_(input, o) : torch.celu(input, o);
}
export function gelu(input: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  const a = options.approximate ?? 'none';
  if (a !== 'none' && a !== 'tanh') throw new TypeError(`gelu: approximate must be 'none' or 'tanh', found '${a}'`);
  return torch.gelu(input, { approximate: a });
}
export function silu(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? torch.silu_(input) : torch.silu(input);
}
export function mish(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? torch.mish_(input) : torch.mish(input);
}
export function sigmoid(input: Tensor): Tensor {
  return torch.sigmoid(input);
}
export function tanh(input: Tensor): Tensor {
  return torch.tanh(input);
}
export function hardtanh(input: Tensor, options: { minVal?: number; maxVal?: number } & Inplace = {}): Tensor {
  const o = { minVal: options.minVal ?? -1.0, maxVal: options.maxVal ?? 1.0 };
  return options.inplace ? torch.hardtanh_(input, o) : torch.hardtanh(input, o);
}
export function hardsigmoid(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? torch.hardsigmoid_(input) : torch.hardsigmoid(input);
}
export function hardswish(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? torch.hardswish_(input) : torch.hardswish(input);
}
export function softplus(input: Tensor, options: { beta?: number; threshold?: number } = {}): Tensor {
  return torch.softplus(input, { beta: options.beta ?? 1, threshold: options.threshold ?? 20 });
}
export function logsigmoid(input: Tensor): Tensor {
  return torch.logSigmoid(input);
}
export function softsign(input: Tensor): Tensor {
  return torch.tidy(() => input.div(input.abs().add(1)));
}
export function tanhshrink(input: Tensor): Tensor {
  return torch.tidy(() => input.sub(input.tanh()));
}
export function threshold(input: Tensor, threshold: number, value: number, options: Inplace = {}): Tensor {
  return options.inplace ? torch.threshold_(input, threshold, value) : torch.threshold(input, threshold, value);
}
export function glu(input: Tensor, dim = -1): Tensor {
  return torch.glu(input, { dim });
}

/** PyTorch's legacy implicit softmax dimension (dim=None): 0 for 0-, 1- and 3-d input, else 1. */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

export function softmax(input: Tensor, dim: number | null, options: { dtype?: DType } = {}): Tensor {
  const d = dim ?? implicitSoftmaxDim(input.dim());
  return torch.softmax(input, d, options.dtype ? { dtype: options.dtype } : undefined);
}
export function softmin(input: Tensor, dim: number | null, options: { dtype?: DType } = {}): Tensor {
  const d = dim ?? implicitSoftmaxDim(input.dim());
  return torch.tidy(() => torch.softmax(input.neg(), d, options.dtype ? { dtype: options.dtype } : undefined));
}
export function logSoftmax(input: Tensor, dim: number | null, options: { dtype?: DType } = {}): Tensor {
  const d = dim ?? implicitSoftmaxDim(input.dim());
  return torch.logSoftmax(input, d, options.dtype ? { dtype: options.dtype } : undefined);
}
