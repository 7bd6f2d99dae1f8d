// monai-ts-run: torchrun's options and environment, per-rank output prefixes, and fault handling (a
// failed rank stops the others within the grace period, its code is the launcher's, nothing is left
// running), signal forwarding, and two launcher invocations forming one multi-node job.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/index.js';
import { parseLaunchArgs, type LaunchOptions } from '../../src/distributed/launcher/args.js';
import { freePort, launch, resolveNprocPerNode, type LaunchIO } from '../../src/distributed/launcher/run.js';

const start = torch.memory().liveTensors;
const dir = mkdtempSync(join(tmpdir(), 'monai-ts-run-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'launcher tests leaked tensors');
});

const PKG = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(PKG, 'src/distributed/launcher/cli.ts');

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

class Collect extends Writable {
  text = '';
  constructor(private readonly onText?: (all: string) => void) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    this.onText?.(this.text);
    cb();
  }
}

function options(over: Partial<LaunchOptions>): LaunchOptions {
  return { ...parseLaunchArgs(['x.mjs'])!, ...over };
}

async function run(o: LaunchOptions, io: LaunchIO = {}, onStdout?: (all: string) => void) {
  const stdout = new Collect(onStdout);
  const stderr = new Collect();
  const t0 = performance.now();
  const result = await launch(o, { stdout, stderr, forwardSignals: false, ...io });
  return { ...result, out: stdout.text, err: stderr.text, ms: performance.now() - t0 };
}

/** Lines of one rank's output without the prefix. */
function linesOf(text: string, rank: number): string[] {
  const p = `[rank ${rank}]: `;
  return text.split('\n').filter((l) => l.startsWith(p)).map((l) => l.slice(p.length));
}

// A process that has exited but not been reaped (a zombie under a container's init) counts as gone.
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function noneAlive(pids: number[], within = 1000): Promise<number[]> {
  const until = performance.now() + within;
  let left = pids.filter(alive);
  while (left.length && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(alive);
  }
  return left;
}

test('parseLaunchArgs: torchrun spellings, defaults, script arguments kept verbatim', () => {
  const o = parseLaunchArgs(['--nproc_per_node=4', '--nnodes', '2:2', '--node-rank', '1', '--rdzv-endpoint', 'head:1234', '--rdzv-backend', 'static', '--rdzv-id=job7', '--max-restarts', '0', 'train.ts', '--lr', '0.1', '--nnodes', '9'])!;
  assert.deepEqual(o, { nprocPerNode: 4, nnodes: 2, nodeRank: 1, masterAddr: 'head', masterPort: 1234, runId: 'job7', noPython: false, standalone: false, script: 'train.ts', scriptArgs: ['--lr', '0.1', '--nnodes', '9'] });
  const d = parseLaunchArgs(['run.js'])!;
  assert.deepEqual([d.nprocPerNode, d.nnodes, d.nodeRank, d.masterAddr, d.masterPort, d.runId], [1, 1, 0, '127.0.0.1', 29500, 'none']);
  assert.deepEqual(parseLaunchArgs(['--master-addr', '10.0.0.2', '--master-port=4000', '--', '--weird-script-name.js'])!.script, '--weird-script-name.js');
  assert.equal(parseLaunchArgs(['--rdzv-endpoint=[::1]:5000', 'a.js'])!.masterAddr, '::1');
  assert.equal(parseLaunchArgs(['--nproc-per-node', 'auto', 'a.js'])!.nprocPerNode, 'auto');
  assert.equal(parseLaunchArgs(['--help', 'a.js']), null);
});

