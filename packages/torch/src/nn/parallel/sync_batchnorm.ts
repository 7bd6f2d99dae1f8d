// nn.SyncBatchNorm: batch normalization whose training statistics cover the whole distributed
// batch. Each rank sums x and x^2 per channel and counts its elements; one allReduce of those (c10d,
// differentiable: its gradient is the allReduce of the incoming gradient) gives every rank the global
// mean and biased variance, so each input also gets the gradient of the other ranks' losses through
// the shared statistics, as PyTorch's SyncBatchNorm. In eval mode, or without a process group of
// more than one rank, it is BatchNorm.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { BatchNormBase, type NormOptions } from '../modules/normalization.js';
import { dist } from '../../distributed/native.js';
import { ProcessGroup, isInitialized, resolveGroup } from '../../distributed/group.js';

export class SyncBatchNorm extends BatchNormBase {
  /** The ranks whose batches are normalized together; null: the default group. */
  processGroup: ProcessGroup | null;

  constructor(options: NormOptions, processGroup: ProcessGroup | null = null) {
    super(options);
    this.processGroup = processGroup;
  }

  protected checkInputDim(input: Tensor): void {
    if (input.dim() < 2) throw new RangeError(`SyncBatchNorm: expected at least 2D input (got ${input.dim()}D input)`);
  }

  override forward(input: Tensor): Tensor {
    const group = this.training && (this.processGroup || isInitialized()) ? resolveGroup(this.processGroup, 'SyncBatchNorm') : null;
    if (!group || !group.isMember || group.size() === 1) return super.forward(input);
    this.checkInputDim(input);
    const C = input.shape[1];
    if (C !== this.numFeatures) throw new RangeError(`SyncBatchNorm: expected ${this.numFeatures} channels (dim 1), found ${C}`);
    const dims = [0, ...Array.from({ length: input.dim() - 2 }, (_, i) => i + 2)];
    const shape = [1, C, ...Array(input.dim() - 2).fill(1)];
    return torch.tidy(() => {
      const count = torch.full([1], input.numel() / C, { dtype: input.dtype });
      const local = torch.cat([input.sum(dims), input.mul(input).sum(dims), count]);
      const total = new Tensor(dist.diffAllReduce(group._h!, local.handle));
      const n = total.narrow(0, 2 * C, 1).item();
      if (n <= 1) throw new RangeError(`SyncBatchNorm: expected more than 1 value per channel across the group when training, found ${n}`);
      const mean = total.narrow(0, 0, C).div(n);
      const variance = total.narrow(0, C, C).div(n).sub(mean.mul(mean));
      this._track(mean, variance, n);
      let y = input.sub(mean.view(shape)).mul(variance.add(this.eps).rsqrt().view(shape));
      if (this.weight && this.bias) y = y.mul(this.weight.view(shape)).add(this.bias.view(shape));
      return y;
    });
  }

  // Running statistics as BatchNorm keeps them (unbiased variance; momentum null: cumulative average).
  private _track(mean: Tensor, variance: Tensor, n: number): void {
    if (!this.trackRunningStats || !this.running_mean || !this.running_var) return;
    const rm = this.running_mean;
    const rv = this.running_var;
    const nbt = this.num_batches_tracked;
    torch.noGrad(() => {
      if (nbt) nbt.add_(1);
      const f = this.momentum === null ? 1 / Number(nbt ? nbt.item() : 1) : this.momentum;
      rm.mul_(1 - f).add_(mean.detach().mul(f));
      rv.mul_(1 - f).add_(variance.detach().mul((f * n) / (n - 1)));
    });
  }

  /**
   * Replaces every BatchNorm*d below module (or module itself) by a SyncBatchNorm sharing its
   * parameters, running statistics and training mode. Returns the converted module.
   */
  static convertSyncBatchnorm<M extends Module>(module: M, processGroup: ProcessGroup | null = null): M | SyncBatchNorm {
    if (module instanceof BatchNormBase && !(module instanceof SyncBatchNorm)) {
      const bn = module as BatchNormBase;
      const s = new SyncBatchNorm({ numFeatures: bn.numFeatures, eps: bn.eps, momentum: bn.momentum, affine: bn.affine, trackRunningStats: bn.trackRunningStats }, processGroup);
      for (const name of ['weight', 'bias'] as const) {
        s[name]?.dispose();
        s.registerParameter(name, bn[name]);
      }
      for (const name of ['running_mean', 'running_var', 'num_batches_tracked'] as const) {
        s[name]?.dispose();
        s.registerBuffer(name, bn[name]);
      }
      s.training = bn.training;
      return s;
    }
    for (const [name, child] of [...module.namedChildren()]) {
      const converted = SyncBatchNorm.convertSyncBatchnorm(child, processGroup);
      if (converted !== child) module.registerModule(name, converted);
    }
    return module;
  }
}
