// One rank of the 2-rank metric handler test (distributed.test.ts): joins the Gloo group from torchrun's
// variables, runs its share of the golden batches (rank 0: iterations 0-1, rank 1: iteration 2, so the
// ranks hold 4 and 2 items) through an Engine with metric handlers, MetricsSaver and ClassificationSaver,
// then aggregates a gathered DiceMetric that only rank 0 fed, and prints state.metrics, that result and the
// tensors it left alive as one JSON line.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Engine } from '../../../src/engines/index.js';
import { MeanDice, HausdorffDistance, MetricsSaver, ClassificationSaver, gatherBuffersAcrossRanks, type IgniteMetricHandler } from '../../../src/handlers/index.js';
import { DiceMetric } from '../../../src/metrics/index.js';
import { readGolden } from '../../helpers/compare.js';

const G = readGolden('handlers/metric_handlers.json');
const live0 = torch.memory().liveTensors;
torch.distributed.initProcessGroup({ backend: 'gloo', timeout: 20_000 });
const rank = torch.distributed.getRank();
const mine = rank === 0 ? [0, 1] : [2];

const oneHot = (maps: number[][][]): Tensor =>
  torch.tidy(() => {
    const m = torch.tensor(maps, { dtype: 'int64' });
    return torch.stack([0, 1, 2].map((k) => m.eq(k)), 1).to('float32');
  });
const batches = mine.map((i) => [oneHot(G.seg.pred_maps[i]), oneHot(G.seg.label_maps[i])] as [Tensor, Tensor]);
const engine = new Engine((e) => batches[(e.state.iteration - 1) % batches.length]);
engine.state.metricDetails = {};
const handlers: IgniteMetricHandler[] = [new MeanDice({ includeBackground: false }), new MeanDice({ includeBackground: false, reduction: 'mean_batch' }), new HausdorffDistance()];
['dice', 'dice_nobg_mean_batch', 'hd'].forEach((n, i) => handlers[i].attach(engine, n));
new MetricsSaver({ saveDir: process.env.H2_SAVE_DIR!, metricDetails: '*', summaryOps: '*', batchTransform: ((b: unknown) => b) as never }).attach(engine);
new ClassificationSaver({ outputDir: process.env.H2_SAVE_DIR!, batchTransform: ((b: unknown) => b) as never, outputTransform: ((o: [Tensor, Tensor]) => o[0].flatten(1).narrow(1, 0, 3)) as never }).attach(engine);
await engine.run(mine.map((i) => ({ filename_or_obj: G.metrics_saver.names[i] })), { maxEpochs: 1 });
// a rank without items (rank 1) still takes part in the gather and gets rank 0's result
const dice = (m: DiceMetric): number => {
  const r = m.aggregate() as Tensor;
  const v = r.item();
  r.dispose();
  m.reset();
  return v;
};
const gathered = gatherBuffersAcrossRanks(new DiceMetric());
const local = new DiceMetric();
if (rank === 0) for (const m of [gathered, local]) torch.dispose(m.call(batches[0][0], batches[0][1]));
const emptyRank = { gathered: dice(gathered), local: rank === 0 ? dice(local) : null };
const metrics = Object.fromEntries(Object.entries(engine.state.metrics).map(([k, v]) => [k, v instanceof torch.Tensor ? (v.tolist() as number[]) : v]));
handlers.forEach((h) => h.dispose());
torch.dispose(batches.flat());
torch.distributed.destroyProcessGroup();
console.log(JSON.stringify({ rank, emptyRank, metrics: JSON.parse(JSON.stringify(metrics, (_k, v) => (v === Infinity ? 'inf' : v))), leaked: torch.memory().liveTensors - live0 }));