const BAD: [string[], RegExp][] = [
  [['--nnodes', '1:4', 'a.js'], /--nnodes 1:4: elastic node ranges need a dynamic rendezvous.*--nnodes 4/],
  [['--nnodes', '0', 'a.js'], /--nnodes must be a positive integer/],
  [['--rdzv-backend', 'c10d', 'a.js'], /only the 'static' rendezvous is supported.*found 'c10d'/],
  [['--max-restarts', '3', 'a.js'], /restarts are not supported.*found 3/],
  [['--nproc-pr-node', '2', 'a.js'], /unknown option --nproc-pr-node \(did you mean --nproc-per-node\?\)/],
  [['--nproc-per-node', 'many', 'a.js'], /--nproc-per-node must be a positive integer, 'auto', 'gpu' or 'cpu', found 'many'/],
  [['--nnodes', '2', '--node-rank', '2', 'a.js'], /--node-rank must be below --nnodes \(2\), found 2/],
  [['--master-port', '0', 'a.js'], /--master-port must be a TCP port in 1..65535, found 0/],
  [['--rdzv-endpoint', 'h:1', '--master-addr', 'g', 'a.js'], /both name the master/],
  [['--standalone', '--master-port', '5', 'a.js'], /--standalone picks the master itself; drop --master-port/],
  [['--nproc-per-node'], /--nproc-per-node needs a value/],
  [['--nnodes', '1'], /no script given/],
  [['--nnodes', '1', '--nnodes', '1', 'a.js'], /--nnodes is given twice/],
];
for (const [argv, message] of BAD) {
  test(`parseLaunchArgs rejects ${argv.join(' ')}`, () => assert.throws(() => parseLaunchArgs(argv), message));
}

test("--nproc-per-node auto/gpu/cpu: GPUs when CUDA has some, else the CPU cores; 'gpu' without one is an error", async () => {
  const gpus = torch.cuda.isAvailable() ? torch.cuda.deviceCount() : 0;
  assert.equal(await resolveNprocPerNode('cpu'), availableParallelism());
  assert.equal(await resolveNprocPerNode('auto'), gpus || availableParallelism());
  assert.equal(await resolveNprocPerNode(3), 3);
  if (gpus) assert.equal(await resolveNprocPerNode('gpu'), gpus);
  else await assert.rejects(resolveNprocPerNode('gpu'), /--nproc-per-node gpu: this libtorch sees no CUDA device/);
});

const PRINT_ENV = `
const keys = ['RANK','LOCAL_RANK','WORLD_SIZE','LOCAL_WORLD_SIZE','GROUP_RANK','GROUP_WORLD_SIZE','ROLE_RANK','ROLE_WORLD_SIZE','ROLE_NAME','MASTER_ADDR','MASTER_PORT','TORCHELASTIC_RUN_ID','TORCHELASTIC_RESTART_COUNT','TORCHELASTIC_MAX_RESTARTS','TORCHELASTIC_USE_AGENT_STORE','OMP_NUM_THREADS'];
console.log(JSON.stringify({ env: Object.fromEntries(keys.map((k) => [k, process.env[k]])), argv: process.argv.slice(2) }));
console.error('to stderr');
process.stdout.write('no newline at the end');
`;

test('launcher: each rank gets torchrun environment, its arguments, and prefixed stdout/stderr lines', async () => {
  const s = script('env.mjs', PRINT_ENV);
  const r = await run(options({ nprocPerNode: 2, masterPort: 4321, runId: 'job7', script: s, scriptArgs: ['--x', 'y z'] }), { env: { ...process.env, OMP_NUM_THREADS: undefined } });
  assert.equal(r.exitCode, 0, r.err);
  for (const rank of [0, 1]) {
    const [json, tail] = linesOf(r.out, rank);
    const { env, argv } = JSON.parse(json);
    assert.deepEqual(env, {
      RANK: String(rank),
      LOCAL_RANK: String(rank),
      WORLD_SIZE: '2',
      LOCAL_WORLD_SIZE: '2',
      GROUP_RANK: '0',
      GROUP_WORLD_SIZE: '1',
      ROLE_RANK: String(rank),
      ROLE_WORLD_SIZE: '2',
      ROLE_NAME: 'default',
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: '4321',
      TORCHELASTIC_RUN_ID: 'job7',
      TORCHELASTIC_RESTART_COUNT: '0',
      TORCHELASTIC_MAX_RESTARTS: '0',
      TORCHELASTIC_USE_AGENT_STORE: 'False',
      OMP_NUM_THREADS: env.OMP_NUM_THREADS,
    });
    assert.match(env.OMP_NUM_THREADS, /^[1-9]\d*$/);
    assert.deepEqual(argv, ['--x', 'y z']);
    assert.equal(tail, 'no newline at the end', 'a last line without newline is still written, prefixed');
    assert.deepEqual(linesOf(r.err, rank), ['to stderr']);
  }
  assert.match(r.err, /OMP_NUM_THREADS is not set; using \d+ thread\(s\) per rank for 2 ranks/);
  assert.ok(r.out.endsWith('\n'));
});

