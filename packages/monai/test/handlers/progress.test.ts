// ProgressBar: plain lines without a TTY (every N iterations and one per epoch, loss and ETA), a
// cli-progress bar redrawn in place on a (fake) TTY, dict outputs, resumed epochs, bad options.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Engine } from '../../src/engines/index.js';
import { ProgressBar } from '../../src/handlers/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

const LOSSES = [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 1, 2];
const fake = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 120, write: (s: string) => void chunks.push(s) } };
};
// eslint-disable-next-line no-control-regex
/** The text a terminal shows: cursor-to-column moves start a new redraw (as \r), other control sequences dropped. */
const stripAnsi = (s: string): string => s.replace(/\x1B\[\d*G/g, '\r').replace(/\x1B(?:\[[0-9;?]*[A-Za-z]|[78])/g, '');

test('no TTY: a line every 2 iterations and one per epoch, with MONAI-style loss and an ETA', async () => {
  const { chunks, stream } = fake(false);
  const engine = new Engine((e: Engine) => [{ loss: LOSSES[e.state.iteration - 1] }]);
  new ProgressBar({ stream, logEvery: 2 }).attach(engine);
  await engine.run([0, 1, 2, 3], { maxEpochs: 2 });
  const lines = chunks.join('').split('\n').filter(Boolean);
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[0], /^Epoch 1\/2: 2\/4 \[50%\] Loss: 0\.2500 ETA \d+s$/);
  assert.match(lines[1], /^Epoch 1\/2: 4\/4 \[done\] Loss: 0\.0625 in \d+s$/);
  assert.match(lines[2], /^Epoch 2\/2: 2\/4 \[50%\] Loss: 0\.0156 ETA \d+s$/);
  assert.match(lines[3], /^Epoch 2\/2: 4\/4 \[done\] Loss: 2\.0000 in \d+s$/);
});

test('TTY: a cli-progress bar per epoch, redrawn in place, ending full with the last loss; dict outputs sorted', async () => {
  const { chunks, stream } = fake(true);
  const engine = new Engine((e: Engine) => ({ b: LOSSES[e.state.iteration - 1], a: 1, img: [1, 2] }));
  new ProgressBar({ stream, outputTransform: (o: unknown) => o, barSize: 10 }).attach(engine);
  await engine.run([0, 1, 2, 3], { maxEpochs: 2 });
  const out = chunks.join('');
  assert.ok(/\x1B\[/.test(out), 'cursor control sequences were written');
  const screens = stripAnsi(out).split(/\r|\n/).filter(Boolean);
  assert.ok(screens.includes('Epoch 1/2 [==========] 4/4 a: 1.0000 b: 0.0625 | ETA: 0s'), screens.join('\n'));
  assert.ok(screens.includes('Epoch 2/2 [==========] 4/4 a: 1.0000 b: 2.0000 | ETA: 0s'), screens.join('\n'));
  assert.ok(screens.some((s) => s.startsWith('Epoch 1/2 [----------] 0/4')), 'the bar starts empty');
  assert.equal(out.split('\n').length - 1, 2, 'one newline per finished epoch');
});

test('a resumed epoch starts part-way; bad options are named', async () => {
  const { chunks, stream } = fake(false);
  const engine = new Engine(() => 0.5);
  engine.loadStateDict({ epoch_length: 4, max_epochs: 2, iteration: 6 });
  new ProgressBar({ stream, logEvery: 1 }).attach(engine);
  await engine.run([0, 1, 2, 3], { maxEpochs: 2 });
  const lines = chunks.join('').split('\n').filter(Boolean);
  assert.deepEqual(lines.map((l) => l.replace(/ (ETA|in) \d+s$/, '')), ['Epoch 2/2: 3/4 [75%] Loss: 0.5000', 'Epoch 2/2: 4/4 [done] Loss: 0.5000']);
  assert.throws(() => new ProgressBar({ logEvery: 0 }), /logEvery must be a positive integer or null, found 0/);
  assert.throws(() => new ProgressBar({ stream: {} as never }), /stream must have write\(\)/);
  assert.throws(() => new ProgressBar({ bar: 3 } as never), /ProgressBar.*'bar'/);
});
