// Child process of resume.test.ts: trains a small conv net for 4 epochs with Adam on seeded data, saving
// {network, optimizer, trainer} atomically at every epoch end. Modes:
//   full      run uninterrupted;
//   killable  slow down in epoch 3 and print "E3I<n>" per iteration so the parent can kill -9 it there;
//   resume    load the last checkpoint (if any) and finish.
// Writes the final parameters as JSON to <dir>/final_<mode>.json.
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { Events, SupervisedTrainer } from '../../../src/engines/index.js';

const [dir, mode] = process.argv.slice(2);
const ckpt = join(dir, 'ckpt.pt');
torch.manualSeed(0);
const data = Array.from({ length: 3 }, () => {
  const image = torch.keep(torch.rand([2, 1, 6, 6]));
  return { image, label: torch.keep(image.flip([2]).mul(2).sub(0.5)) };
});
const network = new torch.nn.Sequential(new torch.nn.Conv2d(1, 4, 3, { padding: 1 }), new torch.nn.ReLU(), new torch.nn.Conv2d(4, 1, 3, { padding: 1 }));
const optimizer = new torch.optim.Adam(network.parameters(), { lr: 0.01 });
const trainer = new SupervisedTrainer({ maxEpochs: 4, trainDataLoader: data, network, optimizer, lossFunction: new torch.nn.MSELoss() });
trainer.on(Events.EPOCH_COMPLETED, () => torch.saveCheckpoint(ckpt, { network, optimizer, trainer }));
if (mode === 'killable') {
  trainer.on(Events.ITERATION_COMPLETED, async (e) => {
    if (e.state.epoch !== 3) return;
    process.stdout.write(`E3I${e.state.iteration}\n`);
    await new Promise((r) => setTimeout(r, 300));
  });
}
if (mode === 'resume' && existsSync(ckpt)) {
  torch.loadCheckpoint(ckpt, { network, optimizer, trainer });
  process.stdout.write(`resumed at epoch ${trainer.state.epoch}\n`);
}
await trainer.run();
const params = torch.tidy(() => [...network.parameters()].flatMap((p) => p.flatten().tolist() as number[]));
writeFileSync(join(dir, `final_${mode}.json`), JSON.stringify({ epoch: trainer.state.epoch, iteration: trainer.state.iteration, params }));
