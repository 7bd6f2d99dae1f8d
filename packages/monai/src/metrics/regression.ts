// Regression metrics (MONAI monai/metrics/regression.py): mean squared / absolute error, their root
// and PSNR, one value per batch item ([B, 1]), reduced like the other cumulative metrics.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { CumulativeIterationMetric } from './metric.js';
import { aggregateReduced } from './meaniou.js';
import { type MetricReduction, checkReduction } from './utils.js';

export interface RegressionMetricOptions {
  reduction?: MetricReduction;
  /** aggregate() returns [values, notNans]. Default false. */
  getNotNans?: boolean;
}

/** The mean of `fn(y - yPred)` over everything but the batch dimension: [B, 1]. */
export function computeMeanErrorMetrics(yPred: Tensor, y: Tensor, fn: (d: Tensor) => Tensor): Tensor {
  return torch.tidy(() => fn(y.sub(yPred)).flatten(1).mean(-1, true));
}

/** Base of the regression metrics: shape checks, then `computeMetric` per batch; aggregate reduces the buffer. */
export abstract class RegressionMetric extends CumulativeIterationMetric {
  readonly reduction: MetricReduction;
  readonly getNotNans: boolean;

  constructor(options: RegressionMetricOptions = {}, extraKeys: readonly string[] = []) {
    super();
    const name = new.target.name;
    checkOptions(name, options, ['reduction', 'getNotNans', ...extraKeys]);
    this.reduction = checkReduction(name, options.reduction ?? 'mean');
    this.getNotNans = options.getNotNans ?? false;
  }

  protected abstract computeMetric(yPred: Tensor, y: Tensor): Tensor;

  protected computeTensor(yPred: Tensor, y: Tensor | null): Tensor {
    const name = this.constructor.name;
    if (y === null) throw new TypeError(`${name}: y (the targets) is required`);
    if (yPred.shape.join() !== y.shape.join()) throw new RangeError(`${name}: yPred and y shapes don't match, found [${yPred.shape}] and [${y.shape}]`);
    if (yPred.dim() < 2) throw new RangeError(`${name}: either channel or spatial dimensions required, found only the batch dimension`);
    return this.computeMetric(yPred, y);
  }

  aggregate(reduction?: MetricReduction | null): Tensor | [Tensor, Tensor] {
    return aggregateReduced(this.bufferTensor(), checkReduction(`${this.constructor.name}.aggregate`, reduction ?? this.reduction), this.getNotNans);
  }
}

/** Mean squared error per batch item (MONAI's MSEMetric). */
export class MSEMetric extends RegressionMetric {
  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return computeMeanErrorMetrics(yPred, y, (d) => d.pow(2.0));
  }
}

/** Mean absolute error per batch item (MONAI's MAEMetric). */
export class MAEMetric extends RegressionMetric {
  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return computeMeanErrorMetrics(yPred, y, (d) => d.abs());
  }
}

/** Root mean squared error per batch item (MONAI's RMSEMetric). */
export class RMSEMetric extends RegressionMetric {
  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return torch.tidy(() => computeMeanErrorMetrics(yPred, y, (d) => d.pow(2.0)).sqrt());
  }
}

export interface PSNRMetricOptions extends RegressionMetricOptions {
  /** The largest possible value of the data (255 for 8-bit images). Required. */
  maxVal: number;
}

/** Peak signal-to-noise ratio per batch item, 20 log10(maxVal) - 10 log10(MSE) (MONAI's PSNRMetric). */
export class PSNRMetric extends RegressionMetric {
  readonly maxVal: number;

  constructor(options: PSNRMetricOptions) {
    super(options, ['maxVal']);
    if (typeof options?.maxVal !== 'number' || !(options.maxVal > 0))
      throw new TypeError(`PSNRMetric: maxVal must be a positive number, found ${JSON.stringify(options?.maxVal)}`);
    this.maxVal = options.maxVal;
  }

  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return torch.tidy(() => torch.rsub(computeMeanErrorMetrics(yPred, y, (d) => d.pow(2.0)).log10().mul(10), 20 * Math.log10(this.maxVal)));
  }
}
