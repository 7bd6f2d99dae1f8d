// Idle OpenMP threads spin a bounded while (GOMP_SPINCOUNT=100000) and then sleep, unless the user chose
// otherwise: spinning without bound burns a core while the main thread does other work, sleeping at once
// makes every op wait for a wake-up. The variable is set only while libtorch loads, so child processes do
// not inherit it. Each case runs in a fresh process (libgomp reads it once).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

// 40 parallel adds (1M elements, over the parallel grain) each followed by a 30 ms sleep of the main
// thread; prints the process CPU time spent (ms), the sleeping included, and the variable left.
const probe = `
const torch = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
torch.setNumThreads(2);
const a = torch.ones([1 << 20]);
const gate = new Int32Array(new SharedArrayBuffer(4));
a.add(1).dispose();
const c0 = process.cpuUsage();
for (let i = 0; i < 40; i++) {
  a.add(1).dispose(); // freed at once: the next add reuses the memory, no page faults in the count
  Atomics.wait(gate, 0, 0, 30);
}
const c = process.cpuUsage(c0);
a.dispose();
console.log(JSON.stringify({ cpuMs: (c.user + c.system) / 1e3, policy: process.env.OMP_WAIT_POLICY ?? null, spin: process.env.GOMP_SPINCOUNT ?? null }));`;

function run(env: Record<string, string | undefined>): { cpuMs: number; policy: string | null; spin: string | null } {
  const base = { ...process.env };
  delete base.OMP_WAIT_POLICY;
  delete base.GOMP_SPINCOUNT;
  delete base.OMP_NUM_THREADS;
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    encoding: 'utf8',
    env: { ...base, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('by default idle OpenMP threads spin a bounded while, then sleep; the variable is not left for child processes', () => {
  const r = run({});
  assert.equal(r.policy, null);
  assert.equal(r.spin, null);
  // 40 adds of 1M floats take ~10-40 ms of CPU (about 160 ms on a loaded machine); the bounded spin adds
  // ~3 ms after each (~265 ms in all, quiet machine), a spin without end up to the 1,200 ms slept
  assert.ok(r.cpuMs < 700, `CPU while the main thread slept 1,200 ms: ${r.cpuMs} ms (threads spin without end?)`);
  const active = run({ OMP_WAIT_POLICY: 'ACTIVE' });
  assert.ok(r.cpuMs < active.cpuMs - 300, `bounded spin ${r.cpuMs} ms of CPU against ACTIVE's ${active.cpuMs} ms`);
});

test("the user's PASSIVE is kept: idle threads sleep at once", () => {
  const r = run({ OMP_WAIT_POLICY: 'PASSIVE' });
  assert.equal(r.policy, 'PASSIVE');
  assert.ok(r.cpuMs < 450, `CPU while the main thread slept 1,200 ms: ${r.cpuMs} ms (threads spin?)`);
});

test("the user's OMP_WAIT_POLICY is kept and applies", () => {
  const r = run({ OMP_WAIT_POLICY: 'ACTIVE' });
  assert.equal(r.policy, 'ACTIVE');
  assert.ok(r.cpuMs > 550, `ACTIVE: the worker spins while the main thread sleeps; CPU ${r.cpuMs} ms`);
});

test("the user's GOMP_SPINCOUNT is kept: 0 sleeps at once", () => {
  const r = run({ GOMP_SPINCOUNT: '0' });
  assert.equal(r.spin, '0');
  assert.ok(r.cpuMs < 450, `GOMP_SPINCOUNT=0: CPU while the main thread slept 1,200 ms: ${r.cpuMs} ms`);
});
