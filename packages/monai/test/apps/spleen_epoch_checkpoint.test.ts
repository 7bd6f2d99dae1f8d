// BackgroundEpochCheckpoint: the saved file holds the state at save() time even when the tensors change
// before the write lands; only the latest epoch file is left (an earlier run's removed), with no temporary
// files; writes wait for `everySeconds` but flush() always writes; the file's bytes equal torch.save of the
// state dicts themselves (tuples, Maps, optimizer state); buffers are reused and freed by close(); a failed
// write surfaces at flush() and at the next save(), naming the file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { BackgroundEpochCheckpoint } from '../../src/apps/spleen/epoch_checkpoint.js';

const start = torch.memory().liveTensors;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-epoch-ckpt-'));
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

/** a stateful holding one kept tensor, changed in place as an optimizer step would */
class Holder {
  readonly w = torch.keep(torch.zeros([4]));
  stateDict(): Record<string, unknown> {
    return { w: this.w };
  }
}

const loadW = (file: string): number[] => torch.tidy(() => {
  const sd = torch.load(file) as { net: { w: torch.Tensor } };
  return Array.from(sd.net.w.toTypedArray() as Float32Array);
});

test('the file holds the state at save() time; only the latest epoch file stays, no temporary files', async () => {
  const d = fs.mkdtempSync(path.join(dir, 'a-'));
  fs.writeFileSync(path.join(d, 'checkpoint_epoch=1.pt'), 'an earlier run'); // removed once epoch 3 is in place
  const h = new Holder();
  try {
    const saver = new BackgroundEpochCheckpoint(d, { net: h });
    h.w.fill_(2);
    saver.save(2);
    h.w.fill_(3); // before the queued write has run
    saver.save(3);
    h.w.fill_(9);
    assert.deepEqual(fs.readdirSync(d), ['checkpoint_epoch=1.pt'], 'nothing written before everySeconds (30 s)');
    await saver.close();
    assert.deepEqual(fs.readdirSync(d), ['checkpoint_epoch=3.pt']);
    assert.deepEqual(loadW(path.join(d, 'checkpoint_epoch=3.pt')), [3, 3, 3, 3]);
  } finally {
    h.w.dispose();
  }
});

test('a failed write is reported by flush() and by the next save(), naming the file', async () => {
  const d = path.join(dir, 'gone');
  const h = new Holder();
  try {
    const saver = new BackgroundEpochCheckpoint(d, { net: h }); // the folder does not exist
    saver.save(1);
    await assert.rejects(saver.flush(), /epoch checkpoint: could not write '.*checkpoint_epoch=1\.pt'/);
    assert.throws(() => saver.save(2), /checkpoint_epoch=1\.pt/);
    await assert.rejects(saver.close(), /checkpoint_epoch=1\.pt/); // and frees its buffers
  } finally {
    h.w.dispose();
  }
});

test('everySeconds 0 writes at every save(); the bytes equal torch.save of the state dicts; buffers are reused', async () => {
  const d = fs.mkdtempSync(path.join(dir, 'c-'));
  const net = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.BatchNorm1d(4));
  const opt = new torch.optim.Adam([...net.parameters()], { lr: 0.1, betas: [0.8, 0.9] });
  const step = (): void => torch.tidy(() => {
    opt.zeroGrad();
    (net.forward(torch.randn([5, 3])) as torch.Tensor).square().sum().backward();
    opt.step();
    return undefined;
  });
  try {
    step();
    const saver = new BackgroundEpochCheckpoint(d, { net, opt }, { everySeconds: 0 });
    const live0 = torch.memory().liveTensors;
    const expected = (): Uint8Array => torch.tidy(() => torch.serialization.saveToBuffer({ net: net.stateDict(), opt: opt.stateDict() }));
    saver.save(1);
    const e1 = expected();
    const live1 = torch.memory().liveTensors;
    assert.ok(live1 > live0, 'the snapshot holds buffers');
    await saver.flush();
    assert.deepEqual(fs.readdirSync(d), ['checkpoint_epoch=1.pt']);
    assert.ok(Buffer.from(fs.readFileSync(path.join(d, 'checkpoint_epoch=1.pt'))).equals(Buffer.from(e1)), 'epoch 1 bytes');
    step();
    saver.save(2);
    const e2 = expected();
    step(); // after the snapshot, before the write lands
    assert.equal(torch.memory().liveTensors, live1, 'the second save reuses the buffers');
    await saver.close();
    assert.deepEqual(fs.readdirSync(d), ['checkpoint_epoch=2.pt']);
    assert.ok(Buffer.from(fs.readFileSync(path.join(d, 'checkpoint_epoch=2.pt'))).equals(Buffer.from(e2)), 'epoch 2 bytes');
    assert.equal(torch.memory().liveTensors, live0, 'close() frees the buffers');
    const back = torch.load(path.join(d, 'checkpoint_epoch=2.pt')) as { opt: { param_groups: { betas: unknown }[] } };
    assert.ok(torch.serialization.isTuple(back.opt.param_groups[0]!.betas), 'betas stays a tuple');
    torch.dispose(back);
  } finally {
    opt.dispose();
    net.dispose();
  }
});

test('everySeconds is checked', () => {
  assert.throws(() => new BackgroundEpochCheckpoint(dir, {}, { everySeconds: -1 }), /everySeconds must be >= 0, found -1/);
});
