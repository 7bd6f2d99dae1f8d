// The declarations match the runtime. This file is typechecked by `npm test` (tsc over the tests):
// the annotated lines compile only while LoadImage/LoadImaged results, MetaDict keys and
// ImageReader<Img> are typed as they behave, and each @ts-expect-error line must stay an error.
// The tests then check at runtime that the values are what the types say.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { LoadImage, LoadImaged } from '../src/transforms/io/index.js';
import { MetaTensor, isSupportedFormat, type ImageReader, type MetaDict } from '../src/data/index.js';
import { fixture, tmpDir } from './data/helpers.js';

const start = torch.memory().liveTensors;
const NII = fixture('anatomical.nii');
const dir = tmpDir('monai-types-');

test('LoadImage: imageOnly (default true) gives a MetaTensor, false the [MetaTensor, MetaDict] pair', () => {
  const a: MetaTensor = new LoadImage().call(NII);
  const b: MetaTensor = new LoadImage({ imageOnly: true, dtype: null }).call(NII);
  const [c, meta]: [MetaTensor, MetaDict] = new LoadImage({ imageOnly: false }).call(NII);
  try {
    for (const m of [a, b, c]) assert.ok(m instanceof MetaTensor);
    assert.equal(meta, c.meta);
    // well-known keys are typed
    const affine: Float64Array | undefined = meta.affine;
    const shape: number[] | undefined = meta.spatial_shape;
    const file: string | undefined = meta.filename_or_obj;
    assert.ok(affine instanceof Float64Array && affine.length === 16);
    assert.deepEqual(shape, [33, 41, 25]);
    assert.equal(file, NII);
    // a flag only known at run time gives the union
    const flag = Math.random() < 2;
    const u: MetaTensor | [MetaTensor, MetaDict] = new LoadImage({ imageOnly: flag }).call(NII);
    assert.ok(u instanceof MetaTensor);
    u.dispose();
  } finally {
    for (const m of [a, b, c]) m.dispose();
  }
});

test('LoadImaged: keys hold MetaTensors, metadata keys MetaDicts when imageOnly is false', () => {
  const d = new LoadImaged({ keys: ['image', 'label'] }).call({ image: NII, label: NII, n: 3 });
  const img: MetaTensor = d.image;
  const n: number = d.n;
  const e = new LoadImaged({ keys: 'image', imageOnly: false }).call({ image: NII });
  const em: MetaDict = e.image_meta_dict;
  const f = new LoadImaged({ keys: 'image', imageOnly: false, metaKeyPostfix: 'meta' }).call({ image: NII });
  const fm: MetaDict = f.image_meta;
  const g = new LoadImaged({ keys: ['image'], imageOnly: false, metaKeys: ['hdr'] }).call({ image: NII });
  const gm: MetaDict = g.hdr;
  try {
    assert.ok(img instanceof MetaTensor && d.label instanceof MetaTensor);
    assert.equal(n, 3);
    assert.ok(!('image_meta_dict' in d));
    assert.equal(em, e.image.meta);
    assert.equal(fm, f.image.meta);
    assert.equal(gm, g.image.meta);
    assert.ok(em.affine instanceof Float64Array);
  } finally {
    for (const t of [d.image, d.label, e.image, f.image, g.image]) t.dispose();
  }
});

/** A user's reader of a toy format: 'TOY w h' then w*h numbers. Its image type flows through. */
interface ToyImage {
  width: number;
  height: number;
  values: number[];
}
class ToyReader implements ImageReader<ToyImage> {
  readonly name = 'ToyReader';
  verifySuffix(f: string | readonly string[]): boolean {
    return isSupportedFormat(f, ['toy']);
  }
  read(f: string | readonly string[]): ToyImage {
    const [tag, w, h, ...v] = fs.readFileSync(typeof f === 'string' ? f : f[0], 'utf8').trim().split(/\s+/);
    if (tag !== 'TOY') throw new Error('not a toy file');
    return { width: Number(w), height: Number(h), values: v.map(Number) };
  }
  getData(img: ToyImage): [Tensor, MetaDict] {
    const t = torch.tidy(() => torch.tensor(img.values).reshape([img.width, img.height]));
    return [t, { spatial_shape: [img.width, img.height], space: 'RAS', original_channel_dim: 'no_channel', toy_version: 1 }];
  }
}

