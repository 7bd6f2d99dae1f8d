// npm run bench [-- <name filter>]: runs every bench/**/<name>.ts benchmark entry listed here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entries = ['torch/core.ts', 'torch/training.ts', 'torch/serialization.ts', 'io/run.ts', 'dicom/run.ts', 'networks/unet_step.ts', 'networks/sliding_window.ts', 'transforms/spleen_chain.ts', 'transforms/lazy_chain.ts', 'torch/imgproc.ts', 'metrics/hausdorff.ts'];
const filter = process.argv.slice(2);
for (const e of entries) {
  const file = fileURLToPath(new URL(`./${e}`, import.meta.url));
  if (!existsSync(file)) continue;
  if (filter.length && !filter.some((f) => e.includes(f))) continue;
  spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], { stdio: 'inherit' });
}
