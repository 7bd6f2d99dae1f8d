// Area under the ROC curve (MONAI monai/metrics/rocauc.py), computed with tensor ops as the
// Mann-Whitney statistic with tied scores counted half, which is MONAI's tie handling.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { CumulativeIterationMetric } from './metric.js';
import { tensorValues } from './utils.js';

export const AVERAGES = ['macro', 'weighted', 'micro', 'none'] as const;
/** MONAI's Average values. */
export type Average = (typeof AVERAGES)[number];

/** AUC of 1-D scores against 0/1 labels; NaN (with a warning) when the labels are not both 0 and 1. */
function aucOf(yPred: Tensor, y: Tensor): number {
  if (!(y.dim() === 1 && yPred.dim() === 1 && y.shape[0] === yPred.shape[0]))
    throw new RangeError(`computeRocAuc: y and yPred must be 1-dimensional with the same length, found [${y.shape}] and [${yPred.shape}]`);
  return torch.tidy(() => {
    const uniq = tensorValues(torch.uniqueConsecutive(torch.sort(y.flatten())[0])[0]);
    if (uniq.length === 1) {
      process.emitWarning(`y values can not be all ${uniq[0]}, skip AUC computation and return \`Nan\`.`, { type: 'UserWarning' });
      return Number.NaN;
    }
    if (uniq.length !== 2 || uniq[0] !== 0 || uniq[1] !== 1) {
      process.emitWarning(`y values must be 0 or 1, but in [${uniq.join(', ')}], skip AUC computation and return \`Nan\`.`, { type: 'UserWarning' });
      return Number.NaN;
    }
    const order = yPred.argsort();
    const scores = yPred.indexSelect(0, order);
    const labels = y.indexSelect(0, order).to('float64');
    const n = labels.shape[0];
    // groups of equal scores, in ascending order
    const [, , counts] = torch.uniqueConsecutive(scores, { returnCounts: true });
    const group = torch.repeatInterleave(torch.arange(counts.shape[0]), counts);
    const pos = torch.zeros([counts.shape[0]], { dtype: 'float64' }).indexAdd(0, group, labels);
    const neg = counts.to('float64').sub(pos);
    const negBefore = neg.cumsum(0).sub(neg);
    const auc = pos.mul(negBefore.add(neg.div(2))).sum().item() as number;
    const nneg = neg.sum().item() as number;
    return auc / (nneg * (n - nneg));
  });
}

/**
 * ROC AUC of scores yPred and 0/1 labels y, [N] or [N, C] (MONAI's compute_roc_auc). With classes,
 * `average` 'macro' (mean over classes), 'weighted' (by positives), 'micro' (all flattened) or 'none'
 * (one value per class).
 */
export function computeRocAuc(yPred: Tensor, y: Tensor, average: Average = 'macro'): number | number[] {
  if (yPred.dim() !== 1 && yPred.dim() !== 2) throw new RangeError(`computeRocAuc: predictions should be of shape [batch, classes] or [batch], found [${yPred.shape}]`);
  if (y.dim() !== 1 && y.dim() !== 2) throw new RangeError(`computeRocAuc: targets should be of shape [batch, classes] or [batch], found [${y.shape}]`);
  return torch.tidy(() => {
    let p = yPred;
    let t = y;
    if (p.dim() === 2 && p.shape[1] === 1) p = p.squeeze(-1);
    if (t.dim() === 2 && t.shape[1] === 1) t = t.squeeze(-1);
    if (p.dim() === 1) return aucOf(p, t);
    if (t.shape.join() !== p.shape.join()) throw new RangeError(`computeRocAuc: data shapes of yPred and y do not match, found [${p.shape}] and [${t.shape}]`);
    const avg = checkChoice('computeRocAuc', 'average', average, AVERAGES);
    if (avg === 'micro') return aucOf(p.flatten(), t.flatten());
    const values = Array.from({ length: p.shape[1] }, (_, c) => aucOf(p.select(1, c), t.select(1, c)));
    if (avg === 'none') return values;
    if (avg === 'macro') return values.reduce((a, b) => a + b, 0) / values.length;
    const weights = tensorValues(t.sum(0));
    const wsum = weights.reduce((a, b) => a + b, 0);
    if (wsum === 0) throw new RangeError('computeRocAuc: weights sum to zero, the weighted average is undefined');
    return values.reduce((a, v, i) => a + v * weights[i], 0) / wsum;
  });
}

export interface ROCAUCMetricOptions {
  average?: Average;
}

/** ROC AUC accumulated over iterations (MONAI's ROCAUCMetric): `call` buffers scores and labels. */
export class ROCAUCMetric extends CumulativeIterationMetric {
  readonly average: Average;

  constructor(options: ROCAUCMetricOptions = {}) {
    super();
    checkOptions('ROCAUCMetric', options, ['average']);
    this.average = checkChoice('ROCAUCMetric', 'average', options.average ?? 'macro', AVERAGES);
  }

  protected computeTensor(yPred: Tensor, y: Tensor | null): Tensor[] {
    if (y === null) throw new TypeError('ROCAUCMetric: y (the labels) is required');
    return [yPred.clone(), y.clone()];
  }

  /** The AUC of everything buffered (one number, or one per class with average 'none'). */
  aggregate(average?: Average | null): number | number[] {
    const buf = this.getBuffer();
    if (!Array.isArray(buf) || buf.length !== 2) {
      torch.dispose(buf);
      throw new TypeError('ROCAUCMetric.aggregate: nothing to aggregate (call the metric first)');
    }
    try {
      return computeRocAuc(buf[0], buf[1], checkChoice('ROCAUCMetric.aggregate', 'average', average ?? this.average, AVERAGES));
    } finally {
      torch.dispose(buf);
    }
  }
}
