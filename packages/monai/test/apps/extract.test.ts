// extractAll: tar, tar.gz and zip members land in the output folder; unsafe archives (escaping names,
// absolute paths, links leaving the target, device files, FIFOs, lying or over-limit sizes) are refused
// with the entry named, and nothing is written anywhere (checked by listing the whole temp tree).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { extractAll, ArchiveError } from '../../src/apps/index.js';
import { makeTar, makeZip, type TarMember, type ZipMember } from './archive_builders.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-extract-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

let n = 0;
/** A fresh case folder with the archive written in it and an empty `out` folder. */
function setup(file: string, bytes: Buffer): { dir: string; archive: string; out: string } {
  const dir = path.join(tmp, `case${n++}`, 'inner');
  fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
  const archive = path.join(dir, file);
  fs.writeFileSync(archive, bytes);
  return { dir, archive, out: path.join(dir, 'out') };
}

/** Every path under `root` (links not followed), with file contents, for before/after comparisons. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.push(`${path.relative(root, p)}/`);
        walk(p);
      } else if (e.isSymbolicLink()) out.push(`${path.relative(root, p)} -> ${fs.readlinkSync(p)}`);
      else out.push(`${path.relative(root, p)}: ${fs.readFileSync(p, 'latin1')}`);
    }
  };
  walk(root);
  return out;
}

async function refused(file: string, bytes: Buffer, pattern: RegExp, options: Record<string, unknown> = {}): Promise<void> {
  const { archive, out } = setup(file, bytes);
  const root = path.dirname(path.dirname(out));
  const before = tree(root);
  await assert.rejects(extractAll(archive, { outputDir: out, ...options }), (e: Error) => {
    assert.ok(e instanceof ArchiveError, `expected an ArchiveError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
  assert.deepEqual(tree(root), before, 'the refused archive wrote something');
  assert.equal(fs.existsSync('/tmp/monai-escape-evil'), false);
}

const good: TarMember[] = [
  { name: 'data/', type: '5', mode: 0o755 },
  { name: 'data/a.txt', data: 'alpha' },
  { name: 'data/sub/b.bin', data: Buffer.alloc(1500, 7), mode: 0o755 },
  { name: 'data/link', type: '2', linkname: 'sub/b.bin' },
  { name: 'data/hard', type: '1', linkname: 'data/a.txt' },
];

for (const [file, gzip] of [['data.tar', false], ['data.tar.gz', true], ['data.tgz', true]] as const) {
  test(`extractAll unpacks a ${file} (folders, files, modes, inner symlink and hard link)`, async () => {
    const { archive, out } = setup(file, makeTar(good, { gzip }));
    await extractAll(archive, { outputDir: out });
    assert.equal(fs.readFileSync(path.join(out, 'data/a.txt'), 'utf8'), 'alpha');
    assert.deepEqual(fs.readFileSync(path.join(out, 'data/sub/b.bin')), Buffer.alloc(1500, 7));
    assert.equal(fs.statSync(path.join(out, 'data/sub/b.bin')).mode & 0o777, 0o755);
    assert.equal(fs.readlinkSync(path.join(out, 'data/link')), 'sub/b.bin');
    assert.equal(fs.statSync(path.join(out, 'data/hard')).ino, fs.statSync(path.join(out, 'data/a.txt')).ino);
    assert.deepEqual(fs.readdirSync(out), ['data'], 'no staging folder left behind');
  });
}

test('extractAll unpacks a zip (stored and deflated members, folders, an inner symlink)', async () => {
  const members: ZipMember[] = [
    { name: 'z/' },
    { name: 'z/plain.txt', data: 'stored text' },
    { name: 'z/deep/packed.txt', data: 'x'.repeat(10000), deflate: true },
    { name: 'z/ln', data: 'plain.txt', unixMode: 0o120777 },
    { name: 'z/empty.txt', data: '' },
  ];
  const { archive, out } = setup('z.zip', makeZip(members));
  await extractAll(archive, { outputDir: out });
  assert.equal(fs.readFileSync(path.join(out, 'z/plain.txt'), 'utf8'), 'stored text');
  assert.equal(fs.readFileSync(path.join(out, 'z/deep/packed.txt'), 'utf8'), 'x'.repeat(10000));
  assert.equal(fs.readlinkSync(path.join(out, 'z/ln')), 'plain.txt');
  assert.equal(fs.readFileSync(path.join(out, 'z/empty.txt'), 'utf8'), '');
});

test('extractAll skips an archive whose base folder is already there and non-empty (hasBase, as MONAI)', async () => {
  const { archive, out } = setup('data.tar', makeTar(good));
  fs.mkdirSync(path.join(out, 'data'));
  fs.writeFileSync(path.join(out, 'data', 'mine.txt'), 'keep');
  await extractAll(archive, { outputDir: out });
  assert.deepEqual(fs.readdirSync(path.join(out, 'data')), ['mine.txt']);
  await extractAll(archive, { outputDir: out, hasBase: false }); // the output folder itself is non-empty: skipped too
  assert.deepEqual(fs.readdirSync(path.join(out, 'data')), ['mine.txt']);
  // an existing but empty base folder is extracted into (merged, not replaced)
  fs.rmSync(path.join(out, 'data', 'mine.txt'));
  await extractAll(archive, { outputDir: out });
  assert.deepEqual(fs.readdirSync(path.join(out, 'data')).sort(), ['a.txt', 'hard', 'link', 'sub']);
});

test('extractAll refuses tar members with ../ names, absolute paths, escaping symlinks and hard links', async () => {
  const ok = { name: 'fine.txt', data: 'fine' };
  await refused('a.tar', makeTar([ok, { name: '../evil.txt', data: 'x' }]), /entry '\.\.\/evil\.txt'.*'\.\.'/);
  await refused('a.tar', makeTar([ok, { name: 'a/../../evil.txt', data: 'x' }]), /entry 'a\/\.\.\/\.\.\/evil\.txt'/);
  await refused('a.tar', makeTar([ok, { name: '/tmp/monai-escape-evil', data: 'x' }]), /entry '\/tmp\/monai-escape-evil': absolute path/);
  await refused('a.tar', makeTar([ok, { name: 'l', type: '2', linkname: '../..' }]), /entry 'l': symlink to '\.\.\/\.\.' leaves the target/);
  await refused('a.tar', makeTar([ok, { name: 'd/l', type: '2', linkname: '../../x' }]), /entry 'd\/l': symlink/);
  await refused('a.tar', makeTar([ok, { name: 'l', type: '2', linkname: '/etc/passwd' }]), /entry 'l': symlink to the absolute path '\/etc\/passwd'/);
  await refused('a.tar', makeTar([ok, { name: 'h', type: '1', linkname: '../outside.txt' }]), /entry 'h': hard link to '\.\.\/outside\.txt' leaves/);
  await refused('a.tar', makeTar([ok, { name: 'h', type: '1', linkname: '/etc/passwd' }]), /entry 'h': hard link/);
  // a symlink to a folder inside, then a member written through it: refused (writes never follow links)
  await refused('a.tar', makeTar([ok, { name: 'sub/', type: '5' }, { name: 'l', type: '2', linkname: 'sub' }, { name: 'l/x.txt', data: 'x' }]), /entry 'l\/x\.txt'.*through the symlink 'l'/);
});

test('extractAll refuses tar device files and FIFOs, naming the entry', async () => {
  await refused('a.tar', makeTar([{ name: 'dev/null2', type: '3' }]), /entry 'dev\/null2': device files are refused/);
  await refused('a.tar', makeTar([{ name: 'blk', type: '4' }]), /entry 'blk': device files are refused/);
  await refused('a.tar', makeTar([{ name: 'pipe', type: '6' }]), /entry 'pipe': FIFOs are refused/);
});

test('extractAll refuses a tar whose size header is larger than its data, and one over maxSize', async () => {
  // the last member claims 10000 bytes; 600 follow and the archive ends (no end blocks)
  const lying = makeTar([{ name: 'ok.txt', data: 'ok' }, { name: 'big.bin', data: Buffer.alloc(600, 1), declaredSize: 10000 }], { end: false });
  await refused('a.tar', lying, /entry 'big\.bin': declares 10000 bytes but the archive ends after \d+/);
  await refused('a.tar.gz', makeTar([{ name: 'big.bin', data: Buffer.alloc(600, 1), declaredSize: 10000 }], { end: false, gzip: true }), /entry 'big\.bin': declares 10000 bytes/);
  await refused('a.tar', makeTar([{ name: 'a', data: Buffer.alloc(600) }, { name: 'b', data: Buffer.alloc(600) }]), /entry 'b': declared sizes reach 1200 bytes, over the limit maxSize=1000/, { maxSize: 1000 });
  const bad = makeTar([{ name: 'a', data: 'x' }]);
  bad[148] = 0x37; // checksum digit changed
  await refused('a.tar', bad, /bad header checksum at byte 0/);
});

test('extractAll refuses zip members with ../ names, absolute paths, escaping symlinks and device files', async () => {
  const ok: ZipMember = { name: 'fine.txt', data: 'fine' };
  await refused('a.zip', makeZip([ok, { name: '../evil.txt', data: 'x' }]), /entry '\.\.\/evil\.txt'/);
  await refused('a.zip', makeZip([ok, { name: '/tmp/monai-escape-evil', data: 'x' }]), /entry '\/tmp\/monai-escape-evil': absolute path/);
  await refused('a.zip', makeZip([ok, { name: 'C:/evil.txt', data: 'x' }]), /entry 'C:\/evil\.txt': absolute path/);
  await refused('a.zip', makeZip([ok, { name: 'l', data: '../../etc', unixMode: 0o120777 }]), /entry 'l': symlink to '\.\.\/\.\.\/etc' leaves/);
  await refused('a.zip', makeZip([ok, { name: 'l', data: '/etc', unixMode: 0o120777 }]), /entry 'l': symlink to the absolute path/);
  await refused('a.zip', makeZip([ok, { name: 'dev', unixMode: 0o020644 }]), /entry 'dev': device files are refused/);
  await refused('a.zip', makeZip([ok, { name: 'fifo', unixMode: 0o010644 }]), /entry 'fifo': FIFOs are refused/);
});

test('extractAll refuses zips whose sizes lie or exceed maxSize, before writing anything', async () => {
  // deflated data larger than declared (a zip bomb's trick)
  await refused('a.zip', makeZip([{ name: 'ok.txt', data: 'ok' }, { name: 'bomb.txt', data: 'y'.repeat(5000), deflate: true, declaredSize: 100 }]), /entry 'bomb\.txt': inflates to more than the 100 bytes it declares/);
  // declared larger than what inflates
  await refused('a.zip', makeZip([{ name: 'short.txt', data: 'y'.repeat(50), deflate: true, declaredSize: 5000 }]), /entry 'short\.txt': declares 5000 bytes but its data holds 50/);
  // compressed size pointing past the end of the file
  await refused('a.zip', makeZip([{ name: 'far.txt', data: 'abc', declaredCompressedSize: 1 << 30, declaredSize: 1 << 30 }]), /entry 'far\.txt': stored member|entry 'far\.txt': declares/);
  await refused('a.zip', makeZip([{ name: 'far.txt', data: 'abc', deflate: true, declaredCompressedSize: 1 << 20 }]), /entry 'far\.txt': declares \d+ compressed bytes but only \d+ are in the archive/);
  await refused('a.zip', makeZip([{ name: 'a', data: Buffer.alloc(700) }, { name: 'b', data: Buffer.alloc(700) }]), /entry 'b': declared sizes reach 1400 bytes, over the limit maxSize=1000/, { maxSize: 1000 });
});

test('extractAll checks the archive hash and rejects bad options', async () => {
  const { archive, out } = setup('data.tar', makeTar(good));
  await assert.rejects(extractAll(archive, { outputDir: out, hashVal: '0'.repeat(32) }), /md5 check of .*data\.tar failed: expected md5=0{32}, found [0-9a-f]{32}/);
  assert.deepEqual(fs.readdirSync(out), []);
  await assert.rejects(extractAll(archive, { outputDir: out, hashType: 'sha3' }), /hashType must be one of 'md5', 'sha1', 'sha256', 'sha512', found 'sha3'/);
  await assert.rejects(extractAll(archive, { outDir: out } as never), /extractAll: unknown option 'outDir'.*outputDir/);
  await assert.rejects(extractAll(archive, { outputDir: out, fileType: 'rar' }), /unsupported file type.*rar/);
});

test('extractAll reads what Python writes: GNU, pax and ustar tars (long and non-ASCII names), zip stored+deflate', async () => {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'tools', 'goldens', 'apps');
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'archives.json'), 'utf8'));
  assert.equal(spec.archives.length, 4);
  for (const name of spec.archives as string[]) {
    const out = path.join(tmp, `py${n++}`);
    await extractAll(path.join(dir, name), { outputDir: out, hasBase: false });
    for (const [f, md5] of Object.entries(spec.files as Record<string, string>)) {
      assert.equal(createHash('md5').update(fs.readFileSync(path.join(out, f))).digest('hex'), md5, `${name}: ${f}`);
    }
    assert.equal(fs.statSync(path.join(out, 'pkg/run.sh')).mode & 0o777, 0o755, name);
    if (!name.endsWith('.zip')) assert.equal(fs.readlinkSync(path.join(out, 'pkg/link.txt')), 'readme.txt', name);
  }
});

test('extractAll never merges through a symlink already in the output folder, and refuses unknown member types', async () => {
  const { dir, archive, out } = setup('a.tar', makeTar([{ name: 'pkg/x.txt', data: 'x' }]));
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(outside);
  fs.symlinkSync(outside, path.join(out, 'pkg'));
  await assert.rejects(extractAll(archive, { outputDir: out }), /cannot place '.*out\/pkg': the archive has a folder there and the output folder a symlink/);
  assert.deepEqual(fs.readdirSync(outside), []);
  assert.deepEqual(fs.readdirSync(out), ['pkg'], 'staging folder removed');
  await refused('a.tar', makeTar([{ name: 'sparse', type: 'S' }]), /entry 'sparse': unsupported tar member type 'S'/);
});

test('extractAll ignores the bytes after an old GNU header\'s magic (times there, not a name prefix)', async () => {
  const { archive, out } = setup('g.tar', makeTar([{ name: 'gnu/a.txt', data: 'gnu', gnu: true }]));
  await extractAll(archive, { outputDir: out });
  assert.equal(fs.readFileSync(path.join(out, 'gnu/a.txt'), 'utf8'), 'gnu');
  assert.deepEqual(fs.readdirSync(out), ['gnu']);
});
