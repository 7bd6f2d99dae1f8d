// Writes .pt files with @monai-ts/torch's `save` for tools/check_pt_weights_only.py to read in Python.
// Usage: npx tsx tools/goldens/serialization/write_pt.ts OUT_DIR
// Writes OUT_DIR/ts_state.pt (no floats outside tensors: PyTorch 1.13's weights_only reader has no
// float opcode), OUT_DIR/ts_floats.pt (with Python floats), and OUT_DIR/ts_expected.json (the
// canonical form of what was saved, the same form the Python script builds from torch.load).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../../../packages/torch/src/index.js';
import { save, saveCheckpoint, isTuple } from '../../../packages/torch/src/serialization/index.js';
import { ptObjects } from '../../../packages/torch/test/serialization/written_objects.js';

const out = process.argv[2];
if (!out) throw new Error('usage: write_pt.ts OUT_DIR');
fs.mkdirSync(out, { recursive: true });

function values(t: torch.Tensor): unknown[] {
  const a = t.toTypedArray();
  if (t.dtype === 'int64') return Array.from(a as BigInt64Array, (x) => x.toString());
  return Array.from(a as ArrayLike<number>, (x) => (Number.isNaN(x) ? { __float__: 'nan' } : x === Infinity ? { __float__: 'inf' } : x === -Infinity ? { __float__: '-inf' } : x));
}

function canon(v: unknown): unknown {
  if (v instanceof torch.Tensor) return { __tensor__: { dtype: v.dtype, shape: v.shape, values: values(v) } };
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : { __bigint__: v.toString() };
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return isTuple(v) ? { __tuple__: v.map(canon) } : v.map(canon);
  if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [canon(k), canon(x)]) };
  return { __dict__: Object.entries(v).map(([k, x]) => [k, canon(x)]) };
}

torch.tidy(() => {
  const { state: plain, floats, checkpoint } = ptObjects();
  save(plain, path.join(out, 'ts_state.pt'));
  save(floats, path.join(out, 'ts_floats.pt'));
  saveCheckpoint(path.join(out, 'ts_checkpoint.pt'), checkpoint);
  fs.writeFileSync(path.join(out, 'ts_expected.json'), JSON.stringify({
    ts_state: canon(plain),
    ts_floats: canon(floats),
  }));
  return undefined;
});
