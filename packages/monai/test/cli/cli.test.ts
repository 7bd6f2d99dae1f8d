// The monai-ts CLI in process (main(argv, io)): help on every command, one error line per wrong config
// field, one line for a missing file (exit 1), and a tiny train -> infer -> evaluate run on a small
// synthetic task (seconds: 32x28x16 volumes, a 3-level UNet, one epoch).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { loadConfigFile, main } from '../../src/cli/index.js';
import { generateSyntheticCtTask } from '../../src/apps/synthetic/index.js';
import { readNiftiInfo } from '../../src/data/formats/nifti.js';

const start = torch.memory().liveTensors;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-cli-'));
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(argv, { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

const write = (name: string, text: string): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

test('--help on the program and each command', async () => {
  const top = await run('--help');
  assert.equal(top.code, 0);
  for (const c of ['train', 'infer', 'evaluate']) assert.match(top.out, new RegExp(`\\b${c}\\b`));
  const expected: Record<string, string[]> = { train: ['--config', '--data', '--epochs'], infer: ['--model', '--input', '--output', '--roi'], evaluate: ['--pred', '--label', '--csv'] };
  for (const [c, opts] of Object.entries(expected)) {
    const r = await run(c, '--help');
    assert.equal(r.code, 0, `${c} --help exits 0`);
    assert.match(r.out, new RegExp(`Usage: monai-ts ${c}`));
    for (const o of opts) assert.ok(r.out.includes(o), `${c} --help lists ${o}`);
  }
});

test('train: a config with wrong fields gives one line per field naming it, expected and found; exit 1', async () => {
  const f = write('bad.json', JSON.stringify({ data: 'x', epochs: 'ten', roi: [96, 96], cacheRate: 2, amp: 'yes', lrr: 0.1 }));
  const r = await run('train', '--config', f);
  assert.equal(r.code, 1);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 5, r.err);
  for (const l of lines) assert.ok(l.startsWith(`monai-ts train: error: ${f}: `), l);
  assert.match(r.err, /unknown field 'lrr' \(did you mean 'lr'\?\)/);
  assert.match(r.err, /field 'epochs': expected an integer >= 1, found "ten" \(string\)/);
  assert.match(r.err, /field 'roi': expected a list of 3 integers >= 8, found \[96,96\] \(a list of 2\)/);
  assert.match(r.err, /field 'cacheRate': expected a number in \[0, 1\], found 2 \(number\)/);
  assert.match(r.err, /field 'amp': expected true or false, found "yes" \(string\)/);
});

test('train: YAML configs, their syntax errors with the line, a missing data field, a missing file', async () => {
  const y = await run('train', '--config', write('bad.yaml', 'data: ./x\nepochs: [1\n'));
  assert.equal(y.code, 1);
  assert.match(y.err, /not valid YAML at line \d+/);
  assert.equal(y.err.trim().split('\n').length, 1);
  const noData = await run('train', '--config', write('nodata.yml', 'epochs: 2\n'));
  assert.match(noData.err, /field 'data': required/);
  const missing = await run('train', '--config', path.join(dir, 'nope.json'));
  assert.equal(missing.code, 1);
  assert.equal(missing.err, `monai-ts train: error: ${path.join(dir, 'nope.json')}: no such file\n`);
  const noDataset = await run('train', '--config', write('empty.json', JSON.stringify({ data: dir })));
  assert.equal(noDataset.code, 1);
  assert.match(noDataset.err, /no dataset\.json/);
  assert.equal(noDataset.err.trim().split('\n').length, 1);
});

test('the example config validates; its paths resolve against its folder; overrides win', () => {
  const file = fileURLToPath(new URL('../../../../examples/spleen_synthetic.yaml', import.meta.url));
  const c = loadConfigFile(file);
  assert.equal(c.data, path.resolve(path.dirname(file), '../demo-output/task'));
  assert.equal(c.targetDice, 0.9);
  assert.deepEqual(c.roi, [48, 48, 32]);
  const o = loadConfigFile(file, { data: '/elsewhere', epochs: 3 });
  assert.deepEqual([o.data, o.epochs], ['/elsewhere', 3]);
});

test('infer and evaluate: missing files and folders give one clear line and exit 1', async () => {
  const m = await run('infer', '--model', path.join(dir, 'none.pt'), '--input', dir, '--output', path.join(dir, 'o'));
  assert.equal(m.code, 1);
  assert.equal(m.err, `monai-ts infer: error: --model ${path.join(dir, 'none.pt')}: no such file\n`);
  const model = write('fake.pt', 'not a model');
  const i = await run('infer', '--model', model, '--input', path.join(dir, 'no-input'), '--output', path.join(dir, 'o'));
  assert.equal(i.code, 1);
  assert.equal(i.err, `monai-ts infer: error: input ${path.join(dir, 'no-input')}: no such file or folder\n`);
  const e = await run('evaluate', '--pred', path.join(dir, 'p'), '--label', dir);
  assert.equal(e.code, 1);
  assert.equal(e.err, `monai-ts evaluate: error: pred ${path.join(dir, 'p')}: no such folder\n`);
  const req = await run('evaluate', '--pred', dir);
  assert.equal(req.code, 1);
  assert.match(req.err, /required option '--label <folder>' not specified/);
  const roi = await run('infer', '--model', model, '--input', dir, '--output', dir, '--roi', '1,2');
  assert.equal(roi.code, 1);
  assert.match(roi.err, /option '--roi': expected three positive integers/);
});

test('the bin: exit 0 with help, exit 1 with one error line for a missing folder', () => {
  const bin = fileURLToPath(new URL('../../bin/monai-ts.mjs', import.meta.url));
  const help = spawnSync(process.execPath, [bin, 'infer', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: monai-ts infer/);
  const bad = spawnSync(process.execPath, [bin, 'evaluate', '--pred', path.join(dir, 'none'), '--label', dir], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, `monai-ts evaluate: error: pred ${path.join(dir, 'none')}: no such folder\n`);
});

test('a tiny train -> infer -> evaluate run: checkpoints, predictions in the original grid, CSV', { timeout: 120_000 }, async () => {
  const task = generateSyntheticCtTask({ outputDir: path.join(dir, 'task'), numTraining: 3, numTest: 1, size: [32, 28, 16], spacing: [2, 2, 3] });
  const out = path.join(dir, 'run');
  const cfg = write('tiny.yaml', [
    `data: ${JSON.stringify(task.root)}`, `output: ${JSON.stringify(out)}`, 'epochs: 1', 'numVal: 1', 'roi: [16, 16, 16]', 'pixdim: [3, 3, 3]',
    'channels: [4, 8, 16]', 'strides: [2, 2]', 'numResUnits: 1', 'tensorboard: false', 'device: cpu', '',
  ].join('\n'));
  const t = await run('train', '--config', cfg);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /validation mean Dice/);
  assert.ok(fs.existsSync(path.join(out, 'checkpoints', 'best_metric_model.pt')));
  assert.ok(fs.existsSync(path.join(out, 'checkpoints', 'checkpoint_epoch=1.pt')));
  assert.ok(fs.existsSync(path.join(out, 'config.json')));

  const preds = path.join(dir, 'preds');
  const inf = await run('infer', '--model', path.join(out, 'checkpoints', 'best_metric_model.pt'), '--input', path.join(task.root, 'imagesTr'), '--output', preds);
  assert.equal(inf.code, 0, inf.err);
  assert.match(inf.out, /using the training config/);
  const written = fs.readdirSync(preds).filter((f) => f.endsWith('.nii.gz')).sort();
  assert.deepEqual(written, ['organ_000_seg.nii.gz', 'organ_001_seg.nii.gz', 'organ_002_seg.nii.gz']);
  const src = readNiftiInfo(path.join(task.root, 'imagesTr', 'organ_000.nii.gz'));
  const seg = readNiftiInfo(path.join(preds, 'organ_000_seg.nii.gz'));
  assert.deepEqual(seg.shape, src.shape, 'the prediction has the image grid');
  Array.from(seg.affine).forEach((v, k) => assert.ok(Math.abs(v - src.affine[k]) < 1e-5, `affine[${k}] ${v} vs ${src.affine[k]}`));

  const csv = path.join(dir, 'metrics.csv');
  const ev = await run('evaluate', '--pred', preds, '--label', path.join(task.root, 'labelsTr'), '--csv', csv);
  assert.equal(ev.code, 0, ev.err);
  assert.match(ev.out, /organ_000\s+\d\.\d{4}/);
  assert.match(ev.out, /^mean\s/m);
  const rows = fs.readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'case,dice,hd95_mm,pred,label');
  assert.equal(rows.length, 1 + 3 + 4, 'header, 3 cases, mean/std/min/max');
  const dice = Number(rows[1].split(',')[1]);
  assert.ok(dice >= 0 && dice <= 1, `dice ${dice}`);
});

test('train --dashboard: a bad port is one error line naming the option', async () => {
  const r = await run('train', '--config', path.join(dir, 'none.json'), '--dashboard', '70000');
  assert.equal(r.code, 1);
  assert.match(r.err, /option '--dashboard': expected a port number in \[0, 65535\], found '70000'/);
  const h = await run('train', '--help');
  assert.match(h.out, /--dashboard \[port\]/);
});
