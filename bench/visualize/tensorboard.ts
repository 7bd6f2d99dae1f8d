// Run by hand: node --conditions=source --import tsx bench/visualize/tensorboard.ts
// CRC32C throughput, scalar events per second through SummaryWriter (queued, flushed on close), and the
// time to write a 96^3 volume as an animated GIF summary (plot2dOr3dImage: rescale, uint8, LZW).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { crc32c } from '../../packages/monai/src/utils/tensorboard/record.js';
import { SummaryWriter, plot2dOr3dImage } from '../../packages/monai/src/visualize/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-bench-'));
const best = (fn: () => void, reps = 5): number => {
  let t = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
};

const buf = new Uint8Array(16 << 20).map((_, i) => (i * 2654435761) >>> 24);
const crcMs = best(() => void crc32c(buf));
console.log(`crc32c: ${(16 / (crcMs / 1000)).toFixed(0)} MiB/s (16 MiB in ${crcMs.toFixed(1)} ms)`);

const n = 20000;
const w = new SummaryWriter(path.join(dir, 'scalars'));
const t0 = performance.now();
for (let i = 0; i < n; i++) w.addScalar('loss', Math.sin(i), i);
w.close();
const ms = performance.now() - t0;
console.log(`addScalar: ${(n / (ms / 1000)).toFixed(0)} events/s (${n} events, ${fs.statSync(w.fileName).size} bytes)`);

torch.manualSeed(0);
const vol = torch.rand([1, 1, 96, 96, 96]);
const g = new SummaryWriter(path.join(dir, 'gif'));
const gifMs = best(() => plot2dOr3dImage(vol, 1, g), 3);
g.close();
console.log(`plot2dOr3dImage 96^3 -> GIF: ${gifMs.toFixed(0)} ms per volume (${fs.statSync(g.fileName).size} bytes for 3 writes)`);
vol.dispose();
fs.rmSync(dir, { recursive: true, force: true });
