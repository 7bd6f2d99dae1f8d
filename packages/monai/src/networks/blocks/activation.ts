// MONAI's own activation layers (monai/networks/blocks/activation.py): Swish, MemoryEfficientSwish, Mish, GEGLU.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';

/** x * sigmoid(alpha * x). */
export class Swish extends nn.Module {
  readonly alpha: number;
  constructor(options: { alpha?: number } = {}) {
    super();
    checkOptions('Swish', options, ['alpha']);
    this.alpha = options.alpha ?? 1.0;
  }
  forward(input: Tensor): Tensor {
    return torch.tidy(() => input.mul(torch.sigmoid(input.mul(this.alpha))));
  }
}

/** x * sigmoid(x) through libtorch's fused SiLU (MONAI's memory-efficient swish). */
export class MemoryEfficientSwish extends nn.Module {
  readonly inplace: boolean;
  constructor(options: { inplace?: boolean } = {}) {
    super();
    checkOptions('MemoryEfficientSwish', options, ['inplace']);
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return nn.functional.silu(input, { inplace: this.inplace });
  }
}

/** x * tanh(softplus(x)). */
export class Mish extends nn.Module {
  readonly inplace: boolean;
  constructor(options: { inplace?: boolean } = {}) {
    super();
    checkOptions('Mish', options, ['inplace']);
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return nn.functional.mish(input, { inplace: this.inplace });
  }
}

/** Gated GELU: splits the last dimension in halves (x, gate) and returns x * gelu(gate). */
export class GEGLU extends nn.Module {
  forward(input: Tensor): Tensor {
    return torch.tidy(() => {
      const [x, gate] = input.chunk(2, { dim: -1 });
      return x.mul(nn.functional.gelu(gate));
    });
  }
}
