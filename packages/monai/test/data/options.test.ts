// Option checking has one implementation (@monai-ts/torch's options.ts): monai-ts re-exports it, and
// every layer's bad choice reads the same way, with a "did you mean".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import * as options from '../../src/data/options.js';
import { SaveImage } from '../../src/index.js';

const start = torch.memory().liveTensors;

test('monai-ts uses the torch option checkers themselves, not copies', () => {
  assert.equal(options.checkOptions, torch.checkOptions);
  assert.equal(options.checkChoice, torch.checkChoice);
  assert.equal(options.didYouMean, torch.didYouMean);
  assert.equal(options.suggestion, torch.suggestion);
});

test('checkChoice returns a valid choice and names owner, option, choices and the value otherwise', () => {
  assert.equal(torch.checkChoice('F', 'mode', 'b', ['a', 'b'] as const), 'b');
  assert.throws(() => torch.checkChoice('F', 'mode', 'bilinar', ['nearest', 'bilinear']),
    { name: 'TypeError', message: "F: mode must be one of 'nearest', 'bilinear', found 'bilinar' (did you mean 'bilinear'?)" });
  assert.throws(() => torch.checkChoice('F', 'mode', 3, ['alpha']), { message: "F: mode must be one of 'alpha', found '3'" });
});

test('torch.nn.functional and monai-ts transforms report a bad choice alike', () => {
  const x = torch.zeros([1, 1, 2, 2]);
  assert.throws(() => torch.nn.functional.interpolate(x, { size: 3, mode: 'bilinar' as never }),
    { message: "interpolate: mode must be one of 'nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact', found 'bilinar' (did you mean 'bilinear'?)" });
  assert.throws(() => torch.nn.functional.mseLoss(x, x, { reduction: 'summ' as never }),
    { message: "mseLoss: reduction must be one of 'none', 'mean', 'sum', found 'summ' (did you mean 'sum'?)" });
  assert.throws(() => new SaveImage({ mode: 'bilinar' as never }),
    { message: "SaveImage: mode must be one of 'nearest', 'bilinear', 'bicubic', found 'bilinar' (did you mean 'bilinear'?)" });
  x.dispose();
});

after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));
