// save(): round trips, atomic writes, corrupt and truncated files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../src/index.js';
import { load, loadRaw, save, saveToBuffer, tuple, SerializationError } from '../../src/serialization/index.js';
import { _injectWriteFault } from '../../src/serialization/atomic.js';
import { ZipReader, ZipWriter } from '../../src/serialization/zip.js';
import { Parameter } from '../../src/nn/parameter.js';
import { canon, fixture } from './helpers.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ts-ptsave-'));

function sample(): Record<string, unknown> {
  const w = torch.tensor([[1.5, -2, 3], [4, 5, 6]], { dtype: 'float32' });
  return {
    w,
    wt: (w as any).t(),
    f64: torch.tensor([0.1, -0.2], { dtype: 'float64' }),
    f16: torch.tensor([1, 2.5], { dtype: 'float16' }),
    bf16: torch.tensor([-3, 0.125], { dtype: 'bfloat16' }),
    i64: torch.tensor([-(2n ** 62n), 3n], { dtype: 'int64' }),
    i32: torch.tensor([1, -1], { dtype: 'int32' }),
    i16: torch.tensor([7], { dtype: 'int16' }),
    i8: torch.tensor([-7], { dtype: 'int8' }),
    u8: torch.tensor([200], { dtype: 'uint8' }),
    b: torch.tensor([true, false], { dtype: 'bool' }),
    s: torch.tensor(9, { dtype: 'float32' }),
    nested: { list: [w, tuple<unknown>(1, 'x', null)], epoch: 3 },
  };
}

test('save -> load round trip keeps values, dtypes, shapes, nesting; the same tensor stays one tensor', () => {
  const file = path.join(tmp, 'rt.pt');
  torch.tidy(() => {
    const obj = sample();
    save(obj, file);
    const back = load(file);
    try {
      const a = canon(obj, 'tensor') as any;
      const b = canon(back, 'tensor') as any;
      // wt was saved as a contiguous copy: same values and shape, contiguous strides.
      a.__dict__[1][1].__tensor__.stride = [2, 1];
      assert.deepEqual(b, a);
      assert.equal(back.w, back.nested.list[0]);
    } finally {
      torch.dispose(back);
    }
    return undefined;
  });
});

test('nn.Parameter and requires-grad leaves keep requiresGrad through save/load', () => {
  torch.tidy(() => {
    const p = new Parameter(torch.tensor([1, 2], { dtype: 'float32' }));
    const back = load(saveToBuffer({ p, g: torch.tensor([3], { dtype: 'float32' }).requiresGrad_(true), n: torch.tensor([4]) }));
    try {
      assert.equal(back.p.requiresGrad, true);
      assert.equal(back.g.requiresGrad, true);
      assert.equal(back.n.requiresGrad, false);
      assert.deepEqual(Array.from(back.p.toTypedArray() as Float32Array), [1, 2]);
    } finally {
      torch.dispose(back);
      p.dispose();
    }
    return undefined;
  });
});

test('archive layout matches torch.save: data.pkl, byteorder, data/N, version; 64-byte aligned, CRCs valid', () => {
  const bytes = torch.tidy(() => saveToBuffer({ a: torch.tensor([1, 2, 3], { dtype: 'float32' }), b: torch.tensor([4], { dtype: 'int64' }) }));
  const z = new ZipReader(bytes);
  assert.deepEqual(z.names(), ['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/data/1', 'archive/version']);
  assert.equal(new TextDecoder().decode(z.read('archive/byteorder')), 'little');
  assert.equal(new TextDecoder().decode(z.read('archive/version')), '3\n');
  for (const n of z.names()) {
    const b = z.read(n); // verifies CRC-32
    assert.equal(b.byteOffset % 64, 0, `${n} aligned`);
  }
});

