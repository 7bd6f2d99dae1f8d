// Loss modules over nn.functional (torch/nn/modules/loss.py). Class weights are buffers, as in
// PyTorch, so they follow to() and appear in stateDict(). Positional forms exist where PyTorch's
// leading parameters are current ones: new CrossEntropyLoss(weight), new HuberLoss('sum', 0.5),
// new CosineSimilarity(1, 1e-6); PyTorch's deprecated size_average/reduce have no place here.
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional/index.js';
import { checkOpts } from './common.js';
import { layerArgs } from './args.js';

type Reduction = F.Reduction;
const WEIGHT_ARG = ['weight'] as const;
type WeightOpts = { weight?: Tensor | null; reduction?: Reduction };

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(options: { reduction?: Reduction }, known: string[]) {
    super();
    checkOpts(this.constructor.name, options, ['reduction', ...known]);
    this.reduction = options.reduction ?? 'mean';
    if (!['none', 'mean', 'sum'].includes(this.reduction)) throw new TypeError(`${this.constructor.name}: reduction must be 'none', 'mean' or 'sum', found '${this.reduction}'`);
  }
}

export class CrossEntropyLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(options?: WeightOpts & { ignoreIndex?: number; labelSmoothing?: number });
  constructor(weight: Tensor | null, options?: Omit<WeightOpts, 'weight'> & { ignoreIndex?: number; labelSmoothing?: number });
  constructor(...args: unknown[]) {
    const options = layerArgs<WeightOpts & { ignoreIndex?: number; labelSmoothing?: number }>('CrossEntropyLoss', args, WEIGHT_ARG);
    super(options, ['weight', 'ignoreIndex', 'labelSmoothing']);
    this.registerBuffer('weight', options.weight ? options.weight.alias() : null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

export class NLLLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  constructor(options?: WeightOpts & { ignoreIndex?: number });
  constructor(weight: Tensor | null, options?: Omit<WeightOpts, 'weight'> & { ignoreIndex?: number });
  constructor(...args: unknown[]) {
    const options = layerArgs<WeightOpts & { ignoreIndex?: number }>('NLLLoss', args, WEIGHT_ARG);
    super(options, ['weight', 'ignoreIndex']);
    this.registerBuffer('weight', options.weight ? options.weight.alias() : null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class BCELoss extends Loss {
  declare weight: Tensor | null;
  constructor(options?: WeightOpts);
  constructor(weight: Tensor | null, options?: Omit<WeightOpts, 'weight'>);
  constructor(...args: unknown[]) {
    const options = layerArgs<WeightOpts>('BCELoss', args, WEIGHT_ARG);
    super(options, ['weight']);
    this.registerBuffer('weight', options.weight ? options.weight.alias() : null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  constructor(options?: WeightOpts & { posWeight?: Tensor | null });
  constructor(weight: Tensor | null, options?: Omit<WeightOpts, 'weight'> & { posWeight?: Tensor | null });
  constructor(...args: unknown[]) {
    const options = layerArgs<WeightOpts & { posWeight?: Tensor | null }>('BCEWithLogitsLoss', args, WEIGHT_ARG);
    super(options, ['weight', 'posWeight']);
    this.registerBuffer('weight', options.weight ? options.weight.alias() : null);
    this.registerBuffer('pos_weight', options.posWeight ? options.posWeight.alias() : null);
  }
  get posWeight(): Tensor | null { return this.pos_weight; }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}

export class MSELoss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) { super(options, []); }
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, { reduction: this.reduction }); }
}
export class L1Loss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) { super(options, []); }
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, { reduction: this.reduction }); }
}
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: { reduction?: Reduction; beta?: number } = {}) {
    super(options, ['beta']);
    this.beta = options.beta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta }); }
}
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options?: { reduction?: Reduction; delta?: number });
  constructor(reduction: Reduction, delta?: number);
  constructor(reduction: Reduction, options?: { delta?: number });
  constructor(...args: unknown[]) {
    const options = layerArgs<{ reduction?: Reduction; delta?: number }>('HuberLoss', args, ['reduction', 'delta']);
    super(options, ['delta']);
    this.delta = options.delta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta }); }
}
export class KLDivLoss extends Module {
  readonly reduction: Reduction | 'batchmean';
  readonly logTarget: boolean;
  constructor(options: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    checkOpts('KLDivLoss', options, ['reduction', 'logTarget']);
    this.reduction = options.reduction ?? 'mean';
    this.logTarget = options.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget }); }
}

export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(options?: { dim?: number; eps?: number });
  constructor(dim: number, eps?: number);
  constructor(dim: number, options?: { eps?: number });
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<{ dim?: number; eps?: number }>('CosineSimilarity', args, ['dim', 'eps']);
    checkOpts('CosineSimilarity', options, ['dim', 'eps']);
    this.dim = options.dim ?? 1;
    this.eps = options.eps ?? 1e-8;
  }
  forward(x1: Tensor, x2: Tensor): Tensor { return F.cosineSimilarity(x1, x2, { dim: this.dim, eps: this.eps }); }
}
