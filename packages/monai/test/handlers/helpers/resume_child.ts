// Child process of resume_handlers.test.ts: a SupervisedTrainer (small conv net, Adam, StepLR through
// LrScheduleHandler) trains 4 epochs on seeded data; a CheckpointSaver keeps the latest epoch checkpoint
// (network, optimizer, scheduler, trainer). Modes:
//   full      run uninterrupted;
//   killable  print "E3I<n>" per iteration of epoch 3 and slow down there, so the parent can kill -9 it;
//   resume    CheckpointLoader from the newest checkpoint_epoch=N.pt, then finish.
// Writes the final parameters and learning rate to <dir>/final_<mode>.json.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { Events, SupervisedTrainer, type Engine } from '../../../src/engines/index.js';
import { CheckpointLoader, CheckpointSaver, LrScheduleHandler } from '../../../src/handlers/index.js';

const [dir, mode] = process.argv.slice(2);
const ckptDir = join(dir, 'ckpt');
torch.manualSeed(0);
const data = Array.from({ length: 3 }, () => {
  const image = torch.keep(torch.rand([2, 1, 6, 6]));
  return { image, label: torch.keep(image.flip([2]).mul(2).sub(0.5)) };
});
const network = new torch.nn.Sequential(new torch.nn.Conv2d(1, 4, 3, { padding: 1 }), new torch.nn.ReLU(), new torch.nn.Conv2d(4, 1, 3, { padding: 1 }));
const optimizer = new torch.optim.Adam(network.parameters(), { lr: 0.01 });
const lr = new torch.optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
const trainer = new SupervisedTrainer({
  maxEpochs: 4, trainDataLoader: data, network, optimizer, lossFunction: new torch.nn.MSELoss(),
  trainHandlers: new LrScheduleHandler({ lrScheduler: lr, printLr: false }),
});
// attached after the scheduler's handler (so the saved scheduler has stepped) and once the trainer exists
new CheckpointSaver({ saveDir: ckptDir, saveDict: { network, optimizer, lr, trainer }, saveInterval: 1, nSaved: 1 }).attach(trainer);
if (mode === 'killable') {
  trainer.on(Events.ITERATION_COMPLETED, async (e: Engine) => {
    if (e.state.epoch !== 3) return;
    process.stdout.write(`E3I${e.state.iteration}\n`);
    await new Promise((r) => setTimeout(r, 300));
  });
}
if (mode === 'resume') {
  const epochOf = (f: string): number => Number(/^checkpoint_epoch=(\d+)\.pt$/.exec(f)?.[1] ?? -1);
  const newest = readdirSync(ckptDir).filter((f) => epochOf(f) > 0).sort((a, b) => epochOf(b) - epochOf(a))[0];
  new CheckpointLoader({ loadPath: join(ckptDir, newest), loadDict: { network, optimizer, lr, trainer } }).attach(trainer);
  trainer.on(Events.STARTED, (e: Engine) => void process.stdout.write(`resumed from ${newest} at epoch ${e.state.epoch}\n`));
}
await trainer.run();
const params = torch.tidy(() => [...network.parameters()].flatMap((p) => p.flatten().tolist() as number[]));
writeFileSync(join(dir, `final_${mode}.json`), JSON.stringify({ epoch: trainer.state.epoch, iteration: trainer.state.iteration, lr: optimizer.paramGroups[0].lr, params, files: readdirSync(ckptDir) }));
