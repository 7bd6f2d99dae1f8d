// Metric bases (MONAI monai/metrics/metric.py): IterationMetric computes per-iteration values from a
// batch-first tensor or a list of channel-first tensors; Cumulative keeps per-sample buffers between
// iterations; CumulativeIterationMetric does both, and subclasses aggregate the buffers.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';

/** A batch-first tensor, or a list of channel-first tensors (one per sample). */
export type TensorOrList = Tensor | Tensor[];

/** Extra per-call arguments of some metrics (`spacing` for the surface-distance metrics). */
export interface MetricCallOptions {
  spacing?: number | number[] | (number | number[])[] | null;
}

export abstract class Metric {
  abstract call(...args: unknown[]): unknown;
  toString(): string {
    return this.constructor.name;
  }
}

/** Runs `computeTensor` on a batch-first tensor, or on each channel-first item of a list with the results joined. */
function runIteration(
  owner: string,
  compute: (yPred: Tensor, y: Tensor | null, kw: MetricCallOptions) => Tensor | Tensor[],
  yPred: TensorOrList,
  y: TensorOrList | null | undefined,
  kw: MetricCallOptions,
): Tensor | Tensor[] {
  if (Array.isArray(yPred) || Array.isArray(y)) {
    if (!Array.isArray(yPred)) throw new TypeError(`${owner}: yPred must be a list of channel-first tensors when y is a list`);
    if (y !== null && y !== undefined && !Array.isArray(y)) throw new TypeError(`${owner}: y must be a list of channel-first tensors when yPred is a list`);
    if (Array.isArray(y) && y.length !== yPred.length) throw new TypeError(`${owner}: yPred and y must have the same length, found ${yPred.length} and ${y.length}`);
    if (yPred.length === 0) throw new TypeError(`${owner}: expected at least one item in yPred, found an empty list`);
    return torch.tidy(() => {
      const parts = yPred.map((p, i) => compute(p.detach().unsqueeze(0), Array.isArray(y) ? y[i].detach().unsqueeze(0) : null, kw));
      if (parts[0] instanceof torch.Tensor) return torch.cat(parts as Tensor[], 0);
      const n = (parts[0] as Tensor[]).length;
      return Array.from({ length: n }, (_, k) => torch.cat(parts.map((p) => (p as Tensor[])[k]), 0));
    });
  }
  if (!(yPred instanceof torch.Tensor)) throw new TypeError(`${owner}: yPred must be a batch-first Tensor or a list of channel-first Tensors`);
  return torch.tidy(() => compute(yPred.detach(), y instanceof torch.Tensor ? y.detach() : null, kw));
}

export abstract class IterationMetric extends Metric {
  /** The metric values of one iteration: a batch-first tensor (or several); the caller owns them. */
  call(yPred: TensorOrList, y?: TensorOrList | null, options: MetricCallOptions = {}): Tensor | Tensor[] {
    return runIteration(this.constructor.name, (p, t, kw) => this.computeTensor(p, t, kw), yPred, y, options);
  }

  /** The computation on batch-first tensors. Runs inside a tidy scope: return the results, intermediates are freed. */
  protected abstract computeTensor(yPred: Tensor, y: Tensor | null, options: MetricCallOptions): Tensor | Tensor[];
}

/** Per-sample buffers filled between iterations (MONAI's Cumulative, without the distributed gather). */
class Buffers {
  private lists: Tensor[][] | null = null;
  private synced: Tensor[] | null = null;

  private dropSynced(): void {
    if (this.synced) torch.dispose(this.synced);
    this.synced = null;
  }

  reset(): void {
    this.dropSynced();
    if (this.lists) for (const l of this.lists) torch.dispose(l);
    this.lists = null;
  }

