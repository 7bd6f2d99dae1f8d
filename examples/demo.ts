// npm run demo: what the loaded libtorch offers, then a timed conv3d forward/backward.
import * as torch from '@monai-ts/torch';

const c = torch.config();
console.log(`monai-ts ${c.version} on Node ${c.node}`);
console.log(`libtorch ${c.libtorch}: ${c.numThreads} intra-op threads, oneDNN ${c.mkldnn ? 'on' : 'off'}, CUDA ${c.cuda ? `${c.cudaDeviceCount} device(s)` : 'none'}`);

const device = torch.cuda.isAvailable() ? 'cuda:0' : 'cpu';
torch.manualSeed(0);
const x = torch.randn([2, 16, 64, 64, 64], { device }).requiresGrad_();
const w = torch.randn([16, 16, 3, 3, 3], { device }).mul_(0.05).requiresGrad_();
console.log(`conv3d forward+backward on ${device}, input [${x.shape}], weight [${w.shape}], padding 1`);
const times: number[] = [];
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const s = torch.tidy(() => {
    const y = torch.conv3d(x, w, { padding: 1 });
    const loss = y.square().mean();
    loss.backward();
    if (device !== 'cpu') torch.cuda.synchronize();
    return loss.item();
  });
  times.push(performance.now() - t0);
  console.log(`  step ${i}: loss ${s.toFixed(5)}  ${times[i].toFixed(1)} ms`);
}
const g = w.grad!;
console.log(`weight grad: shape [${g.shape}], norm ${torch.tidy(() => g.norm().item()).toFixed(4)}`);
console.log(`median step ${[...times].sort((a, b) => a - b)[2].toFixed(1)} ms; live tensors ${torch.memory().liveTensors}`);
torch.dispose([x, w, g]);
