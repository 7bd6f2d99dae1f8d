// What the spleen recipe's epoch checkpoint costs the training loop: BackgroundEpochCheckpoint.save() on the
// recipe's UNet and Novograd state (~40 MB), synchronous milliseconds and process CPU (the background write
// included, 300 ms later) per call, with the default everySeconds (30: a snapshot only) and with 0 (serialize
// and write at every save). Prints one JSON line. No MONAI counterpart: its recipe keeps no epoch checkpoint.
// Run: node --conditions=source --import tsx bench/flagship/epoch_checkpoint.ts   (BENCH_REPS, default 6)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { DEFAULT_SPLEEN_CONFIG, validateSpleenConfig } from '../../packages/monai/src/apps/spleen/config.js';
import { buildSpleenUNet } from '../../packages/monai/src/apps/spleen/network.js';
import { BackgroundEpochCheckpoint } from '../../packages/monai/src/apps/spleen/epoch_checkpoint.js';
import { Novograd } from '../../packages/monai/src/optimizers/novograd.js';
import { benchSettings, round } from '../harness.js';

const s = benchSettings();
const reps = Number(process.env.BENCH_REPS ?? 6);
torch.setNumThreads(s.threads);
const net = buildSpleenUNet(validateSpleenConfig({ ...DEFAULT_SPLEEN_CONFIG, data: '.' }, 'bench'));
const params = [...net.parameters()];
for (const p of params) p.grad = torch.keep(torch.randnLike(p).mul_(0.01));
const opt = new Novograd(params, { lr: 1e-4 });
opt.step();
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const result: Record<string, unknown> = { bench: 'flagship.epoch_checkpoint', unit: 'ms', threads: s.threads, reps };
for (const every of [30, 0]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ts-bench-ckpt-'));
  const ck = new BackgroundEpochCheckpoint(dir, { network: net, optimizer: opt }, { everySeconds: every });
  const sync: number[] = [];
  const cpu: number[] = [];
  try {
    for (let e = 0; e <= reps; e++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      ck.save(e);
      const t = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 300));
      const c = process.cpuUsage(c0);
      if (e > 0) { // the first allocates the buffers
        sync.push(t);
        cpu.push((c.user + c.system) / 1000);
      }
    }
    await ck.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  result[`every${every}s`] = { syncMedian: round(median(sync), 1), syncMax: round(Math.max(...sync), 1), cpuMedian: round(median(cpu), 1) };
}
result.megabytes = round(params.reduce((a, p) => a + p.numel(), 0) * 4 * 2 / 1e6, 1);
console.log(JSON.stringify(result));
opt.dispose();
net.dispose();
