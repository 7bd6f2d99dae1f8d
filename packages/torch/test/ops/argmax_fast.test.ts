// argmax/argmin along a dim run as max/min's indices (native/ops.cc, argExtremeAlongDim): every result is
// compared with a reference computed here element by element (first extreme wins; a NaN is the extreme,
// the first NaN wins), over dtypes, every dim of 1- to 4-d tensors, keepdim, transposed views, ties and
// NaNs; the cases the fast path leaves to libtorch keep libtorch's results and errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';

const start = torch.memory().liveTensors;

/** Reference arg-extreme of x along dim (x read as float64 values in row-major order of x.shape). */
function reference(values: number[], shape: number[], dim: number, max: boolean): number[] {
  const d = dim < 0 ? dim + shape.length : dim;
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const n = shape[d];
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let k = 1; k < n; k++) {
        const v = values[(o * n + k) * inner + i];
        const b = values[(o * n + best) * inner + i];
        if (Number.isNaN(b)) break;
        if (Number.isNaN(v) || (max ? v > b : v < b)) best = k;
      }
      out.push(best);
    }
  }
  return out;
}

const DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'uint8', 'int8'] as const;
const SHAPES = [[7], [3, 5], [2, 1, 4], [2, 3, 4, 5], [1, 2, 6, 5]];

test('argmax/argmin along each dim equal the element-by-element reference (ties, NaNs, views, keepdim)', () => {
  torch.manualSeed(3);
  let cases = 0;
  let nanCases = 0;
  for (const dtype of DTYPES) {
    for (const shape of SHAPES) {
      torch.tidy(() => {
        // few distinct values, so ties are common; NaNs where the dtype has them
        let x = torch.randint(0, 4, shape).to({ dtype });
        if (dtype.startsWith('float') || dtype === 'bfloat16') {
          const flat = x.reshape([-1]);
          if (flat.numel() > 3) {
            flat.indexPut_([torch.tensor([1, flat.numel() - 1])], torch.tensor(NaN).to({ dtype }));
            assert.equal(flat.isnan().sum().item(), 2);
            nanCases++;
          }
          x = flat.reshape(shape);
        }
        for (const view of [x, shape.length > 1 ? x.transpose(0, -1) : x]) {
          const vshape = view.shape;
          const values = Array.from(view.contiguous().to({ dtype: 'float64' }).data() as Float64Array);
          for (let dim = -vshape.length; dim < vshape.length; dim++) {
            for (const keepdim of [false, true]) {
              for (const max of [true, false]) {
                const got = max ? view.argmax({ dim, keepdim }) : view.argmin({ dim, keepdim });
                const expectShape = vshape.map((s, i) => (i === (dim + vshape.length) % vshape.length ? (keepdim ? 1 : -1) : s)).filter((s) => s !== -1);
                assert.deepEqual(got.shape, expectShape, `${dtype} ${vshape} dim ${dim} keepdim ${keepdim}`);
                assert.equal(got.dtype, 'int64');
                assert.deepEqual(Array.from(got.data() as BigInt64Array, Number), reference(values, vshape, dim, max), `${max ? 'argmax' : 'argmin'} ${dtype} [${vshape}] dim ${dim}`);
                cases++;
              }
            }
          }
        }
        return undefined;
      });
    }
  }
  assert.ok(cases > 500 && nanCases > 10);
});

test('calls the fast path leaves alone keep libtorch behaviour', () => {
  torch.tidy(() => {
    const x = torch.tensor([[1, 5, 5], [7, 0, 7]], { dtype: 'float32' });
    // no dim: over the flattened tensor
    assert.equal(x.argmax().item(), 3);
    assert.equal(x.argmin().item(), 4);
    // a 0-d tensor along dim 0
    assert.equal(torch.tensor(2.5).argmax({ dim: 0 }).item(), 0);
    // bool: argmax has no bool kernel in libtorch 1.13
    assert.throws(() => torch.tensor([true, false]).argmax({ dim: 0 }), /argmax|Bool/);
    // an empty reduced dim, and a dim out of range: libtorch's errors
    assert.throws(() => torch.zeros([2, 0]).argmax({ dim: 1 }), /empty|zero|0/i);
    assert.throws(() => x.argmax({ dim: 2 }), /dim|range/i);
    // through the function form too
    assert.deepEqual(Array.from(torch.argmax(x, { dim: 1 }).data() as BigInt64Array, Number), [1, 0]);
    // no autograd history on the indices of a tensor that requires grad
    const w = torch.rand([3, 4]).requiresGrad_();
    const i = w.argmax({ dim: 0 });
    assert.equal(i.requiresGrad, false);
    return undefined;
  });
});

after(() => assert.equal(torch.memory().liveTensors, start, 'tensors left behind'));
