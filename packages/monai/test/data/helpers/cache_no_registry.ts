// Child process of cache_dataset_workers.test.ts: a CacheDataset with numWorkers 2 constructed before the
// transform registry is loaded builds on the main thread with one warning. Prints one JSON line.
import * as torch from '@monai-ts/torch';
import { CacheDataset } from '../../../src/data/dataset.js';
import { ScaleIntensityd } from '../../../src/transforms/intensity/dictionary.js';

const warnings: { name: string; code?: string; message: string }[] = [];
process.on('warning', (w) => warnings.push({ name: w.name, code: (w as { code?: string }).code, message: w.message }));
const data = [0, 1, 2].map((i) => ({ img: torch.full([1, 2, 2], i) }));
const ds = new CacheDataset(data, [new ScaleIntensityd({ keys: ['img'] })], { numWorkers: 2, progress: false });
const cached = (ds as unknown as { cache: unknown[] }).cache.length;
ds.disposeCache();
data.forEach((d) => d.img.dispose());
setImmediate(() => console.log(JSON.stringify({ cached, warnings, live: torch.memory().liveTensors })));
