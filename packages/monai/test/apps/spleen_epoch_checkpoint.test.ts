// BackgroundEpochCheckpoint: the saved file holds the state at save() time even when the tensors change
// before the write lands; only the latest epoch file is left (an earlier run's removed), with no temporary
// files; a failed write surfaces at flush() and at the next save(), naming the file.
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
    await saver.flush();
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
  } finally {
    h.w.dispose();
  }
});
