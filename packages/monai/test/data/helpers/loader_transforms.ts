// User transforms for the DataLoader tests: defined in a module (not closures) so they travel to
// workers once registered (registerTransforms(url) / the workerSetup option).
import { threadId } from 'node:worker_threads';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import { Transform } from '../../../src/transforms/transform.js';

/** index -> { img: a [1, 4, 5] MetaTensor holding the index, id: index } */
export class MakeItem extends Transform {
  constructor(readonly size: number[] = [1, 4, 5]) {
    super();
  }
  call(i: unknown): unknown {
    const t = torch.full(this.size, Number(i), { dtype: 'float32' });
    return { img: MetaTensor.wrap(t, { meta: { filename_or_obj: `item${String(i)}.nii` } }), id: i };
  }
}

/** Throws for one index (the error must reach the main thread naming the index and this transform). */
export class FailAt extends Transform {
  constructor(readonly index: number) {
    super();
  }
  call(d: unknown): unknown {
    if ((d as { id: number }).id === this.index) throw new Error(`refusing item ${this.index}`);
    return d;
  }
}

/** Adds the thread that ran the pipeline (shows that workers did the work). */
export class TagThread extends Transform {
  call(d: unknown): unknown {
    return { ...(d as object), thread: threadId };
  }
}

/** Busy work costing about `ms` per item (the benchmark's pipeline). */
export class Spin extends Transform {
  constructor(readonly ms: number) {
    super();
  }
  call(d: unknown): unknown {
    const end = performance.now() + this.ms;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    return { ...(d as object), spin: x > 0 };
  }
}

/** A collate function exported from a module: travels to workers. */
export function idsCollate(items: unknown[]): unknown {
  return items.map((d) => (d as { id: number }).id);
}

/** worker_init_fn from a module. */
export function initWorker(id: number): void {
  (globalThis as { __workerId?: number }).__workerId = id;
}

/** A collate function that fails (its error must name the batch). */
export function failingCollate(items: unknown[]): unknown {
  throw new Error(`cannot collate ${items.length} items`);
}

/** A stream source for IterableDataset in workers: a generator function exported from a module (opened anew per worker). */
export function* countTo12(): Generator<number> {
  for (let i = 0; i < 12; i++) yield i;
}

/** An async stream source (an async generator function from a module). */
export async function* asyncCountTo7(): AsyncGenerator<number> {
  for (let i = 0; i < 7; i++) {
    await new Promise((r) => setImmediate(r));
    yield i;
  }
}

/** A user function for Lambda({ func: { module, name } }): doubles a tensor (runs in workers too). */
export function double(x: torch.Tensor): torch.Tensor {
  return x.mul(2);
}

/** The thread a Lambda ran on, stored beside the item. */
export function tagThreadFn(d: Record<string, unknown>): Record<string, unknown> {
  return { ...d, lambdaThread: threadId };
}
