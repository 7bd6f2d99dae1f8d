// Loading .pt files written by PyTorch 1.13 (fixtures from tools/goldens/serialization/make_fixtures.py).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as torch from '../../src/index.js';
import { load, loadPickle, loadRaw, saveToBuffer, PY_ATTRS, PY_CLASS, isTuple } from '../../src/serialization/index.js';
import { ZipReader, ZipWriter } from '../../src/serialization/zip.js';
import { wholeFile } from '../../src/serialization/torch_io.js';
import { legacyHead } from '../../src/serialization/pt_read.js';
import { canon, fixture, readJson, stripStorage } from './helpers.js';

const start = torch.memory().liveTensors;
const expected = readJson('expected.json');

test('state dict (zip format): dtypes, views sharing storage, offsets, 0-dim, empty, stride 0 (raw records)', () => {
  const raw = loadRaw(fixture('state_dict.pt'));
  assert.deepEqual(canon(raw, 'raw'), expected.state_dict);
});

test('state dict (zip format) as Tensors: identical values, dtypes, shapes, strides', () => {
  const sd = load(fixture('state_dict.pt'));
  try {
    assert.deepEqual(stripStorage(canon(sd, 'tensor')), stripStorage(expected.state_dict));
    // f32_t and f32_slice are views of f32's storage, as in Python: writing f32 changes them.
    const before = (sd.f32_slice.toTypedArray() as Float32Array)[0];
    sd.f32.add_(1);
    assert.equal((sd.f32_slice.toTypedArray() as Float32Array)[0], Math.fround(before! + 1));
    assert.equal((sd.f32_t.toTypedArray() as Float32Array)[1], (sd.f32.toTypedArray() as Float32Array)[6]);
  } finally {
    torch.dispose(sd);
  }
});

test('nested checkpoint (zip format): model, optimizer (int keys -> Map), plain values', () => {
  const raw = loadRaw(fixture('checkpoint.pt'));
  assert.deepEqual(canon(raw, 'raw'), expected.checkpoint);
  assert.ok(raw.optimizer.state instanceof Map);
  assert.ok(isTuple(raw.extra.tup) && !isTuple(raw.extra.list));
  assert.equal(raw.extra.big, 2n ** 70n);
  // The state dict's `_metadata` (OrderedDict attribute) is kept under PY_ATTRS.
  const meta = raw.model[PY_ATTRS]._metadata;
  assert.deepEqual(Object.keys(meta), Object.keys(expected.model_metadata));
  assert.deepEqual(meta['1'], expected.model_metadata['1']);
  const ck = load(fixture('checkpoint.pt'));
  try {
    assert.deepEqual(stripStorage(canon(ck, 'tensor')), stripStorage(expected.checkpoint));
    assert.ok(Object.keys(ck.model).includes('1.num_batches_tracked'));
  } finally {
    torch.dispose(ck);
  }
});

test('legacy (non-zip) format: same values, storage sharing kept', () => {
  const raw = loadRaw(fixture('checkpoint_legacy.pt'));
  assert.deepEqual(canon(raw, 'raw'), expected.checkpoint_legacy);
  const ck = load(fixture('checkpoint_legacy.pt'));
  try {
    assert.deepEqual(stripStorage(canon(ck, 'tensor')), stripStorage(expected.checkpoint));
  } finally {
    torch.dispose(ck);
  }
});

test('pickle protocol 4 file (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE)', () => {
  assert.deepEqual(canon(loadRaw(fixture('state_dict_p4.pt')), 'raw'), expected.state_dict);
});

test('nn.Parameter entries come back with requiresGrad set', () => {
  for (const f of ['checkpoint.pt', 'checkpoint_legacy.pt']) {
    const ck = load(fixture(f));
    try {
      assert.equal(ck.param.requiresGrad, true, f);
      assert.equal(ck.tensors[0].requiresGrad, false, f);
      // a plain view of the parameter's storage: shares memory, but neither requires grad nor has a grad_fn
      assert.equal(ck.param_view.requiresGrad, false, f);
      assert.equal(ck.param_view.gradFn, null, f);
      torch.noGrad(() => ck.param.mul_(2));
      assert.deepEqual(Array.from(ck.param_view.toTypedArray() as Float32Array), [-2, 4], f);
    } finally {
      torch.dispose(ck);
    }
  }
});

test('a state dict loaded from PyTorch and saved again keeps its OrderedDict _metadata', () => {
  const ck = load(fixture('checkpoint.pt'));
  try {
    const again = loadRaw(saveToBuffer({ model: ck.model }));
    assert.deepEqual(again.model[PY_ATTRS], loadRaw(fixture('checkpoint.pt')).model[PY_ATTRS]);
    assert.deepEqual(Object.keys(again.model), Object.keys(ck.model));
  } finally {
    torch.dispose(ck);
  }
});

