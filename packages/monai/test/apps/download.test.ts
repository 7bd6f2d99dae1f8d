// downloadUrl, checkHash and downloadAndExtract against a local node:http server: hash checks with every
// supported hash type, resume (HTTP Range) after a cut transfer within one call and across calls, restart
// when the server ignores ranges, no retry on 404, a wrong hash leaving no file, redirects.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { checkHash, downloadUrl, downloadAndExtract } from '../../src/apps/index.js';
import { startServer, type LoggedRequest } from './local_server.js';
import { makeTar } from './archive_builders.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-download-test-'));
const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919 + (i >> 8)) & 0xff));
const md5 = createHash('md5').update(payload).digest('hex');
const archive = makeTar([{ name: 'Pack/', type: '5' }, { name: 'Pack/x.txt', data: 'inside' }], { gzip: true });
let server: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  server = await startServer({
    '/file.bin': { body: payload },
    '/cut-once.bin': { body: payload, cutAt: { 0: 100_000 } },
    '/cut-twice.bin': { body: payload, cutAt: { 0: 50_000, 1: 60_000 } },
    '/no-ranges.bin': { body: payload, ranges: false, cutAt: { 0: 100_000 } },
    '/always-cut.bin': { body: payload, cutAt: { 0: 70_000, 1: 0, 2: 0 } },
    '/moved.bin': { body: payload, redirect: '/file.bin' },
    '/broken': { body: payload, status: 503 },
    '/stall.bin': { body: payload, stallAfter: 1000 },
    '/Pack.tar.gz': { body: archive },
  });
});
after(async () => {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

let n = 0;
const target = () => path.join(tmp, `d${n++}`, 'out.bin');
const requests = (p: string): LoggedRequest[] => server.log.filter((r) => r.path === p);
const fast = { retryDelayMs: 5, progress: false };

test('checkHash accepts md5, sha1, sha256 and sha512 (any case), and null skips the check', async () => {
  const f = path.join(tmp, 'h.bin');
  fs.writeFileSync(f, payload);
  for (const t of ['md5', 'sha1', 'sha256', 'sha512']) {
    const digest = createHash(t).update(payload).digest('hex');
    assert.equal(await checkHash(f, digest, t), true, t);
    assert.equal(await checkHash(f, digest.toUpperCase(), t.toUpperCase()), true, t);
    assert.equal(await checkHash(f, digest.replace(/^./, (c) => (c === '0' ? '1' : '0')), t), false, t);
  }
  assert.equal(await checkHash(f, null), true);
  await assert.rejects(checkHash(f, md5, 'crc32'), /checkHash: hashType must be one of 'md5', 'sha1', 'sha256', 'sha512', found 'crc32'/);
});

test('downloadUrl fetches a file, checks its md5 and leaves no .part behind', async () => {
  const f = target();
  assert.equal(await downloadUrl(server.url('/file.bin'), { filepath: f, hashVal: md5, ...fast }), f);
  assert.deepEqual(fs.readFileSync(f), payload);
  assert.deepEqual(fs.readdirSync(path.dirname(f)), ['out.bin']);
  // no transparent decompression: the bytes on disk are the bytes served (a .tar.gz stays gzipped)
  assert.equal(requests('/file.bin').at(-1)!.encoding, 'identity');
});

test('an existing file is only hash-checked: no request when it matches, an error (file kept) when not', async () => {
  const f = target();
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, payload);
  const before = server.log.length;
  await downloadUrl(server.url('/file.bin'), { filepath: f, hashVal: md5, ...fast });
  assert.equal(server.log.length, before);
  fs.writeFileSync(f, 'tampered');
  await assert.rejects(downloadUrl(server.url('/file.bin'), { filepath: f, hashVal: md5, ...fast }), new RegExp(`md5 check of existing file .*out\\.bin failed: expected md5=${md5}, found [0-9a-f]{32}`));
  assert.equal(fs.readFileSync(f, 'utf8'), 'tampered');
});

test('a wrong hash deletes the download and says expected vs found', async () => {
  const f = target();
  const wrong = 'f'.repeat(64);
  const found = createHash('sha256').update(payload).digest('hex');
  await assert.rejects(downloadUrl(server.url('/file.bin'), { filepath: f, hashVal: wrong, hashType: 'sha256', ...fast }), new RegExp(`sha256 check of downloaded file .*failed: expected sha256=${wrong}, found ${found}; the download was deleted`));
  assert.deepEqual(fs.readdirSync(path.dirname(f)), []);
});

test('an interrupted transfer is resumed with a Range request and the result is intact', async () => {
  const f = target();
  await downloadUrl(server.url('/cut-once.bin'), { filepath: f, hashVal: md5, ...fast });
  assert.deepEqual(fs.readFileSync(f), payload);
  assert.deepEqual(requests('/cut-once.bin').map((r) => r.range), [undefined, 'bytes=100000-']);
  const f2 = target();
  await downloadUrl(server.url('/cut-twice.bin'), { filepath: f2, hashVal: md5, ...fast });
  assert.deepEqual(fs.readFileSync(f2), payload);
  assert.deepEqual(requests('/cut-twice.bin').map((r) => r.range), [undefined, 'bytes=50000-', 'bytes=110000-']);
});

test('a server that ignores Range answers 200: the partial data is overwritten, not appended to', async () => {
  const f = target();
  await downloadUrl(server.url('/no-ranges.bin'), { filepath: f, hashVal: md5, ...fast });
  assert.deepEqual(fs.readFileSync(f), payload);
  assert.deepEqual(requests('/no-ranges.bin').map((r) => r.range), [undefined, 'bytes=100000-']);
});

test('after the retries run out the .part stays, and the next call resumes from it', async () => {
  const f = target();
  await assert.rejects(downloadUrl(server.url('/always-cut.bin'), { filepath: f, hashVal: md5, retries: 2, ...fast }), /failed after 3 attempt\(s\).*partial data kept in .*out\.bin\.part; calling again resumes/);
  assert.equal(fs.statSync(`${f}.part`).size, 70_000);
  assert.equal(fs.existsSync(f), false);
  await downloadUrl(server.url('/file.bin'), { filepath: f, hashVal: md5, ...fast });
  assert.deepEqual(fs.readFileSync(f), payload);
  assert.equal(server.log.at(-1)!.range, 'bytes=70000-');
  assert.equal(fs.existsSync(`${f}.part`), false);
});

test('a 404 is not retried; a 503 is, then reported; redirects are followed', async () => {
  const f = target();
  await assert.rejects(downloadUrl(server.url('/nothing-here'), { filepath: f, ...fast }), /failed after 4 attempt\(s\): HTTP 404/);
  assert.equal(requests('/nothing-here').length, 1);
  await assert.rejects(downloadUrl(server.url('/broken'), { filepath: f, retries: 2, ...fast }), /failed after 3 attempt\(s\): HTTP 503/);
  assert.equal(requests('/broken').length, 3);
  const g = target();
  await downloadUrl(server.url('/moved.bin'), { filepath: g, hashVal: md5, ...fast });
  assert.deepEqual(fs.readFileSync(g), payload);
  await assert.rejects(downloadUrl(server.url('/file.bin'), { filepath: g, retry: 1 } as never), /downloadUrl: unknown option 'retry'.*retries/);
});

test('downloadAndExtract downloads, checks and unpacks; the archive is kept only when filepath is given', async () => {
  const out = path.join(tmp, `x${n++}`);
  const hash = createHash('sha1').update(archive).digest('hex');
  await downloadAndExtract(server.url('/Pack.tar.gz'), { outputDir: out, hashVal: hash, hashType: 'sha1', ...fast });
  assert.deepEqual(fs.readdirSync(out), ['Pack']);
  assert.equal(fs.readFileSync(path.join(out, 'Pack', 'x.txt'), 'utf8'), 'inside');
  const out2 = path.join(tmp, `x${n++}`);
  await assert.rejects(downloadAndExtract(server.url('/Pack.tar.gz'), { outputDir: out2, filepath: path.join(out2, 'Pack.tar.gz'), hashVal: 'a'.repeat(40), hashType: 'sha1', ...fast }), /expected sha1=a{40}, found/);
  assert.deepEqual(fs.readdirSync(out2), []);
});

test('a transfer that stalls is aborted after timeoutMs, retried, and reported with the partial data kept', async () => {
  const f = target();
  const t0 = Date.now();
  await assert.rejects(downloadUrl(server.url('/stall.bin'), { filepath: f, timeoutMs: 150, retries: 1, ...fast }), /failed after 2 attempt\(s\): .*no data for 150 ms/);
  assert.ok(Date.now() - t0 < 5000);
  assert.deepEqual(requests('/stall.bin').map((r) => r.range), [undefined, 'bytes=1000-']);
  assert.equal(fs.statSync(`${f}.part`).size, 2000, 'each attempt appended the 1000 bytes it got');
});

test('a URL without a file name, or a folder as filepath, is refused before any request', async () => {
  const before = server.log.length;
  await assert.rejects(downloadUrl(server.url('/'), fast), /downloadUrl: the URL http:\/\/127\.0\.0\.1:\d+\/ names no file; pass filepath/);
  await assert.rejects(downloadAndExtract(server.url('/'), { outputDir: tmp, ...fast }), /downloadAndExtract: the URL .* names no file/);
  await assert.rejects(downloadUrl(server.url('/file.bin'), { filepath: tmp, ...fast }), /filepath .* is a folder/);
  assert.equal(server.log.length, before);
});
