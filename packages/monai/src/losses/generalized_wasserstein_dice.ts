// GeneralizedWassersteinDiceLoss (MONAI monai/losses/dice.py; Fidon et al. 2017): a Dice loss whose
// per-voxel error is the Wasserstein distance between the predicted class distribution and the
// label, under a distance matrix between classes.
// Each batch item is scored on its own, as MONAI does since PR #8744: MONAI 1.4 broadcast the per-voxel
// class weights against every item's distance map, mixing items when B > 1 (Project-MONAI/MONAI#4650).
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { type LossReduction, checkReduction } from './loss_utils.js';

export interface GeneralizedWassersteinDiceLossOptions {
  /** C x C distances between classes (a Tensor or nested arrays); scaled so that its maximum is 1. */
  distMatrix: Tensor | number[][];
  /** 'default': alpha 0 for background, 1 otherwise (Fidon et al.); 'GDL': alpha = 1 / (class volume + 1). */
  weightingMode?: 'default' | 'GDL';
  reduction?: LossReduction;
  smoothNr?: number;
  smoothDr?: number;
}

const NAME = 'GeneralizedWassersteinDiceLoss';

export class GeneralizedWassersteinDiceLoss extends nn.Module {
  /** The normalised distance matrix (MONAI's attribute m; a non-persistent buffer, so it follows to() and dispose()). */
  declare m: Tensor;
  readonly alphaMode: 'default' | 'GDL';
  readonly numClasses: number;
  readonly reduction: LossReduction;
  readonly smoothNr: number;
  readonly smoothDr: number;

  constructor(options: GeneralizedWassersteinDiceLossOptions) {
    super();
    checkOptions(NAME, options, ['distMatrix', 'weightingMode', 'reduction', 'smoothNr', 'smoothDr'], ['distMatrix']);
    this.reduction = checkReduction(NAME, options.reduction);
    this.alphaMode = checkChoice(NAME, 'weightingMode', options.weightingMode ?? 'default', ['default', 'GDL'] as const);
    const dm = options.distMatrix;
    const m0 = dm instanceof Tensor ? torch.tidy(() => dm.detach().clone()) : torch.tensor(dm, { dtype: 'float32' });
    if (m0.dim() !== 2 || m0.shape[0] !== m0.shape[1]) {
      const found = m0.shape.join(' x ');
      m0.dispose();
      throw new RangeError(`${NAME}: distMatrix must be C x C, found ${found}`);
    }
    const m = torch.tidy(() => {
      const mx = m0.max().item();
      return mx !== 1 ? m0.div(mx) : m0.clone();
    });
    this.registerBuffer('m', m, { persistent: false });
    m0.dispose();
    this.numClasses = this.m.shape[0];
    this.smoothNr = options.smoothNr ?? 1e-5;
    this.smoothDr = options.smoothDr ?? 1e-5;
  }

  /** input: scores (logits) [B, C, ...]; target: label indices [B, ...] or [B, 1, ...]. */
  forward(input: Tensor, target: Tensor): Tensor {
    if (input.dim() < 2 || input.shape[1] !== this.numClasses)
      throw new RangeError(`${NAME}: input must have shape [B, ${this.numClasses}, ...] for a ${this.numClasses} x ${this.numClasses} distMatrix, found [${input.shape.join(', ')}]`);
    const nVox = input.shape.slice(2).reduce((a, b) => a * b, 1);
    if (target.numel() !== input.shape[0] * nVox)
      throw new RangeError(`${NAME}: target must hold one label per input voxel ([${[input.shape[0], ...input.shape.slice(2)].join(', ')}]), found shape [${target.shape.join(', ')}]`);
    return torch.tidy(() => {
      const B = input.shape[0];
      const probs = input.reshape([B, this.numClasses, -1]).softmax(1);
      const labels = target.reshape([B, -1]).to({ dtype: 'int64' });
      // row of distances from each voxel's label to every class: m[label, :], as [B, C, N]
      const rows = torch.nn.functional.embedding(labels, this.m.to({ device: input.device })).permute([0, 2, 1]);
      const wass = rows.mul(probs).sum(1);
      const alpha = this.alpha(labels);
      const alphaVox = alpha.gather(1, labels);
      const truePos = alphaVox.mul(wass.neg().add(1)).sum(1);
      const denom = this.alphaMode === 'GDL' ? alphaVox.mul(wass.neg().add(2)).sum(1) : truePos.mul(2).add(wass.sum(1));
      const loss = truePos.mul(2).add(this.smoothNr).div(denom.add(this.smoothDr)).neg().add(1);
      if (this.reduction === 'mean') return loss.mean();
      if (this.reduction === 'sum') return loss.sum();
      // one value per batch item, as MONAI after PR #8744 (1.4's view to [B, C, ...] fails for C > 1)
      return loss;
    });
  }

  private alpha(labels: Tensor): Tensor {
    const B = labels.shape[0];
    if (this.alphaMode === 'GDL') {
      const volumes = torch.zeros([B, this.numClasses], { dtype: 'float32', device: labels.device }).scatterAdd_(1, labels, torch.onesLike(labels, { dtype: 'float32' }));
      return volumes.add(1).reciprocal();
    }
    const a = torch.ones([B, this.numClasses], { dtype: 'float32', device: labels.device });
    a.narrow(1, 0, 1).fill_(0);
    return a;
  }
}
