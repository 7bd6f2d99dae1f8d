// Confusion-matrix metrics (MONAI monai/metrics/confusion_matrix.py): per sample and class
// [tp, fp, tn, fn], and the 17 measures derived from it under their many names.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { CumulativeIterationMetric } from './metric.js';
import { type MetricReduction, checkReduction, doMetricReduction, ignoreBackground } from './utils.js';

/** Every accepted name (spaces may replace underscores; case is ignored) and its short form. */
const METRIC_ALIASES: Record<string, string[]> = {
  tpr: ['sensitivity', 'recall', 'hit_rate', 'true_positive_rate', 'tpr'],
  tnr: ['specificity', 'selectivity', 'true_negative_rate', 'tnr'],
  ppv: ['precision', 'positive_predictive_value', 'ppv'],
  npv: ['negative_predictive_value', 'npv'],
  fnr: ['miss_rate', 'false_negative_rate', 'fnr'],
  fpr: ['fall_out', 'false_positive_rate', 'fpr'],
  fdr: ['false_discovery_rate', 'fdr'],
  for: ['false_omission_rate', 'for'],
  pt: ['prevalence_threshold', 'pt'],
  ts: ['threat_score', 'critical_success_index', 'ts', 'csi'],
  acc: ['accuracy', 'acc'],
  ba: ['balanced_accuracy', 'ba'],
  f1: ['f1_score', 'f1'],
  mcc: ['matthews_correlation_coefficient', 'mcc'],
  fm: ['fowlkes_mallows_index', 'fm'],
  bm: ['informedness', 'bookmaker_informedness', 'bm', 'youden_index', 'youden'],
  mk: ['markedness', 'deltap', 'mk'],
};
const ALL_NAMES = Object.values(METRIC_ALIASES).flat();

/** The short name ('tpr', 'f1', ...) of a confusion-matrix metric name such as 'Sensitivity' or 'f1 score'. */
export function checkConfusionMatrixMetricName(metricName: string): string {
  const n = String(metricName).replace(/ /g, '_').toLowerCase();
  for (const [short, names] of Object.entries(METRIC_ALIASES)) if (names.includes(n)) return short;
  const hint = torch.didYouMean(n, ALL_NAMES);
  throw new TypeError(`ConfusionMatrixMetric: metricName '${metricName}' is not a known metric${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of ${ALL_NAMES.map((x) => `'${x}'`).join(', ')}`);
}

/**
 * [B, C', 4] confusion matrices [tp, fp, tn, fn] of binarised yPred and y [B, C, ...] (MONAI's
 * get_confusion_matrix). Classification inputs [B, C] work too.
 */
export function getConfusionMatrix(yPred: Tensor, y: Tensor, options: { includeBackground?: boolean } = {}, owner = 'getConfusionMatrix'): Tensor {
  checkOptions(owner, options, ['includeBackground']);
  return torch.tidy(() => {
    let [p, t] = [yPred, y];
    if (!(options.includeBackground ?? true)) [p, t] = ignoreBackground(p, t);
    if (t.shape.join() !== p.shape.join()) throw new RangeError(`${owner}: yPred and y should have the same shape, found [${p.shape}] and [${t.shape}]`);
    const [b, c] = p.shape;
    p = p.reshape([b, c, -1]);
    t = t.reshape([b, c, -1]);
    const sum = p.add(t);
    const tp = sum.eq(2).sum(2).float();
    const tn = sum.eq(0).sum(2).float();
    const pos = t.sum(2).float();
    const neg = torch.rsub(pos, t.shape[2]);
    return torch.stack([tp, neg.sub(tn), tn, pos.sub(tp)], -1);
  });
}

