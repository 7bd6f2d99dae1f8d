// F.convTranspose2d/3d on float32 CPU run as the input gradient of the matching convolution
// (aten::convolution_backward, oneDNN) instead of libtorch 1.13's im2col transposed convolution
// (about half the CPU time forward + backward). Outputs and all gradients must match the plain op.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';

const F = torch.nn.functional;
const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors leaked'));

type Opts = { stride?: number | number[]; padding?: number | number[]; outputPadding?: number | number[]; dilation?: number | number[] };
const cases: [dims: 2 | 3, x: number[], w: number[], o: Opts][] = [
  [3, [2, 4, 5, 6, 7], [4, 3, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }], // MONAI UNet's up-sampling
  [3, [1, 2, 4, 4, 4], [2, 5, 2, 3, 1], { stride: [1, 2, 3], padding: [0, 1, 0], dilation: [2, 1, 1], outputPadding: [0, 1, 2] }],
  [3, [1, 3, 3, 3, 3], [3, 2, 2, 2, 2], {}],
  [2, [3, 4, 6, 5], [4, 2, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
  [2, [2, 1, 5, 5], [1, 3, 4, 2], { stride: [3, 1], padding: [2, 0], dilation: 2 }],
];

for (const [dims, xs, ws, o] of cases) {
  for (const withBias of [true, false]) {
    test(`convTranspose${dims}d ${JSON.stringify(o)} bias=${withBias}: output and gradients as the plain op (1e-5)`, () => {
      torch.tidy(() => {
        torch.manualSeed(dims * 10 + xs.length);
        const x = torch.randn(xs).requiresGrad_();
        const w = torch.randn(ws).requiresGrad_();
        const b = withBias ? torch.randn([ws[1]]).requiresGrad_() : null;
        const f = dims === 3 ? F.convTranspose3d : F.convTranspose2d;
        const y = f(x, w, { ...o, bias: b });
        if (!withBias) assert.equal(y.gradFn, 'ConvolutionBackwardBackward0', 'taken as a convolution gradient');
        const plain = dims === 3 ? torch.convTranspose3d : torch.convTranspose2d;
        const xr = x.detach().requiresGrad_();
        const wr = w.detach().requiresGrad_();
        const br = b ? b.detach().requiresGrad_() : null;
        const yr = plain(xr, wr, { bias: br, stride: o.stride ?? 1, padding: o.padding ?? 0, outputPadding: o.outputPadding ?? 0, groups: 1, dilation: o.dilation ?? 1 });
        assert.deepEqual(y.shape, yr.shape);
        const g = torch.randn(yr.shape);
        y.backward(g);
        yr.backward(g);
        const close = (a: torch.Tensor, r: torch.Tensor, what: string) => {
          const err = a.sub(r).abs().max().item();
          const scale = r.abs().max().item();
          assert.ok(err <= 1e-5 * Math.max(1, scale), `${what}: max error ${err} (scale ${scale})`);
        };
        close(y, yr, 'output');
        close(x.grad!, xr.grad!, 'input gradient');
        close(w.grad!, wr.grad!, 'weight gradient');
        if (b) close(b.grad!, br!.grad!, 'bias gradient');
        torch.dispose([x.grad, w.grad, b?.grad, xr.grad, wr.grad, br?.grad]);
      });
    });
  }
}

test('float64, groups, unbatched input and bad arguments take the plain op (its results and errors)', () => {
  torch.tidy(() => {
    const w = torch.randn([2, 2, 3, 3, 3]);
    assert.equal(F.convTranspose3d(torch.randn([1, 2, 3, 3, 3], { dtype: 'float64' }).requiresGrad_(), w.double()).gradFn, 'ConvolutionBackward0');
    assert.equal(F.convTranspose3d(torch.randn([1, 2, 3, 3, 3]).requiresGrad_(), w, { groups: 2 }).gradFn, 'ConvolutionBackward0');
    assert.deepEqual(F.convTranspose3d(torch.randn([2, 3, 3, 3]), w).shape, [2, 5, 5, 5]);
    assert.throws(() => F.convTranspose3d(torch.randn([1, 2, 3, 3, 3]), w, { stride: 2, outputPadding: 2 }), /output padding must be smaller than either stride or dilation/);
    assert.throws(() => F.convTranspose3d(torch.randn([1, 3, 3, 3, 3]), w), /channels|shape|weight/i);
  });
});
