// Compose frees what earlier steps made and later steps dropped (never the caller's input), including
// inside multi-sample lists and when a step throws.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Compose } from '../../src/transforms/compose.js';
import { Transform } from '../../src/transforms/transform.js';
import { MetaTensor } from '../../src/data/meta_tensor.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

class AddOne extends Transform {
  call(d: { img: torch.Tensor; n?: number }) {
    return { ...d, img: d.img.add(1) };
  }
}
class Split extends Transform {
  call(d: { img: torch.Tensor }) {
    return [{ img: d.img.mul(2) }, { img: d.img.mul(3) }];
  }
}
class Boom extends Transform {
  call(): never {
    throw new Error('boom');
  }
}

test('intermediates are freed step by step; the input and the output survive', () => {
  const img = MetaTensor.wrap(torch.zeros([1, 4, 4]));
  const base = torch.memory().liveTensors;
  const out = new Compose([new AddOne(), new AddOne(), new AddOne()]).call({ img, n: 1 }) as { img: torch.Tensor };
  assert.equal(torch.memory().liveTensors, base + 1, 'only the output is new');
  assert.equal(torch.tidy(() => out.img.max().item()), 3);
  assert.ok(!img.isDisposed, 'the input belongs to the caller');
  const list = new Compose([new AddOne(), new Split(), new AddOne()]).call({ img }) as { img: torch.Tensor }[];
  assert.equal(torch.memory().liveTensors, base + 3, 'two samples out, nothing else kept');
  assert.deepEqual(torch.tidy(() => list.map((x) => x.img.max().item())), [3, 4]);
  assert.throws(() => new Compose([new AddOne(), new AddOne(), new Boom()]).call({ img }), /boom/);
  assert.equal(torch.memory().liveTensors, base + 3, 'a failing step frees what the earlier steps made');
  out.img.dispose();
  list.forEach((x) => x.img.dispose());
  img.dispose();
});
