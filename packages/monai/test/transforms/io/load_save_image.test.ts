import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { LoadImage, LoadImaged, SaveImage, SaveImaged } from '../../../src/transforms/io/index.js';
import { EnsureChannelFirst, EnsureChannelFirstd } from '../../../src/transforms/utility/ensure_channel_first.js';
import { MetaTensor, registerReader, unregisterReader, identityAffine, resampleToAffine, type ImageReader } from '../../../src/data/index.js';
import { GOLDENS, fixture, tensorSha, tmpDir } from '../../data/helpers.js';

const start = torch.memory().liveTensors;
/** each test disposes what it makes and must end with as many live tensors as it began with (no
 * tidy around it: a tidy would also free tensors the library leaks) */
const tt = (name: string, fn: () => void) =>
  test(name, () => {
    const before = torch.memory().liveTensors;
    fn();
    assert.equal(torch.memory().liveTensors, before, `${name}: live tensors left behind`);
  });
const out = tmpDir();

function affineClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}: affine[${i}] ${a[i]} vs ${b[i]}`);
}

tt('LoadImage picks the reader by suffix and returns a float32 MetaTensor', () => {
  const load = new LoadImage();
  // record which reader's read() runs for each file
  const used: string[] = [];
  for (const r of load.readers) {
    const read = r.read.bind(r);
    r.read = (f) => {
      used.push(r.name);
      return read(f);
    };
  }
  for (const [f, reader] of [
    ['anatomical.nii', 'NibabelReader'],
    ['example4d.nii.gz', 'NibabelReader'],
    ['rgb.png', 'PILReader'],
    ['npy_int16.npy', 'NumpyReader'],
    ['oblique.nrrd', 'NrrdReader'],
  ]) {
    const img = load.call(fixture(f)) as MetaTensor;
    assert.ok(img instanceof MetaTensor, f);
    assert.ok(img instanceof torch.Tensor);
    assert.equal(img.dtype, 'float32', f);
    assert.equal(img.meta.filename_or_obj, fixture(f));
    assert.ok(img.affine instanceof Float64Array && img.affine.length === 16);
    assert.deepEqual(used.splice(0), [reader], `${f}: reader`);
    img.dispose();
  }
});

tt('LoadImage imageOnly=false, dtype null, named reader, unknown options', () => {
  const load = new LoadImage({ imageOnly: false, dtype: null, reader: 'NibabelReader' });
  const [img, meta] = load.call(fixture('anatomical.nii')) as [MetaTensor, Record<string, unknown>];
  assert.equal(img.dtype, 'int16');
  assert.equal(tensorSha(img), GOLDENS['nib_anatomical.nii'].sha256);
  assert.equal(meta, img.meta);
  affineClose(img.affine, GOLDENS['nib_anatomical.nii'].affine!, 1e-9, 'anatomical');
  img.dispose();
  assert.throws(() => new LoadImage({ imageOnyl: true } as never), /unknown option 'imageOnyl' \(did you mean 'imageOnly'\?\)/);
  assert.throws(() => new LoadImage({ reader: 'NibabelReder' }), /did you mean 'NibabelReader'/);
  assert.throws(() => new LoadImage({ readerOptions: { asClosestCanonicl: true } }), /did you mean 'asClosestCanonical'/);
  const canon = new LoadImage({ readerOptions: { asClosestCanonical: true } });
  const c = canon.call(fixture('anatomical.nii')) as MetaTensor;
  assert.ok(c.affine[0] > 0);
  c.dispose();
});

tt('LoadImage: list of files stacks, ensureChannelFirst, corrupt and unknown files', () => {
  const load = new LoadImage({ ensureChannelFirst: true });
  const a = load.call([fixture('anatomical.nii'), fixture('anatomical.nii')]) as MetaTensor;
  assert.deepEqual(a.shape, [2, 33, 41, 25]);
  a.dispose();
  const b = load.call(fixture('anatomical.nii')) as MetaTensor;
  assert.deepEqual(b.shape, [1, 33, 41, 25]);
  b.dispose();
  const c = load.call(fixture('example4d.nii.gz')) as MetaTensor;
  assert.deepEqual(c.shape, [2, 128, 96, 24]);
  c.dispose();
  const d = load.call(fixture('rgb.png')) as MetaTensor;
  assert.deepEqual(d.shape, [3, 13, 9]);
  d.dispose();
  const bad = path.join(out, 'bad.nii');
  fs.writeFileSync(bad, Buffer.alloc(100));
  assert.throws(() => load.call(bad), (e: Error) => e.message.includes(bad) && /348/.test(e.message));
  assert.throws(() => load.call(path.join(out, 'missing.nii.gz')), /missing\.nii\.gz: cannot read file \(ENOENT\)/);
  // unknown suffixes fall back to ITKReader (as MONAI), which reports the file
  const unknown = path.join(out, 'x.unknownext');
  assert.throws(() => load.call(unknown), (e: Error) => e.message.includes(unknown));
  assert.throws(() => new LoadImage({ reader: 'NibabelReader' }).call(unknown), /cannot find a suitable reader|x\.unknownext/);
  assert.throws(() => load.call([fixture('anatomical.nii'), fixture('functional.nii')]), /spatial_shape|affine/);
});

tt('DICOM through the registry: ITKReader is the fallback, PydicomReader by name', () => {
  const dcm = path.join(path.dirname(fixture('x')), '..', 'dicom', 'pydicom', 'CT_small.dcm');
  assert.ok(fs.existsSync(dcm), `fixture ${dcm} is missing`);
  const a = new LoadImage({ ensureChannelFirst: true }).call(dcm) as MetaTensor;
  assert.deepEqual(a.shape, [1, 128, 128, 1]);
  assert.equal(a.meta.filename_or_obj, dcm);
  const b = new LoadImage({ reader: 'PydicomReader' }).call(dcm) as MetaTensor;
  assert.equal(b.numel(), 128 * 128);
  a.dispose();
  b.dispose();
});

tt('custom reader: registered by name and chosen by suffix', () => {
  const made: string[] = [];
  const reader: ImageReader = {
    name: 'ConstReader',
    verifySuffix: (f) => String(f).endsWith('.const'),
    read: (f) => {
      made.push(String(f));
      return f;
    },
    getData: () => [torch.ones([2, 3]), { spatial_shape: [2, 3], original_channel_dim: Number.NaN }],
  };
  registerReader('ConstReader', () => reader);
  try {
    const img = new LoadImage().call('/tmp/a.const') as MetaTensor;
    assert.deepEqual(img.shape, [2, 3]);
    img.dispose();
    const img2 = new LoadImage({ reader: 'ConstReader' }).call('/tmp/b.whatever') as MetaTensor;
    img2.dispose();
    const l = new LoadImage();
    l.register(reader);
    const img3 = l.call('/tmp/c.const') as MetaTensor;
    img3.dispose();
    assert.deepEqual(made, ['/tmp/a.const', '/tmp/b.whatever', '/tmp/c.const']);
  } finally {
    unregisterReader('ConstReader');
  }
});

tt('LoadImaged / EnsureChannelFirstd / SaveImaged', () => {
  const load = new LoadImaged({ keys: ['image', 'label'], imageOnly: false });
  const d = load.call({ image: fixture('anatomical.nii'), label: fixture('anatomical.nii'), other: 3 });
  assert.ok(d.image instanceof MetaTensor);
  assert.ok(d.image_meta_dict && (d.image_meta_dict as Record<string, unknown>).spatial_shape);
  assert.equal(d.other, 3);
  assert.throws(() => load.call({ image: fixture('anatomical.nii'), label: fixture('anatomical.nii'), image_meta_dict: {} }), /already exists/);
  const e = new EnsureChannelFirstd({ keys: ['image', 'label'] }).call(d);
  assert.deepEqual((e.image as MetaTensor).shape, [1, 33, 41, 25]);
  new SaveImaged({ keys: 'image', outputDir: out, outputPostfix: 'seg', printLog: false }).call(e);
  assert.ok(fs.existsSync(path.join(out, 'anatomical', 'anatomical_seg.nii.gz')));
  for (const k of ['image', 'label']) {
    (d[k] as MetaTensor).dispose();
    (e[k] as MetaTensor).dispose();
  }
  assert.throws(() => new LoadImaged({ keys: 'image', metaKeyPostfx: 'x' } as never), /did you mean 'metaKeyPostfix'/);
});

tt('EnsureChannelFirst: no metadata is an error unless channelDim is given', () => {
  const t = torch.zeros([4, 5]);
  assert.throws(() => new EnsureChannelFirst().call(t), /Metadata not available/);
  const r = new EnsureChannelFirst({ channelDim: 'no_channel' }).call(t);
  assert.deepEqual(r.shape, [1, 4, 5]);
  const r2 = new EnsureChannelFirst({ channelDim: -1 }).call(t);
  assert.deepEqual(r2.shape, [5, 4]);
  for (const x of [t, r, r2]) x.dispose();
});

function obliqueImage(dtype: torch.DType): MetaTensor {
  const data = torch.tidy(() => torch.arange(6 * 5 * 4, { dtype: 'float64' }).reshape([1, 6, 5, 4]).mul(1.5).sub(40).to({ dtype }));
  const affine = Float64Array.from([0.5, -0.25, 0, -12, 0.25, 1.5, 0.125, 30, 0, -0.5, 2, -7.5, 0, 0, 0, 1]);
  return MetaTensor.wrap(data, { affine, meta: { filename_or_obj: '/data/case_001.nii.gz', spatial_shape: [6, 5, 4], original_channel_dim: Number.NaN } });
}

tt('round trips NIfTI (.nii, .nii.gz), NRRD, NPY: identical data and affine', () => {
  for (const [ext, dtypes] of [
    ['.nii.gz', ['float32', 'int16', 'uint8', 'float64', 'int32', 'int64', 'int8']],
    ['.nii', ['float32', 'int16']],
    ['.nrrd', ['float32', 'int16', 'uint8', 'float64', 'int32', 'int8']],
    ['.npy', ['float32', 'int16', 'float64', 'bool', 'complex64']],
  ] as const) {
    for (const dt of dtypes) {
      const img = obliqueImage(dt as torch.DType);
      const save = new SaveImage({ outputDir: out, outputExt: ext, outputPostfix: `rt_${dt}`, outputDtype: null, printLog: false, separateFolder: false });
      save.call(img);
      const file = path.join(out, `case_001_rt_${dt}${ext}`);
      assert.ok(fs.existsSync(file), file);
      const back = new LoadImage({ dtype: null, ensureChannelFirst: ext !== '.npy' }).call(file) as MetaTensor;
      assert.equal(back.dtype, dt, `${ext} ${dt}: dtype`);
      assert.deepEqual(back.shape, ext === '.npy' ? [6, 5, 4] : [1, 6, 5, 4]);
      const flat = ext === '.npy' ? img.reshape([6, 5, 4]) : img;
      assert.ok(torch.equal(back, flat), `${ext} ${dt}: data`);
      if (ext !== '.npy') affineClose(back.affine, img.affine, 0, `${ext} ${dt}`);
      if (flat !== img) flat.dispose();
      img.dispose();
      back.dispose();
    }
  }
  const names = fs.readdirSync(out);
  assert.ok(!names.some((n) => n.endsWith('.tmp')), 'no temporary files left');
});

tt('PNG round trip: uint8 and 16-bit, channel axis, scale', () => {
  const gray = MetaTensor.wrap(torch.tidy(() => torch.arange(12 * 7, { dtype: 'float32' }).reshape([1, 12, 7])), { meta: { filename_or_obj: 'g.png', spatial_shape: [12, 7] } });
  new SaveImage({ outputDir: out, outputExt: '.png', outputPostfix: 'p', printLog: false, separateFolder: false }).call(gray);
  const back = new LoadImage({ dtype: null }).call(path.join(out, 'g_p.png')) as MetaTensor;
  assert.deepEqual(back.shape, [12, 7]);
  const g8 = torch.tidy(() => gray.reshape([12, 7]).to({ dtype: 'uint8' }));
  assert.ok(torch.equal(back, g8));
  const rgb = MetaTensor.wrap(torch.rand([3, 5, 4]), { meta: { filename_or_obj: 'c.png', spatial_shape: [5, 4] } });
  new SaveImage({ outputDir: out, outputExt: 'png', outputPostfix: 's', printLog: false, separateFolder: false, scale: 65535, outputDtype: 'uint16' }).call(rgb);
  const back2 = new LoadImage({ dtype: null, ensureChannelFirst: true }).call(path.join(out, 'c_s.png')) as MetaTensor;
  // Pillow (and so PILReader) reduces 16-bit colour PNGs to 8 bits
  assert.deepEqual(back2.shape, [3, 5, 4]);
  const expect = torch.tidy(() => rgb.mul(65535).floor().div(256).floor().to({ dtype: 'uint8' }));
  // within one grey level: a random value whose float32 product with 65535 lands next to an integer can
  // round either way between the writer's scaling and this expression (the test once failed on that)
  assert.ok(torch.tidy(() => back2.to({ dtype: 'int32' }).sub(expect.to({ dtype: 'int32' })).abs().max().item()) <= 1);
  // 16-bit gray PNG from float data without scaling: values kept (Pillow reads mode 'I', int32)
  const g16 = MetaTensor.wrap(torch.tidy(() => torch.arange(6 * 4, { dtype: 'float32' }).mul(2000).reshape([1, 6, 4])), { meta: { filename_or_obj: 'w.png', spatial_shape: [6, 4] } });
  new SaveImage({ outputDir: out, outputExt: '.png', outputPostfix: 'w', outputDtype: 'uint16', printLog: false, separateFolder: false }).call(g16);
  const back3 = new LoadImage({ dtype: null }).call(path.join(out, 'w_w.png')) as MetaTensor;
  assert.equal(back3.dtype, 'int32');
  assert.ok(torch.tidy(() => torch.equal(back3, g16.reshape([6, 4]).to({ dtype: 'int32' }))));
  for (const x of [gray, back, g8, rgb, back2, expect, g16, back3]) x.dispose();
});

tt('oblique volume: NIfTI, NRRD and a DICOM series (from Python) and NIfTI/NRRD from SaveImage load to the same RAS array and affine', () => {
  const g = GOLDENS.oblique;
  const load = new LoadImage({ dtype: null });
  const a = load.call(fixture('oblique.nii.gz')) as MetaTensor;
  const b = load.call(fixture('oblique.nrrd')) as MetaTensor;
  for (const [x, n] of [
    [a, 'nii'],
    [b, 'nrrd'],
  ] as const) {
    assert.equal(tensorSha(x), g.sha256, n);
    affineClose(x.affine, g.affine!, 2e-6, n);
  }
  // the same volume as a DICOM series written by pydicom (slices shuffled), through ITKReader and PydicomReader
  for (const reader of [undefined, 'PydicomReader'] as const) {
    const dcm = new LoadImage({ dtype: null, reader }).call(fixture('oblique_dicom')) as MetaTensor;
    // PydicomReader applies the (identity) rescale and returns float32, as MONAI's
    const want = dcm.dtype === 'float32' ? GOLDENS.oblique_float.sha256 : g.sha256;
    assert.equal(tensorSha(dcm), want, `DICOM series (${reader ?? 'auto'}, ${dcm.dtype}): array`);
    affineClose(dcm.affine, g.affine!, 1e-6, `DICOM series (${reader ?? 'auto'})`);
    dcm.dispose();
  }
  // written by us in both formats from the same MetaTensor
  const src = MetaTensor.wrap(torch.tidy(() => a.clone().unsqueeze(0)), { affine: b.affine.slice(), meta: { filename_or_obj: 'obl.nii', spatial_shape: [6, 5, 4] } });
  for (const ext of ['.nii.gz', '.nrrd']) new SaveImage({ outputDir: out, outputExt: ext, outputPostfix: 'o', outputDtype: null, printLog: false, separateFolder: false }).call(src);
  const c = load.call(path.join(out, 'obl_o.nii.gz')) as MetaTensor;
  const d = load.call(path.join(out, 'obl_o.nrrd')) as MetaTensor;
  assert.ok(torch.equal(c, d) && torch.equal(c, a));
  affineClose(c.affine, d.affine, 2e-6, 'ours nii vs nrrd');
  affineClose(d.affine, g.affine!, 0, 'ours nrrd vs golden');
  for (const x of [a, b, src, c, d]) x.dispose();
});

tt('SaveImage resample back to the original affine and shape (exact flip/transpose)', () => {
  const load = new LoadImage({ ensureChannelFirst: true, readerOptions: { asClosestCanonical: true } });
  const img = load.call(fixture('anatomical.nii')) as MetaTensor;
  new SaveImage({ outputDir: out, outputPostfix: 'orig', resample: true, printLog: false, separateFolder: true }).call(img);
  const file = path.join(out, 'anatomical', 'anatomical_orig.nii.gz');
  const back = new LoadImage({ dtype: null }).call(file) as MetaTensor;
  const orig = new LoadImage().call(fixture('anatomical.nii')) as MetaTensor;
  assert.ok(torch.equal(back, orig));
  affineClose(back.affine, orig.affine, 1e-6, 'resampled');
  // general (oblique) resampling: identity target gives the same array
  const plain = MetaTensor.wrap(orig.unsqueeze(0), { affine: orig.affine.slice(), meta: { filename_or_obj: 'p.nii', spatial_shape: [33, 41, 25], original_affine: orig.affine.slice() } });
  new SaveImage({ outputDir: out, outputPostfix: 'same', resample: true, mode: 'bilinear', printLog: false, separateFolder: false }).call(plain);
  const back2 = new LoadImage().call(path.join(out, 'p_same.nii.gz')) as MetaTensor;
  assert.ok(torch.allclose(back2, orig, { atol: 1e-3 }));
  for (const x of [img, back, orig, plain, back2]) x.dispose();
});

tt('resampleToAffine grid path: shifted and scaled targets match index arithmetic', () => {
  const img = torch.tidy(() => torch.arange(5 * 4 * 3, { dtype: 'float64' }).reshape([1, 5, 4, 3]));
  const id = identityAffine();
  const shifted = identityAffine();
  shifted[3] = 1; // output voxel i sits at world x = i + 1 = input voxel i + 1
  shifted[11] = 0.5; // half a voxel in z: not a permutation, so the grid sampler runs
  const r = resampleToAffine(img, id, shifted, [5, 4, 3], 'bilinear', 'border', false, 'float64');
  assert.deepEqual(r.shape, [1, 5, 4, 3]);
  const v = r.toArray()[0] as number[][][];
  const src = img.toArray()[0] as number[][][];
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < 4; j++)
      for (let k = 0; k < 3; k++) {
        const x = Math.min(i + 1, 4);
        const z0 = Math.min(k, 2);
        const z1 = Math.min(k + 1, 2);
        const expect = 0.5 * src[x][j][z0] + 0.5 * src[x][j][z1];
        assert.ok(Math.abs(v[i][j][k] - expect) < 1e-9, `(${i},${j},${k}) ${v[i][j][k]} vs ${expect}`);
      }
  // a coarser grid: voxel size 2 in x samples every other input voxel
  const coarse = identityAffine();
  coarse[0] = 2;
  const r2 = resampleToAffine(img, id, coarse, [3, 4, 3], 'nearest', 'zeros', false, 'float64');
  assert.ok(torch.tidy(() => torch.equal(r2, img.at(':', '::2'))));
  for (const x of [img, r, r2]) x.dispose();
});

tt('SaveImage options: unknown keys, bad extension, data_root_dir and patch index', () => {
  assert.throws(() => new SaveImage({ outputPostifx: 'x' } as never), /did you mean 'outputPostfix'/);
  assert.throws(() => new SaveImage({ outputExt: '.nii.gzz' }), /did you mean '.nii.gz'/);
  const img = MetaTensor.wrap(torch.zeros([1, 2, 2, 2]), { meta: { filename_or_obj: '/root/a/b/vol.nii', patch_index: 3, spatial_shape: [2, 2, 2] } });
  new SaveImage({ outputDir: out, dataRootDir: '/root', printLog: false, savepathInMetadict: true }).call(img);
  assert.equal(img.meta.saved_to, path.join(out, 'a', 'b', 'vol', 'vol_trans_3.nii.gz'));
  assert.ok(fs.existsSync(img.meta.saved_to as string));
  img.dispose();
});

after(() => {
  fs.rmSync(out, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});
