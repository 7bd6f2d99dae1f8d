// DistributedDataParallel training step time: 2 local ranks (each its own batch of 2) against 1 rank
// (one batch of 2, no DDP), on a small 3-D conv net (2 conv layers, 16^3 input). The 2-rank step adds
// the gradient all-reduce, overlapped with backward by c10d's Reducer; ideal is a ratio near 1 on a
// machine with a free core per rank. Median of STEPS steps (default 20) after 3 warm-up steps.
// Run: node --conditions=source --import tsx bench/distributed/ddp_step.ts
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

const STEPS = Number(process.env.STEPS ?? 20);

class Net extends torch.nn.Module {
  c1 = new torch.nn.Conv3d({ inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1 });
  c2 = new torch.nn.Conv3d({ inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1 });
  head = new torch.nn.Conv3d({ inChannels: 16, outChannels: 2, kernelSize: 1 });
  forward(x: torch.Tensor): torch.Tensor {
    return torch.tidy(() => this.head.forward(torch.relu(this.c2.forward(torch.relu(this.c1.forward(x))))));
  }
}

function train(distributed: boolean): number {
  torch.setNumThreads(1);
  torch.manualSeed(0);
  const net = new Net();
  const model = distributed ? new torch.nn.parallel.DistributedDataParallel(net) : net;
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
  const x = torch.randn([2, 1, 16, 16, 16]);
  const y = torch.randn([2, 2, 16, 16, 16]);
  const times: number[] = [];
  for (let i = 0; i < STEPS + 3; i++) {
    const t0 = performance.now();
    opt.zeroGrad();
    const loss = torch.tidy(() => (model.forward(x) as torch.Tensor).sub(y).pow(2).mean());
    loss.backward();
    loss.dispose();
    opt.step();
    if (i >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function ranks(n: number): Promise<number> {
  const port = await freePort();
  const self = fileURLToPath(import.meta.url);
  const outs = await Promise.all(
    Array.from({ length: n }, (_, r) =>
      new Promise<string>((res, rej) => {
        const env = { ...process.env, RANK: String(r), WORLD_SIZE: String(n), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), OMP_NUM_THREADS: '1' };
        const c = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', self], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`rank ${r} exited with ${code}`))));
      }),
    ),
  );
  return Math.max(...outs.map((o) => Number(JSON.parse(o.trim().split('\n').pop()!).ms)));
}

if (process.env.RANK !== undefined) {
  const n = Number(process.env.WORLD_SIZE);
  if (n > 1) torch.distributed.initProcessGroup({ backend: 'gloo' });
  const ms = train(n > 1);
  if (n > 1) torch.distributed.destroyProcessGroup();
  console.log(JSON.stringify({ ms }));
} else {
  const one = await ranks(1);
  const two = await ranks(2);
  console.log(JSON.stringify({ bench: 'distributed.ddp_step', unit: 'ms', oneRank: +one.toFixed(1), twoRanksDdp: +two.toFixed(1), ratio: +(two / one).toFixed(3) }));
}
