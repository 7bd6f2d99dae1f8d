// Writes two scalars with a writer it never closes, then ends (mode 'end') or calls process.exit (mode 'exit').
import { SummaryWriter } from '../../../src/utils/tensorboard/index.js';

const [dir, mode] = process.argv.slice(2);
const w = new SummaryWriter(dir, { maxQueue: 100, flushSecs: 3600 });
w.addScalar('x', 1, 1);
w.addScalar('x', 2, 2);
if (mode === 'exit') process.exit(0);
