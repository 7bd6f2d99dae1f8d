// nn.functional losses and similarity measures, after torch/nn/functional.py.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { reductionEnum, type Reduction, checkOptions } from './util.js';

export interface CrossEntropyOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  labelSmoothing?: number;
}
/** Cross entropy of logits (N, C, ...) against class indices (N, ...) or class probabilities (N, C, ...). */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkOptions(options, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], 'crossEntropy');
  const ls = options.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1)) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
  return torch.crossEntropyLoss(input, target, {
    weight: options.weight ?? null, reduction: reductionEnum(options.reduction, 'crossEntropy'), ignoreIndex: options.ignoreIndex ?? -100, labelSmoothing: ls,
  });
}

export function nllLoss(input: Tensor, target: Tensor, options: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): Tensor {
  checkOptions(options, ['weight', 'ignoreIndex', 'reduction'], 'nllLoss');
  return torch.nllLossNd(input, target, { weight: options.weight ?? null, reduction: reductionEnum(options.reduction, 'nllLoss'), ignoreIndex: options.ignoreIndex ?? -100 });
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function binaryCrossEntropy(input: Tensor, target: Tensor, options: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  checkOptions(options, ['weight', 'reduction'], 'binaryCrossEntropy');
  const red = reductionEnum(options.reduction, 'binaryCrossEntropy');
  if (!sameShape(target.shape, input.shape))
    throw new RangeError(`Using a target size ([${target.shape.join(', ')}]) that is different to the input size ([${input.shape.join(', ')}]) is deprecated. Please ensure they have the same size.`);
  const w = options.weight ?? null;
  if (w === null) return torch.binaryCrossEntropy(input, target, { reduction: red });
  return torch.tidy(() => torch.binaryCrossEntropy(input, target, { weight: w.expandAs(target), reduction: red }));
}

export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  checkOptions(options, ['weight', 'posWeight', 'reduction'], 'binaryCrossEntropyWithLogits');
  const red = reductionEnum(options.reduction, 'binaryCrossEntropyWithLogits');
  if (!sameShape(target.shape, input.shape))
    throw new RangeError(`Target size ([${target.shape.join(', ')}]) must be the same as input size ([${input.shape.join(', ')}])`);
  return torch.binaryCrossEntropyWithLogits(input, target, { weight: options.weight ?? null, posWeight: options.posWeight ?? null, reduction: red });
}

function broadcastPair(input: Tensor, target: Tensor, fn: (a: Tensor, b: Tensor) => Tensor): Tensor {
  if (sameShape(input.shape, target.shape)) return fn(input, target);
  return torch.tidy(() => {
    const [a, b] = torch.broadcastTensors([input, target]);
    return fn(a, b);
  });
}

export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions(options, ['reduction'], 'mseLoss');
  const red = reductionEnum(options.reduction, 'mseLoss');
  return broadcastPair(input, target, (a, b) => torch.mseLoss(a, b, { reduction: red }));
}
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions(options, ['reduction'], 'l1Loss');
  const red = reductionEnum(options.reduction, 'l1Loss');
  return broadcastPair(input, target, (a, b) => torch.l1Loss(a, b, { reduction: red }));
}
export function smoothL1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction; beta?: number } = {}): Tensor {
  checkOptions(options, ['reduction', 'beta'], 'smoothL1Loss');
  const red = reductionEnum(options.reduction, 'smoothL1Loss');
  const beta = options.beta ?? 1.0;
  if (beta === 0) return broadcastPair(input, target, (a, b) => torch.l1Loss(a, b, { reduction: red }));
  return broadcastPair(input, target, (a, b) => torch.smoothL1Loss(a, b, { reduction: red, beta }));
}
export function huberLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction; delta?: number } = {}): Tensor {
  checkOptions(options, ['reduction', 'delta'], 'huberLoss');
  const red = reductionEnum(options.reduction, 'huberLoss');
  return broadcastPair(input, target, (a, b) => torch.huberLoss(a, b, { reduction: red, delta: options.delta ?? 1.0 }));
}

/** KL divergence with input in log space; reduction 'batchmean' divides the sum by the batch size. */
export function klDiv(input: Tensor, target: Tensor, options: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}): Tensor {
  checkOptions(options, ['reduction', 'logTarget'], 'klDiv');
  const r = options.reduction ?? 'mean';
  const logTarget = options.logTarget ?? false;
  if (r === 'batchmean') {
    if (input.dim() === 0) return torch.klDiv(input, target, { reduction: 2, logTarget });
    return torch.tidy(() => torch.klDiv(input, target, { reduction: 2, logTarget }).div(input.size(0)));
  }
  return torch.klDiv(input, target, { reduction: reductionEnum(r, 'klDiv'), logTarget });
}

export function cosineSimilarity(x1: Tensor, x2: Tensor, options: { dim?: number; eps?: number } = {}): Tensor {
  checkOptions(options, ['dim', 'eps'], 'cosineSimilarity');
  return torch.cosineSimilarity(x1, x2, { dim: options.dim ?? 1, eps: options.eps ?? 1e-8 });
}
