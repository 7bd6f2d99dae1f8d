// Child process of dataloader.test.ts: breaks out of a 2-worker loader (user classes given through
// workerSetup only) and then does nothing: the process must exit by itself (no thread left behind).
import * as torch from '@monai-ts/torch';
import { DataLoader } from '../../../src/data/dataloader.js';
import { Dataset } from '../../../src/data/dataset.js';
import { MakeItem } from './loader_transforms.js';

const ds = new Dataset(Array.from({ length: 50 }, (_, i) => i), [new MakeItem([1, 8, 8])]);
const loader = new DataLoader<{ img: torch.Tensor; id: number[] }>(ds, { batchSize: 2, numWorkers: 2, workerSetup: new URL('./loader_transforms.ts', import.meta.url).href });
const ids: number[] = [];
for await (const b of loader) {
  ids.push(...b.id);
  b.img.dispose();
  if (ids.length >= 4) break;
}
console.log(JSON.stringify({ ids, live: torch.memory().liveTensors }));