  extend(owner: string, data: (Tensor | Tensor[] | number[])[]): void {
    this.lists ??= data.map(() => []);
    if (data.length !== this.lists.length) throw new TypeError(`${owner}: expected ${this.lists.length} buffers of data as before, found ${data.length}`);
    // kept tensors outlive the scope; the detached temporaries do not
    torch.tidy(() => data.forEach((d, k) => {
      const items = Array.isArray(d) ? d : null;
      if (items) {
        for (const x of items) this.lists![k].push(torch.keep(x instanceof torch.Tensor ? x.detach().clone() : torch.tensor(x as number)));
        return;
      }
      const t = d as Tensor;
      if (t.dim() < 1) throw new TypeError(`${owner}: data must be a batch-first tensor or a list of channel-first tensors, found a tensor of 0 dimensions`);
      const n = t.shape[0];
      const td = t.detach();
      for (let i = 0; i < n; i++) this.lists![k].push(torch.keep(td.select(0, i)));
    }));
    this.dropSynced();
  }

  append(data: (Tensor | number)[]): void {
    this.lists ??= data.map(() => []);
    torch.tidy(() => data.forEach((d, k) => this.lists![k].push(torch.keep(d instanceof torch.Tensor ? d.detach().clone() : torch.tensor(d)))));
    this.dropSynced();
  }

  /** The buffers stacked along a new first dimension (cached until the next change), or null when empty. */
  sync(owner: string): Tensor[] | null {
    if (this.lists === null) return null;
    if (this.synced === null) {
      this.synced = this.lists.map((l, k) => {
        if (l.length === 0) return torch.keep(torch.empty([0]));
        try {
          return torch.keep(torch.stack(l, 0));
        } catch (e) {
          throw new TypeError(`${owner}: unable to stack buffer ${k} (${(e as Error).message})`);
        }
      });
    }
    return this.synced;
  }
}

/**
 * Accumulates values between iterations: `extend` adds a batch (split into samples), `append` one
 * sample; `getBuffer` stacks them. `reset` frees them.
 */
export abstract class Cumulative {
  protected readonly buffers = new Buffers();

  reset(): void {
    this.buffers.reset();
  }

  extend(...data: (Tensor | Tensor[])[]): void {
    this.buffers.extend(this.constructor.name, data);
  }

  append(...data: (Tensor | number)[]): void {
    this.buffers.append(data);
  }

  /** Number of samples in the longest buffer. */
  get length(): number {
    const s = this.buffers.sync(this.constructor.name);
    return s === null ? 0 : Math.max(...s.map((t) => (t.dim() ? t.shape[0] : 0)));
  }

  /** A copy of the stacked buffer (or of each buffer when there are several), owned by the caller; null when nothing was added. */
  getBuffer(): Tensor | Tensor[] | null {
    const s = this.buffers.sync(this.constructor.name);
    if (s === null) return null;
    const copies = s.map((t) => t.clone());
    return copies.length === 1 ? copies[0] : copies;
  }

  abstract aggregate(...args: unknown[]): unknown;
}

/**
 * A metric whose `call` computes the values of one iteration and adds them to the buffers;
 * `aggregate` reduces everything added since the last `reset`.
 */
export abstract class CumulativeIterationMetric extends Cumulative {
  call(yPred: TensorOrList, y?: TensorOrList | null, options: MetricCallOptions = {}): Tensor | Tensor[] {
    const ret = runIteration(this.constructor.name, (p, t, kw) => this.computeTensor(p, t, kw), yPred, y, options);
    if (Array.isArray(ret)) this.extend(...ret);
    else this.extend(ret);
    return ret;
  }

  protected abstract computeTensor(yPred: Tensor, y: Tensor | null, options: MetricCallOptions): Tensor | Tensor[];

  /** The buffer as one tensor, as every tensor-valued metric aggregates it. */
  protected bufferTensor(): Tensor {
    const data = this.getBuffer();
    if (!(data instanceof torch.Tensor)) {
      torch.dispose(data);
      throw new TypeError(`${this.constructor.name}.aggregate: the data to aggregate must be one tensor, found ${data === null ? 'an empty buffer (call the metric first)' : `${(data as Tensor[]).length} buffers`}`);
    }
    return data;
  }
}
