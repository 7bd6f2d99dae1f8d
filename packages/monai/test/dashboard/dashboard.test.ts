// The live dashboard (issue 12): volume snapshots, the server's routes and guards, and the page in a real
// headless Chromium (Debian's `chromium`, driven by playwright-core; nothing is downloaded) while a short
// 3D training runs: the page loads, the curves grow before training ends, and the slice viewer shows the
// label and prediction over the image. DASHBOARD_SCREENSHOT=<file.png> also saves the page's screenshot
// there (docs/dashboard.png was made that way).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Dashboard, DashboardHandler, encodeSnapshot, volumeSnapshot } from '../../src/dashboard/index.js';
import { SupervisedEvaluator, SupervisedTrainer } from '../../src/engines/index.js';
import { MeanDice, ValidationHandler, fromEngine } from '../../src/handlers/index.js';
import { DiceLoss } from '../../src/losses/index.js';
import { UNet } from '../../src/networks/nets/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

/** GET `path` from a dashboard with an optional Host header; resolves to status and body. */
function get(d: Dashboard, path: string, options: { host?: string; method?: string } = {}): Promise<{ status: number; body: Buffer; type: string }> {
  const u = new URL(path, d.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), type: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('volumeSnapshot: window, class maps (argmax of one-hot, rounded index maps), downsampling, spacing, errors', () => {
  torch.tidy(() => {
    const img = torch.arange(2 * 4 * 6 * 8, { dtype: 'float32' }).reshape([2, 4, 6, 8]);
    const label = torch.zeros([1, 4, 6, 8]);
    label.narrow(1, 1, 2).fill_(1);
    const pred = torch.zeros([3, 4, 6, 8]);
    pred.select(0, 2).fill_(1);
    const v = volumeSnapshot(img, { label, pred, spacing: [1, 2, 3], title: 'epoch 1' });
    assert.deepEqual(v.shape, [4, 6, 8]);
    assert.deepEqual(v.spacing, [1, 2, 3]);
    assert.equal(v.image.length, 4 * 6 * 8);
    assert.equal(v.image[0], 0, 'the 0.5th percentile maps to 0');
    assert.equal(v.image[v.image.length - 1], 255, 'the 99.5th percentile maps to 255');
    assert.ok(v.image.every((x, i) => i === 0 || x >= v.image[i - 1]), 'a ramp stays monotonic');
    assert.equal(v.label![0], 0);
    assert.equal(v.label![6 * 8], 1, 'x = 1 is labelled');
    assert.ok(v.pred!.every((c) => c === 2), 'argmax of the one-hot prediction');

    const big = volumeSnapshot(torch.rand([1, 300, 150, 60]), { spacing: [0.5, 0.5, 2], maxSize: 100 });
    assert.deepEqual(big.shape, [100, 50, 20]);
    assert.deepEqual(big.spacing.map((s) => +s.toFixed(6)), [1.5, 1.5, 6]);
    assert.equal(big.label, null);

    assert.throws(() => volumeSnapshot(torch.rand([4, 4, 4])), /image must be channel-first 3D, \[C, x, y, z\], found shape \[4, 4, 4\]/);
    assert.throws(() => volumeSnapshot(torch.rand([1, 4, 4, 4]), { label: torch.rand([1, 4, 4, 5]) }), /label spatial shape \[4, 4, 5\] differs from the image's \[4, 4, 4\]/);
    assert.throws(() => volumeSnapshot(torch.rand([1, 4, 4, 4]), { maxSize: 0 }), /maxSize must be an integer in \[1, 250\], got 0/);

    const bytes = encodeSnapshot(v);
    const hl = bytes.readUInt32LE(0);
    const head = JSON.parse(bytes.subarray(4, 4 + hl).toString()) as { shape: number[]; label: boolean; pred: boolean; title: string };
    assert.deepEqual(head, { shape: [4, 6, 8], spacing: [1, 2, 3], title: 'epoch 1', label: true, pred: true });
    assert.equal(bytes.length, 4 + hl + 3 * 4 * 6 * 8);
  });
});

test('server: routes, loopback by default, foreign Host refused, GET only, live events, close ends streams', async () => {
  assert.throws(() => new Dashboard({ port: 70000 }), /port must be an integer in \[0, 65535\], got 70000/);
  assert.throws(() => new Dashboard({ prot: 1 } as never), /unknown option 'prot'/);
  const d = new Dashboard({ title: 'a <b> title' });
  assert.throws(() => d.url, /not started/);
  const url = await d.start();
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(d, '/');
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /<title>a &lt;b&gt; title<\/title>/);
    assert.equal((await get(d, '/uplot.js')).status, 200);
    assert.equal((await get(d, '/uplot.css')).type, 'text/css');
    assert.equal((await get(d, '/api/volume')).status, 404);
    assert.equal((await get(d, '/../etc/passwd')).status, 404);
    assert.equal((await get(d, '/', { method: 'POST' })).status, 405);
    assert.equal((await get(d, '/', { host: `evil.example:${new URL(url).port}` })).status, 403, 'DNS-rebinding guard');
    assert.equal((await get(d, '/', { host: 'localhost:1' })).status, 403, 'another port');
    assert.equal((await get(d, '/', { host: `localhost:${new URL(url).port}` })).status, 200);

    // an event stream sees points as they are added
    const got: string[] = [];
    const stream = await new Promise<http.IncomingMessage>((resolve) => http.get(new URL('/events', url), resolve));
    stream.on('data', (c: Buffer) => got.push(c.toString()));
    await new Promise((r) => setTimeout(r, 50));
    d.addPoint('loss', 'iteration', 1, 0.5);
    d.setStatus({ epoch: 1 });
    assert.throws(() => d.addPoint('loss', 'epoch', 1, 0.5), /'loss' is an iteration series, got a point on epoch/);
    await new Promise((r) => setTimeout(r, 50));
    const events = got.join('').split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { type: string });
    assert.deepEqual(events, [{ type: 'point', name: 'loss', axis: 'iteration', x: 1, y: 0.5 }, { type: 'status', status: { epoch: 1 } }]);
    const state = JSON.parse((await get(d, '/api/state')).body.toString()) as { series: Record<string, unknown> };
    assert.deepEqual(state.series, { loss: { axis: 'iteration', x: [1], y: [0.5] } });
    const ended = new Promise((r) => stream.on('end', r));
    await d.close();
    await ended;
  } finally {
    await d.close();
  }
});