test('byteorder record "big": storages are byte-swapped on load', () => {
  const le = torch.tidy(() => saveToBuffer({ a: torch.tensor([1.5, -2], { dtype: 'float32' }), b: 7 }));
  const z = new ZipReader(le);
  const parts: Uint8Array[] = [];
  const w = new ZipWriter((c) => parts.push(c));
  for (const n of z.names()) {
    let b = z.read(n).slice();
    if (n.endsWith('byteorder')) b = new TextEncoder().encode('big');
    if (n.endsWith('data/0')) for (let i = 0; i < b.length; i += 4) b.subarray(i, i + 4).reverse();
    w.add(n, b);
  }
  w.finish();
  const t = load(Buffer.concat(parts));
  try {
    assert.deepEqual(Array.from(t.a.toTypedArray() as Float32Array), [1.5, -2]);
  } finally {
    torch.dispose(t);
  }
});

test('plain pickle (pickle.dump of tensors, storages via torch.storage._load_from_bytes)', () => {
  const v = loadPickle(fixture('plain.pkl'));
  try {
    const want = expected.state_dict.__dict__;
    const get = (k: string) => stripStorage(want.find((e: [string, unknown]) => e[0] === k)[1]);
    assert.deepEqual(stripStorage(canon(v.t, 'tensor')), get('f32_slice'));
    assert.deepEqual(stripStorage(canon(v.i, 'tensor')), get('i64'));
    assert.equal(v.n, 3);
  } finally {
    torch.dispose(v);
  }
});

test('numpy arrays and scalars, and a MONAI MetaTensor with its metadata', () => {
  const v = load(fixture('numpy_meta.pt'));
  const e = expected.numpy_meta;
  try {
    for (const k of ['f64', 'fortran', 'big_endian', 'u8', 'b', 'f16']) {
      // stride: C-order arrays come back contiguous; the Fortran-order one keeps its column-major strides.
      const got = stripStorage(canon(v[k], 'tensor')) as any;
      const want = stripStorage(e[k]) as any;
      if (k === 'fortran') {
        assert.deepEqual(got.__tensor__.stride, [1, 2]);
        got.__tensor__.stride = want.__tensor__.stride;
      }
      assert.deepEqual(got, want, k);
    }
    assert.deepEqual(v.scalars.map((x: unknown) => (typeof x === 'bigint' ? String(x) : x)), e.scalars);
    const img = v.image;
    assert.equal(img[PY_CLASS], e.image.class);
    assert.deepEqual(stripStorage(canon(img, 'tensor')), stripStorage(e.image.tensor));
    const state = img[PY_ATTRS];
    assert.deepEqual(Object.keys(state), e.image.state_keys);
    const meta = state._meta;
    assert.deepEqual(stripStorage(canon(meta.affine, 'tensor')), stripStorage(e.image.affine));
    assert.deepEqual(stripStorage(canon(meta.original_affine, 'tensor')), stripStorage(e.image.original_affine));
    assert.deepEqual(stripStorage(canon(meta.spatial_shape, 'tensor')), stripStorage(e.image.spatial_shape));
    assert.equal(meta.space, e.image.space);
    assert.equal(meta.filename_or_obj, e.image.filename_or_obj);
    torch.dispose(state);
  } finally {
    torch.dispose(v);
  }
});

test('enum members by name: only MONAI enums, only known members', () => {
  const pkl = (cls: string, member: string) =>
    Uint8Array.from(`\x80\x02c__builtin__\ngetattr\nc${cls}\nX${String.fromCharCode(member.length)}\x00\x00\x00${member}\x86R.`, (c) => c.charCodeAt(0));
  assert.equal(loadPickle(pkl('monai.utils.enums\nMetaKeys', 'AFFINE')), 'affine');
  assert.throws(() => loadPickle(pkl('monai.utils.enums\nMetaKeys', 'NOPE')), /unknown MONAI enum member monai.utils.enums.MetaKeys.NOPE/);
  assert.throws(() => loadPickle(pkl('collections\nOrderedDict', 'fromkeys')), /getattr.*only allowed on MONAI enums/);
  assert.throws(() => loadPickle(pkl('os\nsystem', 'x')), /refusing to load global 'os.system'/);
});

test('loading from a buffer and with dicts: "map"', () => {
  const bytes = fs.readFileSync(fixture('checkpoint.pt'));
  const raw = loadRaw(bytes, { dicts: 'map' });
  assert.ok(raw instanceof Map && raw.get('extra') instanceof Map);
  assert.equal(raw.get('epoch'), 7);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

test('record by record from the file: small fixtures read as large files are (positioned reads, growing legacy head window)', () => {
  const saved = [wholeFile.maxBytes, legacyHead.windowBytes];
  wholeFile.maxBytes = 0; // every file through positioned reads, storages straight into tensor memory
  legacyHead.windowBytes = 64; // the legacy head's pickles do not fit: the window must grow
  try {
    const ck = load(fixture('checkpoint_legacy.pt'));
    try {
      assert.deepEqual(stripStorage(canon(ck, 'tensor')), stripStorage(expected.checkpoint));
    } finally {
      torch.dispose(ck);
    }
    assert.deepEqual(canon(loadRaw(fixture('checkpoint_legacy.pt')), 'raw'), expected.checkpoint_legacy);
    const sd = load(fixture('state_dict.pt'));
    try {
      assert.deepEqual(stripStorage(canon(sd, 'tensor')), stripStorage(expected.state_dict));
    } finally {
      torch.dispose(sd);
    }
  } finally {
    [wholeFile.maxBytes, legacyHead.windowBytes] = saved;
  }
  assert.equal(torch.memory().liveTensors, start);
});
