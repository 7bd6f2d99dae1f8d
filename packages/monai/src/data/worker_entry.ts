/**
 * Entry of a WorkerPool thread (worker_pool.ts starts it by URL; nothing imports it). It registers the
 * package and the user modules, rebuilds the dataset from its description, then answers tasks one at a
 * time: items for indices (seeded per item when asked), optionally collated, tensors handed back by token.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import * as torch from '@monai-ts/torch';
import { loadTransformRegistry, registerTransforms, reviveTransform, type TransformDescription } from '../transforms/serialize.js';
import { TransformError } from '../transforms/transform.js';
import { disposeCollated, disposeDeep, seedDataset, shareItem } from './shared_item.js';

interface Init {
  workerId: number;
  modules: string[];
  dataset: TransformDescription;
  initFn: TransformDescription | null;
  cancel: Int32Array;
  /** libtorch intra-op threads of this worker (default 1) */
  threads?: number;
  /** replies go here instead of parentPort (a blocking pool reads them synchronously) */
  port?: MessagePort;
  /** [0] is bumped and notified after every reply, so a blocked main thread wakes up */
  signal?: Int32Array;
}

interface Task {
  type: 'task';
  id: number;
  epoch: number;
  indices: number[];
  seeds: bigint[] | null;
  collate: TransformDescription | null;
  reseed?: bigint | null;
}

const init = workerData as Init;
const replies = init.port ?? parentPort!;
const port = {
  postMessage(m: unknown): void {
    replies.postMessage(m);
    if (init.signal) {
      Atomics.add(init.signal, 0, 1);
      Atomics.notify(init.signal, 0);
    }
  },
};
// one libtorch thread per worker by default: N workers fill N cores, as PyTorch's DataLoader workers do
torch.setNumThreads(init.threads ?? 1);

function transformNameOf(e: unknown): string | null {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) if (c instanceof TransformError) return c.transformName;
  return null;
}

async function main(): Promise<void> {
  let dataset: { get(i: number): unknown };
  let baseline = 0;
  try {
    await loadTransformRegistry();
    for (const m of init.modules) await registerTransforms(m);
    baseline = torch.memory().liveTensors;
    dataset = reviveTransform(init.dataset);
    if (init.initFn) (reviveTransform(init.initFn) as (id: number) => unknown)(init.workerId);
  } catch (e) {
    port.postMessage({ type: 'initError', error: { message: e instanceof Error ? e.message : String(e) } });
    return;
  }
  const collators = new Map<string, (b: unknown[]) => unknown>();
  parentPort!.on('message', (m: Task | { type: 'close' }) => {
    if (m.type === 'close') {
      disposeDeep(dataset);
      port.postMessage({ type: 'closed', live: torch.memory().liveTensors - baseline });
      return;
    }
    if (m.epoch < Atomics.load(init.cancel, 0)) {
      port.postMessage({ type: 'cancelled', id: m.id });
      return;
    }
    const items: unknown[] = [];
    let current = -1;
    try {
      if (m.reseed !== undefined && m.reseed !== null) seedDataset(dataset, m.reseed);
      for (let k = 0; k < m.indices.length; k++) {
        current = m.indices[k];
        if (m.seeds) seedDataset(dataset, m.seeds[k]);
        items.push(dataset.get(current));
      }
      let value: unknown = items;
      if (m.collate) {
        const key = JSON.stringify(m.collate.root);
        let fn = collators.get(key);
        if (!fn) {
          fn = reviveTransform<(b: unknown[]) => unknown>(m.collate);
          collators.set(key, fn);
        }
        current = -1; // a collate failure names the batch, not an item
        value = fn(items);
        disposeCollated(items, value);
      }
      port.postMessage({ type: 'result', id: m.id, value: shareItem(value) });
    } catch (e) {
      for (const it of items) disposeDeep(it);
      const error = { message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined, index: current, indices: m.indices, transformName: transformNameOf(e) };
      port.postMessage({ type: 'error', id: m.id, error });
    }
  });
  port.postMessage({ type: 'ready' });
}

void main();