/** One metric from confusion matrices [..., 4] (MONAI's compute_confusion_matrix_metric); NaN where undefined. */
export function computeConfusionMatrixMetric(metricName: string, confusionMatrix: Tensor): Tensor {
  const metric = checkConfusionMatrixMetricName(metricName);
  return torch.tidy(() => {
    let cm = confusionMatrix;
    if (cm.dim() === 1) cm = cm.unsqueeze(0);
    if (cm.shape[cm.dim() - 1] !== 4) throw new RangeError(`computeConfusionMatrixMetric: the last dimension of confusionMatrix should have size 4, found [${cm.shape}]`);
    const [tp, fp, tn, fn] = [0, 1, 2, 3].map((i) => cm.select(-1, i));
    const p = tp.add(fn);
    const n = fp.add(tn);
    const nan = torch.tensor(Number.NaN, { device: cm.device });
    const ratio = (a: Tensor, b: Tensor) => torch.where(b.gt(0), a.div(b), nan);
    let num: Tensor;
    let den: Tensor | number;
    switch (metric) {
      case 'tpr': [num, den] = [tp, p]; break;
      case 'tnr': [num, den] = [tn, n]; break;
      case 'ppv': [num, den] = [tp, tp.add(fp)]; break;
      case 'npv': [num, den] = [tn, tn.add(fn)]; break;
      case 'fnr': [num, den] = [fn, p]; break;
      case 'fpr': [num, den] = [fp, n]; break;
      case 'fdr': [num, den] = [fp, fp.add(tp)]; break;
      case 'for': [num, den] = [fn, fn.add(tn)]; break;
      case 'pt': {
        const tpr = ratio(tp, p);
        const tnr = ratio(tn, n);
        num = tpr.mul(torch.rsub(tnr, 1.0)).sqrt().add(tnr).sub(1.0);
        den = tpr.add(tnr).sub(1.0);
        break;
      }
      case 'ts': [num, den] = [tp, tp.add(fn).add(fp)]; break;
      case 'acc': [num, den] = [tp.add(tn), p.add(n)]; break;
      case 'ba': [num, den] = [ratio(tp, p).add(ratio(tn, n)), 2.0]; break;
      case 'f1': [num, den] = [tp.mul(2.0), tp.mul(2.0).add(fn).add(fp)]; break;
      case 'mcc':
        num = tp.mul(tn).sub(fp.mul(fn));
        den = tp.add(fp).mul(tp.add(fn)).mul(tn.add(fp)).mul(tn.add(fn)).sqrt();
        break;
      case 'fm': [num, den] = [ratio(tp, tp.add(fp)).mul(ratio(tp, p)).sqrt(), 1.0]; break;
      case 'bm': [num, den] = [ratio(tp, p).add(ratio(tn, n)).sub(1.0), 1.0]; break;
      default: /* mk */ [num, den] = [ratio(tp, tp.add(fp)).add(ratio(tn, tn.add(fn))).sub(1.0), 1.0]; break;
    }
    if (typeof den === 'number') return num.div(den);
    return torch.where(den.ne(0), num.div(den), nan);
  });
}

export interface ConfusionMatrixMetricOptions {
  /** Keep channel 0. Default true. */
  includeBackground?: boolean;
  /** One name or several (MONAI's names and aliases: 'sensitivity', 'tpr', 'f1 score', ...). Default 'hit_rate'. */
  metricName?: string | string[];
  /** Compute the metric per sample before reducing (true) or from the reduced matrix (false). Default false. */
  computeSample?: boolean;
  reduction?: MetricReduction;
  /** aggregate() returns [values, notNans] per metric. Default false. */
  getNotNans?: boolean;
}

const CM_KEYS = ['includeBackground', 'metricName', 'computeSample', 'reduction', 'getNotNans'] as const;

/**
 * Confusion-matrix metrics (MONAI's ConfusionMatrixMetric): `call` buffers [B, C', 4] matrices;
 * `aggregate` returns one result per metric name.
 */
export class ConfusionMatrixMetric extends CumulativeIterationMetric {
  readonly includeBackground: boolean;
  readonly metricName: string[];
  computeSample: boolean;
  readonly reduction: MetricReduction;
  readonly getNotNans: boolean;

  constructor(options: ConfusionMatrixMetricOptions = {}) {
    super();
    checkOptions('ConfusionMatrixMetric', options, CM_KEYS);
    this.includeBackground = options.includeBackground ?? true;
    const names = options.metricName ?? 'hit_rate';
    this.metricName = Array.isArray(names) ? [...names] : [names];
    for (const n of this.metricName) checkConfusionMatrixMetricName(n);
    this.computeSample = options.computeSample ?? false;
    this.reduction = checkReduction('ConfusionMatrixMetric', options.reduction ?? 'mean');
    this.getNotNans = options.getNotNans ?? false;
  }

  protected computeTensor(yPred: Tensor, y: Tensor | null): Tensor {
    if (y === null) throw new TypeError('ConfusionMatrixMetric: y (the labels) is required');
    const dims = yPred.dim();
    if (dims < 2) throw new RangeError(`ConfusionMatrixMetric: yPred should have at least 2 dimensions, found ${dims}`);
    if ((dims === 2 || (dims === 3 && yPred.shape[2] === 1)) && this.computeSample) {
      process.emitWarning('ConfusionMatrixMetric: as for classification task, computeSample should be false.', { type: 'UserWarning' });
      this.computeSample = false;
    }
    return getConfusionMatrix(yPred, y, { includeBackground: this.includeBackground }, 'ConfusionMatrixMetric');
  }

  /** One entry per metric name: the reduced value, or [value, notNans] with getNotNans. */
  aggregate(computeSample = false, reduction?: MetricReduction | null): (Tensor | [Tensor, Tensor])[] {
    const red = checkReduction('ConfusionMatrixMetric.aggregate', reduction ?? this.reduction);
    const data = this.bufferTensor();
    try {
      return this.metricName.map((name) => {
        let f: Tensor;
        let notNans: Tensor;
        if (computeSample || this.computeSample) {
          const sub = computeConfusionMatrixMetric(name, data);
          [f, notNans] = doMetricReduction(sub, red);
          sub.dispose();
        } else {
          const [m, nn] = doMetricReduction(data, red);
          f = computeConfusionMatrixMetric(name, m);
          m.dispose();
          notNans = nn;
        }
        if (this.getNotNans) return [f, notNans] as [Tensor, Tensor];
        notNans.dispose();
        return f;
      });
    } finally {
      data.dispose();
    }
  }
}
