// SummaryWriter and the tfevents format: records byte-equal to torch 1.13's summary functions serialized by
// google.protobuf (tools/goldens/handlers/make_tfevents_golden.py), CRC32C framing with corruption
// detected, histograms as numpy + torch's trimming, images as PNG with torch's layouts, the writer's
// file naming, queueing, flushing and close.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { decode as decodePng } from 'fast-png';
import {
  SummaryWriter, readEventFile, readScalars, crc32c, maskedCrc32c, frameRecord, readRecords, encodeEvent, decodeEvent,
  DEFAULT_BINS, SessionStatus, histogramProto, scalarSummary, textSummary, imageProto, type EventProto, type HistogramProto,
} from '../../src/utils/tensorboard/index.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-writer-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

const here = path.dirname(fileURLToPath(import.meta.url));
const golden = JSON.parse(fs.readFileSync(path.join(here, '../../../../tools/goldens/handlers/tfevents_golden.json'), 'utf8')) as {
  default_bins_len: number; default_bins_head: number[]; default_bins_tail: number[];
  cases: Record<string, unknown>[];
};
const gcase = (name: string): Record<string, unknown> & { record: string } => {
  const c = golden.cases.find((x) => x.name === name);
  assert.ok(c, `golden case ${name}`);
  return c as Record<string, unknown> & { record: string };
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unframe = (h: string): Uint8Array => readRecords(Uint8Array.from(Buffer.from(h, 'hex'))).records[0];
const framed = (e: EventProto): string => hex(frameRecord(encodeEvent(e)));

test('crc32c: the standard check value, masked CRC and chunked continuation', () => {
  const data = new TextEncoder().encode('123456789');
  assert.equal(crc32c(data), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.equal(crc32c(data.subarray(4), crc32c(data.subarray(0, 4))), 0xe3069283, 'continuing from a partial CRC');
  // 32 zero bytes: a published CRC-32C test vector (RFC 3720 B.4)
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  const c = crc32c(data);
  assert.equal(maskedCrc32c(data), (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0);
});

test('records: scalar, step-0, text and file-version events are byte-equal to torch + protobuf', () => {
  assert.equal(framed({ wallTime: 1700000000.25, step: 0, fileVersion: 'brain.Event:2' }), gcase('file_version').record);
  assert.equal(framed({ wallTime: 1700000000.5, step: 5, sessionLog: { status: SessionStatus.START } }), gcase('purge_session_start').record);
  for (const name of ['scalar', 'scalar_zero_step0', 'scalar_float32_rounding']) {
    const c = gcase(name) as { record: string; tag: string; value: number; step: number; wall_time: number };
    assert.equal(framed({ wallTime: c.wall_time, step: c.step, summary: scalarSummary(c.tag, c.value) }), c.record, name);
  }
  const t = gcase('text') as { record: string; tag: string; text: string; step: number; wall_time: number };
  assert.equal(framed({ wallTime: t.wall_time, step: t.step, summary: textSummary(t.tag, t.text) }), t.record);
});

test('records: decodeEvent reads the golden records back', () => {
  const e = decodeEvent(unframe(gcase('scalar').record));
  assert.deepEqual(e, { wallTime: 1700000001.5, step: 7, summary: { value: [{ tag: 'loss', simpleValue: 0.25 }] } });
  const t = decodeEvent(unframe(gcase('text').record));
  assert.equal(new TextDecoder().decode(t.summary!.value[0].tensor!.stringVal![0]), 'h\u00e9llo \u2713');
  assert.equal(t.summary!.value[0].metadata!.pluginData!.pluginName, 'text');
});

test('histograms: default bins as torch; buckets equal numpy + torch trimming; stats within 1e-12', () => {
  assert.equal(DEFAULT_BINS.length, golden.default_bins_len);
  assert.deepEqual(DEFAULT_BINS.slice(0, 3), golden.default_bins_head);
  assert.deepEqual(DEFAULT_BINS.slice(-3), golden.default_bins_tail);
  const cases: [string, (v: number[]) => HistogramProto][] = [
    ['histogram_default_bins', (v) => histogramProto('h', v)],
    ['histogram_10_bins', (v) => histogramProto('h10', v, 10)],
    ['histogram_max_bins', (v) => histogramProto('hm', v, DEFAULT_BINS, 64)],
    ['histogram_edges', (v) => histogramProto('he', v, [0, 2, 4, 8, 13])],
  ];
  for (const [name, make] of cases) {
    const c = gcase(name) as { record: string; values: number[]; step: number; wall_time: number };
    const want = decodeEvent(unframe(c.record));
    const wantH = want.summary!.value[0].histo!;
    const got = make(c.values);
    assert.deepEqual(got.bucket, wantH.bucket, `${name}: counts`);
    assert.deepEqual(got.bucketLimit, wantH.bucketLimit, `${name}: edges`);
    assert.deepEqual([got.min, got.max, got.num], [wantH.min, wantH.max, wantH.num], `${name}: min, max, num`);
    for (const k of ['sum', 'sumSquares'] as const) {
      assert.ok(Math.abs(got[k] - wantH[k]) <= 1e-12 * Math.max(1, Math.abs(wantH[k])), `${name}: ${k} ${got[k]} vs ${wantH[k]} (summation order differs from numpy's)`);
    }
    // the encoder reproduces the record byte for byte from the same values
    assert.equal(framed({ wallTime: c.wall_time, step: c.step, summary: { value: [{ tag: want.summary!.value[0].tag, histo: wantH }] } }), c.record, `${name}: bytes`);
  }
});

test('histograms: errors and edge cases', () => {
  assert.throws(() => histogramProto('e', []), /histogram 'e': the values are empty/);
  assert.throws(() => histogramProto('e', [1, 2], 0), /bins must be a positive integer/);
  assert.throws(() => histogramProto('e', [1, 2], [3, 1]), /edges must increase/);
  assert.throws(() => histogramProto('e', [100], [0, 1, 2]), /no value falls inside the bin edges/);
  const one = histogramProto('c', [5, 5, 5], 2);
  assert.deepEqual(one.bucketLimit, [5, 5.5], 'a constant value gets numpy\'s ±0.5 range');
  const t = torch.tensor([0.5, 1.0, 2.0]);
  const h = histogramProto('t', t, [0, 1, 2]);
  assert.deepEqual([h.bucketLimit, h.bucket], [[0, 1, 2], [0, 1, 2]], 'the last bin holds its right edge');
  t.dispose();
});

/** [C, H, W] / [H, W] / ... nested arrays from JSON to a tensor. */
const fromNested = (x: unknown, dtype: torch.DType = 'float32'): torch.Tensor => torch.tensor(x as number[], { dtype });

test('images: same PNG pixels, size and colourspace as torch (PIL); records equal with the same PNG bytes', () => {
  for (const name of ['image_chw', 'image_hw', 'image_hwc_uint8_rgba', 'images_nchw_grid']) {
    const c = gcase(name) as { record: string; image: unknown; dataformats: string; dtype?: string; step: number; wall_time: number; tag: string };
    const want = decodeEvent(unframe(c.record)).summary!.value[0];
    const img = fromNested(c.image, c.dtype === 'uint8' ? 'uint8' : 'float32');
    const got = imageProto(img, c.dataformats);
    img.dispose();
    assert.deepEqual([got.height, got.width, got.colorspace], [want.image!.height, want.image!.width, want.image!.colorspace], `${name}: size`);
    const a = decodePng(got.encodedImageString);
    const b = decodePng(want.image!.encodedImageString);
    assert.deepEqual([a.width, a.height, a.channels, a.depth], [b.width, b.height, b.channels, b.depth], `${name}: PNG header`);
    assert.deepEqual(Array.from(a.data), Array.from(b.data), `${name}: pixels`);
    const sameBytes = { ...want.image!, encodedImageString: want.image!.encodedImageString };
    assert.equal(framed({ wallTime: c.wall_time, step: c.step, summary: { value: [{ tag: c.tag, image: sameBytes }] } }), c.record, `${name}: bytes`);
  }
  const bad = torch.zeros([2, 3, 3]);
  assert.throws(() => imageProto(bad, 'CHW'), /expected 1, 3 or 4 channels, found 2/);
  assert.throws(() => imageProto(bad, 'HW'), /'HW' needs a 2-d tensor, found shape \[2, 3, 3\]/);
  assert.throws(() => imageProto(bad, 'CHH'), /repeats a dimension/);
  bad.dispose();
});

test('SummaryWriter: file name, version event first, values back in order, queue and interval flushing, idempotent close', async () => {
  const dir = path.join(tmp, 'w1');
  const w = new SummaryWriter(dir, { maxQueue: 3, flushSecs: 0.05, filenameSuffix: '.x' });
  const base = path.basename(w.fileName);
  assert.match(base, new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.${process.pid}\\.\\d+\\.x$`));
  const size0 = fs.statSync(w.fileName).size;
  assert.ok(size0 > 0, 'the file-version event is on disk at once');
  w.addScalar('loss', 1.5, 1, 10);
  const t075 = torch.scalarTensor(0.75);
  w.addScalar('loss', t075, 2, 11);
  t075.dispose();
  assert.equal(fs.statSync(w.fileName).size, size0, 'two queued events wait for the queue or the interval');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(fs.statSync(w.fileName).size > size0, 'the interval flushed them');
  for (let i = 3; i <= 5; i++) w.addScalar('loss', i, i, 12);
  const events = readEventFile(w.fileName);
  assert.equal(events.length, 6, 'maxQueue 3 flushed the three new events');
  assert.equal(events[0].fileVersion, 'brain.Event:2');
  assert.deepEqual(events.slice(1).map((e) => [e.step, e.summary!.value[0].simpleValue, e.wallTime]), [[1, 1.5, 10], [2, 0.75, 11], [3, 3, 12], [4, 4, 12], [5, 5, 12]]);
  w.addText('t', 'x', 6);
  w.close();
  w.close();
  assert.equal(readEventFile(w.fileName).length, 7, 'close flushed the last event');
  assert.deepEqual(readScalars(dir).loss.map((p) => p.step), [1, 2, 3, 4, 5]);
});

test('SummaryWriter: purgeStep starts the file with the version and a session START at that step', () => {
  const dir = path.join(tmp, 'purge');
  const w = new SummaryWriter(dir, { purgeStep: 4 });
  w.addScalar('a', 1, 4);
  w.close();
  const ev = readEventFile(w.fileName);
  assert.deepEqual(ev.map((e) => [e.step, e.fileVersion ?? null, e.sessionLog?.status ?? null]), [[0, 'brain.Event:2', null], [4, 'brain.Event:2', null], [4, null, 1], [4, null, null]]);
});

test('SummaryWriter: addScalars writes one run per tag, addHistogram/addImage/addImages options, errors', () => {
  const dir = path.join(tmp, 'w2');
  const w = new SummaryWriter(dir);
  w.addScalars('loss/train', { a: 1, b: 2 }, 3);
  const img = torch.rand([2, 1, 4, 4]);
  w.addImages('grid', img, 1);
  torch.tidy(() => w.addImage('one', img.select(0, 0), 1, { dataformats: 'CHW' }));
  w.addHistogram('h', img, 1, { bins: 4 });
  assert.throws(() => w.addImage('x', img, 1, { dataformat: 'CHW' } as never), /SummaryWriter.addImage.*dataformat/);
  assert.throws(() => w.addScalar('x', img, 1), /expected a scalar \(one element\), found a tensor of shape \[2, 1, 4, 4\]/);
  assert.throws(() => w.addScalar('x', 1, 1.5), /globalStep must be an integer, found 1.5/);
  img.dispose();
  w.close();
  assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.includes('tfevents')).sort(), ['loss_train_a', 'loss_train_b']);
  assert.deepEqual(readScalars(path.join(dir, 'loss_train_b'))['loss/train'].map((p) => [p.step, p.value]), [[3, 2]]);
  const vals = readEventFile(w.fileName).flatMap((e) => e.summary?.value ?? []);
  assert.deepEqual(vals.map((v) => v.tag), ['grid', 'one', 'h']);
  assert.deepEqual([vals[0].image!.width, vals[0].image!.height], [8, 4], 'two images side by side');
  assert.equal(vals[2].histo!.num, 32);
  assert.throws(() => new SummaryWriter(dir, { flushSec: 1 } as never), /SummaryWriter.*flushSec.*flushSecs/);
});

test('readEventFile: a flipped byte is a CRC error naming the record; a cut file reports a truncated record', () => {
  const dir = path.join(tmp, 'w3');
  const w = new SummaryWriter(dir);
  w.addScalar('a', 1, 1);
  w.addScalar('a', 2, 2);
  w.close();
  const buf = fs.readFileSync(w.fileName);
  const recs = readRecords(new Uint8Array(buf));
  assert.equal(recs.records.length, 3);
  const bad = Buffer.from(buf);
  const second = 16 + recs.records[0].length;
  bad[second + 14] ^= 0x01; // inside the second record's data
  fs.writeFileSync(w.fileName, bad);
  assert.throws(() => readEventFile(w.fileName), /record 1 at byte \d+: data CRC mismatch/);
  const badLen = Buffer.from(buf);
  badLen[second] ^= 0x01;
  assert.throws(() => readRecords(new Uint8Array(badLen)), /record 1 at byte \d+: length CRC mismatch/);
  const cut = readRecords(new Uint8Array(buf.subarray(0, buf.length - 3)));
  assert.deepEqual([cut.records.length, cut.truncated], [2, true]);
});

test('SummaryWriter: queued events of a writer never closed reach the file when the process ends or exits', () => {
  const child = new URL('./helpers/tb_exit_child.ts', import.meta.url).pathname;
  for (const mode of ['end', 'exit']) {
    const dir = path.join(tmp, `exit-${mode}`);
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', child, dir, mode], { encoding: 'utf8' });
    assert.equal(r.status, 0, `child (${mode}) failed: ${r.stderr}`);
    assert.deepEqual(readScalars(dir).x.map((p) => [p.step, p.value]), [[1, 1], [2, 2]], mode);
  }
});
