// One rank of a distributed test: runs the scenario named on the command line and prints its
// findings as one JSON line (the last line of stdout). Started by ranks.ts with torchrun's variables.
import * as torch from '../../../src/index.js';
import { scenarios } from './scenarios.js';

const name = process.argv[2];
const fn = scenarios[name];
if (!fn) {
  console.error(`unknown scenario '${name}' (known: ${Object.keys(scenarios).join(', ')})`);
  process.exit(2);
}
const live0 = torch.memory().liveTensors;
try {
  const out = await fn();
  if (torch.distributed.isInitialized()) torch.distributed.destroyProcessGroup();
  console.log(JSON.stringify({ ...out, leaked: torch.memory().liveTensors - live0 }));
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message, stack: (e as Error).stack }));
  process.exitCode = 1;
}
