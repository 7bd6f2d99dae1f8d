// Child process of large_files.slow.test.ts: loads a .pt file with our torch.load and prints the
// digest of every tensor and the process's peak RSS (bytes) as one JSON line.
import * as torch from '../../src/index.js';
import { load } from '../../src/serialization/index.js';
import { digest } from './large_digest.js';

const file = process.argv[2]!;
const base = process.resourceUsage().maxRSS * 1024;
const sd = load(file) as Record<string, torch.Tensor>;
const digests: Record<string, string> = {};
for (const [k, t] of Object.entries(sd)) digests[k] = digest(t);
torch.dispose(sd);
console.log(JSON.stringify({ digests, peakRss: process.resourceUsage().maxRSS * 1024, baseRss: base }));
