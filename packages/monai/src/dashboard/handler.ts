/**
 * Feeds a Dashboard from workflows: the trainer's loss per iteration and its metrics per epoch (named
 * train_<name> unless they start with 'train'), the evaluator's metrics under their names per (trainer) epoch, and a snapshot of the first validation item of each
 * evaluation for the slice viewer. Between iterations it lets the event loop serve the page (an
 * iteration itself runs synchronously, so without these pauses the server would answer only when
 * training ends).
 */
import { Tensor } from '@monai-ts/torch';
import { Events } from '../engines/events.js';
import type { Workflow } from '../engines/workflow.js';
import { MetaTensor } from '../data/meta_tensor.js';
import type { Dashboard } from './server.js';
import { volumeSnapshot } from './volume.js';

export interface DashboardHandlerOptions {
  /** loss from the trainer's state.output (default: output.loss, or the first item's loss, or a scalar tensor) */
  lossTransform?: (output: unknown) => unknown;
  /** plot every n-th iteration's loss (default 1) */
  iterationInterval?: number;
  /** keys of image, label and prediction in the evaluator's output items */
  imageKey?: string;
  labelKey?: string;
  predKey?: string;
  /** longest axis of the viewer's volume (default 128) */
  maxSize?: number;
  /** longest pause between event-loop turns while training, in ms (default 100) */
  yieldMs?: number;
}

type Dict = Record<string, unknown>;
const isDict = (x: unknown): x is Dict => x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor);

function scalar(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v instanceof Tensor && v.numel() === 1) return Number(v.item());
  return null;
}

function defaultLoss(output: unknown): unknown {
  if (isDict(output)) return output.loss;
  if (Array.isArray(output) && isDict(output[0])) return output[0].loss;
  return output;
}

/** The first item of an evaluator output: a decollated list of dicts, or a dict of batch tensors. */
function firstItem(output: unknown, keys: string[]): Dict | null {
  if (Array.isArray(output) && isDict(output[0])) return output[0];
  if (!isDict(output)) return null;
  const item: Dict = {};
  for (const k of keys) {
    const v = output[k];
    if (v instanceof Tensor && v.dim() === 5) item[k] = v.select(0, 0);
  }
  return item;
}

export class DashboardHandler {
  readonly dashboard: Dashboard;
  readonly lossTransform: (output: unknown) => unknown;
  readonly iterationInterval: number;
  readonly keys: { image: string; label: string; pred: string };
  readonly maxSize: number;
  readonly yieldMs: number;
  private lastYield = Date.now();
  private started = Date.now();

  constructor(dashboard: Dashboard, options: DashboardHandlerOptions = {}) {
    const known = ['lossTransform', 'iterationInterval', 'imageKey', 'labelKey', 'predKey', 'maxSize', 'yieldMs'];
    for (const k of Object.keys(options)) if (!known.includes(k)) throw new TypeError(`DashboardHandler: unknown option '${k}' (expected one of ${known.join(', ')})`);
    this.dashboard = dashboard;
    this.lossTransform = options.lossTransform ?? defaultLoss;
    this.iterationInterval = options.iterationInterval ?? 1;
    if (!Number.isInteger(this.iterationInterval) || this.iterationInterval < 1) throw new RangeError(`DashboardHandler: iterationInterval must be a positive integer, got ${options.iterationInterval}`);
    this.keys = { image: options.imageKey ?? 'image', label: options.labelKey ?? 'label', pred: options.predKey ?? 'pred' };
    this.maxSize = options.maxSize ?? 128;
    this.yieldMs = options.yieldMs ?? 100;
  }

  /** Plots the trainer's loss and epoch metrics, and keeps the page responsive during training. */
  attach(trainer: Workflow): this {
    trainer.addEventHandler(Events.STARTED, () => {
      this.started = Date.now();
      this.dashboard.setStatus({ state: 'training', maxEpochs: trainer.state.maxEpochs });
    });
    trainer.addEventHandler(Events.ITERATION_COMPLETED, () => {
      const s = trainer.state;
      if (s.iteration % this.iterationInterval === 0) {
        const loss = scalar(this.lossTransform(s.output));
        if (loss !== null) {
          this.dashboard.addPoint('loss', 'iteration', s.iteration, loss);
          this.dashboard.setStatus({ epoch: s.epoch, iteration: s.iteration, loss, elapsed_s: Math.round((Date.now() - this.started) / 1000) });
        }
      }
      return this.maybeYield();
    });
    trainer.addEventHandler(Events.EPOCH_COMPLETED, () => {
      for (const [name, v] of Object.entries(trainer.state.metrics)) {
        const y = scalar(v);
        if (y !== null) this.dashboard.addPoint(name.startsWith('train') ? name : `train_${name}`, 'epoch', trainer.state.epoch, y);
      }
      return this.yieldNow();
    });
    trainer.addEventHandler(Events.COMPLETED, () => this.dashboard.setStatus({ state: 'done', elapsed_s: Math.round((Date.now() - this.started) / 1000) }));
    return this;
  }

  /** Plots the evaluator's metrics by epoch and shows its first item of each run in the viewer. */
  attachEvaluator(evaluator: Workflow): this {
    let pending = false; // a snapshot of this run's first item is still to be taken
    evaluator.addEventHandler(Events.EPOCH_STARTED, () => {
      pending = true;
    });
    evaluator.addEventHandler(Events.ITERATION_COMPLETED, () => {
      if (pending) pending = !this.snapshot(evaluator);
      return this.maybeYield();
    });
    evaluator.addEventHandler(Events.EPOCH_COMPLETED, () => {
      const st: Dict = {};
      for (const [name, v] of Object.entries(evaluator.state.metrics)) {
        const y = scalar(v);
        if (y === null) continue;
        this.dashboard.addPoint(name, 'epoch', evaluator.state.epoch, y);
        st[name] = y;
      }
      const best = evaluator.state.bestMetric;
      if (typeof best === 'number' && best > -Infinity) st.best = best;
      this.dashboard.setStatus(st);
      return this.yieldNow();
    });
    return this;
  }

  /** Shows the first item of the evaluator's output; false when it holds no 3D image under imageKey. */
  private snapshot(evaluator: Workflow): boolean {
    const item = firstItem(evaluator.state.output, [this.keys.image, this.keys.label, this.keys.pred]);
    const image = item?.[this.keys.image];
    if (!(image instanceof Tensor) || image.dim() !== 4) return false;
    const tensorOrNull = (v: unknown) => (v instanceof Tensor && v.dim() === 4 ? v : null);
    const spacing = image instanceof MetaTensor ? image.pixdim.slice(0, 3) : undefined;
    this.dashboard.setVolume(
      volumeSnapshot(image, { label: tensorOrNull(item![this.keys.label]), pred: tensorOrNull(item![this.keys.pred]), spacing, maxSize: this.maxSize, title: `epoch ${evaluator.state.epoch}` }),
    );
    return true;
  }

  private maybeYield(): Promise<void> | undefined {
    return Date.now() - this.lastYield >= this.yieldMs ? this.yieldNow() : undefined;
  }

  private yieldNow(): Promise<void> {
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.lastYield = Date.now();
        resolve();
      }),
    );
  }
}