test('ImageReader<Img>: a user reader is typed over its own image and loads through LoadImage', () => {
  const r = new ToyReader();
  const file = path.join(dir, 'a.toy');
  fs.writeFileSync(file, 'TOY 2 3 1 2 3 4 5 6');
  const raw: ToyImage = r.read(file);
  assert.equal(raw.width, 2);
  const [img, meta] = new LoadImage({ reader: r, imageOnly: false }).call(file);
  try {
    assert.deepEqual(img.shape, [2, 3]);
    assert.deepEqual(torch.tidy(() => Array.from(img.flatten().toTypedArray() as Float32Array)), [1, 2, 3, 4, 5, 6]);
    assert.equal(meta.toy_version, 1);
    assert.deepEqual(meta.spatial_shape, [2, 3]);
  } finally {
    img.dispose();
  }
});

test('MetaTensor.batchMeta is only for collated batches', () => {
  const m = MetaTensor.wrap(torch.zeros([2]));
  try {
    assert.throws(() => m.batchMeta, /not a collated batch/);
  } finally {
    m.dispose();
  }
});

/** `any` as a type: annotations, casts, arrays, type arguments. */
const ANY = /(:\s*any\b|\bas any\b|\bany\[\]|<any\b|,\s*any>|\|\s*any\b)/;
/** The one allowed form: a mixin's base-constructor type, which TypeScript requires to take `...args: any[]` (TS2545). */
const MIXIN_CTOR = /^type \w+<T> = abstract new \(\.\.\.args: any\[\]\) => T;$/;
test('no any in the source of packages/monai (its public declarations are derived from it)', () => {
  const src = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'src');
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        fs.readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
          if (ANY.test(code) && !MIXIN_CTOR.test(code)) hits.push(`${path.relative(src, p)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
  };
  walk(src);
  assert.deepEqual(hits, []);
});

// Wrong uses that must not compile (never called: tsc is the judge).
function typeErrors(p: string, m: MetaTensor): void {
  // @ts-expect-error imageOnly false gives the pair, not a MetaTensor
  const a: MetaTensor = new LoadImage({ imageOnly: false }).call(p);
  // @ts-expect-error the default (imageOnly true) gives a MetaTensor, not the pair
  const b: [MetaTensor, MetaDict] = new LoadImage().call(p);
  // @ts-expect-error meta.affine is a Float64Array
  const c: string = m.meta.affine;
  // @ts-expect-error spatial_shape is a list of numbers
  m.meta.spatial_shape = 'big';
  // @ts-expect-error other metadata values are a union, not any: they must be narrowed before use
  m.meta.pixdim.toFixed();
  // @ts-expect-error a value outside the metadata union (a function)
  m.meta.callback = () => 1;
  // @ts-expect-error with imageOnly true there is no metadata key
  const d: MetaDict = new LoadImaged({ keys: 'image' }).call({ image: p }).image_meta_dict;
  // @ts-expect-error getData of a typed reader takes its own image type
  new ToyReader().getData({ width: 1 });
  class BadReader implements ImageReader<ToyImage> {
    readonly name = 'Bad';
    verifySuffix(): boolean { return false; }
    read(): ToyImage { return { width: 0, height: 0, values: [] }; }
    // @ts-expect-error getData must return [Tensor, MetaDict]
    getData(): [Tensor, Map<string, number>] { return [torch.zeros([1]), new Map()]; }
  }
  void [a, b, c, d, BadReader];
}
void typeErrors;

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});
