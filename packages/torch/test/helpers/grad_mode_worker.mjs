// Worker entry for grad_mode.test.ts: reports this thread's grad mode as it starts.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const torch = await import('../../src/index.ts');
parentPort.postMessage(torch.isGradEnabled());