test('launcher: a user OMP_NUM_THREADS is passed on untouched; a .ts script runs through tsx', async () => {
  const s = script('hello.ts', 'const n: number = Number(process.env.OMP_NUM_THREADS);\nconsole.log(`threads ${n} rank ${process.env.RANK}`);\n');
  const r = await run(options({ nprocPerNode: 2, script: s }), { env: { ...process.env, OMP_NUM_THREADS: '3' } });
  assert.equal(r.exitCode, 0, r.err);
  assert.deepEqual(linesOf(r.out, 0), ['threads 3 rank 0']);
  assert.deepEqual(linesOf(r.out, 1), ['threads 3 rank 1']);
  assert.doesNotMatch(r.err, /OMP_NUM_THREADS/);
});

// Rank 0 ignores SIGTERM (so the SIGKILL escalation is needed) and has started a grandchild; rank 2
// stops on SIGTERM; rank 1 throws once rank 0 is set up.
const FAULTY = (dirPath: string) => `
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
const rank = process.env.RANK;
console.log('pid ' + process.pid);
if (rank === '0') {
  process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  console.log('grandchild ' + g.pid);
  writeFileSync(${JSON.stringify(join(dirPath, 'ready0'))}, '');
  setInterval(() => {}, 1000);
} else if (rank === '1') {
  const poll = setInterval(() => {
    if (existsSync(${JSON.stringify(join(dirPath, 'ready0'))})) { clearInterval(poll); throw new Error('boom on rank 1'); }
  }, 20);
} else {
  setInterval(() => {}, 1000);
}
`;

test('launcher: a rank that throws stops the others (SIGTERM, then SIGKILL), names the rank, exits with its code, leaves nothing running', async () => {
  const s = script('faulty.mjs', FAULTY(dir));
  const r = await run(options({ nprocPerNode: 3, script: s }), { killGraceMs: 500 });
  assert.equal(r.exitCode, 1);
  assert.equal(r.failure?.rank, 1);
  assert.equal(r.failure?.exitCode, 1);
  assert.match(r.err, new RegExp(`monai-ts-run: rank 1 \\(local rank 1, pid ${r.pids[1]}\\) failed: exit code 1\\n`));
  assert.match(r.err, /stopping the other ranks \(0, 2\)/);
  assert.match(r.err, /\[rank 1\]: Error: boom on rank 1/);
  assert.deepEqual(linesOf(r.out, 0).filter((l) => l === 'ignoring SIGTERM'), ['ignoring SIGTERM']);
  assert.ok(r.ms < 5000, `the launcher took ${r.ms.toFixed(0)} ms`);
  const grandchild = Number(linesOf(r.out, 0).find((l) => l.startsWith('grandchild '))!.split(' ')[1]);
  assert.deepEqual(await noneAlive([...r.pids, grandchild]), [], 'processes left running');
  rmSync(join(dir, 'ready0'), { force: true });
});

test('launcher: a rank killed by a signal makes the launcher exit with 128 + the signal number', async () => {
  const s = script('killed.mjs', `if (process.env.RANK === '1') process.kill(process.pid, 'SIGKILL'); else setInterval(() => {}, 1000);`);
  const r = await run(options({ nprocPerNode: 2, script: s }), { killGraceMs: 500 });
  assert.equal(r.exitCode, 137);
  assert.equal(r.failure?.signal, 'SIGKILL');
  assert.match(r.err, /rank 1 \(local rank 1, pid \d+\) failed: killed by SIGKILL/);
  assert.deepEqual(await noneAlive(r.pids), []);
});

test('launcher: a command that cannot start (--no-python) fails with 127 and its name', async () => {
  const r = await run(options({ noPython: true, script: 'monai-ts-no-such-command', nprocPerNode: 2 }), { killGraceMs: 500 });
  assert.equal(r.exitCode, 127);
  assert.match(r.err, /failed: could not start monai-ts-no-such-command: spawn monai-ts-no-such-command ENOENT/);
});

