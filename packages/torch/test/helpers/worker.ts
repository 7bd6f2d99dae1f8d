// Worker side of threads.test.ts: computes on its own, and adopts a tensor handed over by the
// main thread to modify it in place.
import { parentPort, workerData } from 'node:worker_threads';
import * as torch from '../../src/index.js';

const { token } = workerData as { token: bigint };
const shared = torch.fromShared(token);
shared.add_(1);
parentPort!.postMessage('ready');
const t0 = performance.now();
let acc = 0;
let iters = 0;
while (performance.now() - t0 < 300) {
  acc = torch.tidy(() => {
    const a = torch.ones([64, 64]).mul(0.5);
    return torch.mm(a, a).sum().item();
  });
  iters++;
}
parentPort!.postMessage({ acc, iters, start: t0 + performance.timeOrigin, end: performance.now() + performance.timeOrigin, threads: torch.getNumThreads(), live: torch.memory().liveTensors });
shared.dispose();
