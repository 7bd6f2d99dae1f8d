// Writes the TypeScript optimizers' / schedulers' / GradScaler's state dicts after 25 steps of the
// golden problems to a .pt file, for check_ts_state_dicts.py to load in PyTorch 1.13 with
// weights_only=True and continue from.
//   npx tsx tools/goldens/optim/write_ts_state_dicts.ts /tmp/ts_state_25.pt
import * as torch from '../../../packages/torch/src/index.js';
import { save } from '../../../packages/torch/src/serialization/index.js';
import { optimStateDicts, OPTIM_PROBLEM } from '../../../packages/torch/test/serialization/written_optim.js';

const out = process.argv[2] ?? '/tmp/ts_state_25.pt';
const problem = OPTIM_PROBLEM();
torch.tidy(() => {
  const { stateDicts, release } = optimStateDicts(problem);
  save(stateDicts, out);
  release();
  return undefined;
});
problem.dispose();
console.log(`wrote ${out}`);