test('launcher: --no-python runs the command itself; a missing script is named', async () => {
  const r = await run(options({ noPython: true, script: 'sh', scriptArgs: ['-c', 'echo "rank $RANK of $WORLD_SIZE"'], nprocPerNode: 2 }));
  assert.equal(r.exitCode, 0, r.err);
  assert.deepEqual([...linesOf(r.out, 0), ...linesOf(r.out, 1)], ['rank 0 of 2', 'rank 1 of 2']);
  await assert.rejects(run(options({ script: join(dir, 'missing.js') })), /script not found: .*missing\.js/);
});

test('monai-ts-run process: SIGTERM to the launcher reaches every rank, exit code 143, no process left', async () => {
  const s = script(
    'term.mjs',
    `import { writeFileSync } from 'node:fs';
process.on('SIGTERM', () => { console.log('rank ' + process.env.RANK + ' got SIGTERM'); process.exit(0); });
console.log('pid ' + process.pid);
writeFileSync(${JSON.stringify(dir)} + '/up' + process.env.RANK, '');
setInterval(() => {}, 1000);`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--nproc-per-node', '2', s], { cwd: PKG, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (err += b));
  const until = performance.now() + 20000;
  while (!(existsSync(join(dir, 'up0')) && existsSync(join(dir, 'up1'))) && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
  assert.equal(code, 143, err);
  assert.match(err, /received SIGTERM, passing it to the ranks/);
  assert.ok(out.includes('[rank 0]: rank 0 got SIGTERM') && out.includes('[rank 1]: rank 1 got SIGTERM'), out);
  const pids = [...out.matchAll(/\]: pid (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(pids.length, 2);
  assert.deepEqual(await noneAlive(pids), []);
});

test('a launcher process that dies of an uncaught exception takes its ranks with it', async () => {
  const rankScript = script('sleeper.mjs', `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(dir)} + '/sleeper' + process.env.RANK, String(process.pid));\nsetInterval(() => {}, 1000);\n`);
  const RUN = JSON.stringify(new URL('../../src/distributed/launcher/run.ts', import.meta.url).href);
  const host = script(
    'crashing_host.ts',
    `import { existsSync } from 'node:fs';
import { launch } from ${RUN};
void launch({ nprocPerNode: 2, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: 29500, runId: 'none', noPython: false, standalone: false, script: ${JSON.stringify(rankScript)}, scriptArgs: [] });
const poll = setInterval(() => {
  if (existsSync(${JSON.stringify(join(dir, 'sleeper0'))}) && existsSync(${JSON.stringify(join(dir, 'sleeper1'))})) {
    clearInterval(poll);
    throw new Error('a bug in the host');
  }
}, 20);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', host], { cwd: PKG, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  const code = await new Promise<number | null>((res) => child.once('exit', res));
  assert.notEqual(code, 0);
  assert.match(err, /a bug in the host/);
  const pids = [0, 1].map((r) => Number(readFileSync(join(dir, `sleeper${r}`), 'utf8')));
  assert.deepEqual(await noneAlive(pids), [], 'ranks left running');
});

test('monai-ts-run killed with SIGKILL: its ranks end too, even with a busy main thread (the rank watchdog)', async () => {
  const busy = script(
    'busy.mjs',
    `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(dir)} + '/busy' + process.env.RANK, String(process.pid));
console.log('watchdog variable ' + process.env.MONAI_TS_RUN_WATCHDOG_FD);
const t = Date.now();
while (Date.now() - t < 60000) {} // never yields to the event loop
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--nproc-per-node', '2', busy], { cwd: PKG, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  const files = [0, 1].map((r) => join(dir, `busy${r}`));
  const until = performance.now() + 20000;
  while (!files.every((f) => existsSync(f)) && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // the watchdog thread has started by now
  child.kill('SIGKILL');
  await new Promise((res) => child.once('exit', res));
  const pids = files.map((f) => Number(readFileSync(f, 'utf8')));
  assert.deepEqual(await noneAlive(pids, 3000), [], 'ranks outlived their launcher');
  assert.match(out, /\[rank 0\]: watchdog variable undefined/, 'the variable is gone before the script runs');
});

test('monai-ts-run process: bad options exit with 2 and the reason; the package bin prints the usage', async () => {
  const bad = spawn(process.execPath, ['--import', 'tsx', CLI, '--nnodes', '1:3', 'x.js'], { cwd: PKG, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  bad.stderr.on('data', (b) => (err += b));
  assert.equal(await new Promise((res) => bad.once('exit', res)), 2);
  assert.match(err, /^monai-ts-run: --nnodes 1:3: elastic node ranges need a dynamic rendezvous/);

  const pkg = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  const bin = join(PKG, pkg.bin['monai-ts-run']);
  const help = spawn(process.execPath, [bin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  help.stdout.on('data', (b) => (out += b));
  assert.equal(await new Promise((res) => help.once('exit', res)), 0);
  assert.match(out, /^usage: monai-ts-run \[options\]/);
});

// Rank scripts that use torch.distributed import the package source, as the tests do.
const TORCH_SRC = JSON.stringify(new URL('../../src/index.ts', import.meta.url).href);

test('two launchers with --nnodes 2 (node ranks 0 and 1 on 127.0.0.1) form one 4-rank job: allReduce sums 0+1+2+3', async () => {
  const s = script(
    'nodes.ts',
    `import * as torch from ${TORCH_SRC};
const d = torch.distributed;
d.initProcessGroup({ backend: 'gloo', timeout: 60000 });
const t = torch.tensor([d.getRank()], { dtype: 'float32' });
d.allReduce(t);
const keys = ['RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'LOCAL_WORLD_SIZE', 'GROUP_RANK', 'GROUP_WORLD_SIZE', 'MASTER_PORT'];
console.log(JSON.stringify({ rank: d.getRank(), worldSize: d.getWorldSize(), sum: t.item(), env: keys.map((k) => process.env[k]) }));
t.dispose();
d.destroyProcessGroup();
`,
  );
  const masterPort = await freePort();
  const [a, b] = await Promise.all([0, 1].map((nodeRank) => run(options({ nprocPerNode: 2, nnodes: 2, nodeRank, masterPort, script: s }))));
  assert.equal(a.exitCode, 0, a.err);
  assert.equal(b.exitCode, 0, b.err);
  const seen = [];
  for (const [node, r] of [a, b].entries()) {
    for (const localRank of [0, 1]) {
      const rank = node * 2 + localRank;
      const got = JSON.parse(linesOf(r.out, rank)[0]);
      assert.deepEqual(got, { rank, worldSize: 4, sum: 6, env: [String(rank), String(localRank), '4', '2', String(node), '2', String(masterPort)] });
      seen.push(rank);
    }
  }
  assert.deepEqual(seen, [0, 1, 2, 3]);
});

test('killing one rank in the middle of allReduce steps stops the job: the launcher names it, exits 137 within seconds, no process left', async (t) => {
  const s = script(
    'steps.ts',
    `import * as torch from ${TORCH_SRC};
const d = torch.distributed;
d.initProcessGroup({ backend: 'gloo', timeout: 60000 });
console.log('pid ' + process.pid);
let step = 0;
setInterval(() => {
  torch.tidy(() => d.allReduce(torch.ones([1000])));
  if (++step % 5 === 0) console.log('step ' + step);
}, 5);
`,
  );
  let killedAt = 0;
  const r = await run(options({ nprocPerNode: 2, masterPort: await freePort(), script: s }), { killGraceMs: 1000 }, (all) => {
    if (killedAt || !/\[rank 0\]: step 10\n/.test(all) || !/\[rank 1\]: step 10\n/.test(all)) return;
    killedAt = performance.now();
    process.kill(Number(/\[rank 1\]: pid (\d+)/.exec(all)![1]), 'SIGKILL');
  });
  const stopMs = performance.now() - killedAt;
  assert.ok(killedAt > 0, 'the ranks reached step 10');
  assert.equal(r.exitCode, 137, r.err);
  assert.equal(r.failure?.rank, 1);
  assert.match(r.err, /monai-ts-run: rank 1 \(local rank 1, pid \d+\) failed: killed by SIGKILL/);
  t.diagnostic(`the job ended ${stopMs.toFixed(0)} ms after rank 1 was killed`);
  assert.ok(stopMs < 5000, `the job ended ${stopMs.toFixed(0)} ms after the kill`);
  assert.deepEqual(await noneAlive(r.pids), []);
});
