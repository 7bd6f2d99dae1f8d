// The engine's own cost per iteration, here and in Ignite 0.4 + MONAI 1.4 (bench/workflows/engine_overhead.py
// in /usr/bin/python3), in one run:
//   engine_noop: an Engine over a list whose process function returns the batch (all events fired, no handlers);
//   trainer overhead: SupervisedTrainer per iteration minus the same step in a plain loop (Linear(4, 1),
//   MSE, SGD, batch 8; decollation included, as MONAI's default), one thread each side.
// IGNITE_SRC (default /work/pysrc/ignite when present) enables the Python side; MONAI_SRC (default
// /work/pysrc/monai) and EINOPS_SRC add MONAI for the trainer. BENCH_ITERS (default 20000) no-op
// iterations, BENCH_STEPS (default 2000) training steps. Prints one JSON line; ratio = ours / Python.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Engine, SupervisedTrainer } from '../../packages/monai/src/engines/index.js';

torch.setNumThreads(1);
const iters = Number(process.env.BENCH_ITERS ?? 20000);
const steps = Math.max(16, Math.floor(Number(process.env.BENCH_STEPS ?? 2000) / 16) * 16);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const ignite = process.env.IGNITE_SRC ?? (existsSync('/work/pysrc/ignite') ? '/work/pysrc/ignite' : null);
const monai = process.env.MONAI_SRC ?? '/work/pysrc/monai';
const einops = process.env.EINOPS_SRC ?? '/work/pysrc/einops';

async function noop(): Promise<number> {
  const data = Array.from({ length: iters }, (_, i) => i);
  const e = new Engine((_en, b: number) => b);
  await e.run(data.slice(0, 100));
  const t = performance.now();
  await e.run(data);
  return ((performance.now() - t) / iters) * 1e3;
}

torch.manualSeed(0);
const net = new torch.nn.Linear(4, 1);
const opt = new torch.optim.SGD(net.parameters(), { lr: 0.01 });
const lossFn = new torch.nn.MSELoss();
const batches = Array.from({ length: 16 }, () => ({ image: torch.keep(torch.randn([8, 4])), label: torch.keep(torch.randn([8, 1])) }));

function manual(): void {
  for (let i = 0; i < steps; i++) {
    torch.tidy(() => {
      const b = batches[i % 16];
      opt.zeroGrad({ setToNone: false });
      const loss = lossFn.forward(net.forward(b.image) as Tensor, b.label).mean();
      loss.backward();
      opt.step();
    });
  }
}

async function trainer(): Promise<void> {
  const tr = new SupervisedTrainer({ maxEpochs: steps / 16, trainDataLoader: batches, network: net, optimizer: opt, lossFunction: lossFn });
  await tr.run();
}

const time = async (f: () => unknown): Promise<number> => {
  await f();
  const t = performance.now();
  await f();
  return ((performance.now() - t) / steps) * 1e3;
};

const oursNoop = await noop();
const oursManual = await time(manual);
const oursTrainer = await time(trainer);
let py: { engine_noop_us: number; trainer_us: number | null; manual_us: number; monai: boolean } | null = null;
let pyError: string | null = null;
if (ignite) {
  const script = fileURLToPath(new URL('./engine_overhead.py', import.meta.url));
  const r = spawnSync(python, [script, String(iters), String(steps)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: [ignite, monai, einops].join(':') } });
  if (r.status === 0) py = JSON.parse(r.stdout.trim().split('\n').pop()!);
  else pyError = r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`;
}
const round = (v: number | null | undefined) => (v === null || v === undefined ? null : +v.toFixed(2));
const oursOverhead = oursTrainer - oursManual;
const pyOverhead = py && py.trainer_us !== null ? py.trainer_us - py.manual_us : null;
console.log(JSON.stringify({
  bench: 'workflows.engine_overhead', unit: 'us/iteration', threads: 1,
  ours: { engine_noop: round(oursNoop), trainer: round(oursTrainer), manual: round(oursManual), trainer_overhead: round(oursOverhead) },
  python: py ? { engine_noop: round(py.engine_noop_us), trainer: round(py.trainer_us), manual: round(py.manual_us), trainer_overhead: round(pyOverhead) } : null,
  ratio: py ? { engine_noop: round(oursNoop / py.engine_noop_us), trainer_overhead: pyOverhead ? round(oursOverhead / pyOverhead) : null } : null,
  ...(pyError ? { python_error: pyError } : {}),
  ...(ignite ? {} : { python_note: 'IGNITE_SRC not given and /work/pysrc/ignite absent' }),
}));
torch.dispose(batches);
