// Metric handlers and savers across 2 real ranks (torch.distributed over Gloo, child processes): the
// ranks hold 4 and 2 items; both get the metrics of all 6 items (equal to one process over all of them),
// and rank 0 alone writes MetricsSaver's and ClassificationSaver's files, equal to MONAI's single-process
// files (tools/goldens/handlers/metric_handlers.py), rows in rank order.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-dist-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});
const G = readGolden('handlers/metric_handlers.json');
const SCRIPT = fileURLToPath(new URL('./helpers/dist_rank.ts', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function runRank(rank: number, port: number, dir: string): Promise<{ code: number | null; out: string; err: string }> {
  const env = { ...process.env, RANK: String(rank), WORLD_SIZE: '2', LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), OMP_NUM_THREADS: '1', H2_SAVE_DIR: dir };
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, out, err });
    });
  });
}

test('2 ranks (4 and 2 items): every rank gets the metrics of all items; rank 0 writes the files, equal to MONAI single-process; a rank without items takes part', async () => {
  const port = await freePort();
  const dirs = [path.join(tmp, 'r0'), path.join(tmp, 'r1')];
  const rs = await Promise.all([0, 1].map((r) => runRank(r, port, dirs[r])));
  rs.forEach((r, i) => assert.equal(r.code, 0, `rank ${i} exited ${r.code}\n${r.out.slice(-2000)}\n${r.err.slice(-2000)}`));
  const results = rs.map((r) => JSON.parse(r.out.trim().split('\n').pop()!));
  const expected = G.metrics_saver.cases.all.files as Record<string, string>;
  const metricsCsv = expected['metrics.csv'].split('\n');
  for (const res of results) {
    assert.equal(res.leaked, 0, `rank ${res.rank} left tensors alive`);
    // the single-process values as MONAI printed them in metrics.csv (repr of the float: exact)
    assert.equal(`dice,${res.metrics.dice}`, metricsCsv[0]);
    assert.equal(res.metrics.hd, 'inf');
    assert.equal(res.metrics.dice_nobg_mean_batch.length, 2);
  }
  assert.equal(results[0].emptyRank.gathered, results[0].emptyRank.local, 'rank 0: the gathered metric equals its local one (rank 1 had no items)');
  assert.equal(results[1].emptyRank.gathered, results[0].emptyRank.local, 'rank 1, without items, gets the same value');
  assert.deepEqual(fs.existsSync(dirs[1]) ? fs.readdirSync(dirs[1]) : [], [], 'rank 1 writes nothing');
  const ours = Object.fromEntries(fs.readdirSync(dirs[0]).sort().map((f) => [f, fs.readFileSync(path.join(dirs[0], f), 'utf8')]));
  for (const f of Object.keys(expected)) assert.equal(ours[f], f.endsWith('_raw.csv') ? expected[f].replace(/^(.*?)(,mean)+\n/, '$1$2\n') : expected[f], f);
  // ClassificationSaver: the first 3 values of each item's one-hot prediction, rows of both ranks in rank order
  const rows = ours['predictions.csv'].trimEnd().split('\n');
  assert.deepEqual(rows.map((r) => r.split(',')[0]), (G.metrics_saver.names as string[][]).flat());
  const firstRow = (G.seg.pred_maps[0][0][0] as number[]).slice(0, 3).map((c) => (c === 0 ? '1.0' : '0.0'));
  assert.equal(rows[0], `img_0_0.nii.gz,${firstRow.join(',')}`);
});