test('zip64 records (used past 4 GiB; forced here) are written and read back', () => {
  const old = ZipWriter.zip64Threshold;
  ZipWriter.zip64Threshold = 0;
  let bytes: Uint8Array;
  try {
    bytes = torch.tidy(() => saveToBuffer({ a: torch.tensor([1, 2, 3], { dtype: 'float32' }), n: 5 }));
  } finally {
    ZipWriter.zip64Threshold = old;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(dv.getUint32(bytes.length - 22 - 20, true), 0x07064b50, 'zip64 locator present');
  const back = load(bytes);
  assert.deepEqual(Array.from(back.a.toTypedArray() as Float32Array), [1, 2, 3]);
  assert.equal(back.n, 5);
  torch.dispose(back);
});

test('an interrupted save leaves the previous file intact and no temporary file behind', () => {
  const file = path.join(tmp, 'ckpt.pt');
  torch.tidy(() => {
    save({ version: 1, w: torch.ones([4]) }, file);
    const before = fs.readFileSync(file);
    for (const at of [0, 10, 100, 700]) {
      _injectWriteFault(at);
      assert.throws(() => save({ version: 2, w: torch.zeros([1000]) }, file), /could not write .*ckpt\.pt.*simulated write failure/);
      assert.deepEqual(fs.readFileSync(file), before);
      assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.includes('ckpt.pt')), ['ckpt.pt']);
    }
    // A value that cannot be saved fails before anything replaces the file.
    assert.throws(() => save({ version: 3, bad: Symbol('x') }, file), /cannot save a symbol/);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.equal(loadRaw(file).version, 1);
    return undefined;
  });
});

test('truncated or corrupt .pt files give errors naming the file and the problem', () => {
  const good = fs.readFileSync(fixture('state_dict.pt'));
  const p = path.join(tmp, 'bad.pt');
  const expectErr = (bytes: Uint8Array, re: RegExp, options = {}) => {
    fs.writeFileSync(p, bytes);
    assert.throws(() => load(p, options), (e: Error) => e.message.includes(p) && re.test(e.message), re.source);
  };
  expectErr(good.subarray(0, good.length - 10), /end-of-central-directory|truncated/);
  expectErr(good.subarray(0, 5000 > good.length ? good.length - 200 : 5000), /truncated|central directory|end-of-central/);
  expectErr(new Uint8Array(0), /empty/);
  expectErr(new TextEncoder().encode('hello world, not a checkpoint'), /not a PyTorch file/);
  // flip a byte inside a tensor's data: the zip CRC catches it when asked to (PyTorch's reader
  // checks no CRC of tensor data, and neither do we by default: it costs more than the read)
  const z = new ZipReader(good);
  const name = z.names().find((n) => n.endsWith('data/0'))!;
  const off = z.read(name, false).byteOffset - (good as Uint8Array).byteOffset;
  const corrupt = Uint8Array.from(good);
  corrupt[off + 3] ^= 0xff;
  expectErr(corrupt, /CRC-32 mismatch/, { verifyChecksums: true });
  fs.writeFileSync(p, corrupt);
  torch.dispose(load(p));
  // ... but the pickle's CRC is always checked
  const pklOff = z.read(z.names().find((n) => n.endsWith('data.pkl'))!, false).byteOffset - (good as Uint8Array).byteOffset;
  const badPkl = Uint8Array.from(good);
  badPkl[pklOff + 20] ^= 0x01;
  expectErr(badPkl, /data\.pkl' is corrupt \(CRC-32 mismatch\)/);
  // legacy file cut inside its raw storages
  const legacy = fs.readFileSync(fixture('checkpoint_legacy.pt'));
  expectErr(legacy.subarray(0, legacy.length - 16), /truncated: storage/);
  expectErr(legacy.subarray(0, 300), /truncated pickle/);
  // A TorchScript archive is recognised and pointed to jit.load.
  const parts: Uint8Array[] = [];
  const zw = new ZipWriter((c) => parts.push(c));
  for (const n of ['model/data.pkl', 'model/constants.pkl', 'model/code/__torch__.py']) zw.add(n, new Uint8Array([0x80, 2, 0x4e, 0x2e]));
  zw.finish();
  expectErr(Buffer.concat(parts), /TorchScript archive .*jit\.load/);
  assert.throws(() => load(path.join(tmp, 'missing.pt')), (e: Error) => e instanceof SerializationError && /cannot read/.test(e.message));
  assert.equal(torch.memory().liveTensors, start);
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});
