// Long loops neither leak tensors nor grow RSS: under tidy, and (bounded) through the GC
// backstop when a loop without tidy yields to the event loop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as torch from '../src/index.js';

// A full GC before each RSS reading, so that the JS heap's own growth does not hide or fake a
// native leak.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const start = torch.memory().liveTensors;

test('10,000 forward/backward/update steps under tidy: live tensors constant, RSS flat', () => {
  torch.manualSeed(0);
  const w1 = torch.randn([32, 16]).mul_(0.1).requiresGrad_();
  const w2 = torch.randn([1, 32]).mul_(0.1).requiresGrad_();
  const x = torch.randn([64, 16]);
  const y = torch.randn([64, 1]);
  const live0 = torch.memory().liveTensors;
  const step = () =>
    torch.tidy(() => {
      const h = torch.relu(torch.linear(x, w1));
      const loss = torch.mseLoss(torch.linear(h, w2), y);
      loss.backward();
      torch.noGrad(() => {
        for (const w of [w1, w2]) {
          const g = w.grad!;
          w.sub_(g, { alpha: 0.01 });
          g.zero_();
        }
      });
      return loss.item();
    });
  let first = 0;
  let last = 0;
  let rssWarm = 0;
  const counts: number[] = [];
  for (let i = 0; i < 10000; i++) {
    const l = step();
    if (i === 0) first = l;
    last = l;
    if (i === 2999) {
      gc();
      rssWarm = process.memoryUsage.rss();
    }
    if (i % 1000 === 999) counts.push(torch.memory().liveTensors);
  }
  gc();
  const rssEnd = process.memoryUsage.rss();
  assert.ok(last < first, `loss went down (${first} -> ${last})`);
  assert.ok(counts.every((c) => c === live0), `live tensors stayed at ${live0}: ${counts}`);
  assert.ok(rssEnd <= rssWarm * 1.05, `RSS grew more than 5% after warm-up: ${rssWarm} -> ${rssEnd}`);
  torch.dispose([w1, w2, x, y]);
});

test('without tidy, a loop that yields to the event loop stays bounded (GC backstop)', async () => {
  const before = torch.memory().liveTensors;
  const x = torch.ones([16, 1024]); // 64 KiB per result, reported to V8 as external memory
  let peak = 0;
  const total = 6000;
  for (let i = 0; i < total; i++) {
    x.mul(2).add(1); // results dropped without dispose
    if (i % 50 === 0) {
      await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, torch.memory().liveTensors - before);
    }
  }
  for (let i = 0; i < 20 && torch.memory().liveTensors - before > 1000; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(peak < (2 * total) / 2, `peak live tensors ${peak} of ${2 * total} created`);
  x.dispose();
});

after(async () => {
  // Results dropped by the GC test may still await their finalizers: give them a few turns.
  for (let i = 0; i < 50 && torch.memory().liveTensors !== start; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(torch.memory().liveTensors - start < 1500, `memory tests left ${torch.memory().liveTensors - start} tensors`);
});
