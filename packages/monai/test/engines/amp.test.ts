// amp: true in the workflows on CPU: the forward and loss run under bfloat16 autocast, gradients reach
// the float32 parameters, no loss scaling happens (MONAI's GradScaler is a CUDA one that is inert
// without CUDA), and 20 training steps of a small 3D UNet end within 2% of the float32 loss.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { IterationEvents, SupervisedTrainer, SupervisedEvaluator, type Engine } from '../../src/engines/index.js';
import { DiceLoss } from '../../src/losses/index.js';
import { UNet } from '../../src/networks/nets/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

/** Seeded [2, 1, 16, 16, 16] images with a sphere-ish label (two channels, one-hot). */
function makeData(n: number): { image: Tensor; label: Tensor }[] {
  torch.manualSeed(7);
  return Array.from({ length: n }, () =>
    torch.tidy(() => {
      const image = torch.rand([2, 1, 16, 16, 16]);
      const fg = image.gt(0.5).float();
      return { image: torch.keep(image), label: torch.keep(torch.cat([fg.neg().add(1), fg], { dim: 1 })) };
    }),
  );
}

// The UNet's output is float32 under CPU autocast, in PyTorch 1.13 too (its last unit ends in ops autocast
// keeps in float32), so the output dtype is checked on a plain convolution stack.
function makeNet(kind: 'unet' | 'convs'): torch.nn.Module {
  torch.manualSeed(0);
  if (kind === 'unet') return new UNet({ spatialDims: 3, inChannels: 1, outChannels: 2, channels: [4, 8, 16], strides: [2, 2], numResUnits: 1 });
  return new torch.nn.Sequential(new torch.nn.Conv3d(1, 4, 3, { padding: 1 }), new torch.nn.ReLU(), new torch.nn.Conv3d(4, 2, 3, { padding: 1 }));
}

interface Run {
  losses: number[];
  predDtypes: string[];
  lossDtypes: string[];
  gradDtypes: string[];
  gradsFinite: boolean;
  scaler: torch.amp.GradScaler | null;
}

async function train(amp: boolean, steps: number, kind: 'unet' | 'convs'): Promise<Run> {
  const data = makeData(1);
  const net = makeNet(kind);
  const opt = new torch.optim.Adam(net.parameters(), { lr: 1e-2 });
  const loader = { length: 1, [Symbol.iterator]: () => data[Symbol.iterator]() };
  const trainer = new SupervisedTrainer({ maxEpochs: steps, trainDataLoader: loader, network: net, optimizer: opt, lossFunction: new DiceLoss({ softmax: true }), amp });
  trainer.disposeBatches = false; // the loader hands out the same tensors every epoch
  const r: Run = { losses: [], predDtypes: [], lossDtypes: [], gradDtypes: [], gradsFinite: true, scaler: null };
  trainer.on(IterationEvents.FORWARD_COMPLETED, (e: Engine) => void r.predDtypes.push((e.state.output as Record<string, Tensor>).pred.dtype));
  trainer.on(IterationEvents.LOSS_COMPLETED, (e: Engine) => {
    const loss = (e.state.output as Record<string, Tensor>).loss;
    r.lossDtypes.push(loss.dtype);
    r.losses.push(loss.item());
  });
  trainer.on(IterationEvents.BACKWARD_COMPLETED, () => {
    for (const p of net.parameters()) {
      r.gradDtypes.push(p.grad!.dtype);
      if (!torch.tidy(() => p.grad!.isfinite().all().item())) r.gradsFinite = false;
    }
  });
  await trainer.run();
  r.scaler = trainer.scaler;
  opt.dispose();
  torch.dispose(data);
  net.dispose();
  return r;
}

test('SupervisedTrainer amp on CPU: bfloat16 forward, float32 loss and gradients, no loss scaling', async () => {
  const r = await train(true, 2, 'convs');
  assert.deepEqual(r.predDtypes, ['bfloat16', 'bfloat16'], 'the network output under CPU autocast');
  assert.ok(r.gradDtypes.length > 0 && r.gradDtypes.every((d) => d === 'float32'), `parameter gradients: ${[...new Set(r.gradDtypes)]}`);
  assert.ok(r.gradsFinite, 'finite gradients');
  assert.ok(r.losses.every((l) => l > 0 && l < 1), `dice losses ${r.losses}`);
  // MONAI creates torch.cuda.amp.GradScaler(), which disables itself without CUDA: scale() is then the identity.
  assert.ok(r.scaler !== null, 'a scaler exists, as in MONAI');
  assert.equal(r.scaler.isEnabled(), false, 'the GradScaler is only active on CUDA');
  torch.dispose(r.scaler);
});

test('SupervisedTrainer amp on CPU: after 20 steps the loss is within 2% of float32 training', async () => {
  const fp32 = await train(false, 20, 'unet');
  const bf16 = await train(true, 20, 'unet');
  assert.notEqual(bf16.losses[0], fp32.losses[0], 'autocast changed the first forward (its convolutions ran in bfloat16)');
  assert.ok(Math.abs(bf16.losses[0] - fp32.losses[0]) < 0.01, `first losses ${bf16.losses[0]} vs ${fp32.losses[0]}`);
  const [a, b] = [fp32.losses.at(-1)!, bf16.losses.at(-1)!];
  assert.ok(a < fp32.losses[0] * 0.9, `float32 training lowers the loss: ${fp32.losses[0]} -> ${a}`);
  assert.ok(Math.abs(b - a) / a <= 0.02, `step 20 loss: bfloat16 ${b} vs float32 ${a} (${((100 * Math.abs(b - a)) / a).toFixed(2)}%)`);
  torch.dispose([fp32.scaler, bf16.scaler]);
});

test('SupervisedEvaluator amp on CPU: bfloat16 predictions; without amp float32', async () => {
  const data = makeData(1);
  const net = makeNet('convs');
  for (const [amp, dtype] of [[true, 'bfloat16'], [false, 'float32']] as const) {
    const ev = new SupervisedEvaluator({ valDataLoader: data, network: net, amp });
    ev.disposeBatches = false;
    const seen: string[] = [];
    ev.on(IterationEvents.FORWARD_COMPLETED, (e: Engine) => void seen.push((e.state.output as Record<string, Tensor>).pred.dtype));
    await ev.run();
    assert.deepEqual(seen, [dtype], `amp ${amp}`);
  }
  torch.dispose(data);
  net.dispose();
});
