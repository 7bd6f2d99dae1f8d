// npm run demo: trains a small 3D segmentation network on generated data (bright spheres in
// noise), reports loss and validation Dice per epoch, and saves the weights as safetensors.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import * as torch from '@monai-ts/torch';
import { TinyUNet3d } from './tiny_unet.js';

const c = torch.config();
console.log(`monai-ts ${c.version} on Node ${c.node}; libtorch ${c.libtorch}, ${c.numThreads} threads, CUDA ${c.cuda ? 'yes' : 'no'}`);

const SIZE = 48;
const device = torch.cuda.isAvailable() ? 'cuda:0' : 'cpu';
torch.manualSeed(0);

/** count volumes [1, S, S, S] with 1-3 spheres of intensity 1 plus Gaussian noise, and their masks. */
function makeData(count: number): { images: torch.Tensor; labels: torch.Tensor } {
  return torch.tidy(() => {
    const ax = torch.arange(SIZE, { dtype: 'float32' });
    const z = ax.view([SIZE, 1, 1]);
    const y = ax.view([1, SIZE, 1]);
    const x = ax.view([1, 1, SIZE]);
    const masks: torch.Tensor[] = [];
    for (let i = 0; i < count; i++) {
      let m = torch.zeros([SIZE, SIZE, SIZE], { dtype: 'bool' });
      const n = 1 + Math.floor(torch.rand([1]).item() * 3);
      for (let k = 0; k < n; k++) {
        const [cz, cy, cx, r] = torch.rand([4]).toArray() as number[];
        const rad = 3 + r * 6;
        const lo = rad + 1;
        const span = SIZE - 2 * lo;
        const d = z.sub(lo + cz * span).square().add(y.sub(lo + cy * span).square()).add(x.sub(lo + cx * span).square());
        m = m.logicalOr(d.le(rad * rad));
      }
      masks.push(m);
    }
    const labels = torch.stack(masks).long();
    const images = labels.float().add(torch.randn(labels.shape).mul(0.6)).unsqueeze(1);
    return { images: images.to(device), labels: labels.to(device) };
  });
}

function dice(logits: torch.Tensor, labels: torch.Tensor): number {
  return torch.tidy(() => {
    const pred = logits.argmax({ dim: 1 }).eq(1);
    const gt = labels.eq(1);
    const inter = pred.logicalAnd(gt).sum().item();
    return (2 * inter) / (pred.sum().item() + gt.sum().item() + 1e-6);
  });
}

const train = makeData(32);
const val = makeData(8);
const model = new TinyUNet3d(1, 2).to(device);
const params = [...model.parameters()];
console.log(`TinyUNet3d: ${params.reduce((n, p) => n + p.numel(), 0)} parameters; ${train.images.size(0)} training and ${val.images.size(0)} validation volumes of ${SIZE}^3`);
const opt = new torch.optim.Adam(params, { lr: 3e-3 });
const lossFn = new torch.nn.CrossEntropyLoss();
const EPOCHS = 16;
const BATCH = 4;
const steps = train.images.size(0) / BATCH;
const bar = new cliProgress.SingleBar(
  { format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} steps | loss {loss} | val Dice {dice}', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
const t0 = performance.now();
let lastDice = 0;
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  model.train();
  bar.start(steps, 0, { epoch, epochs: EPOCHS, loss: '-', dice: lastDice ? lastDice.toFixed(3) : '-' });
  const order = torch.tidy(() => torch.randperm(train.images.size(0)).toArray() as number[]);
  for (let s = 0; s < steps; s++) {
    const loss = torch.tidy(() => {
      const idx = torch.tensor(order.slice(s * BATCH, (s + 1) * BATCH), { device });
      const x = train.images.indexSelect(0, idx);
      const y = train.labels.indexSelect(0, idx);
      opt.zeroGrad();
      const l = lossFn.forward(model.forward(x), y);
      l.backward();
      opt.step();
      return l.item();
    });
    bar.update(s + 1, { loss: loss.toFixed(4) });
  }
  model.eval();
  lastDice = torch.noGrad(() => torch.tidy(() => dice(model.forward(val.images), val.labels)));
  bar.update(steps, { dice: lastDice.toFixed(3) });
  bar.stop();
}
const secs = (performance.now() - t0) / 1000;
const outDir = resolve('demo-output');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'tiny_unet3d.safetensors');
const sd = model.stateDict();
torch.safetensors.saveFile(sd, file, { epochs: String(EPOCHS), valDice: lastDice.toFixed(4) });
torch.dispose(sd);
console.log(`trained ${EPOCHS} epochs in ${secs.toFixed(1)} s; final validation Dice ${lastDice.toFixed(3)}`);
console.log(`weights saved to ${file}`);
torch.dispose([train, val]);
opt.dispose();
model.dispose();
