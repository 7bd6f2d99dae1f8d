/**
 * Entry of a stream worker (iterable_loader.ts starts it; nothing imports it). It rebuilds the
 * IterableDataset, iterates its shard (positions id, id + W, ...) with per-item seeds, groups batches,
 * collates them when the collate function travelled, and posts each batch (tensors by share token) when
 * the main thread has given credit for it. 'stop' ends the loop; the worker then frees everything and
 * reports its live tensor count.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as torch from '@monai-ts/torch';
import { loadTransformRegistry, registerTransforms, reviveTransform, type TransformDescription } from '../transforms/serialize.js';
import { TransformError } from '../transforms/transform.js';
import type { IterableDataset } from './iterable_dataset.js';
import { disposeCollated, disposeDeep, shareItem } from './shared_item.js';

export interface StreamWorkerInit {
  workerId: number;
  numWorkers: number;
  modules: string[];
  dataset: TransformDescription;
  initFn: TransformDescription | null;
  collate: TransformDescription | null;
  batchSize: number;
  dropLast: boolean;
  seed: string | null;
  prefetch: number;
}

const init = workerData as StreamWorkerInit;
const port = parentPort!;
torch.setNumThreads(1); // one libtorch thread per worker, as PyTorch's workers

let credits = init.prefetch;
let stopped = false;
let wake: (() => void) | null = null;
port.on('message', (m: { type: string }) => {
  if (m.type === 'credit') credits++;
  else if (m.type === 'stop') stopped = true;
  const w = wake;
  wake = null;
  w?.();
});
const nextMessage = () => new Promise<void>((r) => (wake = r));

function transformNameOf(e: unknown): string | null {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) if (c instanceof TransformError) return c.transformName;
  return null;
}

async function main(): Promise<void> {
  let dataset: IterableDataset;
  let collate: ((items: unknown[]) => unknown) | null = null;
  let baseline = 0;
  try {
    await loadTransformRegistry();
    for (const m of init.modules) await registerTransforms(m);
    baseline = torch.memory().liveTensors;
    dataset = reviveTransform<IterableDataset>(init.dataset);
    if (init.collate) collate = reviveTransform<(items: unknown[]) => unknown>(init.collate);
    if (init.initFn) reviveTransform<(id: number) => unknown>(init.initFn)(init.workerId);
  } catch (e) {
    port.postMessage({ type: 'initError', error: { message: e instanceof Error ? e.message : String(e) } });
    return;
  }
  port.postMessage({ type: 'ready' });

  const send = async (items: unknown[]): Promise<boolean> => {
    while (credits <= 0 && !stopped) await nextMessage();
    if (stopped) {
      disposeDeep(items);
      return false;
    }
    credits--;
    let value: unknown = items;
    if (collate) {
      try {
        value = collate(items);
      } finally {
        if (value !== items) disposeCollated(items, value);
      }
    }
    port.postMessage({ type: 'batch', value: shareItem(value) });
    return true;
  };

  const gen = dataset.iterate({ shard: { id: init.workerId, numWorkers: init.numWorkers }, seed: init.seed === null ? null : BigInt(init.seed) });
  let batch: unknown[] = [];
  let n = 0;
  try {
    for (;;) {
      if (stopped) break;
      const r = await gen.next();
      if (r.done) break;
      n++;
      batch.push(r.value);
      if (batch.length === init.batchSize) {
        const b = batch;
        batch = [];
        if (!(await send(b))) break;
      }
    }
    if (!stopped && batch.length && !init.dropLast) await send(batch);
    else disposeDeep(batch);
    batch = [];
    if (!stopped) port.postMessage({ type: 'end' });
  } catch (e) {
    disposeDeep(batch);
    // n counts this worker's items so far: the failing one is its n-th, at stream position id + n * W (first pass)
    const index = init.workerId + n * init.numWorkers;
    port.postMessage({ type: 'error', error: { message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined, index, transformName: transformNameOf(e) } });
  }
  while (!stopped) await nextMessage();
  await gen.return(undefined);
  disposeDeep(dataset);
  if (collate) disposeDeep(collate);
  port.postMessage({ type: 'closed', live: torch.memory().liveTensors - baseline });
}

void main();
