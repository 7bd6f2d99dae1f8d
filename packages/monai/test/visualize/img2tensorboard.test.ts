// MONAI's img2tensorboard: the animated GIFs decode to the same frames as MONAI 1.4 + Pillow's, and
// plot2dOr3dImage hands the writer the same tags, steps, layouts and rescaled values as MONAI
// (goldens: tools/goldens/handlers/make_tfevents_golden.py). The GIF encoder round-trips long and
// high-entropy frames (LZW code-table resets).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { plot2dOr3dImage, makeAnimatedGifSummary, addAnimatedGif, encodeGreyGif, decodeGif, SummaryWriter, readEventFile } from '../../src/visualize/index.js';
import type { SummaryProto } from '../../src/utils/tensorboard/index.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-vis-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

const here = path.dirname(fileURLToPath(import.meta.url));
const golden = JSON.parse(fs.readFileSync(path.join(here, '../../../../tools/goldens/handlers/tfevents_golden.json'), 'utf8')) as {
  cases: Record<string, unknown>[];
  plots: { name: string; data: unknown; options: Record<string, unknown>; calls: Record<string, unknown>[] }[];
};
const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const frames = (gif: Uint8Array): number[][] => decodeGif(gif).frames.map((f) => Array.from(f));

test('makeAnimatedGifSummary: per-channel tags, and frames equal to MONAI 1.4 + Pillow GIFs', () => {
  const c = golden.cases.find((x) => x.name === 'gif_summaries') as { image: number[]; max_out: number; frame_dim: number; gifs: { tag: string; gif: string; colorspace: number }[] };
  const vol = torch.tensor(c.image as never, { dtype: 'float32' });
  const sums = makeAnimatedGifSummary('vol_HWD', vol, { maxOut: c.max_out, frameDim: c.frame_dim });
  vol.dispose();
  assert.deepEqual(sums.map((s) => s.value[0].tag), c.gifs.map((g) => g.tag));
  for (let i = 0; i < sums.length; i++) {
    const ours = sums[i].value[0].image!;
    const theirs = fromHex(c.gifs[i].gif);
    assert.deepEqual(frames(ours.encodedImageString), frames(theirs), `channel ${i}: frames`);
    // MONAI writes height = width = 10 whatever the size; we write the frame's real size
    assert.deepEqual([ours.height, ours.width, ours.colorspace], [4, 3, c.gifs[i].colorspace]);
    assert.equal(frames(theirs).length, 5, 'frames along H (frameDim -3)');
  }
});

/** A writer stand-in recording what plot2dOr3dImage hands over (the golden's recorder does the same in Python). */
class Recorder {
  calls: Record<string, unknown>[] = [];
  addImage(tag: string, img: Tensor, step: number, options: { dataformats?: string } = {}): void {
    this.calls.push({ kind: 'image', tag, step, dataformats: options.dataformats ?? 'CHW', shape: img.shape, data: Array.from(img.to('float64').flatten().toTypedArray() as Float64Array) });
  }
  addSummary(s: SummaryProto, step: number): void {
    for (const v of s.value) this.calls.push({ kind: 'gif', tag: v.tag, step, gif: v.image!.encodedImageString });
  }
}

test('plot2dOr3dImage: tags, steps, layouts, rescaled values (1e-6) and GIF frames as MONAI', () => {
  for (const p of golden.plots) {
    const data = torch.tensor(p.data as never, { dtype: 'float32' });
    const rec = new Recorder();
    const o = p.options as { max_channels?: number; frame_dim?: number; tag?: string };
    plot2dOr3dImage(data, 9, rec as unknown as SummaryWriter, { maxChannels: o.max_channels, frameDim: o.frame_dim, tag: o.tag });
    data.dispose();
    assert.equal(rec.calls.length, p.calls.length, `${p.name}: number of writes`);
    p.calls.forEach((want, i) => {
      const got = rec.calls[i];
      assert.deepEqual([got.kind, got.tag, got.step], [want.kind, want.tag, want.step], `${p.name}: write ${i}`);
      if (want.kind === 'image') {
        assert.deepEqual([got.dataformats, got.shape], [want.dataformats, want.shape], `${p.name}: layout`);
        const a = got.data as number[];
        const b = want.data as number[];
        assert.ok(a.every((x, j) => Math.abs(x - b[j]) <= 1e-6), `${p.name}: rescaled values`);
      } else {
        assert.deepEqual(frames(got.gif as Uint8Array), frames(fromHex(want.gif as string)), `${p.name}: GIF frames`);
      }
    });
  }
});

test('plot2dOr3dImage / addAnimatedGif through a SummaryWriter; errors', () => {
  const w = new SummaryWriter(path.join(tmp, 'plot'));
  const vol = torch.rand([2, 1, 6, 5, 4]);
  plot2dOr3dImage(vol, 3, w, { index: 1 });
  torch.tidy(() => addAnimatedGif(w, 'raw', vol.select(0, 0).mul(255), { maxOut: 1, globalStep: 4, scaleFactor: 1 }));
  w.close();
  const vals = readEventFile(w.fileName).slice(1).map((e) => [e.step, e.summary!.value[0].tag, decodeGif(e.summary!.value[0].image!.encodedImageString).frames.length]);
  assert.deepEqual(vals, [[3, 'output_HWD/image', 6], [4, 'raw/image', 6]]);
  assert.throws(() => plot2dOr3dImage(vol, 0, w, { index: 2 }), /index 2 is out of range for a batch of 2/);
  assert.throws(() => plot2dOr3dImage(vol, 0, w, { maxChannel: 2 } as never), /plot2dOr3dImage.*maxChannel/);
  assert.throws(() => makeAnimatedGifSummary('x', vol), /expected a CHWD image, found shape \[2, 1, 6, 5, 4\]/);
  vol.dispose();
});

test('GIF encoder: frames round-trip through code-table resets; errors', () => {
  torch.manualSeed(3);
  const noisy = torch.randint(0, 256, [3, 70, 90], { dtype: 'uint8' });
  const all = noisy.toTypedArray() as Uint8Array;
  noisy.dispose();
  const fs3 = [0, 1, 2].map((i) => all.subarray(i * 6300, (i + 1) * 6300));
  const flat = new Uint8Array(5000).fill(7);
  for (const [frameList, h, w] of [[fs3, 70, 90], [[flat], 50, 100], [[Uint8Array.from([0, 255])], 1, 2]] as [Uint8Array[], number, number][]) {
    const gif = encodeGreyGif(frameList, h, w);
    assert.equal(new TextDecoder().decode(gif.subarray(0, 6)), 'GIF89a');
    const d = decodeGif(gif);
    assert.deepEqual([d.width, d.height], [w, h]);
    assert.deepEqual(d.frames.map((f) => Array.from(f)), frameList.map((f) => Array.from(f)));
  }
  assert.throws(() => encodeGreyGif([], 2, 2), /at least one frame/);
  assert.throws(() => encodeGreyGif([new Uint8Array(3)], 2, 2), /frame 0 has 3 pixels, expected 2x2 = 4/);
});
