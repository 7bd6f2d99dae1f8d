// Random corruption of the fixtures: every failure is one of our errors (naming what is wrong),
// never a crash, a hang or a leaked tensor.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as torch from '../../src/index.js';
import { load, safetensors, PickleError, SerializationError } from '../../src/serialization/index.js';
import { ZipError } from '../../src/serialization/zip.js';
import { fixture } from './helpers.js';

const start = torch.memory().liveTensors;

test('mutated and truncated files fail with serialization errors only', () => {
  let seed = 20261127;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const cases: [string, (b: Uint8Array) => unknown][] = [
    ['state_dict.pt', load], ['checkpoint_legacy.pt', load], ['reference.safetensors', safetensors.load],
  ];
  let failures = 0;
  for (const [file, fn] of cases) {
    const good = fs.readFileSync(fixture(file));
    for (let i = 0; i < 150; i++) {
      const b = Uint8Array.from(good);
      const k = 1 + Math.floor(rnd() * 3);
      for (let j = 0; j < k; j++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.2 ? Math.floor(rnd() * b.length) : b.length;
      try {
        torch.dispose(fn(b.subarray(0, cut)));
      } catch (err) {
        failures++;
        assert.ok(err instanceof PickleError || err instanceof ZipError || err instanceof SerializationError, `${file} #${i}: ${(err as Error).name}: ${(err as Error).message}`);
        assert.match((err as Error).message, /^<buffer>: /);
      }
    }
  }
  assert.ok(failures > 300, `most mutations are detected (${failures})`);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});
