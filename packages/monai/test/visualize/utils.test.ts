// blendImages, matshow3d's montage and the colour maps against matplotlib 3.6's lookup tables and MONAI 1.4's blend_images
// (goldens: tools/goldens/visualize/make_blend_golden.py).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { decode as decodePng } from 'fast-png';
import { blendImages, applyColormap, colormapTable, COLORMAPS, matshow3d, montagePng } from '../../src/visualize/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

const here = path.dirname(fileURLToPath(import.meta.url));
const golden = JSON.parse(fs.readFileSync(path.join(here, '../../../../tools/goldens/visualize/blend_golden.json'), 'utf8')) as {
  tables: Record<string, { lut: number[][]; probe: number[][] }>;
  probe: (number | null)[];
  cases: { name: string; image: unknown; label: unknown; options: Record<string, unknown>; result: unknown }[];
  matshow: { name: string; volume: unknown; options: Record<string, number>; image: unknown; shape: number[] }[];
};
const nullToNaN = (x: unknown): unknown => (Array.isArray(x) ? x.map(nullToNaN) : x === null ? NaN : x);
const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

test('colour maps: matplotlib lookup tables within 1e-12, and its lookup of out-of-range, 1.0 and NaN values', () => {
  assert.deepEqual([...COLORMAPS].sort(), Object.keys(golden.tables).sort());
  for (const [name, g] of Object.entries(golden.tables)) {
    const t = colormapTable(name);
    assert.equal(t.length, 256);
    t.forEach((row, i) => row.forEach((v, c) => assert.ok(Math.abs(v - g.lut[i][c]) <= 1e-12, `${name}[${i}][${c}]: ${v} vs ${g.lut[i][c]}`)));
    const probe = torch.tensor(golden.probe.map((p) => (p === null ? NaN : p)), { dtype: 'float32' });
    const got = torch.tidy(() => flat(applyColormap(probe, name).to('float64').tolist()));
    probe.dispose();
    flat(g.probe).forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 1e-6, `${name} probe ${i}: ${got[i]} vs ${v}`));
  }
  assert.throws(() => colormapTable('hvs'), /cmap must be one of .*found 'hvs'/);
});

test('blendImages: equal to MONAI blend_images (1e-6) for grey/RGB, 2D/3D, alpha number or tensor, rescale and background options', () => {
  for (const c of golden.cases) {
    const image = torch.tensor(c.image as never, { dtype: 'float32' });
    const label = torch.tensor(c.label as never, { dtype: 'float32' });
    const o = c.options as { alpha?: number | number[]; cmap?: string; rescale_arrays?: boolean; transparent_background?: boolean };
    const alpha = Array.isArray(o.alpha) ? torch.tensor(o.alpha as never, { dtype: 'float32' }) : o.alpha;
    const out = blendImages(image, label, { alpha, cmap: o.cmap, rescaleArrays: o.rescale_arrays, transparentBackground: o.transparent_background });
    const want = flat(c.result);
    const got = flat(out.tolist());
    assert.equal(got.length, want.length, c.name);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-6, `${c.name}[${i}]: ${v} vs ${want[i]}`));
    torch.dispose([image, label, out, ...(alpha instanceof torch.Tensor ? [alpha] : [])]);
  }
});

test('blendImages: shape errors name what was found', () => {
  const img = torch.zeros([2, 4, 4]);
  const lab = torch.zeros([1, 4, 4]);
  const lab2 = torch.zeros([2, 4, 4]);
  const small = torch.zeros([1, 3, 4]);
  assert.throws(() => blendImages(img, lab), /image should have 1 or 3 channels, found shape \[2, 4, 4\]/);
  assert.throws(() => blendImages(lab, lab2), /label should have 1 channel, found shape \[2, 4, 4\]/);
  assert.throws(() => blendImages(lab, small), /matching spatial sizes, found \[1, 4, 4\] and \[1, 3, 4\]/);
  assert.throws(() => blendImages(lab, lab, { alpha: small }), /alpha should match the image's spatial size/);
  assert.throws(() => blendImages(lab, lab, { cmap: 'viridis' }), /cmap must be one of/);
  assert.throws(() => blendImages(lab, lab, { colormap: 'hsv' } as never), /blendImages.*colormap/);
  torch.dispose([img, lab, lab2, small]);
});

test('matshow3d: the montage equals MONAI matshow3d\'s image (NaN margins and cells, every n-th frame, frame/channel dims, lists)', () => {
  for (const c of golden.matshow) {
    const o = c.options as { every_n?: number; frames_per_row?: number; frame_dim?: number; margin?: number; fill_value?: number; channel_dim?: 0 | 1 };
    const isList = c.name === 'list';
    const vols = isList ? (c.volume as unknown[]).map((v) => torch.tensor(v as never, { dtype: 'float32' })) : [torch.tensor(nullToNaN(c.volume) as never, { dtype: 'float32' })];
    const { image } = matshow3d(isList ? vols : vols[0], {
      everyN: o.every_n, framesPerRow: o.frames_per_row, frameDim: o.frame_dim, margin: o.margin, fillValue: o.fill_value, channelDim: o.channel_dim,
    });
    assert.deepEqual(image.shape, c.shape, `${c.name}: shape`);
    const got = flat(image.tolist());
    const want = flat(nullToNaN(c.image));
    got.forEach((v, i) => assert.ok(Number.isNaN(want[i]) ? Number.isNaN(v) : v === want[i], `${c.name}[${i}]: ${v} vs ${want[i]}`));
    torch.dispose([...vols, image]);
  }
});

test('matshow3d: display range ignores NaN; montagePng renders grey levels and transparent margins; errors', () => {
  const vol = torch.tensor([[[0, 1], [2, NaN]], [[3, 4], [5, 6]]], { dtype: 'float32' });
  const { image, vmin, vmax } = matshow3d(vol);
  assert.deepEqual([vmin, vmax], [0, 6]);
  const png = decodePng(montagePng(image, { vmin, vmax }));
  assert.deepEqual([png.width, png.height, png.channels], [8, 4, 4], 'two 2x2 frames with 1-pixel margins, RGBA');
  const px = (x: number, y: number): number[] => Array.from(png.data.slice((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));
  assert.deepEqual(px(0, 0), [0, 0, 0, 0], 'margin: transparent');
  assert.deepEqual(px(1, 1), [0, 0, 0, 255], 'vmin: black');
  assert.deepEqual(px(6, 2), [255, 255, 255, 255], 'vmax: white');
  assert.deepEqual(px(2, 2), [0, 0, 0, 0], 'NaN: transparent');
  assert.throws(() => matshow3d(vol, { channelDim: 0 }), /channelDim must be null, 0 or 1 with 1, 3 or 4 channels there, found channelDim 0 on shape \[2, 2, 2\]/);
  assert.throws(() => matshow3d(vol, { margin: -1 }), /margin must be an integer >= 0/);
  assert.throws(() => montagePng(vol), /expected a 2-d montage or an \[H, W, 3\|4\] one, found shape \[2, 2, 2\]/);
  torch.dispose([vol, image]);
});