/** Seeded balls in noise: image [B, 1, 24, 24, 24], one-hot label [B, 2, 24, 24, 24]. */
function balls(batches: number, seed: number): { image: Tensor; label: Tensor }[] {
  torch.manualSeed(seed);
  const n = 24;
  return Array.from({ length: batches }, () =>
    torch.tidy(() => {
      const ax = torch.arange(n, { dtype: 'float32' });
      const [z, y, x] = [ax.view([n, 1, 1]), ax.view([1, n, 1]), ax.view([1, 1, n])];
      const fg = torch.stack([0, 1].map(() => {
        const [cz, cy, cx] = torch.randint(8, 16, [3]).tolist() as number[];
        return z.sub(cz).square().add(y.sub(cy).square()).add(x.sub(cx).square()).le(36).float().unsqueeze(0);
      }));
      const image = fg.add(torch.randn(fg.shape).mul(0.3));
      return { image: torch.keep(image), label: torch.keep(torch.cat([fg.neg().add(1), fg], { dim: 1 })) };
    }),
  );
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));

test('the page in headless Chromium: curves grow while a short 3D training runs; the viewer overlays label and prediction', { timeout: 180_000 }, async () => {
  assert.ok(CHROMIUM, "Chromium is not installed: the dashboard test drives Debian's chromium (as root, `npm ci` installs it; otherwise run `apt-get install chromium`, or set CHROMIUM_PATH)");
  const { chromium } = await import('playwright-core');
  const dash = new Dashboard();
  await dash.start();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const train = balls(4, 1);
  const val = balls(1, 2);
  torch.manualSeed(0);
  const net = new UNet({ spatialDims: 3, inChannels: 1, outChannels: 2, channels: [4, 8], strides: [2], numResUnits: 1 });
  const opt = new torch.optim.Adam(net.parameters(), { lr: 0.02 });
  const meanDice = new MeanDice({ includeBackground: false, outputTransform: fromEngine(['pred', 'label']) });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(dash.url);
    await page.waitForFunction('window.__dashboard.ready');

    type Item = { pred: Tensor };
    const evaluator = new SupervisedEvaluator({
      valDataLoader: val, network: net, keyValMetric: { val_mean_dice: meanDice },
      postprocessing: (d: unknown) => ({ ...(d as Item), pred: torch.oneHot((d as Item).pred.argmax({ dim: 0 }), 2).permute([3, 0, 1, 2]).float() }),
    });
    const trainer = new SupervisedTrainer({ maxEpochs: 8, trainDataLoader: train, network: net, optimizer: opt, lossFunction: new DiceLoss({ softmax: true }) });
    new ValidationHandler({ interval: 1, validator: evaluator }).attach(trainer);
    new DashboardHandler(dash, { yieldMs: 20 }).attach(trainer).attachEvaluator(evaluator);

    let done = false;
    const run = trainer.run().then(() => void (done = true));
    await page.waitForFunction('window.__dashboard.points >= 3', undefined, { timeout: 60_000 });
    assert.equal(done, false, 'the page received points while training was still running');
    await run;
    // 4 iterations x 8 epochs of loss, 8 validation Dice values, a volume per validation
    await page.waitForFunction('window.__dashboard.points === 40 && window.__dashboard.volumeVersion >= 8', undefined, { timeout: 30_000 });

    assert.equal(await page.locator('.uplot').count(), 2, 'the loss chart and the epoch chart');
    const legend = await page.locator('.u-legend').allTextContents();
    assert.match(legend.join(' '), /loss/);
    assert.match(legend.join(' '), /val_mean_dice/);
    // overlay pixels in the axial view: green where only the label is, red where only the prediction is
    const counts = (await page.evaluate(`(() => {
      const c = document.getElementById('axial');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let green = 0, red = 0, other = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 1] > px[i] + 40) green++;
        else if (px[i] > px[i + 1] + 40) red++;
        else other++;
      }
      return { green, red, other, w: c.width, h: c.height };
    })()`)) as { green: number; red: number; other: number; w: number; h: number };
    assert.deepEqual([counts.w, counts.h], [24, 24]);
    assert.ok(counts.green + counts.red > 10 && counts.other > 100, JSON.stringify(counts));
    assert.match(await page.locator('#status').textContent() ?? '', /state: done/);

    const shot = await page.screenshot({ fullPage: true });
    assert.ok(shot.length > 10_000, 'a screenshot of the page');
    if (process.env.DASHBOARD_SCREENSHOT) writeFileSync(process.env.DASHBOARD_SCREENSHOT, shot);
  } finally {
    await browser.close();
    await dash.close();
    meanDice.dispose();
    opt.dispose();
    net.dispose();
    torch.dispose([train, val]);
  }
});
